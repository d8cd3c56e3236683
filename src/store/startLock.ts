/**
 * The start lock: what an instance does to a database before it serves — migrating the schema, seeding the
 * calendar, publishing the catalog — is done by one instance at a time, so instances started together (or a
 * `serve` beside a `migrate`) never race each other on an empty database. knex's own migration lock is not
 * enough: knex creates its migration tables before it takes that lock.
 *
 * - PostgreSQL: a session advisory lock, `pg_advisory_lock`, held on a connection of its own (outside the pool,
 *   as knex does for cancelling queries) for the whole of the work and released in `finally`. Its key is a fixed
 *   class plus a hash of the connection's `search_path`, so instances in one schema exclude each other and
 *   instances in other schemas of the same database (tests) do not. If the process dies, PostgreSQL ends the
 *   session and the lock with it.
 * - SQLite: a write transaction (`BEGIN IMMEDIATE`) held on a second SQLite file beside the database,
 *   `<file>.start-lock`, opened by a connection of its own. Not the database file itself: knex's pool has one
 *   connection, and a write lock on the database held by another connection of this process would block our own
 *   migrations. Not a lock file created with O_EXCL either: a process that crashes leaves such a file behind,
 *   and telling a stale one from a live one (a pid? on which host? reused?) and taking it over without two
 *   processes both succeeding is a race of its own. SQLite's lock is a POSIX advisory lock on the file, which
 *   excludes other processes and other connections of this process, is released by the operating system
 *   when the process ends however it ends, and needs no clean-up: the file stays (empty) and is never
 *   removed, since removing a file another process has open and locked would let a third lock a new one.
 *   An in-memory database is private to its connection and needs no lock.
 */
import path from 'node:path';
import sqlite3 from 'sqlite3';
import { isPostgres, type Database } from './database.js';

/** The advisory lock class of onevisit's start lock (the first key of `pg_advisory_lock(int, int)`). */
export const PG_START_LOCK_CLASS = 0x6f6e6576; // "onev"
const PG_KEY = `$1::int, hashtext(current_setting('search_path'))`;

/** How often a waiting SQLite instance tries the lock again. */
const SQLITE_RETRY_MS = 50;

export interface StartLockOptions {
  /** Called once when another instance holds the lock and this one starts waiting for it. */
  onWait?: () => void;
}

/** Runs `work` holding the start lock of `db`'s database (waiting for it as long as it takes). */
export async function withStartLock<T>(db: Database, work: () => Promise<T>, options: StartLockOptions = {}): Promise<T> {
  return isPostgres(db) ? withPostgresLock(db, work, options) : withSqliteLock(db, work, options);
}

interface PgConnection {
  query(sql: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  on(event: 'error', listener: (error: Error) => void): void;
}

async function withPostgresLock<T>(db: Database, work: () => Promise<T>, options: StartLockOptions): Promise<T> {
  const client = db.client as { acquireRawConnection(): Promise<PgConnection>; destroyRawConnection(c: PgConnection): Promise<void> };
  const connection = await client.acquireRawConnection();
  // A connection that breaks while idle emits 'error'; unheard, that would end the process. The lock ends with it.
  connection.on('error', () => undefined);
  try {
    const { rows } = await connection.query(`SELECT pg_try_advisory_lock(${PG_KEY}) AS locked`, [PG_START_LOCK_CLASS]);
    if (rows[0]?.locked !== true) {
      options.onWait?.();
      await connection.query(`SELECT pg_advisory_lock(${PG_KEY})`, [PG_START_LOCK_CLASS]);
    }
    try {
      return await work();
    } finally {
      await connection.query(`SELECT pg_advisory_unlock(${PG_KEY})`, [PG_START_LOCK_CLASS]).catch(() => undefined);
    }
  } finally {
    // Ending the session would release the lock in any case.
    await client.destroyRawConnection(connection).catch(() => undefined);
  }
}

/** The file whose SQLite write lock is the start lock of the database in `filename`. */
export function sqliteStartLockFile(filename: string): string {
  return `${path.resolve(filename)}.start-lock`;
}

async function withSqliteLock<T>(db: Database, work: () => Promise<T>, options: StartLockOptions): Promise<T> {
  const filename = (db.client.config.connection as { filename: string }).filename;
  if (filename === ':memory:' || filename === '') return work();
  const lock = await openSqlite(sqliteStartLockFile(filename));
  try {
    lock.configure('busyTimeout', 0);
    for (let waited = false; ; ) {
      try {
        await run(lock, 'BEGIN IMMEDIATE');
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
        if (!waited) options.onWait?.();
        waited = true;
        await new Promise((resolve) => setTimeout(resolve, SQLITE_RETRY_MS));
      }
    }
    try {
      return await work();
    } finally {
      await run(lock, 'ROLLBACK').catch(() => undefined);
    }
  } finally {
    // Closing the connection releases its lock in any case.
    await new Promise<void>((resolve) => lock.close(() => resolve()));
  }
}

function openSqlite(file: string): Promise<sqlite3.Database> {
  return new Promise((resolve, reject) => {
    const connection: sqlite3.Database = new sqlite3.Database(file, (error) => (error ? reject(error) : resolve(connection)));
  });
}

function run(connection: sqlite3.Database, sql: string): Promise<void> {
  return new Promise((resolve, reject) => connection.run(sql, (error: Error | null) => (error ? reject(error) : resolve())));
}
