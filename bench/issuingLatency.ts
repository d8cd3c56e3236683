/**
 * API latency under concurrent certificate rendering: does issuing PDFs (rendered by the server's worker-thread
 * pool) slow down everybody else? The real server (bench/httpServer.ts, forked as bench/http.ts forks it, on a
 * fresh SQLite data directory) is given a citizen with several completed start-a-business applications and
 * their certificates, all made over HTTP (register, upload, submit, then clerks created by an admin accept and
 * approve every matter). Then autocannon, in a process of its own, reads one of the citizen's applications
 * (GET /api/v1/applications/:id, authenticated) with C connections for D seconds:
 *   (a) alone, and
 *   (b) while another process (bench/pdfLoad.ts) keeps K clients asking for the certificates' PDFs
 *       (GET /api/v1/certificates/:id/pdf), so that the server renders continuously in its pool.
 * Rounds alternate (a), (b), (a), (b)…; the medians of p50 and p99 are reported with the ratio
 * p99(b) / p99(a) (target ≤ 2) and the PDFs per second rendered during (b). Every read must answer 200 and
 * every PDF request a 200 PDF.
 *
 * BENCH_LATENCY_CONNECTIONS (20), BENCH_LATENCY_DURATION seconds per round (8), BENCH_LATENCY_ROUNDS (2),
 * BENCH_LATENCY_PDF_CLIENTS K (6), BENCH_LATENCY_APPLICATIONS (4), BENCH_LATENCY_WARMUP seconds (3);
 * BENCH_PROFILE=1 records CPU profiles of the server's main thread in each measured round, into
 * <dir>/alone and <dir>/issuing (summarise one with `node dist/bench/profile.js <dir>/issuing`).
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Result } from 'autocannon';
import { defaultPoolSize } from '../src/certificates/renderPool.js';
import { makeResidentIdNumber } from '../src/domain/ids.js';
import { projectRoot } from '../src/store/index.js';
import { asker, call, load, median, startServer, tinyPdf, type Server } from './http.js';
import type { PdfLoadResult, PdfLoadStart } from './pdfLoad.js';
import type { Measurement } from './serverControl.js';

export interface LatencyRound {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  /** The server's JS thread: busy share (0..1), and the event-loop delay (ms; about 1 when idle). */
  eventLoopUtilization: number;
  loopDelayP99: number;
  loopDelayMax: number;
  pdf?: PdfLoadResult;
}

export interface LatencySide {
  /** Medians over the rounds. */
  requestsPerSecond: number;
  p50: number;
  p99: number;
  eventLoopUtilization: number;
  loopDelayP99: number;
  rounds: LatencyRound[];
}

export interface LatencyResult {
  connections: number;
  duration: number;
  pdfClients: number;
  /** The server's render pool (worker threads) and the CPUs this machine offers. */
  renderPoolSize: number;
  cpus: number;
  applications: number;
  certificates: number;
  alone: LatencySide;
  issuing: LatencySide & { pdfsPerSecond: number; pdfP50: number; pdfP99: number; pdfBytes: number };
  /** p99 while issuing / p99 alone (medians). */
  ratio: number;
  profile?: string;
}

const here = path.dirname(new URL(import.meta.url).pathname);
const json = { 'content-type': 'application/json' };
const PASSWORD = 'correct horse battery';

interface Definition {
  form: { examples: Record<string, unknown>[] };
  materials: { id: string; commitment?: boolean }[];
  steps: { kind: string; matters?: { id: string; department: string }[] }[];
}

/** A citizen with `count` completed start-a-business applications, made over HTTP; answers the read and the certificate PDFs. */
async function prepare(base: string, count: number): Promise<{ headers: Record<string, string>; readPath: string; pdfPaths: string[] }> {
  const definition = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'workflows', 'business-startup.json'), 'utf8')) as Definition;
  const login = async (username: string) => {
    const { token } = await call(base, '/api/v1/auth/login', { method: 'POST', headers: json, body: JSON.stringify({ username, password: PASSWORD }), expect: 200 });
    return { authorization: `Bearer ${token}` };
  };
  const admin = { ...json, ...(await login('benchadmin')) };
  const clerks = new Map<string, Record<string, string>>();
  const clerkOf = async (department: string) => {
    let clerk = clerks.get(department);
    if (!clerk) {
      const username = `clerk-${department}`;
      await call(base, '/api/v1/users', { method: 'POST', headers: admin, body: JSON.stringify({ username, password: PASSWORD, role: 'clerk', departments: [department], name: `${department} clerk` }), expect: 201 });
      clerk = { ...json, ...(await login(username)) };
      clerks.set(department, clerk);
    }
    return clerk;
  };

  await call(base, '/api/v1/auth/register', { method: 'POST', headers: json, body: JSON.stringify({ username: 'latencycitizen', password: PASSWORD, name: '王磊', idNumber: makeResidentIdNumber({ sequence: 778 }) }), expect: 202 });
  const citizen = await login('latencycitizen');
  const matters = new Map(definition.steps.flatMap((s) => s.matters ?? []).map((m) => [m.id, m.department]));
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const materials: Record<string, unknown>[] = [];
    for (const m of definition.materials) {
      if (m.commitment) {
        materials.push({ materialId: m.id, commitment: true });
        continue;
      }
      const form = new FormData();
      form.append('file', new Blob([tinyPdf()], { type: 'application/pdf' }), `${m.id}.pdf`);
      materials.push({ materialId: m.id, fileId: (await call(base, '/api/v1/files', { method: 'POST', headers: citizen, body: form, expect: 201 })).fileId });
    }
    const submitted = await call(base, '/api/v1/applications', { method: 'POST', headers: { ...citizen, ...json }, body: JSON.stringify({ serviceId: 'business-startup', form: definition.form.examples[0], materials }), expect: 201 });
    // As test/support/services.ts approveAll: accepted at the window, then every pending matter approved by its department.
    for (let step = 0; ; step++) {
      if (step > 20) throw new Error(`application ${submitted.id} did not complete`);
      const view = await call(base, `/api/v1/applications/${submitted.id}`, { headers: citizen, expect: 200 });
      if (view.status === 'completed') break;
      if (view.status === 'submitted') {
        await call(base, `/api/v1/applications/${submitted.id}/events`, { method: 'POST', headers: await clerkOf(view.openDepartments[0]), body: JSON.stringify({ type: 'ACCEPT' }), expect: 200 });
      } else if (view.status === 'in_review') {
        for (const [matter, state] of Object.entries(view.matters as Record<string, string>)) {
          if (state !== 'pending') continue;
          await call(base, `/api/v1/applications/${submitted.id}/events`, { method: 'POST', headers: await clerkOf(matters.get(matter)!), body: JSON.stringify({ type: 'APPROVE', matter }), expect: 200 });
        }
      } else throw new Error(`application ${submitted.id} is ${view.status}`);
    }
    ids.push(submitted.id);
  }
  const wallet = (await call(base, '/api/v1/certificates', { headers: citizen, expect: 200 })) as { id: string; applicationId?: string }[];
  const certificates = wallet.filter((c) => c.applicationId === undefined || ids.includes(c.applicationId));
  if (certificates.length < count) throw new Error(`${count} completed applications left only ${certificates.length} certificates in the wallet`);
  // Each PDF once, checked: the paths the load will ask for work.
  for (const c of certificates) {
    const res = await fetch(`${base}/api/v1/certificates/${c.id}/pdf`, { headers: citizen });
    const body = Buffer.from(await res.arrayBuffer());
    if (res.status !== 200 || body.subarray(0, 5).toString('latin1') !== '%PDF-') throw new Error(`certificate ${c.id}: PDF answered ${res.status}`);
  }
  return { headers: citizen, readPath: `/api/v1/applications/${ids[0]}`, pdfPaths: certificates.map((c) => `/api/v1/certificates/${c.id}/pdf`) };
}

interface PdfLoader {
  child: ChildProcess;
  ask<T>(message: object, key: string): Promise<T>;
}

async function startPdfLoad(start: PdfLoadStart): Promise<PdfLoader> {
  const child = fork(path.join(here, 'pdfLoad.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = asker(child, 'pdfLoad');
  await ask({ start }, 'started');
  return { child, ask };
}

function requireAll200(what: string, r: Result) {
  const others = Object.keys(r.statusCodeStats).filter((code) => code !== '200');
  if (r.errors || r.timeouts || r.non2xx || r.resets || others.length > 0) {
    throw new Error(`${what}: not every read answered 200 — ${JSON.stringify({ errors: r.errors, timeouts: r.timeouts, non2xx: r.non2xx, resets: r.resets, statusCodes: r.statusCodeStats })}`);
  }
}

function requirePdfs(what: string, r: PdfLoadResult) {
  if (r.failures > 0) throw new Error(`${what}: ${r.failures} certificate PDF requests failed, the first: ${r.firstFailure}`);
  if (r.pdfs === 0) throw new Error(`${what}: no certificate PDF was rendered`);
}

function sideOf(rounds: LatencyRound[]): LatencySide {
  return {
    requestsPerSecond: median(rounds.map((r) => r.requestsPerSecond)),
    p50: median(rounds.map((r) => r.p50)),
    p99: median(rounds.map((r) => r.p99)),
    eventLoopUtilization: median(rounds.map((r) => r.eventLoopUtilization)),
    loopDelayP99: median(rounds.map((r) => r.loopDelayP99)),
    rounds,
  };
}

export async function benchIssuingLatency(): Promise<LatencyResult> {
  const connections = Number(process.env.BENCH_LATENCY_CONNECTIONS ?? 20);
  const duration = Number(process.env.BENCH_LATENCY_DURATION ?? 8);
  const rounds = Number(process.env.BENCH_LATENCY_ROUNDS ?? 2);
  const pdfClients = Number(process.env.BENCH_LATENCY_PDF_CLIENTS ?? 6);
  const applications = Number(process.env.BENCH_LATENCY_APPLICATIONS ?? 4);
  const warmup = Number(process.env.BENCH_LATENCY_WARMUP ?? 3);
  const profileDir = process.env.BENCH_PROFILE ? fs.mkdtempSync(path.join(os.tmpdir(), 'onevisit-bench-latency-profile-')) : undefined;
  if (profileDir) for (const sub of ['alone', 'issuing']) fs.mkdirSync(path.join(profileDir, sub));
  const verbose = (line: string) => process.env.BENCH_VERBOSE && console.error(line);

  const server: Server = await startServer('httpServer.js', profileDir, { BENCH_ADMIN: `benchadmin:${PASSWORD}`, BENCH_LOOP_DELAY: '1' });
  let pdfLoad: PdfLoader | undefined;
  try {
    const { headers, readPath, pdfPaths } = await prepare(server.url, applications);
    const pdfStart: PdfLoadStart = { url: server.url, paths: pdfPaths, headers, concurrency: pdfClients };
    const read = (seconds: number) => load({ url: server.url + readPath, headers, connections, duration: seconds });

    /** One round: the read for `seconds`, alone or with the PDF load running (started, warmed and marked first). */
    const round = async (issuing: boolean, seconds: number, profile?: string): Promise<LatencyRound> => {
      if (issuing) {
        pdfLoad = await startPdfLoad(pdfStart);
        await new Promise((resolve) => setTimeout(resolve, 500));
        await pdfLoad.ask({ mark: true }, 'marked');
      }
      await server.ask({ measure: 'start', ...(profile ? { profile } : {}) }, 'measuring');
      const result = await read(seconds);
      const { measurement } = await server.ask<{ measurement: Measurement }>({ measure: 'stop' }, 'measurement');
      let pdf: PdfLoadResult | undefined;
      if (pdfLoad) {
        ({ stopped: pdf } = await pdfLoad.ask<{ stopped: PdfLoadResult }>({ stop: true }, 'stopped'));
        pdfLoad = undefined;
        requirePdfs(`issuing${profile ? ` (${profile})` : ''}`, pdf);
      }
      requireAll200(issuing ? 'the read while issuing' : 'the read alone', result);
      return {
        requestsPerSecond: result.requests.total / result.duration,
        p50: result.latency.p50,
        p99: result.latency.p99,
        max: result.latency.max,
        eventLoopUtilization: measurement.elu,
        loopDelayP99: measurement.loopDelay?.p99 ?? NaN,
        loopDelayMax: measurement.loopDelay?.max ?? NaN,
        ...(pdf ? { pdf } : {}),
      };
    };
    const describe = (r: LatencyRound) =>
      `${r.requestsPerSecond.toFixed(0)} req/s p50 ${r.p50} ms p99 ${r.p99} ms max ${r.max} ms, server JS thread busy ${(100 * r.eventLoopUtilization).toFixed(0)}%, loop delay p99 ${r.loopDelayP99.toFixed(1)} ms max ${r.loopDelayMax.toFixed(1)} ms` +
      (r.pdf ? `; ${r.pdf.pdfsPerSecond.toFixed(1)} PDFs/s (p50 ${r.pdf.p50} ms, p99 ${r.pdf.p99} ms)` : '');

    if (warmup > 0) {
      verbose(`warm-up alone: ${describe(await round(false, warmup))}`);
      verbose(`warm-up issuing: ${describe(await round(true, warmup))}`);
    }
    const alone: LatencyRound[] = [];
    const issuing: LatencyRound[] = [];
    for (let r = 0; r < rounds; r++) {
      alone.push(await round(false, duration, profileDir ? `alone/round-${r}` : undefined));
      verbose(`round ${r} alone: ${describe(alone.at(-1)!)}`);
      issuing.push(await round(true, duration, profileDir ? `issuing/round-${r}` : undefined));
      verbose(`round ${r} issuing: ${describe(issuing.at(-1)!)}`);
    }
    await server.stop();
    const pdfs = issuing.map((r) => r.pdf!);
    const result: LatencyResult = {
      connections,
      duration,
      pdfClients,
      renderPoolSize: defaultPoolSize(),
      cpus: os.availableParallelism(),
      applications,
      certificates: pdfPaths.length,
      alone: sideOf(alone),
      issuing: {
        ...sideOf(issuing),
        pdfsPerSecond: median(pdfs.map((p) => p.pdfsPerSecond)),
        pdfP50: median(pdfs.map((p) => p.p50)),
        pdfP99: median(pdfs.map((p) => p.p99)),
        pdfBytes: median(pdfs.map((p) => p.bytes)),
      },
      ratio: 0,
      ...(profileDir ? { profile: profileDir } : {}),
    };
    result.ratio = result.issuing.p99 / result.alone.p99;
    return result;
  } finally {
    for (const child of [server.child, (pdfLoad as PdfLoader | undefined)?.child]) if (child && child.exitCode === null && child.signalCode === null) child.kill();
  }
}
