/**
 * HTTP submit throughput: POST /api/v1/applications (the business-startup example form and its material
 * claims, certificate-free: every material is an uploaded file or a commitment) under C concurrent
 * connections from autocannon in a second process, against a floor measured in the same run — express +
 * ajv + one knex insert on the same SQLite configuration (bench/floorServer.ts). Both servers are forked
 * child processes on ephemeral ports, each warmed up first; rounds then alternate floor and onevisit and
 * the medians are reported. Every onevisit submit must answer 201: anything else fails the benchmark.
 *
 * Durability: both servers open SQLite through the product's openDatabase, so they run with its PRAGMA
 * synchronous (FULL by default: a commit is on disk before the 201); each announces the setting read from its
 * connection, and the comparison is refused when they differ. A third server, onevisit at synchronous=NORMAL,
 * takes its turn in the same rounds, so the cost of durability is measured in the same run (BENCH_HTTP_NORMAL=0
 * leaves it out).
 *
 * BENCH_HTTP_CONNECTIONS (50), BENCH_HTTP_DURATION seconds per round (10), BENCH_HTTP_ROUNDS (2),
 * BENCH_HTTP_WARMUP seconds (3); BENCH_PROFILE=1 records a CPU profile of the onevisit server during each
 * measured round (not start-up or warm-up) and prints where they went (summarise with bench/profile.ts);
 * BENCH_COUNT_QUERIES=1 adds the SQL statements per request and SQLite's time for them.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Options, Result } from 'autocannon';
import type { Measurement, StatementStats } from './serverControl.js';
import { during } from './progress.js';
import type { Synchronous } from './sqliteSync.js';
import { makeResidentIdNumber } from '../src/domain/ids.js';
import { projectRoot } from '../src/store/index.js';

export interface HttpSide {
  /** Median requests per second over the rounds. */
  requestsPerSecond: number;
  /** Median of the rounds' p99 latency, ms. */
  p99: number;
  p50: number;
  /** Over every round: socket errors, timeouts, and answers other than 2xx. */
  errors: number;
  non2xx: number;
  rounds: { requestsPerSecond: number; p50: number; p99: number; max: number; requests: number; statusCodes: Record<string, number>; eventLoopUtilization: number; connectionBusy: number; checkoutsPerRequest: number; queryHoldMs: number; transactionHoldMs: number }[];
  /** How busy the server's JS thread was during the rounds (median), 0..1: well below 1 means it waits (on SQLite), not computes. */
  eventLoopUtilization: number;
  /** How much of the time the one SQLite connection was checked out (median), 0..1: near 1 means requests queue for it. */
  connectionBusy: number;
  /** Connection checkouts per answered request (a knex query or a whole write transaction each). */
  checkoutsPerRequest: number;
  /** Mean time one knex query holds the connection, and one other checkout (the engine's raw write transaction), ms (medians of the rounds). */
  queryHoldMs: number;
  transactionHoldMs: number;
  /** BENCH_COUNT_QUERIES=1: the SQL statements SQLite ran per answered request, with SQLite's own time for them. */
  statements?: Record<string, { perRequest: number; usPerRequest: number }>;
  /** Rows in the database at the end, and the average size of the stored JSON (bytes). */
  rows: number;
  rowBytes: number;
}

export interface HttpResult {
  connections: number;
  duration: number;
  bodyBytes: number;
  /** SQLite's PRAGMA synchronous of onevisit and the floor (the same, read from each server's connection). */
  synchronous: Synchronous;
  onevisit: HttpSide;
  floor: HttpSide;
  ratio: number;
  /** onevisit at synchronous=NORMAL in the same rounds, and what synchronous=FULL costs: 1 − FULL ÷ NORMAL req/s. */
  normal?: HttpSide;
  durabilityCost?: number;
  profile?: string;
}

const here = path.dirname(new URL(import.meta.url).pathname);

export interface Server {
  child: ChildProcess;
  url: string;
  /** SQLite's PRAGMA synchronous the server runs with, as it announced it (absent on PostgreSQL). */
  synchronous?: Synchronous;
  /** Sends a message and resolves to the first answer carrying `key`. */
  ask<T>(message: object, key: string): Promise<T>;
  stop(): Promise<{ rows: number; rowBytes: number }>;
}

/**
 * Asking a forked process: sends `message` (none when empty) and resolves with its first answer that carries
 * `key`; rejects if the process exits first.
 */
export function asker(child: ChildProcess, label: string) {
  return <T>(message: object, key: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (answer: Record<string, unknown>) => {
        if (!(key in answer)) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(answer as T);
      };
      const onExit = (code: number | null) => reject(new Error(`${label} exited with ${code} while asked ${JSON.stringify(message)}`));
      child.on('message', onMessage);
      child.once('exit', onExit);
      if (Object.keys(message).length > 0) child.send(message);
    });
}

/** Forks a benchmark server (bench/httpServer.js, bench/floorServer.js) and resolves once it listens; `env` adds to the child's environment. */
export function startServer(script: string, profileDir?: string, extraEnv: Record<string, string> = {}): Promise<Server> {
  const env = { ...process.env, ...extraEnv, ...(profileDir ? { BENCH_PROFILE_DIR: profileDir } : {}) };
  const child = fork(path.join(here, script), [], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = asker(child, script);
  return ask<{ port: number; synchronous?: Synchronous }>({}, 'port').then(({ port, synchronous }) => ({
    child,
    url: `http://127.0.0.1:${port}`,
    ...(synchronous ? { synchronous } : {}),
    ask,
    async stop() {
      const exited = new Promise((done) => child.once('exit', done));
      const answer = await ask<{ rows: number; rowBytes: number }>({ stop: true }, 'stopped');
      await exited;
      return answer;
    },
  }));
}

/** One autocannon run in a process of its own (bench/httpLoad.js). */
export function load(options: Options): Promise<Result> {
  const child = fork(path.join(here, 'httpLoad.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('message', (message: { result?: Result; error?: string }) => (message.result ? resolve(message.result) : reject(new Error(`autocannon failed: ${message.error}`))));
    child.once('exit', (code) => code !== 0 && reject(new Error(`httpLoad exited with ${code}`)));
    child.send(options);
  });
}

export async function call(base: string, route: string, init: RequestInit & { expect: number }): Promise<any> {
  const res = await fetch(base + route, init);
  const text = await res.text();
  if (res.status !== init.expect) throw new Error(`${init.method ?? 'GET'} ${route} answered ${res.status}, expected ${init.expect}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

export const tinyPdf = () => Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

/** Registers and signs in a citizen, uploads a file for every material (a commitment where one is allowed), and checks one submit. */
async function prepare(base: string): Promise<{ headers: Record<string, string>; body: string }> {
  const definition = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'workflows', 'business-startup.json'), 'utf8'));
  const json = { 'content-type': 'application/json' };
  const credentials = { username: 'benchcitizen', password: 'correct horse battery' };
  await call(base, '/api/v1/auth/register', { method: 'POST', headers: json, body: JSON.stringify({ ...credentials, name: '王磊', idNumber: makeResidentIdNumber({ sequence: 777 }) }), expect: 202 });
  const { token } = await call(base, '/api/v1/auth/login', { method: 'POST', headers: json, body: JSON.stringify(credentials), expect: 200 });
  const auth = { authorization: `Bearer ${token}` };
  const materials: Record<string, unknown>[] = [];
  for (const m of definition.materials as { id: string; commitment?: boolean }[]) {
    if (m.commitment) {
      materials.push({ materialId: m.id, commitment: true });
      continue;
    }
    const form = new FormData();
    form.append('file', new Blob([tinyPdf()], { type: 'application/pdf' }), `${m.id}.pdf`);
    const upload = await call(base, '/api/v1/files', { method: 'POST', headers: auth, body: form, expect: 201 });
    materials.push({ materialId: m.id, fileId: upload.fileId });
  }
  const body = JSON.stringify({ serviceId: 'business-startup', form: definition.form.examples[0], materials });
  const headers = { ...auth, ...json };
  const submitted = await call(base, '/api/v1/applications', { method: 'POST', headers, body, expect: 201 });
  if (submitted.status !== 'submitted') throw new Error(`the trial submit ended ${submitted.status}`);
  return { headers, body };
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface Round {
  result: Result;
  measurement: Measurement;
}

function roundOf({ result: r, measurement }: Round) {
  const statusCodes = Object.fromEntries(Object.entries(r.statusCodeStats).map(([code, s]) => [code, s.count]));
  return { requestsPerSecond: r.requests.total / r.duration, p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max, requests: r.requests.total, statusCodes, eventLoopUtilization: measurement.elu, connectionBusy: measurement.connectionBusy,
    checkoutsPerRequest: measurement.checkouts / Math.max(1, r['2xx']),
    // Mean time the connection is held by one knex query, and by one other checkout (the engine's raw write transaction), ms.
    queryHoldMs: measurement.holds.knexQuery.ms / Math.max(1, measurement.holds.knexQuery.count),
    transactionHoldMs: measurement.holds.other.ms / Math.max(1, measurement.holds.other.count),
  };
}

/** Statements per answered request, and their SQLite-side time per request (µs), from the rounds that counted them. */
function statementsPerRequest(rounds: Round[]): Record<string, { perRequest: number; usPerRequest: number }> | undefined {
  const total = new Map<string, StatementStats>();
  let requests = 0;
  for (const { result, measurement } of rounds) {
    if (!measurement.statements) continue;
    requests += result['2xx'];
    for (const [sql, s] of Object.entries(measurement.statements)) {
      const t = total.get(sql) ?? { count: 0, ms: 0 };
      total.set(sql, { count: t.count + s.count, ms: t.ms + s.ms });
    }
  }
  if (requests === 0) return undefined;
  return Object.fromEntries(
    [...total].sort((a, b) => b[1].ms - a[1].ms).map(([sql, s]) => [sql, { perRequest: Math.round((100 * s.count) / requests) / 100, usPerRequest: Math.round((1000 * s.ms) / requests) }]),
  );
}

/** Throws unless every answer was 201 and no request failed or timed out. */
function requireAll201(side: string, r: Result) {
  const others = Object.keys(r.statusCodeStats).filter((code) => code !== '201');
  if (r.errors || r.timeouts || r.non2xx || r.mismatches || r.resets || others.length > 0) {
    throw new Error(`${side}: not every submit answered 201 — ${JSON.stringify({ errors: r.errors, timeouts: r.timeouts, non2xx: r.non2xx, resets: r.resets, statusCodes: r.statusCodeStats })}`);
  }
}

function side(measured: Round[], end: { rows: number; rowBytes: number }): HttpSide {
  const rounds = measured.map(roundOf);
  const results = measured.map((m) => m.result);
  const statements = statementsPerRequest(measured);
  return {
    requestsPerSecond: median(rounds.map((r) => r.requestsPerSecond)),
    p99: median(rounds.map((r) => r.p99)),
    p50: median(rounds.map((r) => r.p50)),
    errors: results.reduce((n, r) => n + r.errors + r.timeouts, 0),
    non2xx: results.reduce((n, r) => n + r.non2xx, 0),
    rounds,
    eventLoopUtilization: median(rounds.map((r) => r.eventLoopUtilization)),
    connectionBusy: median(rounds.map((r) => r.connectionBusy)),
    checkoutsPerRequest: median(rounds.map((r) => r.checkoutsPerRequest)),
    queryHoldMs: median(rounds.map((r) => r.queryHoldMs)),
    transactionHoldMs: median(rounds.map((r) => r.transactionHoldMs)),
    ...(statements ? { statements } : {}),
    rows: end.rows,
    rowBytes: end.rowBytes,
  };
}

export async function benchHttp(): Promise<HttpResult> {
  const connections = Number(process.env.BENCH_HTTP_CONNECTIONS ?? 50);
  const duration = Number(process.env.BENCH_HTTP_DURATION ?? 10);
  const rounds = Number(process.env.BENCH_HTTP_ROUNDS ?? 2);
  const warmup = Number(process.env.BENCH_HTTP_WARMUP ?? 3);
  const profileDir = process.env.BENCH_PROFILE ? fs.mkdtempSync(path.join(os.tmpdir(), 'onevisit-bench-profile-')) : undefined;
  const verbose = (line: string) => process.env.BENCH_VERBOSE && console.error(line);

  const floor = await startServer('floorServer.js');
  const onevisit = await startServer('httpServer.js', profileDir);
  const servers = [floor, onevisit];
  try {
    if (!onevisit.synchronous || floor.synchronous !== onevisit.synchronous) {
      throw new Error(`the floor runs SQLite with synchronous=${floor.synchronous}, onevisit with ${onevisit.synchronous}: not like with like`);
    }
    // onevisit at NORMAL beside it, unless that is what the default is already.
    const normal = process.env.BENCH_HTTP_NORMAL !== '0' && onevisit.synchronous !== 'NORMAL' ? await startServer('httpServer.js', undefined, { BENCH_SQLITE_SYNCHRONOUS: 'NORMAL' }) : undefined;
    if (normal) servers.push(normal);
    if (normal && normal.synchronous !== 'NORMAL') throw new Error(`the NORMAL server runs with synchronous=${normal.synchronous}`);
    const requests = new Map<Server, { headers: Record<string, string>; body: string }>();
    const trial = await prepare(onevisit.url);
    requests.set(onevisit, trial);
    requests.set(floor, trial);
    if (normal) requests.set(normal, await prepare(normal.url));
    const label = (server: Server) => (server === floor ? 'floor' : server === normal ? 'onevisit NORMAL' : `onevisit ${onevisit.synchronous}`);
    const run = async (server: Server, seconds: number, profile?: string): Promise<Round> => {
      const { headers, body } = requests.get(server)!;
      await server.ask({ measure: 'start', ...(profile ? { profile } : {}) }, 'measuring');
      const result = await during(`http: ${label(server)}`, seconds, load({ url: `${server.url}/api/v1/applications`, method: 'POST', headers, body, connections, duration: seconds }));
      const { measurement } = await server.ask<{ measurement: Measurement }>({ measure: 'stop' }, 'measurement');
      if (measurement.synchronous !== server.synchronous) throw new Error(`${label(server)}: synchronous was ${server.synchronous} at the start and ${measurement.synchronous} at the end of a round`);
      return { result, measurement };
    };

    if (warmup > 0) {
      for (const server of servers) {
        const w = await run(server, warmup);
        requireAll201(`${label(server)} (warm-up)`, w.result);
        verbose(`warm-up: ${label(server)} ${roundOf(w).requestsPerSecond.toFixed(0)} req/s`);
      }
    }
    const results = new Map<Server, Round[]>(servers.map((s) => [s, []]));
    for (let round = 0; round < rounds; round++) {
      // Each server takes each position in turn.
      for (let k = 0; k < servers.length; k++) {
        const server = servers[(round + k) % servers.length]!;
        const r = await run(server, duration, server === onevisit ? `onevisit-round-${round}` : undefined);
        requireAll201(label(server), r.result);
        results.get(server)!.push(r);
        const rr = roundOf(r);
        verbose(`round ${round}: ${label(server)} ${rr.requestsPerSecond.toFixed(0)} req/s p99 ${rr.p99} ms ELU ${rr.eventLoopUtilization.toFixed(2)} connection ${rr.connectionBusy.toFixed(2)} (${rr.checkoutsPerRequest.toFixed(1)} checkouts/request, held ${rr.queryHoldMs.toFixed(2)} ms per knex query, ${rr.transactionHoldMs.toFixed(2)} ms per write transaction)`);
      }
    }
    const ends = new Map<Server, { rows: number; rowBytes: number }>();
    for (const server of servers) ends.set(server, await server.stop());
    const result: HttpResult = {
      connections,
      duration,
      bodyBytes: Buffer.byteLength(trial.body),
      synchronous: onevisit.synchronous,
      onevisit: side(results.get(onevisit)!, ends.get(onevisit)!),
      floor: side(results.get(floor)!, ends.get(floor)!),
      ratio: 0,
      ...(profileDir ? { profile: profileDir } : {}),
    };
    result.ratio = result.onevisit.requestsPerSecond / result.floor.requestsPerSecond;
    if (normal) {
      result.normal = side(results.get(normal)!, ends.get(normal)!);
      result.durabilityCost = 1 - result.onevisit.requestsPerSecond / result.normal.requestsPerSecond;
    }
    // Every 2xx autocannon counted is a stored application (plus the trial submit; in-flight ones at a round's end may add a few).
    for (const server of [onevisit, ...(normal ? [normal] : [])]) {
      const answered = results.get(server)!.reduce((n, r) => n + r.result['2xx'], 0);
      if (ends.get(server)!.rows < answered) throw new Error(`${label(server)} answered ${answered} submits with 201 but holds ${ends.get(server)!.rows} applications`);
    }
    return result;
  } finally {
    for (const { child } of servers) if (child.exitCode === null && child.signalCode === null) child.kill();
  }
}
