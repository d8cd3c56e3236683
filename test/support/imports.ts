/**
 * The import graph of the source tree, read from the files themselves (no compiler needed): every
 * `import … from`, `export … from`, side-effect `import '…'` and `import('…')`, with whether it brings in types
 * only. Imports are statements at the start of a line in this code base; `unreadImports` names any line that
 * mentions a relative module this reader did not take in, so a form it does not know cannot slip past it.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface ImportEdge {
  /** The importing file, relative to the source root, with `/` (e.g. `certificates/issue.ts`). */
  from: string;
  /** A file of ours (relative to the root, `.ts`) or a package / node builtin as written (`node:fs`, `knex`). */
  to: string;
  /** Whether `to` is one of our files. */
  local: boolean;
  /** `import type …`, `export type …`, or braces holding `type` names only. */
  typeOnly: boolean;
  line: number;
}

/** Every `.ts` file under `root`, relative to it, with `/`. */
export function sourceFiles(root: string): string[] {
  const walk = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return walk(full);
      return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
    });
  return walk(root)
    .map((file) => path.relative(root, file).split(path.sep).join('/'))
    .sort();
}

const STATEMENT = /^(import|export)\b([^;'"]*?)\bfrom\s*'([^']+)'/gm;
const SIDE_EFFECT = /^import\s*'([^']+)'/gm;
const DYNAMIC = /\bimport\(\s*'([^']+)'\s*\)/g;

export function importsOf(root: string, file: string): ImportEdge[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  const lineAt = (index: number) => text.slice(0, index).split('\n').length;
  const edge = (specifier: string, typeOnly: boolean, index: number): ImportEdge => {
    const local = specifier.startsWith('.');
    const to = local ? path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)).replace(/\.js$/, '.ts') : specifier;
    return { from: file, to, local, typeOnly, line: lineAt(index) };
  };
  const edges: ImportEdge[] = [];
  for (const m of text.matchAll(STATEMENT)) {
    const clause = m[2]!.trim();
    edges.push(edge(m[3]!, isTypeOnly(clause), m.index));
  }
  for (const m of text.matchAll(SIDE_EFFECT)) edges.push(edge(m[1]!, false, m.index));
  for (const m of text.matchAll(DYNAMIC)) edges.push(edge(m[1]!, false, m.index));
  return edges;
}

/** `type {…}`, `type X`, or `{ type A, type B }`: nothing of it exists when the code runs. */
function isTypeOnly(clause: string): boolean {
  if (/^type\b/.test(clause)) return true;
  const braces = /^\{([^}]*)\}$/.exec(clause);
  if (!braces) return false;
  const names = braces[1]!.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return names.length > 0 && names.every((name) => /^type\s/.test(name));
}

/** Lines naming a relative module (`'./x.js'`, `'../y/z.js'`) that no edge read: an import this reader missed. */
export function unreadImports(root: string, file: string, edges: readonly ImportEdge[]): string[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  const read = new Set(edges.filter((e) => e.from === file).map((e) => e.line));
  const missed: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (!/\bfrom\s*'\.{1,2}\//.test(line) && !/\bimport\(\s*'\.{1,2}\//.test(line)) return;
    // A multi-line import is read at its first line; its `} from '…'` line is its last.
    const covered = read.has(i + 1) || [...read].some((start) => start < i + 1 && isContinuation(text, start, i + 1));
    if (!covered) missed.push(`${file}:${i + 1}: ${line.trim()}`);
  });
  return missed;
}

function isContinuation(text: string, startLine: number, line: number): boolean {
  const lines = text.split('\n').slice(startLine - 1, line);
  return /^(import|export)\b/.test(lines[0]!) && lines.slice(0, -1).every((l) => !l.includes(';'));
}

/** The import cycles among our files (each once, as the list of files around it). */
export function cycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) if (e.local) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const to of next.get(file) ?? []) {
      if (state.get(to) === 'open') found.push([...stack.slice(stack.indexOf(to)), to]);
      else if (!state.has(to)) visit(to);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...next.keys()].sort()) if (!state.has(file)) visit(file);
  return found;
}
