/**
 * The onevisit side of the HTTP benchmark, run as a child process by bench/http.ts: the real composition
 * root (startOnevisit) on a fresh SQLite data directory, logging at 'warn', no scheduler poll, listening on
 * an ephemeral port. Driven through bench/serverControl.ts (which also takes the CPU profiles).
 * BENCH_ADMIN=username:password creates an admin account first (as `onevisit user add` would), for
 * benchmarks that need clerks (bench/issuingLatency.ts creates them over HTTP with it).
 * BENCH_SQLITE_SYNCHRONOUS=NORMAL|FULL sets SQLite's PRAGMA synchronous after start-up instead of
 * src/store/database.ts's default (bench/http.ts measures the cost of durability with it); the server
 * announces the setting it runs with.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startOnevisit } from '../src/main.js';
import { createLogger } from '../src/http/logging.js';
import { serverControl } from './serverControl.js';
import { setSynchronous, type Synchronous } from './sqliteSync.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onevisit-bench-http-'));
// The benchmarks register their citizens over HTTP from this machine: beyond the per-address limit.
const onevisit = await startOnevisit({ dataDir, logger: createLogger({ level: 'warn' }), pollIntervalMs: 0, http: { registrationAttempts: 1_000_000 } });
if (process.env.BENCH_ADMIN) {
  const at = process.env.BENCH_ADMIN.indexOf(':');
  await onevisit.identity.addUser({ username: process.env.BENCH_ADMIN.slice(0, at), password: process.env.BENCH_ADMIN.slice(at + 1), role: 'admin', name: 'bench admin' });
}
if (process.env.BENCH_SQLITE_SYNCHRONOUS) await setSynchronous(onevisit.db, process.env.BENCH_SQLITE_SYNCHRONOUS as Synchronous);
const control = await serverControl({
  db: onevisit.db,
  async rows() {
    const r = (await onevisit.db('applications').count({ n: '*' }).avg({ bytes: onevisit.db.raw('length(snapshot)') }).first()) as { n: number; bytes: number };
    return { rows: Number(r.n), rowBytes: Math.round(Number(r.bytes)) };
  },
  async close() {
    await onevisit.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  },
});
const server = onevisit.app.listen(0, '127.0.0.1', () => control.listening(server));
