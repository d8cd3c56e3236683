/**
 * Progress lookup and drafts:
 * - `application_check_codes`, one row per application submitted from this release on: the salt and SHA-256 of the
 *   check code printed on its receipt (identity/checkCode.ts), written in the submission's transaction. Applications
 *   already in flight get none — nobody was ever given a code for them — so progress lookup (GET /progress) answers
 *   404 for them as for any wrong pair; their applicants follow them signed in.
 * - `drafts`, applications not yet submitted, kept on the server for their owner: the service, the form so far and
 *   the materials chosen (JSON), deleted in the transaction of the submission made from them.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('application_check_codes', (t) => {
    t.string('application_id', 36).primary().references('id').inTable('applications');
    t.string('salt', 32).notNullable();
    t.string('hash', 64).notNullable();
  });

  await knex.schema.createTable('drafts', (t) => {
    t.string('id', 36).primary();
    // Whoever keeps it: a citizen now; a clerk preparing a counter intake later (the applicant would be a column of its own).
    t.string('owner_id', 36).notNullable().references('id').inTable('users');
    t.string('service_id', 64).notNullable();
    t.text('form').notNullable(); // JSON object, partial
    t.text('materials').notNullable(); // JSON array of material claims
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32).notNullable();
    t.index(['owner_id', 'updated_at'], 'drafts_owner_updated');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('drafts');
  await knex.schema.dropTableIfExists('application_check_codes');
}
