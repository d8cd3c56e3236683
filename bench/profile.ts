/**
 * `node dist/bench/profile.js <file.cpuprofile|dir> [top]`: summarises V8 CPU profiles (a directory's
 * together, as BENCH_PROFILE=1 writes them): self time by package/file and by function, and inclusive
 * time of the project's own functions, each as a share of the busy (non-idle) sampled time.
 */
import fs from 'node:fs';
import path from 'node:path';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const target = process.argv[2];
if (!target) throw new Error('usage: node dist/bench/profile.js <file.cpuprofile|dir> [top]');
const top = Number(process.argv[3] ?? 25);
const files = fs.statSync(target).isDirectory() ? fs.readdirSync(target).filter((f) => f.endsWith('.cpuprofile')).sort().map((f) => path.join(target, f)) : [target];

const where = (n: Node) => {
  const url = n.callFrame.url.replace(/^file:\/\//, '');
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest.slice(0, rest[0]!.startsWith('@') ? 2 : 1).join('/');
  }
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return url.slice(dist + 6).replace(/\.js$/, '.ts');
  return url || `(${n.callFrame.functionName || 'native'})`;
};
const label = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${where(n)}${n.callFrame.url.includes('/dist/') ? `:${n.callFrame.lineNumber + 1}` : ''}`;

let total = 0;
let idleTime = 0;
const selfByFile = new Map<string, number>();
const selfByFunction = new Map<string, number>();
const inclusive = new Map<string, number>();
const add = (m: Map<string, number>, k: string, t: number) => m.set(k, (m.get(k) ?? 0) + t);

for (const file of files) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  profile.samples.forEach((id, i) => {
    const t = profile.timeDeltas[i] ?? 0;
    const node = byId.get(id)!;
    total += t;
    if (node.callFrame.functionName === '(idle)') {
      idleTime += t;
      return;
    }
    add(selfByFile, where(node), t);
    add(selfByFunction, label(node), t);
    // Inclusive: each sample counts once for every distinct project frame on its stack.
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const frame = byId.get(n)!;
      if (!frame.callFrame.url.includes('/dist/src/') && !frame.callFrame.url.includes('/dist/bench/')) continue;
      const key = label(frame);
      if (!seen.has(key)) {
        seen.add(key);
        add(inclusive, key, t);
      }
    }
  });
}
const busy = total - idleTime;
const pct = (t: number) => `${((100 * t) / busy).toFixed(1)}%`.padStart(6);
const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);

console.log(`${files.join('\n')}\nsampled ${(total / 1e6).toFixed(2)} s, idle ${(idleTime / 1e6).toFixed(2)} s, busy ${(busy / 1e6).toFixed(2)} s (shares below are of busy time)`);
console.log('\nself time by package / file:');
for (const [k, t] of sorted(selfByFile)) console.log(`${pct(t)}  ${k}`);
console.log('\nself time by function:');
for (const [k, t] of sorted(selfByFunction)) console.log(`${pct(t)}  ${k}`);
console.log("\ninclusive time of the project's functions:");
for (const [k, t] of sorted(inclusive)) console.log(`${pct(t)}  ${k}`);
