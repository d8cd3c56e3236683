/**
 * Users and their sessions. A session is keyed by the SHA-256 of its bearer token: the token itself is never
 * stored, so a copy of the database signs nobody in. The CSRF token is derived from the session token, so it
 * needs no column either.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.string('id', 36).primary();
    t.string('username', 64).notNullable().unique(); // stored lower-cased: names are case-insensitive
    t.text('password_hash').notNullable();
    t.enu('role', ['citizen', 'clerk', 'admin']).notNullable();
    t.text('departments').notNullable(); // JSON array of department ids
    t.string('name', 128).notNullable();
    t.string('id_number', 32); // the full resident id number (wallets need it); never logged, never shown whole
    t.string('created_at', 32).notNullable();
    t.string('disabled_at', 32);
  });

  await knex.schema.createTable('sessions', (t) => {
    t.string('token_hash', 64).primary();
    t.string('user_id', 36).notNullable().references('id').inTable('users');
    t.string('created_at', 32).notNullable();
    t.string('expires_at', 32).notNullable();
    t.string('revoked_at', 32);
    t.index(['user_id']);
    t.index(['expires_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('sessions');
  await knex.schema.dropTableIfExists('users');
}
