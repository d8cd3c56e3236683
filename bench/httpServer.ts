/**
 * The onevisit side of the HTTP benchmark, run as a child process by bench/http.ts: the real composition
 * root (startOnevisit) on a fresh SQLite data directory, logging at 'warn', no scheduler poll, listening on
 * an ephemeral port. Sends `{ port }` to the parent; on `{ stop: true }` answers `{ stopped, rows }` and exits.
 * BENCH_PROFILE=1 in the parent forks this with --cpu-prof; BENCH_COUNT_QUERIES=1 prints the knex statements it ran.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { startOnevisit } from '../src/main.js';
import { createLogger } from '../src/http/logging.js';

if (!process.send) throw new Error('bench/httpServer.js is forked by bench/http.js');

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onevisit-bench-http-'));
const onevisit = await startOnevisit({ dataDir, logger: createLogger({ level: 'warn' }), pollIntervalMs: 0 });
/** BENCH_COUNT_QUERIES=1: the statements knex ran, by kind, printed at stop. (Raw statements on SQLite's own connection do not pass through knex.) */
const queries = new Map<string, number>();
if (process.env.BENCH_COUNT_QUERIES) {
  onevisit.db.on('query', (q: { sql: string }) => {
    const key = q.sql.replace(/\s+/g, ' ').slice(0, 60);
    queries.set(key, (queries.get(key) ?? 0) + 1);
  });
}

const server = onevisit.app.listen(0, '127.0.0.1', () => {
  process.send!({ port: (server.address() as AddressInfo).port });
});
server.keepAliveTimeout = 60_000;

process.on('message', async (message: { stop?: boolean }) => {
  if (!message.stop) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
  const rows = (await onevisit.db('applications').count({ n: '*' }).avg({ snapshotBytes: onevisit.db.raw('length(snapshot)') }).first()) as { n: number; snapshotBytes: number };
  if (queries.size > 0) console.error('onevisit server queries:', Object.fromEntries([...queries].sort((a, b) => b[1] - a[1])));
  await onevisit.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  process.send!({ stopped: true, rows: Number(rows.n), rowBytes: Math.round(Number(rows.snapshotBytes)) }, () => process.exit(0));
});
