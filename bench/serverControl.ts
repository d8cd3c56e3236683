/**
 * The parent side's view of a forked benchmark server (bench/httpServer.ts, bench/floorServer.ts), shared by
 * both so they are driven identically. Messages from bench/http.ts:
 * - `{ measure: 'start' }` / `{ measure: 'stop' }`: the event-loop utilisation of the server between the two
 *   (how busy its one JS thread was during a load round) and, with BENCH_COUNT_QUERIES=1, the SQL
 *   statements SQLite ran in that window with their count and SQLite-side time (sqlite3's profile event,
 *   which sees raw prepared statements as well as knex's);
 * - `{ measure: 'start', profile: 'name' }` also records a CPU profile of the window (V8's sampling profiler
 *   through the inspector, 200 µs) into `$BENCH_PROFILE_DIR/name.cpuprofile`: the load alone, without start-up;
 * - with BENCH_LOOP_DELAY=1, the measurement also carries the event-loop delay in the window (perf_hooks'
 *   monitorEventLoopDelay, 1 ms resolution): how long a ready callback waited for the JS thread;
 * - `{ stop: true }`: closes the server and the database, answers with the rows stored, exits.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Server } from 'node:http';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';
import type { Database } from '../src/store/index.js';
import { synchronousOf, type Synchronous } from './sqliteSync.js';

export interface StatementStats {
  count: number;
  /** Summed SQLite execution time, ms. */
  ms: number;
}

export interface Measurement {
  /** Event-loop utilisation, 0..1. */
  elu: number;
  /** Share of the window during which the pool's connection was checked out (SQLite: the one connection), 0..1. */
  connectionBusy: number;
  /** Connection checkouts in the window (a knex query, or a whole write transaction). */
  checkouts: number;
  /** Checkouts during which knex ran a query, and the others (the engine's raw write transactions), with their summed hold time. */
  holds: { knexQuery: StatementStats; other: StatementStats };
  statements?: Record<string, StatementStats>;
  /** SQLite's PRAGMA synchronous at the end of the window (read from the connection); absent on PostgreSQL. */
  synchronous?: Synchronous;
  /** BENCH_LOOP_DELAY=1: event-loop delay in the window, ms: the intervals between 1 ms timer ticks, so an idle loop reads about 1. */
  loopDelay?: { p50: number; p99: number; max: number };
}

export interface ServerControl {
  listening(server: Server): void;
}

export async function serverControl(options: { db: Database; rows: () => Promise<{ rows: number; rowBytes: number }>; close: () => Promise<void> }): Promise<ServerControl> {
  if (!process.send) throw new Error('a benchmark server is forked by bench/http.js');
  let server: Server | undefined;
  let started: EventLoopUtilization | undefined;
  const statements = new Map<string, StatementStats>();
  if (process.env.BENCH_COUNT_QUERIES) {
    const connection = (await options.db.client.acquireConnection()) as { on(event: 'profile', listener: (sql: string, ns: number) => void): void };
    connection.on('profile', (sql, ms) => {
      const key = sql.replace(/\s+/g, ' ').slice(0, 70);
      const s = statements.get(key) ?? { count: 0, ms: 0 };
      s.count += 1;
      s.ms += ms;
      statements.set(key, s);
    });
    await options.db.client.releaseConnection(connection);
  }
  // The one SQLite connection: how long it is checked out (a query, or a write transaction, from
  // acquisition to release — including the main-thread turns between its statements).
  const pool = options.db.client.pool as { on(event: string, listener: (...args: unknown[]) => void): void } | undefined;
  let windowStart = 0;
  let busyMs = 0;
  let checkouts = 0;
  let out = 0;
  let outSince = 0;
  let sawQuery = false;
  let holds = { knexQuery: { count: 0, ms: 0 }, other: { count: 0, ms: 0 } };
  options.db.on('query', () => {
    sawQuery = true;
  });
  pool?.on('acquireSuccess', () => {
    if (out++ === 0) {
      outSince = performance.now();
      sawQuery = false;
    }
    checkouts += 1;
  });
  pool?.on('release', () => {
    if (--out === 0) {
      const held = performance.now() - Math.max(outSince, windowStart);
      busyMs += held;
      const kind = sawQuery ? holds.knexQuery : holds.other;
      kind.count += 1;
      kind.ms += held;
    }
  });
  // Announced with the port: the durability the server's SQLite connection runs with.
  const synchronous = await synchronousOf(options.db);
  let profiling: { session: Session; name: string } | undefined;
  let loopDelay: IntervalHistogram | undefined;
  process.on('message', async (message: { measure?: 'start' | 'stop'; profile?: string; stop?: boolean }) => {
    if (message.measure === 'start') {
      if (message.profile && process.env.BENCH_PROFILE_DIR) {
        const session = new Session();
        session.connect();
        await session.post('Profiler.enable');
        await session.post('Profiler.setSamplingInterval', { interval: 200 });
        await session.post('Profiler.start');
        profiling = { session, name: message.profile };
      }
      if (process.env.BENCH_LOOP_DELAY) {
        loopDelay = monitorEventLoopDelay({ resolution: 1 });
        loopDelay.enable();
      }
      started = performance.eventLoopUtilization();
      statements.clear();
      windowStart = performance.now();
      busyMs = 0;
      checkouts = 0;
      holds = { knexQuery: { count: 0, ms: 0 }, other: { count: 0, ms: 0 } };
      process.send!({ measuring: true });
    } else if (message.measure === 'stop') {
      const elu = performance.eventLoopUtilization(started).utilization;
      const now = performance.now();
      const connectionBusy = (busyMs + (out > 0 ? now - Math.max(outSince, windowStart) : 0)) / (now - windowStart);
      const used = checkouts;
      let delay: Measurement['loopDelay'];
      if (loopDelay) {
        loopDelay.disable();
        delay = { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 };
        loopDelay = undefined;
      }
      if (profiling) {
        const { profile } = await profiling.session.post('Profiler.stop');
        fs.writeFileSync(path.join(process.env.BENCH_PROFILE_DIR!, `${profiling.name}.cpuprofile`), JSON.stringify(profile));
        profiling.session.disconnect();
        profiling = undefined;
      }
      const syncAtEnd = await synchronousOf(options.db);
      const measurement: Measurement = { elu, connectionBusy, checkouts: used, holds, ...(syncAtEnd ? { synchronous: syncAtEnd } : {}), ...(statements.size > 0 ? { statements: Object.fromEntries([...statements].sort((a, b) => b[1].ms - a[1].ms)) } : {}), ...(delay ? { loopDelay: delay } : {}) };
      await quiet(options.db);
      process.send!({ measurement });
    } else if (message.stop) {
      if (server) {
        // Requests still in flight when autocannon stopped are answered first; idle keep-alive sockets are closed.
        const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
        server.closeIdleConnections();
        const force = setTimeout(() => server!.closeAllConnections(), 5000);
        await closed;
        clearTimeout(force);
      }
      // Handlers whose client went away (autocannon closes its sockets at the end) still run; let them finish.
      await quiet(options.db);
      const rows = await options.rows();
      await options.close();
      process.send!({ stopped: true, ...rows }, () => process.exit(0));
    }
  });
  return {
    listening(s) {
      server = s;
      s.keepAliveTimeout = 60_000;
      process.send!({ port: (s.address() as AddressInfo).port, ...(synchronous ? { synchronous } : {}) });
    },
  };
}

/**
 * Resolves once the database pool has been idle for 100 ms (at most 10 s): requests autocannon left in
 * flight at the end of a round are finished before the next round (on the other server) starts.
 */
async function quiet(db: Database): Promise<void> {
  const pool = db.client.pool as { numUsed(): number; numPendingAcquires(): number } | undefined;
  if (!pool) return;
  const deadline = Date.now() + 10_000;
  let idleSince = Date.now();
  while (Date.now() < deadline) {
    if (pool.numUsed() > 0 || pool.numPendingAcquires() > 0) idleSince = Date.now();
    else if (Date.now() - idleSince >= 100) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
