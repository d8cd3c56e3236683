/**
 * The layers of src/ as the import graph shows them: calls flow http → application → runtime →
 * (definitions, store ports, effect ports); a part that needs storage declares a port and src/store implements
 * it, wired once in main.ts. A layer importing one it must not, a pure layer reaching for I/O, or a cycle fails
 * here, naming the file and the line.
 */
import path from 'node:path';
import { expect } from 'chai';
import { projectRoot } from '../src/store/index.js';
import { cycles, importsOf, sourceFiles, unreadImports, type ImportEdge } from './support/imports.js';

const src = path.join(projectRoot(), 'src');

/** A layer is a folder of src/; `main.ts` is the composition root. */
const layerOf = (file: string) => (file.includes('/') ? file.slice(0, file.indexOf('/')) : file.replace(/\.ts$/, ''));

/** What a layer may import besides itself: a whole layer, one of its files (`runtime/ports.ts`), or its types only. */
interface Allowed {
  target: string;
  typesOnly?: true;
}
const layer = (target: string): Allowed => ({ target });
const typesOf = (target: string): Allowed => ({ target, typesOnly: true });
/** The ports other layers declare for storage: src/store implements them. */
const storagePorts = ['runtime/ports.ts', 'certificates/ports.ts', 'files/ports.ts', 'identity/ports.ts', 'scheduler/ports.ts'];

const rules: Record<string, readonly Allowed[] | 'anything'> = {
  /** Types, vocabularies, the error registry, ids, the calendar: nothing of ours. */
  domain: [],
  /** Pure: load, validate, compile. */
  definitions: [layer('domain')],
  /** The engine; its ports are its own. */
  runtime: [layer('domain'), layer('definitions')],
  /** Implements the ports of the layers above; never their logic. */
  store: [layer('domain'), layer('definitions'), layer('runtime'), ...storagePorts.map(layer)],
  certificates: [layer('domain'), layer('definitions'), layer('runtime/ports.ts')],
  files: [layer('domain'), layer('runtime/ports.ts')],
  identity: [layer('domain'), layer('definitions')],
  scheduler: [layer('domain'), layer('definitions'), layer('runtime')],
  /** The use cases: their collaborators arrive built (main.ts); of the store, only the shapes of its queries. */
  application: [layer('domain'), layer('definitions'), layer('runtime'), layer('identity'), layer('certificates'), typesOf('files'), typesOf('store')],
  /** Pages: the use cases' shapes, never their making (the services arrive built). */
  web: [layer('domain'), layer('definitions'), layer('identity'), typesOf('application')],
  /** Routes call use cases; files and the rest arrive through HttpServices. */
  http: [layer('domain'), layer('definitions'), layer('application'), layer('identity'), layer('web'), typesOf('files')],
  cli: 'anything',
  /** The composition root: the only file that wires everything. */
  main: 'anything',
};

/** Modules that reach outside the process (files, sockets, databases, processes). */
const IO_MODULES = /^(node:)?(fs|fs\/promises|net|http|https|http2|child_process|worker_threads|dgram|tls)$|^(knex|pg|sqlite3|express|multer)$/;
const PURE_LAYERS = new Set(['domain', 'definitions']);

const files = sourceFiles(src);
const edges: ImportEdge[] = files.flatMap((file) => importsOf(src, file));

function permits(allowed: readonly Allowed[], edge: ImportEdge): boolean {
  return allowed.some((a) => (edge.to === a.target || edge.to.startsWith(`${a.target}/`)) && (!a.typesOnly || edge.typeOnly));
}

const where = (e: ImportEdge) => `${e.from}:${e.line} → ${e.to}${e.typeOnly ? ' (types)' : ''}`;

describe('architecture: the import graph of src/', () => {
  it('is read whole: every import of a file of ours is seen', () => {
    expect(files.length).to.be.greaterThan(100);
    expect(edges.filter((e) => e.local).length).to.be.greaterThan(300);
    expect(files.flatMap((file) => unreadImports(src, file, edges))).to.deep.equal([]);
    expect(edges.filter((e) => e.local && !files.includes(e.to)).map(where), 'imports of files that do not exist').to.deep.equal([]);
  });

  it('has a rule for every layer', () => {
    expect([...new Set(files.map(layerOf))].filter((l) => !(l in rules))).to.deep.equal([]);
  });

  it('flows one way: each layer imports only the layers below it', () => {
    const broken = edges.filter((e) => {
      if (!e.local) return false;
      const from = layerOf(e.from);
      if (layerOf(e.to) === from) return false;
      const allowed = rules[from]!;
      return allowed !== 'anything' && !permits(allowed, e);
    });
    expect(broken.map(where)).to.deep.equal([]);
  });

  it('keeps store, certificates and scheduler below http and application', () => {
    const above = new Set(['http', 'application', 'web', 'cli', 'main']);
    const broken = edges.filter((e) => e.local && ['store', 'certificates', 'scheduler'].includes(layerOf(e.from)) && above.has(layerOf(e.to)));
    expect(broken.map(where)).to.deep.equal([]);
  });

  it('gives certificates, files, identity and scheduler their storage as ports: none imports src/store', () => {
    const broken = edges.filter((e) => e.local && ['certificates', 'files', 'identity', 'scheduler', 'runtime', 'http'].includes(layerOf(e.from)) && layerOf(e.to) === 'store');
    expect(broken.map(where)).to.deep.equal([]);
  });

  it('lets http use files only for their types', () => {
    const broken = edges.filter((e) => e.local && layerOf(e.from) === 'http' && layerOf(e.to) === 'files' && !e.typeOnly);
    expect(broken.map(where)).to.deep.equal([]);
  });

  it('keeps domain and definitions free of I/O and of everything of ours above them', () => {
    const broken = edges.filter((e) => PURE_LAYERS.has(layerOf(e.from)) && (e.local ? !['domain', layerOf(e.from)].includes(layerOf(e.to)) : IO_MODULES.test(e.to)));
    expect(broken.map(where)).to.deep.equal([]);
  });

  it('has no import cycles', () => {
    expect(cycles(edges).map((cycle) => cycle.join(' → '))).to.deep.equal([]);
  });
});
