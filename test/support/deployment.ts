/**
 * One onevisit deployment for reliability suites: a database (a SQLite file in the data directory, or a PostgreSQL
 * schema of its own, given to `serve` as ONEVISIT_DATABASE_SCHEMA) and one data directory (uploads, signing keys),
 * served by any number of `onevisit serve` child processes (test/support/serveProcess.ts), killed with SIGKILL or
 * stopped, and restarted. The test can open the same database in-process to look underneath.
 *
 * Every child is killed when the deployment closes, and (SIGKILL, synchronously) when the test process exits,
 * so a failed or timed-out test never leaves a server running.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import { openDatabase, type Database } from '../../src/store/index.js';
import { postgresUrl, type DatabaseKind } from './databases.js';
import { freePort, startServe, type ServeProcess } from './serveProcess.js';
import { Api } from './api.js';

export interface Instance {
  name: string;
  port: number;
  api: Api;
  serve: ServeProcess;
  /** How this process names itself in outbox leases (`<host>:<pid>:`, then a random suffix). */
  leaseOwnerPrefix: string;
  alive(): boolean;
  /** SIGKILL (a crash: no shutdown code runs); resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM (a clean shutdown); resolves with the exit code. */
  stop(): Promise<number | null>;
}

export interface Deployment {
  kind: DatabaseKind;
  dataDir: string;
  /** The environment every instance gets (database and data directory). */
  env: Record<string, string>;
  /** The database, opened in this process (one pool, shared; closed with the deployment). */
  db(): Database;
  /**
   * Starts `serve` and waits until it answers GET /api/v1/services with 200 (throws with its stderr otherwise).
   * `demo` seeds the demo accounts on an empty database; `port` reuses a port (a restart), else a free one.
   */
  start(name: string, options?: { demo?: boolean; port?: number }): Promise<Instance>;
  /** The instances started and not yet ended. */
  running(): Instance[];
  /** Kills every instance still running, drops the database and removes the data directory. */
  close(): Promise<void>;
}

const alive = new Set<ServeProcess>();
process.on('exit', () => {
  for (const p of alive) p.child.kill('SIGKILL');
});

export async function openDeployment(kind: DatabaseKind, label = 'reliability'): Promise<Deployment> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `onevisit-${label}-`));
  const suffix = randomBytes(6).toString('hex');
  let env: Record<string, string>;
  let inProcess: () => Database;
  let drop: () => Promise<void> = async () => undefined;
  if (kind === 'sqlite') {
    const url = `sqlite:${path.join(dataDir, 'onevisit.sqlite')}`;
    env = { ONEVISIT_DATA_DIR: dataDir, ONEVISIT_DATABASE_URL: url };
    inProcess = () => openDatabase({ url });
  } else {
    const schema = `r_${suffix}`;
    await runOnPostgres((k) => k.raw(`CREATE SCHEMA ${schema}`));
    env = { ONEVISIT_DATA_DIR: dataDir, ONEVISIT_DATABASE_URL: postgresUrl, ONEVISIT_DATABASE_SCHEMA: schema };
    inProcess = () => openDatabase({ url: postgresUrl, schema });
    drop = () => runOnPostgres((k) => k.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
  }

  let db: Database | undefined;
  const instances: Instance[] = [];
  const deployment: Deployment = {
    kind,
    dataDir,
    env,
    db: () => (db ??= inProcess()),
    async start(name, options = {}) {
      const port = options.port ?? (await freePort());
      const serve = startServe({ ...env, ...(options.demo ? { ONEVISIT_DEMO: '1' } : {}) }, port);
      alive.add(serve);
      void serve.exited.then(() => alive.delete(serve));
      let ended = false;
      void serve.exited.then(() => (ended = true));
      const instance: Instance = {
        name,
        port,
        api: new Api(port),
        serve,
        leaseOwnerPrefix: `${os.hostname()}:${serve.child.pid}:`,
        alive: () => !ended,
        async kill() {
          if (!ended) serve.child.kill('SIGKILL');
          await serve.exited;
        },
        stop: () => serve.stop(),
      };
      instances.push(instance);
      const status = await serve.ready();
      if (status !== 200) {
        await instance.kill();
        throw new Error(`instance ${name} did not come up (${status}): ${serve.stderr().slice(-3000)}`);
      }
      return instance;
    },
    running: () => instances.filter((i) => i.alive()),
    async close() {
      await Promise.all(instances.map((i) => i.kill()));
      await db?.destroy();
      db = undefined;
      await drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return deployment;
}

async function runOnPostgres(statement: (k: Knex) => Promise<unknown>): Promise<void> {
  const admin = knexFactory({ client: 'pg', connection: postgresUrl, pool: { min: 0, max: 1 } });
  try {
    await statement(admin);
  } finally {
    await admin.destroy();
  }
}

/**
 * Makes every certificate insert wait, from now until `release`, so an instance issuing certificates is stuck
 * holding its effect's lease: on PostgreSQL the test holds a table lock that inserts wait for; on SQLite a
 * trigger runs a query that never ends inside the inserting transaction (which holds the write lock until its
 * process dies). On SQLite, therefore, kill the stuck instance before calling `release`.
 */
export async function stallCertificateInserts(deployment: Deployment): Promise<{ release(): Promise<void> }> {
  const db = deployment.db();
  if (deployment.kind === 'postgres') {
    const trx = await db.transaction();
    await trx.raw('LOCK TABLE certificates IN EXCLUSIVE MODE');
    return { release: () => trx.rollback().then(() => undefined) };
  }
  await db.raw('CREATE TABLE stall_rows (x INTEGER NOT NULL)');
  await db.raw('WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3000) INSERT INTO stall_rows (x) SELECT x FROM n');
  // 3000³ rows to add up: far longer than any test waits.
  await db.raw('CREATE TRIGGER stall_certificates BEFORE INSERT ON certificates BEGIN SELECT sum(a.x + b.x + c.x) FROM stall_rows a, stall_rows b, stall_rows c; END');
  return {
    async release() {
      await db.raw('DROP TRIGGER stall_certificates');
      await db.raw('DROP TABLE stall_rows');
    },
  };
}
