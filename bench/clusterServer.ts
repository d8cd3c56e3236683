/**
 * One instance of bench/cluster.ts, forked by it: the real composition root (startOnevisit) as `onevisit serve`
 * runs it — scheduler and outbox worker polling every second — on PostgreSQL (BENCH_CLUSTER_DATABASE_URL, in the
 * schema BENCH_CLUSTER_SCHEMA), with the data directory BENCH_CLUSTER_DATA_DIR that the instances of one
 * deployment share (signing keys, uploaded files), logging at 'warn', on an ephemeral port. BENCH_ADMIN=user:password
 * creates an admin account first (the first instance only). Driven through bench/serverControl.ts.
 */
import { startOnevisit } from '../src/main.js';
import { createLogger } from '../src/http/logging.js';
import { serverControl } from './serverControl.js';

const env = process.env;
if (!env.BENCH_CLUSTER_DATABASE_URL || !env.BENCH_CLUSTER_SCHEMA || !env.BENCH_CLUSTER_DATA_DIR) throw new Error('bench/clusterServer.js is forked by bench/cluster.js');
const onevisit = await startOnevisit({
  dataDir: env.BENCH_CLUSTER_DATA_DIR,
  databaseUrl: env.BENCH_CLUSTER_DATABASE_URL,
  databaseSchema: env.BENCH_CLUSTER_SCHEMA,
  logger: createLogger({ level: 'warn' }),
  pollIntervalMs: 1000,
  // The load clients register their citizens over HTTP from this machine: beyond the per-address limit.
  http: { registrationAttempts: 1_000_000 },
});
if (env.BENCH_ADMIN) {
  const at = env.BENCH_ADMIN.indexOf(':');
  await onevisit.identity.addUser({ username: env.BENCH_ADMIN.slice(0, at), password: env.BENCH_ADMIN.slice(at + 1), role: 'admin', name: 'bench admin' });
}
const control = await serverControl({
  db: onevisit.db,
  async rows() {
    const r = (await onevisit.db('applications').count({ n: '*' }).first()) as { n: number | string };
    return { rows: Number(r.n), rowBytes: 0 };
  },
  close: () => onevisit.close(),
});
const server = onevisit.app.listen(0, '127.0.0.1', () => control.listening(server));
