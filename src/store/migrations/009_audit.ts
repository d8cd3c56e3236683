/**
 * The audit trail: `audit`, one append-only row per audited action, each carrying the SHA-256 of the one before
 * (src/store/audit.ts); and `audit_head`, one row holding the last seq and hash, which an appending transaction
 * locks, so appends from every instance line up into one chain. A trigger keeps the head's hash that of the row
 * at its seq, so an append is two statements: reserve the seqs (reading the previous hash), insert the rows.
 */
import type { Knex } from 'knex';

/** The prev_hash of seq 1. */
export const GENESIS_HASH = '0'.repeat(64);

export async function up(knex: Knex): Promise<void> {
  const postgres = knex.client.config.client === 'pg';
  await knex.schema.createTable('audit', (t) => {
    // The chain position, assigned by the appender (no autoincrement: a gap is a deleted row). On SQLite an
    // INTEGER primary key is the rowid itself.
    if (postgres) t.bigInteger('seq').primary();
    else t.integer('seq').primary();
    t.string('at', 32).notNullable();
    t.string('kind', 40).notNullable();
    t.string('actor_kind', 16).notNullable();
    t.string('actor_id', 64);
    t.string('subject_kind', 16).notNullable();
    t.string('subject_id', 160).notNullable();
    t.text('detail').notNullable();
    t.string('prev_hash', 64).notNullable();
    t.string('hash', 64).notNullable();
    t.index(['subject_kind', 'subject_id', 'seq'], 'audit_subject');
    t.index(['actor_id', 'seq'], 'audit_actor');
    t.index(['at'], 'audit_at');
  });
  await knex.schema.createTable('audit_head', (t) => {
    t.integer('id').primary();
    t.bigInteger('seq').notNullable();
    t.string('hash', 64).notNullable();
  });
  await knex('audit_head').insert({ id: 1, seq: 0, hash: GENESIS_HASH });
  // Only the row at the head's seq (the last of an append) moves the head's hash.
  if (postgres) {
    await knex.raw(`CREATE FUNCTION audit_head_follows() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN UPDATE audit_head SET hash = NEW.hash WHERE id = 1 AND seq = NEW.seq; RETURN NULL; END $$`);
    await knex.raw('CREATE TRIGGER audit_head_follows AFTER INSERT ON audit FOR EACH ROW EXECUTE FUNCTION audit_head_follows()');
  } else {
    await knex.raw('CREATE TRIGGER audit_head_follows AFTER INSERT ON audit BEGIN UPDATE audit_head SET hash = NEW.hash WHERE id = 1 AND seq = NEW.seq; END');
  }
}

export async function down(knex: Knex): Promise<void> {
  const postgres = knex.client.config.client === 'pg';
  await knex.raw('DROP TRIGGER IF EXISTS audit_head_follows' + (postgres ? ' ON audit' : ''));
  if (postgres) await knex.raw('DROP FUNCTION IF EXISTS audit_head_follows()');
  await knex.schema.dropTable('audit_head');
  await knex.schema.dropTable('audit');
}
