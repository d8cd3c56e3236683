/**
 * Scaling out on PostgreSQL: completed start-a-business applications per second through HTTP with one onevisit
 * instance, and with two instances on one database, the same load clients split between them.
 *
 * Each configuration has a fresh schema of its own on the PostgreSQL at BENCH_CLUSTER_PG_URL (ONEVISIT_TEST_PG_URL,
 * else postgres://postgres@127.0.0.1:5432/test) and a data directory its instances share (signing keys, uploaded
 * files), as one deployment would. An instance is bench/clusterServer.ts: the real composition root as `onevisit
 * serve` runs it (scheduler and outbox worker polling), forked, started one after the other. On the first
 * instance an admin creates a clerk per department and the citizens, who upload their materials, all over HTTP. The load is bench/flowLoad.ts in BENCH_CLUSTER_CLIENTS (2) processes of their own with BENCH_CLUSTER_USERS
 * (16) virtual users in all, each taking applications through the whole flow back to back — submit, ACCEPT at
 * the window, the six departments' APPROVEs at once, the last one issuing the certificates — for
 * BENCH_CLUSTER_DURATION seconds (15); with two instances client i talks to instance i mod 2. After a warm-up
 * (BENCH_CLUSTER_WARMUP seconds, 5) rounds alternate the configurations (BENCH_CLUSTER_ROUNDS, 2) and medians are
 * reported. Any answer other than 2xx is an error and reported; 409 conflicts must be 0.
 *
 * The whole run shares the machine: the instances, PostgreSQL and the clients compete for its CPUs, and each
 * round records how busy the machine's CPUs were, so a ratio near 1 can be read as saturation or as a bottleneck.
 * BENCH_PROFILE=1 records a CPU profile of every instance in each measured round (summarise with bench/profile.ts).
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { call, median, startServer, tinyPdf, type Server } from './http.js';
import type { FlowLoadRequest, FlowLoadSummary, FlowUser } from './flowLoad.js';
import type { Measurement } from './serverControl.js';
import { during } from './progress.js';
import { makeResidentIdNumber } from '../src/domain/ids.js';
import { openDatabase, projectRoot } from '../src/store/index.js';

export interface ClusterRound {
  seconds: number;
  completed: number;
  completedLate: number;
  completedPerSecond: number;
  requests: number;
  errors: number;
  conflicts: number;
  statusCodes: Record<string, number>;
  firstErrors: string[];
  /** Request and application latency, ms (the clients' worst). */
  p50: number;
  p99: number;
  flowP50: number;
  flowP99: number;
  /** Event-loop utilisation of each instance, 0..1. */
  serverElu: number[];
  /** Share of the machine's CPU time busy during the round (every process: instances, PostgreSQL, clients). */
  machineCpu: number;
}

export interface ClusterSide {
  instances: number;
  /** Median over the rounds. */
  completedPerSecond: number;
  p99: number;
  flowP99: number;
  /** Over every measured round (the warm-up must have none). */
  errors: number;
  conflicts: number;
  rounds: ClusterRound[];
  /** Applications in the database at the end (warm-up and rounds). */
  applications: number;
}

export interface ClusterResult {
  skipped?: string;
  cpus: number;
  clients: number;
  users: number;
  duration: number;
  one?: ClusterSide;
  two?: ClusterSide;
  /** two ÷ one completed applications per second. */
  ratio?: number;
  profile?: string;
}

const PASSWORD = 'correct horse battery';
const json = { 'content-type': 'application/json' };
const here = path.dirname(new URL(import.meta.url).pathname);

interface Definition {
  form: { examples: Record<string, unknown>[] };
  materials: { id: string; commitment?: boolean }[];
  steps: { kind: string; window?: string; matters?: { id: string; department: string }[] }[];
}

interface Deployment {
  instances: number;
  schema: string;
  dataDir: string;
  servers: Server[];
  users: FlowUser[];
  clerks: Record<string, Record<string, string>>;
}

/** Clerks for the window and every department, and `users` citizens with their materials uploaded, over HTTP on `base`. */
async function prepare(base: string, definition: Definition, users: number, offset: number): Promise<Pick<Deployment, 'users' | 'clerks'>> {
  const login = async (username: string) => {
    const { token } = await call(base, '/api/v1/auth/login', { method: 'POST', headers: json, body: JSON.stringify({ username, password: PASSWORD }), expect: 200 });
    return { ...json, authorization: `Bearer ${token}` };
  };
  const admin = await login('benchadmin');
  const window = definition.steps.find((s) => s.kind === 'intake')!.window!;
  const departments = [window, ...new Set(definition.steps.flatMap((s) => s.matters ?? []).map((m) => m.department))];
  const clerks: Record<string, Record<string, string>> = {};
  for (const department of departments) {
    const username = `clerk-${department}`;
    await call(base, '/api/v1/users', { method: 'POST', headers: admin, body: JSON.stringify({ username, password: PASSWORD, role: 'clerk', departments: [department], name: `${department} clerk` }), expect: 201 });
    clerks[department] = await login(username);
  }
  const flowUsers: FlowUser[] = [];
  for (let i = 0; i < users; i++) {
    const username = `citizen${i}`;
    // Made by the admin (registration is limited per client address, and these all come from one).
    const idNumber = makeResidentIdNumber({ sequence: (offset + i) % 1000, birthDate: `${1970 + Math.floor((offset + i) / 1000)}-01-01` });
    await call(base, '/api/v1/users', { method: 'POST', headers: admin, body: JSON.stringify({ username, password: PASSWORD, role: 'citizen', name: '王磊', idNumber }), expect: 201 });
    const headers = await login(username);
    const materials: Record<string, unknown>[] = [];
    for (const m of definition.materials) {
      if (m.commitment) {
        materials.push({ materialId: m.id, commitment: true });
        continue;
      }
      const form = new FormData();
      form.append('file', new Blob([tinyPdf()], { type: 'application/pdf' }), `${m.id}.pdf`);
      const { 'content-type': _json, ...auth } = headers;
      materials.push({ materialId: m.id, fileId: (await call(base, '/api/v1/files', { method: 'POST', headers: auth, body: form, expect: 201 })).fileId });
    }
    flowUsers.push({ headers, body: JSON.stringify({ serviceId: 'business-startup', form: definition.form.examples[0], materials }) });
  }
  return { users: flowUsers, clerks };
}

function cpuTimes() {
  let busy = 0;
  let total = 0;
  for (const { times } of os.cpus()) {
    const all = times.user + times.nice + times.sys + times.irq + times.idle;
    total += all;
    busy += all - times.idle;
  }
  return { busy, total };
}

function runClient(request: FlowLoadRequest): Promise<FlowLoadSummary> {
  const child = fork(path.join(here, 'flowLoad.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('message', (message: { summary: FlowLoadSummary }) => resolve(message.summary));
    child.once('exit', (code) => code !== 0 && reject(new Error(`flowLoad exited with ${code}`)));
    child.send(request);
  });
}

export async function benchCluster(): Promise<ClusterResult> {
  const url = process.env.BENCH_CLUSTER_PG_URL ?? process.env.ONEVISIT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const clients = Number(process.env.BENCH_CLUSTER_CLIENTS ?? 2);
  const users = Number(process.env.BENCH_CLUSTER_USERS ?? 16);
  const duration = Number(process.env.BENCH_CLUSTER_DURATION ?? 15);
  const rounds = Number(process.env.BENCH_CLUSTER_ROUNDS ?? 2);
  const warmup = Number(process.env.BENCH_CLUSTER_WARMUP ?? 5);
  const base: ClusterResult = { cpus: os.cpus().length, clients, users, duration };
  const verbose = (line: string) => process.env.BENCH_VERBOSE && console.error(line);
  const profileDir = process.env.BENCH_PROFILE ? fs.mkdtempSync(path.join(os.tmpdir(), 'onevisit-bench-profile-')) : undefined;
  const admin = openDatabase({ url, poolMax: 1 });
  try {
    await admin.raw('SELECT 1');
  } catch (error) {
    await admin.destroy();
    return { ...base, skipped: `PostgreSQL does not answer at ${new URL(url).host}: ${(error as Error).message}` };
  }
  const definition = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'workflows', 'business-startup.json'), 'utf8')) as Definition;
  const window = definition.steps.find((s) => s.kind === 'intake')!.window!;
  const matters = definition.steps.flatMap((s) => s.matters ?? []);
  const deployments: Deployment[] = [];
  try {
    for (const instances of [1, 2]) {
      const schema = `onevisit_bench_cluster_${process.pid}_${instances}`;
      await admin.raw(`CREATE SCHEMA ${schema}`);
      const deployment: Deployment = { instances, schema, dataDir: fs.mkdtempSync(path.join(os.tmpdir(), `onevisit-bench-cluster-${instances}-`)), servers: [], users: [], clerks: {} };
      deployments.push(deployment);
      const env = { BENCH_CLUSTER_DATABASE_URL: url, BENCH_CLUSTER_SCHEMA: schema, BENCH_CLUSTER_DATA_DIR: deployment.dataDir };
      // One after the other: the first migrates, publishes the catalog and makes the signing key; the others find them.
      for (let i = 0; i < instances; i++) deployment.servers.push(await startServer('clusterServer.js', profileDir, { ...env, ...(i === 0 ? { BENCH_ADMIN: `benchadmin:${PASSWORD}` } : {}) }));
      Object.assign(deployment, await prepare(deployment.servers[0]!.url, definition, users, 100 * instances));
    }

    const round = async (deployment: Deployment, seconds: number, label: string, profile?: string): Promise<ClusterRound> => {
      for (const [i, s] of deployment.servers.entries()) await s.ask({ measure: 'start', ...(profile && profileDir ? { profile: `${profile}-instance-${i + 1}` } : {}) }, 'measuring');
      const startAt = Date.now() + 300;
      const requests: FlowLoadRequest[] = Array.from({ length: clients }, (_, c) => ({
        base: deployment.servers[c % deployment.servers.length]!.url,
        users: deployment.users.filter((_, u) => u % clients === c),
        clerks: deployment.clerks,
        window,
        matters,
        startAt,
        seconds,
      }));
      const before = cpuTimes();
      const summaries = await during(label, seconds, Promise.all(requests.map(runClient)));
      const after = cpuTimes();
      const measurements: Measurement[] = [];
      for (const s of deployment.servers) measurements.push((await s.ask<{ measurement: Measurement }>({ measure: 'stop' }, 'measurement')).measurement);
      const sum = (f: (s: FlowLoadSummary) => number) => summaries.reduce((n, s) => n + f(s), 0);
      const statusCodes: Record<string, number> = {};
      for (const s of summaries) for (const [code, count] of Object.entries(s.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + count;
      const completed = sum((s) => s.completed);
      return {
        seconds,
        completed,
        completedLate: sum((s) => s.completedLate),
        completedPerSecond: completed / seconds,
        requests: sum((s) => s.requests),
        errors: sum((s) => s.errors),
        conflicts: sum((s) => s.conflicts),
        statusCodes,
        firstErrors: summaries.flatMap((s) => s.firstErrors).slice(0, 5),
        p50: Math.max(...summaries.map((s) => s.latency.p50)),
        p99: Math.max(...summaries.map((s) => s.latency.p99)),
        flowP50: Math.max(...summaries.map((s) => s.flow.p50)),
        flowP99: Math.max(...summaries.map((s) => s.flow.p99)),
        serverElu: measurements.map((m) => m.elu),
        machineCpu: (after.busy - before.busy) / Math.max(1, after.total - before.total),
      };
    };
    const describe = (r: ClusterRound) =>
      `${r.completedPerSecond.toFixed(1)} applications/s (${r.completed}, ${r.completedLate} late), ${r.requests} requests, p50 ${r.p50.toFixed(0)} ms p99 ${r.p99.toFixed(0)} ms, application p99 ${r.flowP99.toFixed(0)} ms, ${r.errors} errors (${r.conflicts} × 409), instances ELU ${r.serverElu.map((e) => e.toFixed(2)).join('/')}, machine CPU ${(100 * r.machineCpu).toFixed(0)}%${r.firstErrors.length ? `; first errors: ${r.firstErrors.join(' | ')}` : ''}`;

    if (warmup > 0) {
      for (const d of deployments) {
        const w = await round(d, warmup, `cluster: warm-up, ${d.instances} instance(s)`);
        verbose(`warm-up, ${d.instances} instance(s): ${describe(w)}`);
        if (w.errors > 0) throw new Error(`warm-up with ${d.instances} instance(s) failed: ${describe(w)}`);
      }
    }
    const measured = new Map<Deployment, ClusterRound[]>(deployments.map((d) => [d, []]));
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < deployments.length; k++) {
        const d = deployments[(r + k) % deployments.length]!;
        const result = await round(d, duration, `cluster: round ${r + 1}/${rounds}, ${d.instances} instance(s)`, `${d.instances}-instances-round-${r + 1}`);
        measured.get(d)!.push(result);
        verbose(`round ${r}, ${d.instances} instance(s): ${describe(result)}`);
      }
    }
    const sides: ClusterSide[] = [];
    for (const d of deployments) {
      let applications = 0;
      for (const s of d.servers.reverse()) applications = (await s.stop()).rows;
      const rs = measured.get(d)!;
      sides.push({
        instances: d.instances,
        completedPerSecond: median(rs.map((r) => r.completedPerSecond)),
        p99: median(rs.map((r) => r.p99)),
        flowP99: median(rs.map((r) => r.flowP99)),
        errors: rs.reduce((n, r) => n + r.errors, 0),
        conflicts: rs.reduce((n, r) => n + r.conflicts, 0),
        rounds: rs,
        applications,
      });
    }
    const [one, two] = sides as [ClusterSide, ClusterSide];
    return { ...base, one, two, ratio: two.completedPerSecond / one.completedPerSecond, ...(profileDir ? { profile: profileDir } : {}) };
  } finally {
    for (const d of deployments) {
      for (const { child } of d.servers) if (child.exitCode === null && child.signalCode === null) child.kill();
      await admin.raw(`DROP SCHEMA IF EXISTS ${d.schema} CASCADE`).catch(() => undefined);
      fs.rmSync(d.dataDir, { recursive: true, force: true });
    }
    await admin.destroy();
  }
}
