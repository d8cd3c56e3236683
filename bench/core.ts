/**
 * Core engine throughput: N applications through the whole start-a-business lifecycle on SQLite, three sides in
 * one run, rounds rotating their order:
 * - onevisit: the Engine on its stores (every step one transaction: the application row, the event row, outbox
 *   effects, open_tasks, figures);
 * - the floor: the same rows written by knex transactions with no engine work — every row the engine wrote,
 *   transaction by transaction (applications, events, outbox and the audit chain's rows read back from the
 *   engine's database — the audit head taken as the engine takes it; the open_tasks set and figure deltas of each
 *   step captured from the engine's store calls);
 * - bpmn-engine (bench/bpmn.ts): the floor's transactions, each also reading the application's stored BPMN state,
 *   recovering and resuming an engine from it, signalling the step's task and storing `getState()` as the snapshot.
 * Beside it, engine work alone (no persistence, alternating): onevisit's compile-once machine with XState's
 * `initialTransition`/`transition` per event against bpmn-engine's execute and one signal per step.
 *
 * BENCH_APPLICATIONS (150) per side and round, BENCH_CORE_ROUNDS (3: every side once in each position),
 * BENCH_VERBOSE=1 prints each round, BENCH_COUNT_QUERIES=1 each side's knex statements by kind,
 * BENCH_SQLITE_SYNCHRONOUS=NORMAL|FULL runs every side with that PRAGMA synchronous instead of database.ts's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import { compileDefinition, createDefinitionValidator, definitionHash, nextMove, type ActorRef, type ApplicationInput, type CompiledService, type MaterialClaim } from '../src/definitions/index.js';
import type { ServiceDefinition } from '../src/domain/definition.js';
import { Engine, type ApplicationStore, type FigureDelta, type TaskRow } from '../src/runtime/index.js';
import { eventSenders } from '../src/identity/policy.js';
import { createApplicationStore, createDefinitionStore, createOutboxStore, migrateLatest, openDatabase, readCatalog, type Database } from '../src/store/index.js';
import { nextCounterValue } from '../src/store/dialect.js';
import { taskColumns } from '../src/store/openTasks.js';
import { bpmnProcess, runProcessInMemory, startProcess, stepProcess, type BpmnProcess } from './bpmn.js';
import { progress, type Progress } from './progress.js';
import { setSynchronous, synchronousOf, type Synchronous } from './sqliteSync.js';

export interface CoreResult {
  applications: number;
  /** Transactions (steps) per round: applications × steps. */
  transactions: number;
  rounds: number;
  /** SQLite's PRAGMA synchronous on every side (src/store/database.ts's setting, read from the connections). */
  synchronous: Synchronous;
  /** Applications per second, median over the rounds: onevisit, the floor, bpmn-engine. */
  engine: number;
  floor: number;
  /** onevisit / floor. */
  ratio: number;
  bpmn: {
    applicationsPerSecond: number;
    /** onevisit / bpmn-engine. */
    ratio: number;
    /** bpmn-engine / floor. */
    floorRatio: number;
    /** Mean stored state per step, bytes (onevisit's snapshot: `snapshotBytes`). */
    stateBytes: number;
  };
  snapshotBytes: number;
  /** Engine work alone, µs per application (submit + every step), median over the rounds. */
  pure: { applications: number; onevisitUs: number; bpmnUs: number; ratio: number };
  perRound: { engine: number; floor: number; bpmn: number; onevisitUs: number; bpmnUs: number }[];
}

type Row = Record<string, unknown>;

interface Captured {
  tasks: readonly TaskRow[];
  figures: readonly FigureDelta[];
  claim?: { task: string; clerkId: string } | undefined;
}

/** The synchronous setting each side's database ran with: all must be the same. */
const modes = new Set<Synchronous | undefined>();

async function freshDatabase(): Promise<{ db: Database; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onevisit-bench-'));
  const db = openDatabase({ url: `sqlite:${path.join(dir, 'bench.sqlite')}` });
  if (process.env.BENCH_SQLITE_SYNCHRONOUS) await setSynchronous(db, process.env.BENCH_SQLITE_SYNCHRONOUS as Synchronous);
  return { db, dir };
}

async function dispose({ db, dir }: { db: Database; dir: string }) {
  modes.add(await synchronousOf(db));
  await db.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
}

/** The store, noting the open_tasks set and figure deltas each committed step wrote (the floor writes them too). */
function capturing(store: ApplicationStore, into: Map<string, Captured>): ApplicationStore {
  return {
    ...store,
    async insertApplication(application) {
      const number = await store.insertApplication(application);
      into.set(`${application.row.id}:1`, { tasks: application.tasks, figures: application.figures });
      return number;
    },
    async commitTransition(id, knownVersion, decide) {
      const t = await store.commitTransition(id, knownVersion, decide);
      into.set(`${id}:${t.event.seq}`, { tasks: t.tasks, figures: t.figures, claim: t.claim });
      return t;
    },
  };
}

export async function runEngine(definition: ServiceDefinition, n: number): Promise<{ seconds: number; db: Database; dir: string; captured: Map<string, Captured> }> {
  const { db, dir } = await freshDatabase();
  await migrateLatest(db);
  if (process.env.BENCH_COUNT_QUERIES) countQueries(db, 'engine');
  const definitions = createDefinitionStore(db);
  await definitions.publish(definition, definitionHash, 'bench', new Date().toISOString());
  const owned = new Set<string>();
  const captured = new Map<string, Captured>();
  const engine = new Engine({
    store: capturing(createApplicationStore(db), captured),
    outbox: createOutboxStore(db),
    definitions,
    effects: { issueCertificates: async () => [], scheduleTimer: async () => {} },
    senders: eventSenders,
    materials: {
      checkFile: async (owner, id) => (owned.has(`${owner}/${id}`) ? undefined : 'not yours'),
      checkCertificate: async (owner, id) => (owned.has(`${owner}/${id}`) ? undefined : 'not yours'),
    },
  });
  const compiled = compileDefinition(definition);
  const form = definition.form.examples![0]!;
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const owner = `citizen-${i}`;
    const materials: MaterialClaim[] = definition.materials
      .filter((m) => compiled.applies(`material:${m.id}`, form))
      .map((m) => {
        const id = `${m.id}-${i}`;
        owned.add(`${owner}/${id}`);
        return m.satisfiedBy ? { materialId: m.id, certificateId: id } : m.commitment ? { materialId: m.id, commitment: true as const } : { materialId: m.id, fileId: id };
      });
    let view = await engine.submit({ serviceId: definition.id, applicant: { kind: 'applicant', id: owner }, form, materials });
    for (let move = nextMove(compiled, view.stateValue, { ...view, noticeElapsed: false }); move; move = nextMove(compiled, view.stateValue, { ...view, noticeElapsed: false })) {
      if (move.type === 'CERTIFICATES_ISSUED') break; // issued by the engine's own effect
      const actor: ActorRef = move.actor.kind === 'clerk' ? { kind: 'clerk', id: 'clerk', departments: [move.actor.department!] } : { kind: move.actor.kind, id: owner };
      view = await engine.send(view.id, { type: move.type, ...(move.matter ? { matter: move.matter } : {}) }, actor);
    }
    if (view.status !== 'completed') throw new Error(`application ended ${view.status}`);
  }
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, db, dir, captured };
}

/** BENCH_COUNT_QUERIES=1 prints each side's statements by kind, to see where round trips go. */
function countQueries(db: Database, label: string) {
  const counts = new Map<string, number>();
  db.on('query', (q: { sql: string }) => {
    const key = q.sql.split(' ').slice(0, 3).join(' ');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  });
  process.once('beforeExit', () => console.error(label, Object.fromEntries(counts)));
}

interface Step {
  event: Row;
  /** The audit chain's row of the event (its seq and prev_hash are the floor's own head's when written). */
  audit: Row;
  /** The recorded event's payload, parsed. */
  payload: Record<string, unknown>;
  effects: Row[];
  captured: Captured;
}

interface Recorded {
  app: Row;
  steps: Step[];
}

/** The engine's writes, transaction by transaction: rows read back from its database, tasks and figures as captured. */
async function recordedTransactions(db: Database, captured: Map<string, Captured>): Promise<Recorded[]> {
  const applications = (await db('applications').orderBy('created_at')) as Row[];
  const events = (await db('application_events').orderBy(['application_id', 'seq'])) as Row[];
  const outbox = (await db('outbox')) as Row[];
  const audit = (await db('audit').where({ subject_kind: 'application' }).orderBy('seq')) as Row[];
  return applications.map((app) => ({
    app,
    steps: events
      .filter((e) => e.application_id === app.id)
      .map((event) => {
        const seq = Number(event.seq);
        const c = captured.get(`${String(app.id)}:${seq}`);
        if (!c) throw new Error(`no captured writes for ${String(app.id)} step ${seq}`);
        const row = audit.find((a) => a.subject_id === app.id && (JSON.parse(String(a.detail)) as { seq?: number }).seq === seq);
        if (!row) throw new Error(`no audit row for ${String(app.id)} step ${seq}`);
        return { event, audit: row, payload: JSON.parse(String(event.payload)) as Record<string, unknown>, effects: outbox.filter((o) => o.application_id === app.id && Number(o.seq) === seq), captured: c };
      }),
  }));
}

/** The figure deltas of a step, summed per figure as the engine's store sums them. */
function summed(deltas: readonly FigureDelta[]): FigureDelta[] {
  const sums = new Map<string, FigureDelta>();
  for (const d of deltas) {
    const key = `${d.day}\u0000${d.serviceId}\u0000${d.name}`;
    sums.set(key, { ...d, value: (sums.get(key)?.value ?? 0) + d.value });
  }
  return [...sums.keys()].sort().map((k) => sums.get(k)!);
}

/**
 * The floor: every recorded transaction written again by knex into a fresh database. With `bpmn`, each
 * transaction first reads the application's stored state (none for the first step), has bpmn-engine take
 * the step from it, and stores the new state as the snapshot. Answers the seconds and the mean snapshot bytes.
 */
async function runFloor(recorded: readonly Recorded[], definitionRow: Row, bpmn?: BpmnProcess): Promise<{ seconds: number; snapshotBytes: number }> {
  const side = await freshDatabase();
  const { db } = side;
  await migrateLatest(db);
  await db('service_definitions').insert(definitionRow);
  if (process.env.BENCH_COUNT_QUERIES) countQueries(db, bpmn ? 'bpmn' : 'floor');
  let bytes = 0;
  let stored = 0;
  const started = process.hrtime.bigint();
  for (const { app, steps } of recorded) {
    const id = String(app.id);
    let tasks = new Map<string, { claimed_by: string | null; claimed_at: string | null }>();
    for (let s = 0; s < steps.length; s++) {
      const { event, audit, payload, effects, captured } = steps[s]!;
      const seq = Number(event.seq);
      const at = String(event.at);
      await db.transaction(async (tx) => {
        let snapshot = app.snapshot;
        if (bpmn) {
          if (seq === 1) {
            const input = payload.input as ApplicationInput;
            snapshot = await startProcess(bpmn, id, { form: input.form, materials: input.materials, owed: input.owed });
          } else {
            const row = (await tx('applications').select('snapshot').where({ id }).first()) as { snapshot: string };
            const next = await stepProcess(bpmn, row.snapshot, bpmn.taskOf({ type: String(event.type), payload }));
            if (next.ended !== (s === steps.length - 1)) throw new Error(`${id}: the BPMN process ${next.ended ? 'ended early' : 'did not end'} at step ${seq}`);
            snapshot = next.state;
          }
          bytes += (snapshot as string).length;
          stored += 1;
        }
        if (seq === 1) {
          await nextCounterValue(tx, `application:${String(app.created_at).slice(0, 10)}`);
          await tx('applications').insert({ ...app, snapshot, version: 1 });
        } else {
          // The columns the engine writes.
          await tx('applications').where({ id, version: seq - 1 }).update({
            snapshot, state: app.state, status: app.status, version: seq, updated_at: at,
            clock: app.clock, due_at: app.due_at, blue_at: app.blue_at, yellow_at: app.yellow_at, warning_level: app.warning_level, extension_days: app.extension_days, sent_back: app.sent_back,
          });
        }
        await tx('application_events').insert(event);
        if (effects.length > 0) await tx('outbox').insert(effects);
        const completes = steps[s - 1]?.effects[0];
        if (event.type === 'CERTIFICATES_ISSUED' && completes) await tx('outbox').where({ id: completes.id }).update({ status: 'done', done_at: at, lease_owner: null, lease_until: null });
        // open_tasks made equal to the step's set: closed ones deleted, new ones inserted, the rest updated (claims kept or taken).
        const next = new Map<string, { claimed_by: string | null; claimed_at: string | null }>();
        const wanted = new Set(captured.tasks.map((t) => t.task));
        for (const task of tasks.keys()) if (!wanted.has(task)) await tx('open_tasks').where({ application_id: id, task }).del();
        for (const t of captured.tasks) {
          const had = tasks.get(t.task);
          const takes = captured.claim?.task === t.task && t.party === 'clerk' && !had?.claimed_by;
          const claim = takes ? { claimed_by: captured.claim!.clerkId, claimed_at: at } : { claimed_by: had?.claimed_by ?? null, claimed_at: had?.claimed_at ?? null };
          next.set(t.task, claim);
          const { application_id: _a, task: _t, opened_at: _o, ...columns } = taskColumns(t, at);
          if (had) await tx('open_tasks').where({ application_id: id, task: t.task }).update({ ...columns, ...claim });
          else await tx('open_tasks').insert({ ...taskColumns(t, at), ...claim });
        }
        tasks = next;
        for (const d of summed(captured.figures)) {
          await tx('figures').insert({ day: d.day, service_id: d.serviceId, name: d.name, value: d.value }).onConflict(['day', 'service_id', 'name']).merge({ value: tx.raw('figures.value + excluded.value') });
        }
        // The audit chain, last as the engine appends it: the head reserved, the event's row linked to it.
        const [head] = (await tx.raw('UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash')) as { seq: number; hash: string }[];
        if (head!.hash !== audit.prev_hash) throw new Error(`the floor's audit chain left the engine's at ${id} step ${seq}`);
        await tx('audit').insert({ ...audit, seq: head!.seq });
      });
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // What stays open after the lifecycle (a commitment's post-check) stays open on the floor too.
  const left = Number(((await db('open_tasks').count({ n: '*' }).first()) as { n: number }).n);
  const expected = recorded.reduce((n, r) => n + (r.steps.at(-1)?.captured.tasks.length ?? 0), 0);
  if (left !== expected) throw new Error(`the floor left ${left} open tasks, the engine ${expected}`);
  await dispose(side);
  return { seconds, snapshotBytes: stored ? bytes / stored : 0 };
}

/** Engine work alone, onevisit: the compile-once machine, XState's initialTransition then transition per recorded event. */
function pureOnevisit(compiled: CompiledService, recorded: readonly Recorded[], passes: number): number {
  const started = process.hrtime.bigint();
  for (let pass = 0; pass < passes; pass++) {
    for (const { steps } of recorded) {
      let [snapshot] = initialTransition(compiled.machine, steps[0]!.payload.input as ApplicationInput) as [AnyMachineSnapshot, unknown];
      for (let s = 1; s < steps.length; s++) [snapshot] = transition(compiled.machine, snapshot, steps[s]!.payload as never) as [AnyMachineSnapshot, unknown];
      if (snapshot.status !== 'done') throw new Error(`pure onevisit ended in ${JSON.stringify(snapshot.value)}`);
    }
  }
  return Number(process.hrtime.bigint() - started) / 1e3 / (passes * recorded.length);
}

/** Engine work alone, bpmn-engine: execute, then one signal per step, on one engine per application. */
async function pureBpmn(bpmn: BpmnProcess, recorded: readonly Recorded[], passes: number): Promise<number> {
  const work = recorded.map(({ app, steps }) => {
    const input = steps[0]!.payload.input as ApplicationInput;
    return { name: String(app.id), variables: { form: input.form, materials: input.materials, owed: input.owed }, tasks: steps.slice(1).map((s) => bpmn.taskOf({ type: String(s.event.type), payload: s.payload })) };
  });
  const started = process.hrtime.bigint();
  for (let pass = 0; pass < passes; pass++) for (const w of work) await runProcessInMemory(bpmn, w.name, w.variables, w.tasks);
  return Number(process.hrtime.bigint() - started) / 1e3 / (passes * recorded.length);
}

export function loadBusinessStartup(): ServiceDefinition {
  const catalog = readCatalog();
  const validator = createDefinitionValidator(catalog.definitionSchema);
  const result = validator.validate(JSON.parse(fs.readFileSync(path.join(path.dirname(catalog.definitionFiles[0]!), 'business-startup.json'), 'utf8')), catalog.context);
  if (!result.valid) throw new Error('business-startup.json is invalid');
  return result.definition;
}

export async function benchCore(n = 150, rounds = Number(process.env.BENCH_CORE_ROUNDS ?? 3)): Promise<CoreResult> {
  const definition = loadBusinessStartup();
  const compiled = compileDefinition(definition);
  const bpmn = await bpmnProcess(compiled, definition.form.examples![0]!);
  const verbose = (line: string) => process.env.BENCH_VERBOSE && console.error(line);
  // Work units for the bar: the recording run, then per round three persisted sides and the two pure ones.
  const bar: Progress = progress('core: onevisit, floor, bpmn-engine', 1 + rounds * 5);

  // The first recording (also the warm-up of every side: JIT, compiled definition, SQLite page cache).
  const take = async () => {
    const run = await runEngine(definition, n);
    const recorded = await recordedTransactions(run.db, run.captured);
    const definitionRow = (await run.db('service_definitions').first()) as Row;
    const snapshot = (await run.db('applications').avg({ bytes: run.db.raw('length(snapshot)') }).first()) as { bytes: number };
    await dispose(run);
    return { seconds: run.seconds, recorded, definitionRow, snapshotBytes: Number(snapshot.bytes) };
  };
  let last = await take();
  const warm = last.recorded.slice(0, 20);
  await runFloor(warm, last.definitionRow);
  await runFloor(warm, last.definitionRow, bpmn);
  pureOnevisit(compiled, warm, 20);
  await pureBpmn(bpmn, warm, 1);
  bar.tick();

  const transactions = last.recorded.reduce((sum, r) => sum + r.steps.length, 0);
  const perRound: CoreResult['perRound'] = [];
  let bpmnBytes = 0;
  const sides = ['floor', 'engine', 'bpmn'] as const;
  for (let round = 0; round < rounds; round++) {
    const times: Record<(typeof sides)[number], number> = { floor: 0, engine: 0, bpmn: 0 };
    // Each side takes each position in turn; floor and bpmn-engine replay the latest recorded transactions.
    const { recorded, definitionRow } = last;
    for (let k = 0; k < sides.length; k++) {
      const name = sides[(round + k) % sides.length]!;
      if (name === 'engine') {
        last = await take();
        times.engine = last.seconds;
      } else if (name === 'floor') {
        times.floor = (await runFloor(recorded, definitionRow)).seconds;
      } else {
        const r = await runFloor(recorded, definitionRow, bpmn);
        times.bpmn = r.seconds;
        bpmnBytes = r.snapshotBytes;
      }
      bar.tick();
    }
    // Engine work alone: enough passes for a measurable time (onevisit's per application is far shorter), alternating first.
    const onevisitFirst = round % 2 === 0;
    let onevisitUs = 0;
    let bpmnUs = 0;
    if (onevisitFirst) onevisitUs = pureOnevisit(compiled, recorded, 20);
    bpmnUs = await pureBpmn(bpmn, recorded, 1);
    bar.tick();
    if (!onevisitFirst) onevisitUs = pureOnevisit(compiled, recorded, 20);
    bar.tick();
    perRound.push({ engine: n / times.engine, floor: n / times.floor, bpmn: n / times.bpmn, onevisitUs, bpmnUs });
    verbose(`round ${round}: engine ${times.engine.toFixed(3)} s, floor ${times.floor.toFixed(3)} s, bpmn-engine ${times.bpmn.toFixed(3)} s; engine work alone onevisit ${onevisitUs.toFixed(0)} µs, bpmn-engine ${bpmnUs.toFixed(0)} µs per application`);
  }
  bar.done();
  if (modes.size !== 1) throw new Error(`the sides ran with different PRAGMA synchronous: ${[...modes].join(', ')}`);
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  };
  const engine = median(perRound.map((r) => r.engine));
  const floor = median(perRound.map((r) => r.floor));
  const bpmnRate = median(perRound.map((r) => r.bpmn));
  const onevisitUs = median(perRound.map((r) => r.onevisitUs));
  const bpmnUs = median(perRound.map((r) => r.bpmnUs));
  return {
    applications: n,
    transactions,
    rounds,
    synchronous: [...modes][0]!,
    engine,
    floor,
    ratio: engine / floor,
    bpmn: { applicationsPerSecond: bpmnRate, ratio: engine / bpmnRate, floorRatio: bpmnRate / floor, stateBytes: Math.round(bpmnBytes) },
    snapshotBytes: Math.round(last.snapshotBytes),
    pure: { applications: n, onevisitUs, bpmnUs, ratio: bpmnUs / onevisitUs },
    perRound,
  };
}
