/**
 * `npm run bench`: runs the benchmarks, writes bench/results/latest.json and prints a markdown table.
 * BENCH_ONLY=core, http, certificates, latency or cluster runs one of them; latest.json then keeps the others' last results.
 * BENCH_ONLY=scale (the clerk queue and the dashboard at 1,000,000 applications, SQLite and PostgreSQL) or rss (memory after 100,000
 * applications through the engine) runs those.
 */
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../src/store/index.js';
import { benchCertificates, type CertificatesResult } from './certificates.js';
import { benchCluster, type ClusterResult } from './cluster.js';
import { benchCore, type CoreResult } from './core.js';
import { benchHttp, type HttpResult } from './http.js';
import { benchIssuingLatency, type LatencyResult } from './issuingLatency.js';
import { benchReads, type ReadsResult } from './reads.js';
import { benchRss, type RssResult } from './rss.js';
import { benchScale, type ScaleResult, type ScaleSide } from './scale.js';

const benchmarks = ['core', 'http', 'certificates', 'latency', 'cluster', 'scale', 'rss', 'reads'] as const;
type Benchmark = (typeof benchmarks)[number];
const only = process.env.BENCH_ONLY;
if (only !== undefined && !(benchmarks as readonly string[]).includes(only)) throw new Error(`BENCH_ONLY is one of ${benchmarks.join(', ')}, not ${JSON.stringify(only)}`);
const runs = (name: Benchmark) => only === undefined || only === name;
const out = path.join(projectRoot(), 'bench', 'results');
const latest = path.join(out, 'latest.json');
const previous = (fs.existsSync(latest) ? JSON.parse(fs.readFileSync(latest, 'utf8')) : {}) as { core?: CoreResult; http?: HttpResult; certificates?: CertificatesResult; latency?: LatencyResult; cluster?: ClusterResult };

const n = Number(process.env.BENCH_APPLICATIONS ?? 150);
const core = runs('core') ? await benchCore(n) : previous.core;
const http = runs('http') ? await benchHttp() : previous.http;
const certificates = runs('certificates') ? await benchCertificates() : previous.certificates;
const latency = runs('latency') ? await benchIssuingLatency() : previous.latency;
const cluster = runs('cluster') ? await benchCluster() : previous.cluster;
const previousScale = previous as { scale?: ScaleResult; rss?: RssResult };
const scale = runs('scale') ? await benchScale() : previousScale.scale;
const rss = runs('rss') ? await benchRss() : previousScale.rss;
const reads = runs('reads') ? await benchReads() : (previous as { reads?: ReadsResult }).reads;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const rows = [
  ['benchmark', 'onevisit', 'floor', 'ratio', 'target'],
  ['---', '---', '---', '---', '---'],
];
if (core && runs('core')) {
  const steps = core.transactions / core.applications;
  rows.push([
    `start-a-business lifecycle, SQLite synchronous=${core.synchronous} (${core.applications} applications × ${steps} steps, ${core.rounds} rounds; floor: the same rows — applications, events, outbox, open_tasks, figures, audit chain — by knex, no engine)`,
    `${core.engine.toFixed(1)} applications/s`,
    `${core.floor.toFixed(1)} applications/s`,
    core.ratio.toFixed(2),
    '≥ 0.80',
  ]);
  rows.push([
    `the same lifecycle beside bpmn-engine (BPMN userTasks + parallel gateway fork/join; each step recover() + resume() from the stored getState(), signal, getState() stored in the floor's transaction); floor column: bpmn-engine, ratio: onevisit ÷ bpmn-engine`,
    `${core.engine.toFixed(1)} applications/s, snapshot ${(core.snapshotBytes / 1024).toFixed(1)} KiB`,
    `${core.bpmn.applicationsPerSecond.toFixed(1)} applications/s (${core.bpmn.floorRatio.toFixed(2)} of the floor), state ${(core.bpmn.stateBytes / 1024).toFixed(1)} KiB`,
    `${core.bpmn.ratio.toFixed(1)}×`,
    '≥ 6×',
  ]);
  rows.push([
    `engine work alone, no persistence: compile-once machine + XState transition() per event vs bpmn-engine execute + signal per step (${core.pure.applications} applications); floor column: bpmn-engine, ratio: how many times cheaper`,
    `${core.pure.onevisitUs.toFixed(0)} µs per application`,
    `${core.pure.bpmnUs.toFixed(0)} µs per application`,
    `${core.pure.ratio.toFixed(1)}×`,
    '≥ 50×',
  ]);
}
if (http && runs('http')) {
  rows.push([
    `HTTP submit, SQLite synchronous=${http.synchronous} on both servers (read from each connection; the floor opens SQLite through the same openDatabase), ${http.connections} connections × ${http.duration} s, certificate-free (floor: express + ajv + one knex insert)`,
    `${http.onevisit.requestsPerSecond.toFixed(0)} req/s, p99 ${http.onevisit.p99} ms, ${http.onevisit.errors + http.onevisit.non2xx} errors`,
    `${http.floor.requestsPerSecond.toFixed(0)} req/s, p99 ${http.floor.p99} ms`,
    http.ratio.toFixed(2),
    '≥ 0.80, p99 < 100 ms',
  ]);
  if (http.normal && http.durabilityCost !== undefined) {
    rows.push([
      `the cost of durability: onevisit HTTP submit at synchronous=${http.synchronous} against the same server at NORMAL, same rounds (floor column: NORMAL, ratio: ${http.synchronous} ÷ NORMAL)`,
      `${http.onevisit.requestsPerSecond.toFixed(0)} req/s, p99 ${http.onevisit.p99} ms`,
      `${http.normal.requestsPerSecond.toFixed(0)} req/s, p99 ${http.normal.p99} ms, ${http.normal.errors + http.normal.non2xx} errors`,
      `${(1 - http.durabilityCost).toFixed(2)} (${(100 * http.durabilityCost).toFixed(0)}% fewer)`,
      'reported',
    ]);
  }
}
if (certificates && runs('certificates')) {
  rows.push([
    `certificates: issue + sign + render (business licence, Chinese text, QR, seal, signed record), ${certificates.certificates} on one thread (floor: bare pdfkit page, same text, pre-opened font)`,
    `${certificates.certificatesPerSecond.toFixed(1)} certificates/s (render pool of ${certificates.pool.size}: ${certificates.pool.certificatesPerSecond.toFixed(1)}/s)`,
    `${certificates.floorPerSecond.toFixed(1)} pages/s`,
    certificates.ratio.toFixed(2),
    '≥ 0.70',
  ]);
}
if (latency && runs('latency')) {
  rows.push([
    `API p99 under concurrent issuing: GET /api/v1/applications/:id, ${latency.connections} connections × ${latency.duration} s, while ${latency.pdfClients} clients fetch certificate PDFs (floor: the same read alone)`,
    `p99 ${latency.issuing.p99} ms, p50 ${latency.issuing.p50} ms, ${latency.issuing.requestsPerSecond.toFixed(0)} req/s; ${latency.issuing.pdfsPerSecond.toFixed(1)} PDFs/s`,
    `p99 ${latency.alone.p99} ms, p50 ${latency.alone.p50} ms, ${latency.alone.requestsPerSecond.toFixed(0)} req/s`,
    latency.ratio.toFixed(2),
    'p99 ratio ≤ 2.00',
  ]);
}
if (cluster && runs('cluster')) {
  if (cluster.skipped) {
    rows.push(['submit + approve, PostgreSQL, one instance against two', `skipped: ${cluster.skipped}`, '', '', 'reported; 0 × 409']);
  } else {
    const { one, two } = cluster as Required<ClusterResult>;
    const side = (s: typeof one) => `${s.completedPerSecond.toFixed(1)} completed applications/s, request p99 ${s.p99.toFixed(0)} ms, ${s.errors} non-2xx (${s.conflicts} × 409), machine CPU ${(100 * median(s.rounds.map((r) => r.machineCpu))).toFixed(0)}%`;
    rows.push([
      `submit + ACCEPT + 6 department APPROVEs (issuing certificates) over HTTP, PostgreSQL, ${cluster.clients} load clients × ${cluster.users / cluster.clients} users × ${cluster.duration} s, ${one.rounds.length} rounds: two \`serve\`-like instances on one database (clients split) against one (floor column: one instance, ratio: two ÷ one; ${cluster.cpus} CPUs shared by instances, PostgreSQL and clients)`,
      side(two),
      side(one),
      cluster.ratio!.toFixed(2),
      'reported; 0 × 409',
    ]);
  }
}
if (scale && runs('scale')) {
  const n = scale.applications.toLocaleString('en');
  for (const [name, side] of [['SQLite', scale.sqlite], ['PostgreSQL', scale.postgres]] as [string, ScaleSide | undefined][]) {
    if (!side) {
      if (scale.skipped?.[name.toLowerCase()]) rows.push([`clerk queue and metrics at ${n} applications, ${name}`, `skipped: ${scale.skipped[name.toLowerCase()]}`, '', '', '']);
      continue;
    }
    const q = side.queue;
    const d = side.direct;
    rows.push([
      `clerk queue at ${n} applications (${side.seeded.open.toLocaleString('en')} open, ${side.seeded.openTasks.toLocaleString('en')} open tasks), ${name}: GET /api/v1/applications as the window clerk (${side.clerk.queueLength.toLocaleString('en')} tasks, page of 50), ${q.requests} requests one at a time (floors: the same query straight on the database; an authenticated GET /api/v1/auth/me over the same HTTP path)`,
      `p50 ${q.p50} ms, p99 ${q.p99} ms; 8 in flight: p99 ${side.queueConcurrent.p99} ms, ${side.queueConcurrent.requestsPerSecond.toFixed(0)} req/s`,
      `query alone: p50 ${d.queue!.p50} ms, p99 ${d.queue!.p99} ms${side.httpFloor ? `; GET /api/v1/auth/me the same way: p50 ${side.httpFloor.p50} ms, p99 ${side.httpFloor.p99} ms` : ''}`,
      (q.p99 / 20).toFixed(2) + ' of target',
      `p99 < 20 ms${q.p99 < 20 ? '' : ' (missed)'}`,
    ]);
    if (side.pages && Object.keys(side.pages).length > 0) {
      const pages = Object.entries(side.pages);
      const worst = Math.max(...pages.map(([, s]) => s.p99));
      rows.push([
        `pages rendered on the server at ${n} applications, ${name}: ${pages.map(([k, s]) => `${k} (${(s.bytes / 1024).toFixed(0)} KiB)`).join(', ')}, ${pages[0]![1].requests} requests each one at a time (floor: the JSON queue above)`,
        pages.map(([k, s]) => `${k} p50 ${s.p50} ms, p99 ${s.p99} ms`).join('; '),
        `queue JSON p50 ${q.p50} ms, p99 ${q.p99} ms`,
        (worst / 50).toFixed(2) + ' of target',
        `p99 < 50 ms${worst < 50 ? '' : ' (missed)'}`,
      ]);
    }
    const m = side.metrics;
    rows.push([
      `dashboard at ${n} applications, ${name}: GET /api/v1/metrics as an admin, all time (${side.seeded.figures.toLocaleString('en')} figure rows) and ?from=${m.period.from}&to=${m.period.to}, ${m.all.requests} requests each; server RSS across them (floor: the figures query straight on the database)`,
      `all time p50 ${m.all.p50} ms, p99 ${m.all.p99} ms; 30 days p99 ${m.period.p99} ms; RSS ${m.rssBeforeMb} → ${m.rssAfterMb} MB (${m.rssGrowthMb >= 0 ? '+' : ''}${m.rssGrowthMb} MB)`,
      `all time p50 ${d.figures!.p50} ms, p99 ${d.figures!.p99} ms`,
      (m.all.p99 / 200).toFixed(2) + ' of target',
      `< 200 ms${m.all.p99 < 200 ? '' : ' (missed)'}, RSS growth < 50 MB${m.rssGrowthMb < 50 ? '' : ' (missed)'}`,
    ]);
  }
}
if (rss && runs('rss')) {
  rows.push([
    `RSS after ${rss.applications.toLocaleString('en')} applications through the engine (in-process, SQLite, certificate-free; ${(100 * rss.driveShare).toFixed(0)}% driven to completed, ${rss.transactions.toLocaleString('en')} transactions, ${rss.concurrency} concurrent submitters; after a forced GC${rss.gcExposed ? '' : ' — gc not exposed'}) (floor column: RSS before the first application)`,
    `${rss.end.rssMb} MB (${rss.growthMb >= 0 ? '+' : ''}${rss.growthMb} MB; ${rss.growthAfterWarmupMb >= 0 ? '+' : ''}${rss.growthAfterWarmupMb} MB after the first ${rss.afterWarmup.applications.toLocaleString('en')}; highest reading ${rss.peakMb ?? '?'} MB), heap ${rss.end.heapUsedMb} MB, ${rss.applicationsPerSecond.toFixed(0)} applications/s`,
    `${rss.start.rssMb} MB, heap ${rss.start.heapUsedMb} MB`,
    (rss.growthMb / 50).toFixed(2) + ' of target',
    `growth < 50 MB${rss.growthMb < 50 ? '' : ' (missed)'}`,
  ]);
}
if (reads && runs('reads')) {
  const side = (name: string, r: ReadsResult['sqlite']) => `${name} ${r.cachedUs.toFixed(0)} µs (no cache ${r.uncachedUs.toFixed(0)} µs, ${r.ratio.toFixed(1)}×)`;
  rows.push([
    `reading one application (Engine.get, ${reads.applications} applications, ${reads.snapshotBytes}-byte snapshots): the snapshot cache checked against the row's version (floor column: no cache)`,
    [side('SQLite', reads.sqlite), ...(reads.postgres ? [side('PostgreSQL', reads.postgres)] : [])].join('; '),
    [`SQLite ${reads.sqlite.uncachedUs.toFixed(0)} µs`, ...(reads.postgres ? [`PostgreSQL ${reads.postgres.uncachedUs.toFixed(0)} µs`] : [])].join('; '),
    reads.sqlite.ratio.toFixed(2),
    'the cheaper of the two is used',
  ]);
}
const table = rows.map((r) => `| ${r.join(' | ')} |`).join('\n');
console.log(table);
if (http && runs('http')) {
  const diagnose = (name: string, side: HttpResult['onevisit']) =>
    `${name}: JS thread busy ${(100 * side.eventLoopUtilization).toFixed(0)}%, SQLite connection checked out ${(100 * side.connectionBusy).toFixed(0)}% of the time, ${side.checkoutsPerRequest.toFixed(1)} checkouts per request`;
  console.log(`\n${diagnose('onevisit server', http.onevisit)}\n${diagnose('floor server', http.floor)}${http.normal ? `\n${diagnose('onevisit server at NORMAL', http.normal)}` : ''}`);
  if (http.profile) console.log(`onevisit server CPU profiles: ${http.profile} (node dist/bench/profile.js ${http.profile})`);
}
if (latency && runs('latency')) {
  const server = (name: string, side: LatencyResult['alone']) =>
    `${name}: server JS thread busy ${(100 * side.eventLoopUtilization).toFixed(0)}%, event-loop delay p99 ${side.loopDelayP99.toFixed(1)} ms`;
  console.log(`\n${server('read alone', latency.alone)}\n${server('read while issuing', latency.issuing)}; PDF requests p50 ${latency.issuing.pdfP50} ms, p99 ${latency.issuing.pdfP99} ms, ${(latency.issuing.pdfBytes / 1024).toFixed(0)} KiB each; render pool of ${latency.renderPoolSize} on ${latency.cpus} CPUs`);
  if (latency.profile) console.log(`server main-thread CPU profiles: ${latency.profile}/alone, ${latency.profile}/issuing (node dist/bench/profile.js ${latency.profile}/issuing)`);
}
if (scale && runs('scale')) {
  for (const side of [scale.sqlite, scale.postgres]) {
    if (!side) continue;
    const d = side.direct;
    const v = Object.entries(side.queueVariants).map(([k, s]) => `${k} p99 ${s.p99} ms`).join(', ');
    const pages = Object.entries(side.pages ?? {}).map(([k, s]) => `${k} p50 ${s.p50} ms p99 ${s.p99} ms`).join(', ');
    console.log(`\nscale, ${side.database}: seeded in ${side.seedSeconds.toFixed(0)} s (history ${side.seeded.seconds.history.toFixed(0)} s), ${side.databaseMb} MB; queue ${v}; pages (target p99 < 50 ms): ${pages}; straight on the database: queue p50 ${d.queue!.p50} ms, figures p50 ${d.figures!.p50} ms, inProgress p50 ${d.inProgress!.p50} ms, tasksByDepartment p50 ${d.tasksByDepartment!.p50} ms, getApplication p50 ${d['getApplication (completed)']!.p50} ms; load average ${side.loadAverage.before.join(' ')} on ${side.cpus} CPUs (plans in latest.json)`);
  }
}
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(latest, JSON.stringify({ at: new Date().toISOString(), node: process.version, ...(core ? { core } : {}), ...(http ? { http } : {}), ...(certificates ? { certificates } : {}), ...(latency ? { latency } : {}), ...(cluster ? { cluster } : {}), ...(scale ? { scale } : {}), ...(rss ? { rss } : {}), ...(reads ? { reads } : {}) }, null, 2) + '\n');
