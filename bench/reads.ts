/**
 * Reads of one application (`Engine.get`) on SQLite and PostgreSQL: with the snapshot cache, each hit checked
 * against the row's current version by one indexed read, against no cache (every read fetches the row, parses
 * the snapshot and restores the machine state). Both tell the truth across instances; this says which is cheaper.
 * Rounds alternate; medians are reported. BENCH_READ_APPLICATIONS (300), BENCH_READ_ROUNDS (5).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import knexFactory from 'knex';
import { compileDefinition, definitionHash, type MaterialClaim } from '../src/definitions/index.js';
import type { ServiceDefinition } from '../src/domain/definition.js';
import { Engine } from '../src/runtime/index.js';
import { eventSenders } from '../src/identity/policy.js';
import { createApplicationStore, createDefinitionStore, createOutboxStore, migrateLatest, openDatabase, readCatalog, type Database } from '../src/store/index.js';
import { createDefinitionValidator } from '../src/definitions/index.js';

export interface ReadSide {
  /** Median microseconds per read. */
  cachedUs: number;
  uncachedUs: number;
  /** uncached / cached: above 1, the checked cache is the cheaper. */
  ratio: number;
}

export interface ReadsResult {
  applications: number;
  snapshotBytes: number;
  sqlite: ReadSide;
  postgres?: ReadSide;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measure(db: Database, definition: ServiceDefinition, n: number, rounds: number): Promise<ReadSide & { snapshotBytes: number }> {
  await migrateLatest(db);
  const definitions = createDefinitionStore(db);
  await definitions.publish(definition, definitionHash, 'bench', new Date().toISOString());
  const engine = new Engine({
    store: createApplicationStore(db),
    outbox: createOutboxStore(db),
    definitions,
    effects: { issueCertificates: async () => [], scheduleTimer: async () => {} },
    materials: { checkFile: async () => undefined, checkCertificate: async () => undefined },
    senders: eventSenders,
  });
  const compiled = compileDefinition(definition);
  const form = definition.form.examples![0]!;
  const materials: MaterialClaim[] = definition.materials
    .filter((m) => compiled.applies(`material:${m.id}`, form))
    .map((m) => (m.commitment ? { materialId: m.id, commitment: true as const } : { materialId: m.id, fileId: `file-${m.id}` }));
  const window = definition.steps[0]!.kind === 'intake' ? definition.steps[0]!.window : '';
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const view = await engine.submit({ serviceId: definition.id, applicant: { kind: 'applicant', id: `citizen-${i}` }, form, materials });
    await engine.send(view.id, { type: 'ACCEPT' }, { kind: 'clerk', id: 'clerk', departments: [window] });
    ids.push(view.id);
  }
  const snapshotBytes = Number((await db('applications').select(db.raw('length(snapshot) as n')).first()).n);
  const pass = async (clear: boolean) => {
    const started = process.hrtime.bigint();
    for (const id of ids) {
      if (clear) engine.clearCache();
      await engine.get(id);
    }
    return Number(process.hrtime.bigint() - started) / 1000 / ids.length;
  };
  await pass(false);
  await pass(true);
  const cached: number[] = [];
  const uncached: number[] = [];
  for (let r = 0; r < rounds; r++) {
    uncached.push(await pass(true));
    await pass(false); // warm the cache again
    cached.push(await pass(false));
  }
  const side = { cachedUs: median(cached), uncachedUs: median(uncached) };
  return { ...side, ratio: side.uncachedUs / side.cachedUs, snapshotBytes };
}

export async function benchReads(): Promise<ReadsResult> {
  const n = Number(process.env.BENCH_READ_APPLICATIONS ?? 300);
  const rounds = Number(process.env.BENCH_READ_ROUNDS ?? 5);
  const catalog = readCatalog();
  const file = catalog.definitionFiles.find((f) => f.endsWith('/business-startup.json'))!;
  const result = createDefinitionValidator(catalog.definitionSchema).validate(JSON.parse(fs.readFileSync(file, 'utf8')), catalog.context);
  if (!result.valid) throw new Error('business-startup.json is invalid');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onevisit-reads-'));
  const sqliteDb = openDatabase({ url: `sqlite:${path.join(dir, 'reads.sqlite')}` });
  let sqlite: ReadSide & { snapshotBytes: number };
  try {
    sqlite = await measure(sqliteDb, result.definition, n, rounds);
  } finally {
    await sqliteDb.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const url = process.env.ONEVISIT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const admin = knexFactory({ client: 'pg', connection: { connectionString: url, connectionTimeoutMillis: 2000 } });
  let postgres: ReadSide | undefined;
  const schema = `bench_reads_${randomBytes(4).toString('hex')}`;
  try {
    await admin.raw(`CREATE SCHEMA ${schema}`);
    const pg = openDatabase({ url, schema });
    try {
      const { snapshotBytes: _, ...side } = await measure(pg, result.definition, n, rounds);
      postgres = side;
    } finally {
      await pg.destroy();
      await admin.raw(`DROP SCHEMA ${schema} CASCADE`);
    }
  } catch (error) {
    console.error(`reads on PostgreSQL skipped: ${(error as Error).message}`);
  } finally {
    await admin.destroy();
  }
  const { snapshotBytes, ...sqliteSide } = sqlite;
  return { applications: n, snapshotBytes, sqlite: sqliteSide, ...(postgres ? { postgres } : {}) };
}
