/**
 * The engine's hot write path: one short transaction of plain parameterised statements.
 *
 * On SQLite it runs on the pool's one connection directly, with prepared statements kept per
 * connection: the query builder and per-query bookkeeping cost more than SQLite's own work for
 * these small writes (measured in bench/core.ts). On PostgreSQL it is an ordinary knex transaction.
 * Statements use `?` placeholders on both.
 */
import type { Knex } from 'knex';
import type { Database } from './database.js';
import { isPostgres } from './database.js';

export interface Writer {
  /** Which database the statements go to (for the few that differ). */
  readonly postgres: boolean;
  /** Runs a statement; resolves to the number of rows it changed. */
  run(sql: string, params: readonly unknown[]): Promise<number>;
  /** Runs a statement that returns rows (e.g. `RETURNING`); resolves to the first. */
  get<T>(sql: string, params: readonly unknown[]): Promise<T | undefined>;
  /** Runs a query; resolves to all its rows. */
  all<T>(sql: string, params: readonly unknown[]): Promise<T[]>;
}

interface SqliteStatement {
  run(params: unknown[], callback: (this: { changes: number }, error: Error | null) => void): void;
  all(params: unknown[], callback: (error: Error | null, rows: unknown[]) => void): void;
}

interface SqliteConnection {
  prepare(sql: string, callback: (error: Error | null) => void): SqliteStatement;
  run(sql: string, callback: (error: Error | null) => void): void;
}

const prepared = new WeakMap<SqliteConnection, Map<string, SqliteStatement>>();

export async function writeTransaction<T>(db: Database, work: (writer: Writer) => Promise<T>): Promise<T> {
  if (isPostgres(db)) {
    return db.transaction((tx) =>
      work({
        postgres: true,
        async run(sql, params) {
          const result = (await tx.raw(sql, [...params] as Knex.RawBinding[])) as { rowCount: number | null };
          return result.rowCount ?? 0;
        },
        async get<R>(sql: string, params: readonly unknown[]) {
          const result = (await tx.raw(sql, [...params] as Knex.RawBinding[])) as { rows: R[] };
          return result.rows[0];
        },
        async all<R>(sql: string, params: readonly unknown[]) {
          const result = (await tx.raw(sql, [...params] as Knex.RawBinding[])) as { rows: R[] };
          return result.rows;
        },
      }),
    );
  }
  const connection = (await db.client.acquireConnection()) as SqliteConnection;
  try {
    await exec(connection, 'BEGIN IMMEDIATE');
    try {
      const result = await work(sqliteWriter(connection));
      await exec(connection, 'COMMIT');
      return result;
    } catch (error) {
      await exec(connection, 'ROLLBACK').catch(() => undefined);
      throw error;
    }
  } finally {
    await db.client.releaseConnection(connection);
  }
}

function sqliteWriter(connection: SqliteConnection): Writer {
  return {
    postgres: false,
    run: async (sql, params) => {
      const stmt = await statement(connection, sql);
      return new Promise((resolve, reject) =>
        stmt.run([...params], function (error) {
          if (error) reject(error);
          else resolve(this.changes);
        }),
      );
    },
    get: async <R>(sql: string, params: readonly unknown[]) => (await all<R>(connection, sql, params))[0],
    all: (sql, params) => all(connection, sql, params),
  };
}

async function all<R>(connection: SqliteConnection, sql: string, params: readonly unknown[]): Promise<R[]> {
  const stmt = await statement(connection, sql);
  // all(), not get(): it steps the statement to its end, so it never holds the transaction open.
  return new Promise<R[]>((resolve, reject) => stmt.all([...params], (error, rows) => (error ? reject(error) : resolve(rows as R[]))));
}

async function statement(connection: SqliteConnection, sql: string): Promise<SqliteStatement> {
  let cache = prepared.get(connection);
  if (!cache) prepared.set(connection, (cache = new Map()));
  const hit = cache.get(sql);
  if (hit) return hit;
  const stmt = await new Promise<SqliteStatement>((resolve, reject) => {
    const s = connection.prepare(sql, (error) => (error ? reject(error) : resolve(s)));
  });
  cache.set(sql, stmt);
  return stmt;
}

function exec(connection: SqliteConnection, sql: string): Promise<void> {
  return new Promise((resolve, reject) => connection.run(sql, (error) => (error ? reject(error) : resolve())));
}
