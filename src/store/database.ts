/**
 * The database connection. SQLite (one file in the data directory) is the embedded default; a
 * `postgres://` URL selects PostgreSQL. Dialect differences live here and in `dialect.ts`.
 */
import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';

export type Database = Knex;

export interface DatabaseConfig {
  /** `postgres://…` or `sqlite:<file>`; when absent, `<dataDir>/onevisit.sqlite`. */
  url?: string;
  dataDir?: string;
  /** Connections in the pool (PostgreSQL only; SQLite has one writer). */
  poolMax?: number;
  /** PostgreSQL schema to work in (tests use one each, so runs never collide). */
  schema?: string;
}

export function openDatabase(config: DatabaseConfig): Database {
  const url = config.url;
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    return knexFactory({
      client: 'pg',
      connection: url,
      // A failed statement's error must not carry its bound values (form data, names) into logs and admin views.
      compileSqlOnError: false,
      pool: { min: 0, max: config.poolMax ?? 10 },
      ...(config.schema ? { searchPath: [config.schema] } : {}),
    });
  }
  const filename = url?.startsWith('sqlite:') ? url.slice('sqlite:'.length) : path.join(config.dataDir ?? 'data', 'onevisit.sqlite');
  if (filename !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(filename)), { recursive: true });
  return knexFactory({
    client: 'sqlite3',
    connection: { filename },
    compileSqlOnError: false,
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      // The busy timeout comes first: another process may hold the file while this connection switches it to WAL.
      // WAL lets readers proceed beside the one writer. FULL sync makes a commit durable before it is
      // acknowledged, across power loss and OS crashes too (in WAL, NORMAL survives a process crash but may lose
      // the last commits when the machine goes down), so an answered request is never forgotten. A 64 MiB page
      // cache (the default is 2 MiB) keeps the hot pages — open tasks, indexes, recent rows — in memory beside a
      // city's history.
      afterCreate(connection: { run(sql: string, cb: (error: Error | null) => void): void }, done: (error: Error | null, c: unknown) => void) {
        const pragmas = ['PRAGMA busy_timeout = 5000', 'PRAGMA journal_mode = WAL', 'PRAGMA synchronous = FULL', 'PRAGMA foreign_keys = ON', 'PRAGMA cache_size = -65536'];
        const next = (i: number): void => {
          if (i === pragmas.length) return done(null, connection);
          connection.run(pragmas[i]!, (error) => (error ? done(error, connection) : next(i + 1)));
        };
        next(0);
      },
    },
  });
}

export function isPostgres(db: Database): boolean {
  return db.client.config.client === 'pg';
}

/** A description of the database without credentials, for logs and messages. */
export function describeDatabase(db: Database): string {
  if (isPostgres(db)) {
    const connection = db.client.config.connection;
    try {
      const url = new URL(String(connection));
      return `PostgreSQL ${url.hostname}:${url.port || 5432}${url.pathname}`;
    } catch {
      return 'PostgreSQL';
    }
  }
  return `SQLite ${(db.client.config.connection as { filename: string }).filename}`;
}
