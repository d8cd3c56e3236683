/**
 * The reference data definitions name, kept in the database so an admin can add to it without a restart:
 * departments, certificate types and certificate templates, one row each in `reference_entries` (kind, id, the
 * entry as JSON). The shipped files seed it: an entry the files hold is written while no admin has saved it
 * (`edited_by` null), so a changed file reaches the database at the next start and an admin's edit is kept.
 * `revision` grows with every write of the row, so instances tell a change by the rows' revisions alone.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('reference_entries', (t) => {
    t.string('kind', 24).notNullable();
    t.string('id', 64).notNullable();
    t.text('body').notNullable();
    t.integer('revision').notNullable();
    t.string('updated_at', 32).notNullable();
    t.string('edited_by', 36).nullable();
    t.primary(['kind', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('reference_entries');
}
