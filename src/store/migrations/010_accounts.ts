/**
 * Notices for an account's owner, shown at their next sign-in. Registration answers the same whether or not an
 * account stood in the way (so it reveals no accounts); when someone registers with the resident id number of an
 * existing account, nothing is created and the owner of that account is told here instead. One row per account
 * and kind: repeated attempts add to `count` (a flood of attempts is one notice, not thousands).
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('account_notices', (t) => {
    t.string('user_id', 36).notNullable().references('id').inTable('users');
    t.string('kind', 64).notNullable();
    t.integer('count').notNullable();
    t.string('first_at', 32).notNullable();
    t.string('last_at', 32).notNullable();
    t.primary(['user_id', 'kind']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('account_notices');
}
