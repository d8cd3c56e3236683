/**
 * The measured process of bench/rss.ts, forked with --expose-gc: an in-process engine on a fresh SQLite file
 * (as bench/core.ts builds it: the business-startup definition, certificate-free effects, and a materials check
 * that holds no state of its own, so the benchmark keeps nothing per application) takes `applications`
 * submissions from `concurrency` concurrent submitters; every application whose index is a multiple of
 * 1 / driveShare is driven on through the window's acceptance and every department's approval to completed.
 * RSS and heap are read after a full GC (twice, when gc is exposed) before the first application, after the
 * warm-up share and at every tenth; the event count and the rows by status are checked at the end.
 *
 * Message in: `{ run: RssRequest }`; out: `{ progress }`…, then `{ result: RssChildResult }` or `{ error }`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compileDefinition, createDefinitionValidator, definitionHash, nextMove, type ActorRef, type MaterialClaim } from '../src/definitions/index.js';
import { Engine } from '../src/runtime/index.js';
import { eventSenders } from '../src/identity/policy.js';
import { createApplicationStore, createDefinitionStore, createOutboxStore, migrateLatest, openDatabase, readCatalog } from '../src/store/index.js';

export interface RssRequest {
  applications: number;
  /** Share of the applications driven to completion (0..1). */
  driveShare: number;
  concurrency: number;
  /** Applications before the "after warm-up" reading. */
  warmup: number;
}

export interface MemoryPoint {
  applications: number;
  rssMb: number;
  heapUsedMb: number;
  externalMb: number;
}

export interface RssChildResult {
  gcExposed: boolean;
  seconds: number;
  driven: number;
  transactions: number;
  byStatus: Record<string, number>;
  databaseMb: number;
  start: MemoryPoint;
  afterWarmup: MemoryPoint;
  end: MemoryPoint;
  samples: MemoryPoint[];
}

const mb = (bytes: number) => Math.round((10 * bytes) / 1048576) / 10;
const gc = (globalThis as { gc?: () => void }).gc;

function memory(applications: number): MemoryPoint {
  if (gc) {
    gc();
    gc();
  }
  const m = process.memoryUsage();
  return { applications, rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), externalMb: mb(m.external) };
}

if (!process.send) throw new Error('bench/rssChild.js is forked by bench/rss.js');
process.once('message', async ({ run }: { run: RssRequest }) => {
  try {
    process.send!({ result: await measure(run) }, () => process.exit(0));
  } catch (error) {
    process.send!({ error: String((error as Error).stack ?? error) }, () => process.exit(1));
  }
});

async function measure(r: RssRequest): Promise<RssChildResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onevisit-bench-rss-'));
  const db = openDatabase({ url: `sqlite:${path.join(dir, 'bench.sqlite')}` });
  try {
    await migrateLatest(db);
    const catalog = readCatalog();
    const validated = createDefinitionValidator(catalog.definitionSchema).validate(
      JSON.parse(fs.readFileSync(catalog.definitionFiles.find((f) => f.endsWith('/business-startup.json'))!, 'utf8')),
      catalog.context,
    );
    if (!validated.valid) throw new Error('business-startup.json is invalid');
    const definition = validated.definition;
    const definitions = createDefinitionStore(db);
    await definitions.publish(definition, definitionHash, 'bench', new Date().toISOString());
    // A claim is the applicant's when its id starts with their id: nothing remembered per application.
    const mine = async (owner: string, id: string) => (id.startsWith(`${owner}/`) ? undefined : 'not yours');
    const engine = new Engine({
      store: createApplicationStore(db),
      outbox: createOutboxStore(db),
      definitions,
      effects: { issueCertificates: async () => [], scheduleTimer: async () => {} },
      materials: { checkFile: mine, checkCertificate: mine, checkFiles: async (owner, files) => Promise.all(files.map((f) => mine(owner, f.fileId))) },
      senders: eventSenders,
    });
    const compiled = compileDefinition(definition);
    const form = definition.form.examples![0]!;
    const every = r.driveShare > 0 ? Math.max(1, Math.round(1 / r.driveShare)) : 0;

    const one = async (i: number) => {
      const owner = `citizen-${i}`;
      const materials: MaterialClaim[] = definition.materials
        .filter((m) => compiled.applies(`material:${m.id}`, form))
        .map((m) => (m.satisfiedBy ? { materialId: m.id, certificateId: `${owner}/${m.id}` } : m.commitment ? { materialId: m.id, commitment: true as const } : { materialId: m.id, fileId: `${owner}/${m.id}` }));
      let view = await engine.submit({ serviceId: definition.id, applicant: { kind: 'applicant', id: owner }, form, materials });
      if (!every || i % every !== 0) return 0;
      for (let move = nextMove(compiled, view.stateValue, { ...view, noticeElapsed: false }); move; move = nextMove(compiled, view.stateValue, { ...view, noticeElapsed: false })) {
        if (move.type === 'CERTIFICATES_ISSUED') break; // issued by the engine's own effect
        const actor: ActorRef = move.actor.kind === 'clerk' ? { kind: 'clerk', id: `clerk-${move.actor.department}`, departments: [move.actor.department!] } : { kind: move.actor.kind, id: owner };
        view = await engine.send(view.id, { type: move.type, ...(move.matter ? { matter: move.matter } : {}) }, actor);
      }
      if (view.status !== 'completed') throw new Error(`application ${i} ended ${view.status}`);
      return 1;
    };

    const start = memory(0);
    const samples: MemoryPoint[] = [start];
    let afterWarmup = start;
    let driven = 0;
    const tenth = Math.max(1, Math.floor(r.applications / 10));
    // Waves of up to 500 applications, `concurrency` at a time; memory is read between waves, with nothing in flight.
    const readings = new Set([r.warmup, ...Array.from({ length: 10 }, (_, k) => Math.min(r.applications, (k + 1) * tenth))]);
    const started = process.hrtime.bigint();
    for (let done = 0; done < r.applications; ) {
      const nextReading = Math.min(...[...readings].filter((x) => x > done), r.applications);
      const wave = Math.min(500, nextReading - done);
      let next = done;
      const last = done + wave;
      await Promise.all(
        Array.from({ length: r.concurrency }, async () => {
          for (let i = next++; i < last; i = next++) {
            const completed = await one(i);
            driven += completed;
          }
        }),
      );
      done = last;
      process.send!({ progress: { phase: 'applications through the engine', done, total: r.applications } });
      if (readings.has(done)) {
        const point = memory(done);
        if (done === r.warmup) afterWarmup = point;
        if (done % tenth === 0 || done === r.applications) samples.push(point);
      }
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const end = memory(r.applications);
    const byStatus = Object.fromEntries(((await db('applications').select('status').count({ n: '*' }).groupBy('status')) as { status: string; n: number }[]).map((row) => [row.status, Number(row.n)]));
    const transactions = Number(((await db('application_events').count({ n: '*' }).first()) as { n: number }).n);
    if ((byStatus.completed ?? 0) !== driven || (byStatus.submitted ?? 0) !== r.applications - driven) throw new Error(`expected ${driven} completed and ${r.applications - driven} submitted, found ${JSON.stringify(byStatus)}`);
    const databaseMb = mb(fs.readdirSync(dir).reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0));
    return { gcExposed: Boolean(gc), seconds, driven, transactions, byStatus, databaseMb, start, afterWarmup, end, samples };
  } finally {
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
