/**
 * Core engine throughput: N applications through the whole start-a-business lifecycle on SQLite,
 * against a floor measured in the same run — the same knex transactions writing the same rows
 * (copied from the engine's own database) with no engine work. Rounds alternate floor and engine.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compileDefinition, createDefinitionValidator, definitionHash, nextMove, type ActorRef, type MaterialClaim } from '../src/definitions/index.js';
import type { ServiceDefinition } from '../src/domain/definition.js';
import { Engine } from '../src/runtime/index.js';
import { createApplicationStore, createDefinitionStore, createOutboxStore, migrateLatest, openDatabase, readCatalog, type Database } from '../src/store/index.js';
import { nextCounterValue } from '../src/store/dialect.js';

export interface CoreResult {
  applications: number;
  transactions: number;
  engine: number;
  floor: number;
  ratio: number;
}

function freshDatabase(): { db: Database; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onevisit-bench-'));
  return { db: openDatabase({ url: `sqlite:${path.join(dir, 'bench.sqlite')}` }), dir };
}

async function runEngine(definition: ServiceDefinition, n: number): Promise<{ seconds: number; db: Database; dir: string }> {
  const { db, dir } = freshDatabase();
  await migrateLatest(db);
  if (process.env.BENCH_COUNT_QUERIES) countQueries(db, 'engine');
  const definitions = createDefinitionStore(db);
  await definitions.publish(definition, definitionHash, 'bench', new Date().toISOString());
  const owned = new Set<string>();
  const engine = new Engine({
    store: createApplicationStore(db),
    outbox: createOutboxStore(db),
    definitions,
    effects: { issueCertificates: async () => [], scheduleTimer: async () => {} },
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
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, db, dir };
}

type Row = Record<string, unknown>;

/** BENCH_COUNT_QUERIES=1 prints each side's statements by kind, to see where round trips go. */
function countQueries(db: Database, label: string) {
  const counts = new Map<string, number>();
  db.on('query', (q: { sql: string }) => {
    const key = q.sql.split(' ').slice(0, 3).join(' ');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  });
  process.once('beforeExit', () => console.error(label, Object.fromEntries(counts)));
}

/** The engine's writes, transaction by transaction, read back from its database. */
async function recordedTransactions(db: Database) {
  const applications = (await db('applications').orderBy('created_at')) as Row[];
  const events = (await db('application_events').orderBy(['application_id', 'seq'])) as Row[];
  const outbox = (await db('outbox')) as Row[];
  return applications.map((app) => ({
    app,
    events: events.filter((e) => e.application_id === app.id),
    outbox: outbox.filter((o) => o.application_id === app.id),
  }));
}

async function runFloor(transactions: Awaited<ReturnType<typeof recordedTransactions>>, definitionRow: Row): Promise<number> {
  const { db, dir } = freshDatabase();
  await migrateLatest(db);
  await db('service_definitions').insert(definitionRow);
  if (process.env.BENCH_COUNT_QUERIES) countQueries(db, 'floor');
  const started = process.hrtime.bigint();
  for (const { app, events, outbox } of transactions) {
    for (const event of events) {
      const seq = Number(event.seq);
      const effects = outbox.filter((o) => Number(o.seq) === seq);
      await db.transaction(async (tx) => {
        if (seq === 1) {
          await nextCounterValue(tx, `application:${String(app.created_at).slice(0, 10)}`);
          await tx('applications').insert({ ...app, version: 1 });
        } else {
          // The same columns the engine writes: snapshot, state, status, version and the tracking columns.
          await tx('applications').where({ id: app.id, version: seq - 1 }).update({
            snapshot: app.snapshot, state: app.state, status: app.status, version: seq, updated_at: event.at,
            clock: app.clock, due_at: app.due_at, blue_at: app.blue_at, yellow_at: app.yellow_at, warning_level: app.warning_level, open_departments: app.open_departments,
          });
        }
        await tx('application_events').insert(event);
        if (effects.length > 0) await tx('outbox').insert(effects);
        const completes = outbox.find((o) => Number(o.seq) === seq - 1);
        if (event.type === 'CERTIFICATES_ISSUED' && completes) await tx('outbox').where({ id: completes.id }).update({ status: 'done', done_at: event.at });
      });
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await db.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
  return seconds;
}

export async function benchCore(n = 150, rounds = 3): Promise<CoreResult> {
  const catalog = readCatalog();
  const validator = createDefinitionValidator(catalog.definitionSchema);
  const result = validator.validate(JSON.parse(fs.readFileSync(path.join(path.dirname(catalog.definitionFiles[0]!), 'business-startup.json'), 'utf8')), catalog.context);
  if (!result.valid) throw new Error('business-startup.json is invalid');
  const warm = await runEngine(result.definition, 20); // warm-up: JIT, compiled definition, SQLite page cache
  await warm.db.destroy();
  fs.rmSync(warm.dir, { recursive: true, force: true });
  const engineTimes: number[] = [];
  const floorTimes: number[] = [];
  let transactions = 0;
  for (let round = 0; round < rounds; round++) {
    const engine = await runEngine(result.definition, n);
    engineTimes.push(engine.seconds);
    const recorded = await recordedTransactions(engine.db);
    transactions = recorded.reduce((sum, r) => sum + r.events.length, 0);
    const definitionRow = (await engine.db('service_definitions').first()) as Row;
    await engine.db.destroy();
    fs.rmSync(engine.dir, { recursive: true, force: true });
    floorTimes.push(await runFloor(recorded, definitionRow));
    if (process.env.BENCH_VERBOSE) console.error(`round ${round}: engine ${engineTimes.at(-1)!.toFixed(3)} s, floor ${floorTimes.at(-1)!.toFixed(3)} s`);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const engine = n / median(engineTimes);
  const floor = n / median(floorTimes);
  return { applications: n, transactions, engine, floor, ratio: engine / floor };
}
