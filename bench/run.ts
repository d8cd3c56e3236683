/**
 * `npm run bench`: runs the benchmarks, writes bench/results/latest.json and prints a markdown table.
 * BENCH_ONLY=core or BENCH_ONLY=http runs one of them; latest.json then keeps the other's last result.
 */
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../src/store/index.js';
import { benchCore, type CoreResult } from './core.js';
import { benchHttp, type HttpResult } from './http.js';

const only = process.env.BENCH_ONLY;
if (only !== undefined && only !== 'core' && only !== 'http') throw new Error(`BENCH_ONLY is core or http, not ${JSON.stringify(only)}`);
const out = path.join(projectRoot(), 'bench', 'results');
const latest = path.join(out, 'latest.json');
const previous = (fs.existsSync(latest) ? JSON.parse(fs.readFileSync(latest, 'utf8')) : {}) as { core?: CoreResult; http?: HttpResult };

const n = Number(process.env.BENCH_APPLICATIONS ?? 150);
const core = only === 'http' ? previous.core : await benchCore(n);
const http = only === 'core' ? previous.http : await benchHttp();

const rows = [
  ['benchmark', 'onevisit', 'floor', 'ratio', 'target'],
  ['---', '---', '---', '---', '---'],
];
if (core && only !== 'http') {
  rows.push([
    `start-a-business lifecycle, SQLite (${core.applications} applications, ${core.transactions} transactions)`,
    `${core.engine.toFixed(1)} applications/s`,
    `${core.floor.toFixed(1)} applications/s`,
    core.ratio.toFixed(2),
    '≥ 0.80',
  ]);
}
if (http && only !== 'core') {
  rows.push([
    `HTTP submit, SQLite, ${http.connections} connections × ${http.duration} s, certificate-free (floor: express + ajv + one knex insert)`,
    `${http.onevisit.requestsPerSecond.toFixed(0)} req/s, p99 ${http.onevisit.p99} ms, ${http.onevisit.errors + http.onevisit.non2xx} errors`,
    `${http.floor.requestsPerSecond.toFixed(0)} req/s, p99 ${http.floor.p99} ms`,
    http.ratio.toFixed(2),
    '≥ 0.70, p99 < 100 ms',
  ]);
}
const table = rows.map((r) => `| ${r.join(' | ')} |`).join('\n');
console.log(table);
if (http && only !== 'core') {
  const diagnose = (name: string, side: HttpResult['onevisit']) =>
    `${name}: JS thread busy ${(100 * side.eventLoopUtilization).toFixed(0)}%, SQLite connection checked out ${(100 * side.connectionBusy).toFixed(0)}% of the time, ${side.checkoutsPerRequest.toFixed(1)} checkouts per request`;
  console.log(`\n${diagnose('onevisit server', http.onevisit)}\n${diagnose('floor server', http.floor)}`);
  if (http.profile) console.log(`onevisit server CPU profiles: ${http.profile} (node dist/bench/profile.js ${http.profile})`);
}
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(latest, JSON.stringify({ at: new Date().toISOString(), node: process.version, ...(core ? { core } : {}), ...(http ? { http } : {}) }, null, 2) + '\n');
