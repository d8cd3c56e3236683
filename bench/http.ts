/**
 * HTTP submit throughput: POST /api/v1/applications (the business-startup example form and its material
 * claims, certificate-free: every material is an uploaded file or a commitment) under C concurrent
 * connections from autocannon in a second process, against a floor measured in the same run — express +
 * ajv + one knex insert on the same SQLite configuration (bench/floorServer.ts). Both servers are forked
 * child processes on ephemeral ports, each warmed up first; rounds then alternate floor and onevisit and
 * the medians are reported. Every onevisit submit must answer 201: anything else fails the benchmark.
 *
 * BENCH_HTTP_CONNECTIONS (50), BENCH_HTTP_DURATION seconds per round (10), BENCH_HTTP_ROUNDS (2),
 * BENCH_HTTP_WARMUP seconds (3); BENCH_PROFILE=1 runs the onevisit server under --cpu-prof and prints
 * where the profile went.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Options, Result } from 'autocannon';
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
  rounds: { requestsPerSecond: number; p50: number; p99: number; max: number; requests: number; statusCodes: Record<string, number> }[];
  /** Rows in the database at the end, and the average size of the stored JSON (bytes). */
  rows: number;
  rowBytes: number;
}

export interface HttpResult {
  connections: number;
  duration: number;
  bodyBytes: number;
  onevisit: HttpSide;
  floor: HttpSide;
  ratio: number;
  profile?: string;
}

interface Server {
  child: ChildProcess;
  url: string;
  stop(): Promise<{ rows: number; rowBytes: number }>;
}

const here = path.dirname(new URL(import.meta.url).pathname);

function startServer(script: string, execArgv: string[] = []): Promise<Server> {
  const child = fork(path.join(here, script), [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before listening`)));
    child.once('message', (message: { port: number }) => {
      child.removeAllListeners('exit');
      resolve({
        child,
        url: `http://127.0.0.1:${message.port}`,
        stop: () =>
          new Promise((done, fail) => {
            child.once('message', (m: { rows: number; rowBytes: number }) => child.once('exit', () => done(m)));
            child.once('error', fail);
            child.send({ stop: true });
          }),
      });
    });
  });
}

function load(options: Options): Promise<Result> {
  const child = fork(path.join(here, 'httpLoad.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('message', (message: { result?: Result; error?: string }) => (message.result ? resolve(message.result) : reject(new Error(`autocannon failed: ${message.error}`))));
    child.once('exit', (code) => code !== 0 && reject(new Error(`httpLoad exited with ${code}`)));
    child.send(options);
  });
}

async function call(base: string, route: string, init: RequestInit & { expect: number }): Promise<any> {
  const res = await fetch(base + route, init);
  const text = await res.text();
  if (res.status !== init.expect) throw new Error(`${init.method ?? 'GET'} ${route} answered ${res.status}, expected ${init.expect}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

const tinyPdf = () => Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

/** Registers and signs in a citizen, uploads a file for every material (a commitment where one is allowed), and checks one submit. */
async function prepare(base: string): Promise<{ headers: Record<string, string>; body: string }> {
  const definition = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'workflows', 'business-startup.json'), 'utf8'));
  const json = { 'content-type': 'application/json' };
  const credentials = { username: 'benchcitizen', password: 'correct horse battery' };
  await call(base, '/api/v1/auth/register', { method: 'POST', headers: json, body: JSON.stringify({ ...credentials, name: '王磊', idNumber: makeResidentIdNumber({ sequence: 777 }) }), expect: 201 });
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

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function roundOf(r: Result) {
  const statusCodes = Object.fromEntries(Object.entries(r.statusCodeStats).map(([code, s]) => [code, s.count]));
  return { requestsPerSecond: r.requests.total / r.duration, p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max, requests: r.requests.total, statusCodes };
}

/** Throws unless every answer was 201 and no request failed or timed out. */
function requireAll201(side: string, r: Result) {
  const others = Object.keys(r.statusCodeStats).filter((code) => code !== '201');
  if (r.errors || r.timeouts || r.non2xx || r.mismatches || r.resets || others.length > 0) {
    throw new Error(`${side}: not every submit answered 201 — ${JSON.stringify({ errors: r.errors, timeouts: r.timeouts, non2xx: r.non2xx, resets: r.resets, statusCodes: r.statusCodeStats })}`);
  }
}

function side(results: Result[], end: { rows: number; rowBytes: number }): HttpSide {
  const rounds = results.map(roundOf);
  return {
    requestsPerSecond: median(rounds.map((r) => r.requestsPerSecond)),
    p99: median(rounds.map((r) => r.p99)),
    p50: median(rounds.map((r) => r.p50)),
    errors: results.reduce((n, r) => n + r.errors + r.timeouts, 0),
    non2xx: results.reduce((n, r) => n + r.non2xx, 0),
    rounds,
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
  const onevisit = await startServer('httpServer.js', profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []);
  try {
    const { headers, body } = await prepare(onevisit.url);
    const run = (server: Server, seconds: number) =>
      load({ url: `${server.url}/api/v1/applications`, method: 'POST', headers, body, connections, duration: seconds });

    if (warmup > 0) {
      const f = await run(floor, warmup);
      const o = await run(onevisit, warmup);
      requireAll201('floor (warm-up)', f);
      requireAll201('onevisit (warm-up)', o);
      verbose(`warm-up: floor ${roundOf(f).requestsPerSecond.toFixed(0)} req/s, onevisit ${roundOf(o).requestsPerSecond.toFixed(0)} req/s`);
    }
    const floorResults: Result[] = [];
    const onevisitResults: Result[] = [];
    for (let round = 0; round < rounds; round++) {
      const f = await run(floor, duration);
      requireAll201('floor', f);
      floorResults.push(f);
      const o = await run(onevisit, duration);
      requireAll201('onevisit', o);
      onevisitResults.push(o);
      const [fr, or] = [roundOf(f), roundOf(o)];
      verbose(`round ${round}: floor ${fr.requestsPerSecond.toFixed(0)} req/s p99 ${fr.p99} ms; onevisit ${or.requestsPerSecond.toFixed(0)} req/s p99 ${or.p99} ms`);
    }
    const [floorEnd, onevisitEnd] = [await floor.stop(), await onevisit.stop()];
    const result: HttpResult = {
      connections,
      duration,
      bodyBytes: Buffer.byteLength(body),
      onevisit: side(onevisitResults, onevisitEnd),
      floor: side(floorResults, floorEnd),
      ratio: 0,
      ...(profileDir ? { profile: profileDir } : {}),
    };
    result.ratio = result.onevisit.requestsPerSecond / result.floor.requestsPerSecond;
    // Every 2xx autocannon counted is a stored application (plus the trial submit; in-flight ones at a round's end may add a few).
    const answered = onevisitResults.reduce((n, r) => n + r['2xx'], 0);
    if (onevisitEnd.rows < answered) throw new Error(`onevisit answered ${answered} submits with 201 but holds ${onevisitEnd.rows} applications`);
    return result;
  } finally {
    for (const { child } of [floor, onevisit]) if (child.exitCode === null && child.signalCode === null) child.kill();
  }
}
