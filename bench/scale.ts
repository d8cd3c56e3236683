/**
 * The clerk queue and the dashboard at a city's scale: two years of a city of a million people — N
 * applications (1,000,000), mostly completed, and a few thousand open ones with their tasks — on SQLite and on
 * PostgreSQL. For each database:
 *
 * 1. bench/scaleSeed.ts (a forked child) seeds a fresh database: the real server publishes the catalog and
 *    drives one application per service and outcome through the engine, whose rows are the variants the bulk
 *    SQL (a recursive CTE / generate_series) copies into the history; then open applications with open_tasks
 *    rows, ratings, and `figures` recomputed from the rows.
 * 2. The real server (bench/scaleServer.ts: startOnevisit as `onevisit serve` runs it) is forked on that database;
 *    a clerk and an admin sign in over POST /api/v1/auth/login.
 * 3. bench/scaleLoad.ts (another process) times GET /api/v1/applications — a clerk's queue — one request at a
 *    time (p50/p99 of BENCH_SCALE_REQUESTS, 3,000; just before it GET /api/v1/auth/me the same way, the HTTP
 *    floor), then with 8 in flight, then a few filtered variants; and an
 *    admin's GET /api/v1/metrics, all time and for a period (`?from=…&to=…`), reading the server's RSS
 *    (/proc/<pid>/status VmRSS) before and after the metrics requests.
 * 4. With the server stopped, the same queries are timed in this process straight on the database (no HTTP), and
 *    their plans recorded (EXPLAIN QUERY PLAN / EXPLAIN (ANALYZE, BUFFERS)), with the engine's read path
 *    (`currentVersion`, `getApplication`).
 *
 * 3b. The same process times pages rendered on the server: a service's guide and the clerks' queue pages (/work).
 *
 * Targets: queue p99 < 20 ms; pages p99 < 50 ms; metrics < 200 ms (p99); RSS growth across the metrics requests < 50 MB.
 *
 * BENCH_SCALE_APPLICATIONS (1,000,000), BENCH_SCALE_OPEN (4,000), BENCH_SCALE_DAYS (730),
 * BENCH_SCALE_DATABASES (sqlite,postgres; PostgreSQL is skipped, and says so, when it does not answer),
 * BENCH_SCALE_PG_URL (ONEVISIT_TEST_PG_URL, else postgres://postgres@127.0.0.1:5432/test; a schema of its own),
 * BENCH_SCALE_REQUESTS (3,000), BENCH_SCALE_METRICS_REQUESTS (200), BENCH_SCALE_KEEP=1 keeps the seeded
 * databases (in $TMPDIR/onevisit-bench-scale-*, schema onevisit_bench_scale_<N>) and reuses them next time.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { childProgress, type ProgressMessage } from './childProgress.js';
import { asker, call } from './http.js';
import type { LoadRequest, LoadSummary } from './scaleLoad.js';
import type { SeedRequest, SeedSummary } from './scaleSeed.js';
import { createApplicationQueries } from '../src/store/applicationQueries.js';
import { createApplicationStore, isPostgres, openDatabase } from '../src/store/index.js';

export interface ScaleSide {
  database: 'sqlite' | 'postgres';
  seeded: SeedSummary;
  /** Seconds to seed, and the database's size on disk, MB. */
  seedSeconds: number;
  databaseMb: number;
  clerk: { username: string; departments: string[]; queueLength: number };
  /** The clerk's queue (GET /api/v1/applications, first page of 50), one request at a time. */
  queue: LoadSummary;
  /**
   * The HTTP floor: GET /api/v1/auth/me as the same clerk, timed the same way just before the queue — the HTTP
   * stack, the session check and this machine's scheduling, without the queue's query.
   */
  httpFloor: LoadSummary;
  /** The same with 8 requests in flight. */
  queueConcurrent: LoadSummary;
  /** Other queue reads, one at a time: another department's clerk, claimed=me, warning=red, a later page. */
  queueVariants: Record<string, LoadSummary>;
  /** Pages rendered on the server, one request at a time: the service guide, the window clerk's and a reviewer's queue page. Target p99 < 50 ms. */
  pages: Record<string, LoadSummary>;
  metrics: {
    all: LoadSummary;
    period: LoadSummary & { from: string; to: string };
    year: LoadSummary & { from: string; to: string };
    /** The server's RSS (VmRSS), MB: after start-up and sign-in, before the metrics requests and after them. */
    rssStartMb: number;
    rssBeforeMb: number;
    rssAfterMb: number;
    rssGrowthMb: number;
    heapUsedBeforeMb: number;
    heapUsedAfterMb: number;
    bytes: number;
  };
  /** The same reads straight on the database in this process (no HTTP, no server), ms. */
  direct: Record<string, { p50: number; p99: number; runs: number }>;
  plans: Record<string, string[]>;
  /** os.loadavg() when the measurements began and ended: other work on the machine inflates every latency. */
  loadAverage: { before: number[]; after: number[] };
  cpus: number;
}

export interface ScaleResult {
  applications: number;
  open: number;
  days: number;
  sqlite?: ScaleSide;
  postgres?: ScaleSide;
  skipped?: Record<string, string>;
}

const here = path.dirname(new URL(import.meta.url).pathname);
const PASSWORD = 'correct horse battery';
const mb = (bytes: number) => Math.round((10 * bytes) / 1048576) / 10;
const verbose = (line: string) => process.env.BENCH_VERBOSE && console.error(line);

function forkChild(script: string, env: Record<string, string> = {}, execArgv: string[] = []): ChildProcess {
  return fork(path.join(here, script), [], { env: { ...process.env, ...env }, execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

/** Runs a child that answers one request with `{ [key]: … }` or `{ error }`, drawing its progress messages. */
function runChild<T>(script: string, message: object, key: string, label: string, env: Record<string, string> = {}): Promise<T> {
  const child = forkChild(script, env);
  const bars = childProgress(label);
  return new Promise<T>((resolve, reject) => {
    child.on('message', (m: ProgressMessage & Record<string, unknown>) => {
      bars.onMessage(m);
      if (key in m) {
        bars.done();
        resolve(m[key] as T);
      } else if ('error' in m) {
        bars.done();
        reject(new Error(`${script}: ${String(m.error)}`));
      }
    });
    child.once('exit', (code) => {
      bars.done();
      if (code !== 0) reject(new Error(`${script} exited with ${code}`));
    });
    child.send(message);
  });
}

function load(request: Omit<LoadRequest, 'label'> & { label?: string }): Promise<LoadSummary> {
  return runChild<LoadSummary>('scaleLoad.js', { label: request.label ?? 'requests', ...request }, 'result', 'load');
}

function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1]);
  return kb * 1024;
}

async function postgresAnswers(url: string): Promise<string | undefined> {
  const db = openDatabase({ url });
  try {
    await db.raw('SELECT 1');
    return undefined;
  } catch (error) {
    return `PostgreSQL at ${url.replace(/\/\/[^@/]*@/, '//…@')} does not answer: ${(error as Error).message}`;
  } finally {
    await db.destroy();
  }
}

function directorySize(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    total += entry.isDirectory() ? directorySize(p) : fs.statSync(p).size;
  }
  return total;
}

export async function benchScale(): Promise<ScaleResult> {
  const applications = Number(process.env.BENCH_SCALE_APPLICATIONS ?? 1_000_000);
  const open = Number(process.env.BENCH_SCALE_OPEN ?? 4000);
  const days = Number(process.env.BENCH_SCALE_DAYS ?? 730);
  const databases = (process.env.BENCH_SCALE_DATABASES ?? 'sqlite,postgres').split(',').map((s) => s.trim());
  const pgUrl = process.env.BENCH_SCALE_PG_URL ?? process.env.ONEVISIT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const result: ScaleResult = { applications, open, days };
  for (const database of databases) {
    if (database !== 'sqlite' && database !== 'postgres') throw new Error(`BENCH_SCALE_DATABASES lists sqlite and postgres, not ${database}`);
    if (database === 'postgres') {
      const down = await postgresAnswers(pgUrl);
      if (down) {
        (result.skipped ??= {}).postgres = down;
        console.error(`scale: ${down}; PostgreSQL skipped`);
        continue;
      }
    }
    result[database] = await benchOne(database, { applications, open, days, pgUrl });
  }
  return result;
}

async function benchOne(database: 'sqlite' | 'postgres', o: { applications: number; open: number; days: number; pgUrl: string }): Promise<ScaleSide> {
  const keep = Boolean(process.env.BENCH_SCALE_KEEP);
  const tag = `${o.applications}-${o.open}-${o.days}`;
  const dataDir = keep ? path.join(os.tmpdir(), `onevisit-bench-scale-${database}-${tag}`) : fs.mkdtempSync(path.join(os.tmpdir(), `onevisit-bench-scale-${database}-`));
  const schema = database === 'postgres' ? `onevisit_bench_scale_${keep ? tag.replace(/-/g, '_') : process.pid}` : undefined;
  const databaseUrl = database === 'postgres' ? o.pgUrl : `sqlite:${path.join(dataDir, 'onevisit.sqlite')}`;
  const marker = path.join(dataDir, 'seeded.json');
  const admin = schema ? openDatabase({ url: o.pgUrl }) : undefined;
  let server: ChildProcess | undefined;
  try {
    let seeded: SeedSummary;
    let seedSeconds: number;
    if (keep && fs.existsSync(marker)) {
      ({ seeded, seedSeconds } = JSON.parse(fs.readFileSync(marker, 'utf8')) as { seeded: SeedSummary; seedSeconds: number });
      verbose(`scale ${database}: reusing the database seeded at ${seeded.now} in ${dataDir}${schema ? `, schema ${schema}` : ''}`);
    } else {
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.mkdirSync(dataDir, { recursive: true });
      if (admin) await admin.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
      const started = Date.now();
      const request: SeedRequest = { dataDir, databaseUrl, ...(schema ? { schema } : {}), applications: o.applications, open: o.open, days: o.days, password: PASSWORD };
      seeded = await runChild<SeedSummary>('scaleSeed.js', { seed: request }, 'seeded', `seeding ${database}`);
      seedSeconds = (Date.now() - started) / 1000;
      if (keep) fs.writeFileSync(marker, JSON.stringify({ seeded, seedSeconds }, null, 2));
    }
    verbose(`scale ${database}: ${seeded.applications} applications (${JSON.stringify(seeded.byStatus)}), ${seeded.openTasks} open tasks, ${seeded.figures} figure rows, seeded in ${seedSeconds.toFixed(0)} s (${JSON.stringify(seeded.seconds)})`);
    const databaseMb = admin
      ? mb(Number(((await admin.raw(`SELECT sum(pg_total_relation_size(c.oid)) AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relkind IN ('r', 'm')`, [schema!])).rows[0] as { bytes: string }).bytes))
      : mb(directorySize(dataDir));

    // The server, and the people who sign in.
    server = forkChild('scaleServer.js', { BENCH_SCALE_DATA_DIR: dataDir, BENCH_SCALE_DATABASE_URL: databaseUrl, ...(schema ? { BENCH_SCALE_SCHEMA: schema } : {}) });
    const ask = asker(server, 'scaleServer.js');
    const { port } = await ask<{ port: number }>({}, 'port');
    const base = `http://127.0.0.1:${port}`;
    const json = { 'content-type': 'application/json' };
    const login = async (username: string) => {
      const { token } = await call(base, '/api/v1/auth/login', { method: 'POST', headers: json, body: JSON.stringify({ username, password: PASSWORD }), expect: 200 });
      return { authorization: `Bearer ${token}` };
    };
    const windowClerk = seeded.clerks['comprehensive-window']![0]!;
    const departmentClerk = seeded.clerks['market-regulation']![0]!;
    const clerk = await login(windowClerk);
    const otherClerk = await login(departmentClerk);
    const adminAuth = await login(seeded.admin);

    // What the reads answer, checked once.
    const first = (await call(base, '/api/v1/applications', { headers: clerk, expect: 200 })) as { status: string; department: string }[];
    const windowTasks = seeded.tasksByDepartment['comprehensive-window'] ?? 0;
    if (first.length !== Math.min(50, windowTasks) || first.some((item) => item.department !== 'comprehensive-window')) throw new Error(`the window clerk's queue answered ${first.length} items of ${windowTasks}`);
    const all = await call(base, '/api/v1/metrics', { headers: adminAuth, expect: 200 });
    if (all.submitted !== seeded.applications) throw new Error(`metrics count ${all.submitted} submitted, the database holds ${seeded.applications}`);
    verbose(`scale ${database}: metrics all time: submitted ${all.submitted}, one-visit ${all.oneVisitRate?.toFixed(3)}, on time ${all.onTimeRate?.toFixed(3)}, no-submit ${all.noSubmitRate?.toFixed(3)}, ratings ${all.ratings.count} (avg ${all.ratings.average?.toFixed(2)}), in progress ${all.inProgress}, ${all.perDay.length} days`);

    const loadBefore = os.loadavg();
    const requests = Number(process.env.BENCH_SCALE_REQUESTS ?? 3000);
    const queuePath = '/api/v1/applications';
    const httpFloor = await load({ url: base, paths: ['/api/v1/auth/me'], headers: clerk, requests, concurrency: 1, warmup: 200, label: `${database} auth/me` });
    verbose(`scale ${database}: GET /api/v1/auth/me one at a time: p50 ${httpFloor.p50} ms, p99 ${httpFloor.p99} ms`);
    const queue = await load({ url: base, paths: [queuePath], headers: clerk, requests, concurrency: 1, warmup: 200, label: `${database} queue` });
    verbose(`scale ${database}: queue one at a time: p50 ${queue.p50} ms, p99 ${queue.p99} ms, max ${queue.max} ms, ${queue.requestsPerSecond.toFixed(0)} req/s`);
    const queueConcurrent = await load({ url: base, paths: [queuePath], headers: clerk, requests, concurrency: 8, warmup: 50, label: `${database} queue ×8` });
    verbose(`scale ${database}: queue 8 in flight: p50 ${queueConcurrent.p50} ms, p99 ${queueConcurrent.p99} ms, ${queueConcurrent.requestsPerSecond.toFixed(0)} req/s`);
    const variantRequests = Math.max(100, Math.round(requests / 3));
    const queueVariants: Record<string, LoadSummary> = {};
    for (const [name, headers, p] of [
      ['market-regulation clerk', otherClerk, queuePath],
      ['claimed=me', clerk, `${queuePath}?claimed=me`],
      ['warning=red', clerk, `${queuePath}?warning=red`],
      ['offset=500', clerk, `${queuePath}?offset=500`],
    ] as const) {
      queueVariants[name] = await load({ url: base, paths: [p], headers, requests: variantRequests, concurrency: 1, warmup: 50, label: `${database} queue ${name}` });
      verbose(`scale ${database}: queue ${name}: p50 ${queueVariants[name]!.p50} ms, p99 ${queueVariants[name]!.p99} ms`);
    }

    // Pages rendered on the server at this scale: a service's guide (anyone) and a clerk's queue page.
    const pages: Record<string, LoadSummary> = {};
    for (const [name, headers, p] of [
      ['service guide', {}, '/services/business-startup'],
      ['clerk queue page', clerk, '/work'],
      ['reviewer queue page', otherClerk, '/work?tab=review'],
    ] as const) {
      pages[name] = await load({ url: base, paths: [p], headers, requests: variantRequests, concurrency: 1, warmup: 50, label: `${database} page ${name}` });
      verbose(`scale ${database}: page ${name}: p50 ${pages[name]!.p50} ms, p99 ${pages[name]!.p99} ms (${pages[name]!.bytes} bytes)`);
    }

    // The dashboard, with the server's RSS around it.
    const metricsRequests = Number(process.env.BENCH_SCALE_METRICS_REQUESTS ?? 200);
    const day = (msAgo: number) => new Date(Date.now() + 8 * 3600_000 - msAgo).toISOString().slice(0, 10);
    const period = { from: day(30 * 86400_000), to: day(0) };
    const year = { from: day(365 * 86400_000), to: day(0) };
    const memory = async () => (await ask<{ memory: NodeJS.MemoryUsage }>({ memory: true }, 'memory')).memory;
    const rssStart = rssOf(server.pid!);
    await load({ url: base, paths: ['/api/v1/metrics'], headers: adminAuth, requests: 1, concurrency: 1, warmup: 5, label: `${database} metrics warm-up` });
    const before = { rss: rssOf(server.pid!), heap: (await memory()).heapUsed };
    const metricsAll = await load({ url: base, paths: ['/api/v1/metrics'], headers: adminAuth, requests: metricsRequests, concurrency: 1, warmup: 0, label: `${database} metrics` });
    const metricsPeriod = await load({ url: base, paths: [`/api/v1/metrics?from=${period.from}&to=${period.to}`], headers: adminAuth, requests: metricsRequests, concurrency: 1, warmup: 0, label: `${database} metrics 30 days` });
    const metricsYear = await load({ url: base, paths: [`/api/v1/metrics?from=${year.from}&to=${year.to}`], headers: adminAuth, requests: metricsRequests, concurrency: 1, warmup: 0, label: `${database} metrics a year` });
    const after = { rss: rssOf(server.pid!), heap: (await memory()).heapUsed };
    verbose(`scale ${database}: metrics all time p50 ${metricsAll.p50} ms p99 ${metricsAll.p99} ms (${metricsAll.bytes} bytes); 30 days p50 ${metricsPeriod.p50} ms p99 ${metricsPeriod.p99} ms; a year p99 ${metricsYear.p99} ms; RSS ${mb(before.rss)} → ${mb(after.rss)} MB`);

    const loadAfter = os.loadavg();
    const exited = new Promise((done) => server!.once('exit', done));
    await ask({ stop: true }, 'stopped');
    await exited;
    server = undefined;

    const { direct, plans } = await diagnose(databaseUrl, schema);
    return {
      database,
      seeded,
      seedSeconds,
      databaseMb,
      clerk: { username: windowClerk, departments: ['comprehensive-window'], queueLength: windowTasks },
      queue,
      httpFloor,
      queueConcurrent,
      queueVariants,
      pages,
      metrics: {
        all: metricsAll,
        period: { ...metricsPeriod, ...period },
        year: { ...metricsYear, ...year },
        rssStartMb: mb(rssStart),
        rssBeforeMb: mb(before.rss),
        rssAfterMb: mb(after.rss),
        rssGrowthMb: mb(after.rss - before.rss),
        heapUsedBeforeMb: mb(before.heap),
        heapUsedAfterMb: mb(after.heap),
        bytes: metricsAll.bytes,
      },
      direct,
      plans,
      loadAverage: { before: loadBefore.map((x) => Math.round(100 * x) / 100), after: loadAfter.map((x) => Math.round(100 * x) / 100) },
      cpus: os.availableParallelism(),
    };
  } finally {
    if (server && server.exitCode === null && server.signalCode === null) server.kill();
    if (!keep) {
      if (admin) await admin.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    await admin?.destroy();
  }
}

/** The reads timed straight on the database, and their plans. */
async function diagnose(url: string, schema: string | undefined): Promise<{ direct: ScaleSide['direct']; plans: ScaleSide['plans'] }> {
  const db = openDatabase({ url, ...(schema ? { schema } : {}) });
  try {
    const queries = createApplicationQueries(db);
    const store = createApplicationStore(db);
    const now = new Date();
    const completed = String(((await db('applications').select('id').where({ status: 'completed' }).orderBy('number').offset(123_456 % 1000).first()) as { id: string }).id);
    const openId = String(((await db('open_tasks').select('application_id').first()) as { application_id: string }).application_id);
    const reads: Record<string, () => Promise<unknown>> = {
      queue: () => queries.queue({ departments: ['comprehensive-window'], now }),
      'queue warning=red': () => queries.queue({ departments: ['comprehensive-window'], warning: 'red', now }),
      figures: () => queries.figures({}),
      'figures 30 days': () => queries.figures({ from: new Date(Date.now() - 30 * 86400_000).toISOString().slice(0, 10) }),
      inProgress: () => queries.inProgress(now),
      tasksByDepartment: () => queries.tasksByDepartment(now),
      effectsWaiting: () => queries.effectsWaiting(),
      'currentVersion (completed)': () => store.currentVersion(completed),
      'getApplication (completed)': () => store.getApplication(completed),
      'getApplication (open)': () => store.getApplication(openId),
    };
    const direct: ScaleSide['direct'] = {};
    for (const [name, read] of Object.entries(reads)) {
      const runs = name.startsWith('figures') || name === 'inProgress' ? 30 : 300;
      const times: number[] = [];
      for (let i = 0; i < runs + 5; i++) {
        const started = process.hrtime.bigint();
        await read();
        if (i >= 5) times.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
      times.sort((a, b) => a - b);
      direct[name] = { p50: Math.round(100 * times[Math.floor(times.length / 2)]!) / 100, p99: Math.round(100 * times[Math.ceil(0.99 * times.length) - 1]!) / 100, runs };
    }
    // The SQL knex sends for each read, explained.
    const plans: ScaleSide['plans'] = {};
    for (const name of ['queue', 'queue warning=red', 'figures', 'inProgress', 'tasksByDepartment', 'getApplication (completed)']) {
      const captured: { sql: string; bindings: unknown[] }[] = [];
      const listener = (q: { sql: string; bindings?: unknown[] }) => captured.push({ sql: q.sql, bindings: q.bindings ?? [] });
      db.on('query', listener);
      await reads[name]!();
      db.off('query', listener);
      const q = captured[captured.length - 1]!;
      if (isPostgres(db)) {
        const sql = q.sql.replace(/\$\d+/g, '?');
        const rows = (await db.raw(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, q.bindings as never)).rows as { 'QUERY PLAN': string }[];
        plans[name] = [q.sql, ...rows.map((r) => r['QUERY PLAN'])];
      } else {
        const rows = (await db.raw(`EXPLAIN QUERY PLAN ${q.sql}`, q.bindings as never)) as { id: number; parent: number; detail: string }[];
        const depth = new Map<number, number>([[0, 0]]);
        for (const r of rows) depth.set(r.id, (depth.get(r.parent) ?? 0) + 1);
        plans[name] = [q.sql, ...rows.map((r) => `${'  '.repeat((depth.get(r.id) ?? 1) - 1)}${r.detail}`)];
      }
    }
    return { direct, plans };
  } finally {
    await db.destroy();
  }
}
