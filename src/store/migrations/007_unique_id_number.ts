/**
 * One account per resident id number: a wallet is keyed by it, so a second account claiming the same number
 * would open someone else's certificates. (Accounts without an id number — staff — are not affected: NULLs
 * are distinct under a unique key on both databases.)
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => t.unique(['id_number'], { indexName: 'users_id_number_unique' }));
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => t.dropUnique(['id_number'], 'users_id_number_unique'));
}
