/**
 * The databases store-level suites run on: SQLite always (a real file), PostgreSQL when
 * ONEVISIT_TEST_DATABASES names it (URL from ONEVISIT_TEST_PG_URL). Each opened database is a fresh,
 * migrated one: a new file, or a new PostgreSQL schema dropped afterwards.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import knexFactory from 'knex';
import { migrateLatest, openDatabase, type Database } from '../../src/store/index.js';

export type DatabaseKind = 'sqlite' | 'postgres';

export const postgresUrl = process.env.ONEVISIT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Whether the PostgreSQL server answers (within a second). */
async function postgresAnswers(): Promise<boolean> {
  const probe = knexFactory({ client: 'pg', connection: { connectionString: postgresUrl, connectionTimeoutMillis: 1000 }, pool: { min: 0, max: 1 } });
  try {
    await probe.raw('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await probe.destroy();
  }
}

/**
 * ONEVISIT_TEST_DATABASES names them (CI: `sqlite,postgres`, so a missing server fails the run). Unset,
 * the suites run on SQLite, and on PostgreSQL too when one answers at ONEVISIT_TEST_PG_URL.
 */
export const databaseKinds: DatabaseKind[] = process.env.ONEVISIT_TEST_DATABASES
  ? process.env.ONEVISIT_TEST_DATABASES.split(',')
      .map((s) => s.trim())
      .filter((s): s is DatabaseKind => s === 'sqlite' || s === 'postgres')
  : ['sqlite', ...((await postgresAnswers()) ? (['postgres'] as const) : [])];

export interface TestDatabase {
  db: Database;
  kind: DatabaseKind;
  /** Another connection pool on the same database, as a second process would have. */
  openAnother(): Database;
  close(): Promise<void>;
}

/** A fresh database, migrated to the latest schema unless `migrate` is false (an empty one, for migration tests). */
export async function openTestDatabase(kind: DatabaseKind, { migrate = true }: { migrate?: boolean } = {}): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onevisit-test-'));
    const url = `sqlite:${path.join(dir, 'test.sqlite')}`;
    const db = openDatabase({ url });
    if (migrate) await migrateLatest(db);
    const others: Database[] = [];
    return {
      db,
      kind,
      openAnother: () => {
        const other = openDatabase({ url });
        others.push(other);
        return other;
      },
      async close() {
        await Promise.all([db.destroy(), ...others.map((o) => o.destroy())]);
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: postgresUrl });
  await admin.raw(`CREATE SCHEMA ${schema}`);
  const db = openDatabase({ url: postgresUrl, schema });
  if (migrate) await migrateLatest(db);
  const others: Database[] = [];
  return {
    db,
    kind,
    openAnother: () => {
      const other = openDatabase({ url: postgresUrl, schema });
      others.push(other);
      return other;
    },
    async close() {
      await Promise.all([db.destroy(), ...others.map((o) => o.destroy())]);
      await admin.raw(`DROP SCHEMA ${schema} CASCADE`);
      await admin.destroy();
    },
  };
}
