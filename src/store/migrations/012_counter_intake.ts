/**
 * Counter intake (窗口代录): a window clerk enters an application for a person who walked in.
 * - `walk_in_applicants`, the people applications were entered for at a counter while they had no account: their
 *   resident id number (unique: one record per person) and name. Such an application's `applicant_id` is the
 *   record's id; its wallet and certificates are those of the id number, and whoever registers with that number is
 *   its owner (the policy's `applicationAccess`). The number is kept for those lookups only, as `users.id_number` is.
 * - on `drafts`, the person an intake draft is being prepared for (the keeper is the clerk): their name and id number,
 *   both null for a citizen's own draft.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('walk_in_applicants', (t) => {
    t.string('id', 36).primary();
    t.string('id_number', 18).notNullable().unique({ indexName: 'walk_in_applicants_id_number_unique' });
    t.string('name', 64).notNullable();
    t.string('created_at', 32).notNullable();
  });
  await knex.schema.alterTable('drafts', (t) => {
    t.string('applicant_name', 64).nullable();
    t.string('applicant_id_number', 18).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('drafts', (t) => {
    t.dropColumn('applicant_id_number');
    t.dropColumn('applicant_name');
  });
  await knex.schema.dropTableIfExists('walk_in_applicants');
}
