/** `npm run bench`: runs the benchmarks, writes bench/results/latest.json and prints a markdown table. */
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../src/store/index.js';
import { benchCore } from './core.js';

const n = Number(process.env.BENCH_APPLICATIONS ?? 150);
const core = await benchCore(n);
const rows = [
  ['benchmark', 'onevisit', 'floor', 'ratio', 'target'],
  ['---', '---', '---', '---', '---'],
  [
    `start-a-business lifecycle, SQLite (${core.applications} applications, ${core.transactions} transactions)`,
    `${core.engine.toFixed(1)} applications/s`,
    `${core.floor.toFixed(1)} applications/s`,
    core.ratio.toFixed(2),
    '≥ 0.80',
  ],
];
const table = rows.map((r) => `| ${r.join(' | ')} |`).join('\n');
console.log(table);
const out = path.join(projectRoot(), 'bench', 'results');
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, 'latest.json'), JSON.stringify({ at: new Date().toISOString(), node: process.version, core }, null, 2) + '\n');
