/**
 * The server of bench/scale.ts, forked by it: the real composition root (startOnevisit, as `onevisit serve`
 * runs it: scheduler and outbox worker polling every second) on the seeded database named by
 * BENCH_SCALE_DATA_DIR, BENCH_SCALE_DATABASE_URL and BENCH_SCALE_SCHEMA, logging at 'warn', on an ephemeral
 * port. Driven through bench/serverControl.ts; `{ memory: true }` answers with process.memoryUsage().
 */
import { startOnevisit } from '../src/main.js';
import { createLogger } from '../src/http/logging.js';
import { serverControl } from './serverControl.js';

const env = process.env;
const onevisit = await startOnevisit({
  dataDir: env.BENCH_SCALE_DATA_DIR!,
  databaseUrl: env.BENCH_SCALE_DATABASE_URL!,
  ...(env.BENCH_SCALE_SCHEMA ? { databaseSchema: env.BENCH_SCALE_SCHEMA } : {}),
  logger: createLogger({ level: 'warn' }),
  pollIntervalMs: 1000,
});
const control = await serverControl({
  db: onevisit.db,
  async rows() {
    const r = (await onevisit.db('applications').count({ n: '*' }).first()) as { n: number | string };
    return { rows: Number(r.n), rowBytes: 0 };
  },
  close: () => onevisit.close(),
});
process.on('message', (message: { memory?: boolean }) => {
  if (message.memory) process.send!({ memory: process.memoryUsage() });
});
const server = onevisit.app.listen(0, '127.0.0.1', () => control.listening(server));
