/**
 * Seeds a database with a city's two years for bench/scale.ts (forked by it; reports progress as messages):
 *
 * 1. The real composition root (startOnevisit) migrates it, seeds the calendar and publishes the catalog; the
 *    accounts are made (an admin, clerks per department, citizens) and, over HTTP on an ephemeral port, one
 *    application of every service is driven to completion, one rejected and one withdrawn. After every
 *    transition its row, open tasks and events are read back: the *variants* the bulk rows copy (snapshot
 *    text, state, clock), so every seeded row holds what the engine itself wrote for that service and state.
 * 2. The history is inserted in bulk SQL — a recursive CTE on SQLite, generate_series on PostgreSQL, in chunks
 *    — N applications over the last `days` China Standard Time days (working hours), mostly completed, some
 *    rejected or withdrawn, each the variant of its service and status; a share sent back (not one-visit) or
 *    late (red). Their event logs are left out (one history row would otherwise be about ten event rows).
 * 3. A few thousand open applications (submitted, or in review at any point of the review the drive went
 *    through) are inserted with their open_tasks rows (one per task of the variant, deadlines from the working
 *    calendar, some claimed by a clerk of the department) and their event logs.
 * 4. Ratings for a share of the completed ones; then `figures` recomputed from the rows in SQL (per CST day
 *    and service: submitted, materials, no_submit on the day of submission; completed, rejected, withdrawn,
 *    one_visit, on_time on the day it ended; ratings on the day rated) and the daily number counters.
 *
 * Message in: `{ seed: SeedRequest }`; out: `{ progress }`…, then `{ seeded: SeedSummary }` or `{ error }`.
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { startOnevisit } from '../src/main.js';
import { createLogger } from '../src/http/logging.js';
import { compileDefinition, nextMove } from '../src/definitions/index.js';
import type { ServiceDefinition } from '../src/domain/definition.js';
import { makeResidentIdNumber } from '../src/domain/ids.js';
import { chinaDateCompact } from '../src/domain/time.js';
import { createWorkingCalendar } from '../src/domain/calendar.js';
import { advanceDeadline, emptyClock, warningThresholdsOf } from '../src/runtime/deadline.js';
import { isPostgres, loadCalendar, openDatabase, readCatalog, type Database } from '../src/store/index.js';
import { call, tinyPdf } from './http.js';

export interface SeedRequest {
  dataDir: string;
  databaseUrl: string;
  schema?: string;
  applications: number;
  open: number;
  days: number;
  password: string;
}

export interface SeedSummary {
  applications: number;
  history: number;
  open: number;
  openTasks: number;
  claimed: number;
  figures: number;
  ratings: number;
  events: number;
  /** Bytes of the snapshot text of the completed variants (what most rows hold), per service. */
  snapshotBytes: Record<string, number>;
  /** Seconds: the drive through the engine, the bulk history insert, the rest. */
  seconds: { drive: number; history: number; rest: number; total: number };
  /** Clerks to sign in as (all with `password`), and the admin. */
  clerks: Record<string, string[]>;
  admin: string;
  byStatus: Record<string, number>;
  tasksByDepartment: Record<string, number>;
  now: string;
}

type Row = Record<string, unknown>;

interface Variant {
  serviceId: string;
  serviceVersion: number;
  serviceHash: string;
  state: string;
  status: string;
  snapshot: string;
  version: number;
  clock: string;
  warningLevel: string;
  sentBack: boolean;
  tasks: { task: string; kind: string; party: string; department: string; matter: string | null }[];
  events: Row[];
  materials: number;
  noSubmit: number;
}

const SERVICE_WEIGHTS: Record<string, number> = { 'business-startup': 0.25, newborn: 0.4, 'restaurant-opening': 0.15, 'talent-medical-card': 0.2 };
const HISTORY_STATUS_WEIGHTS: Record<string, number> = { completed: 0.955, rejected: 0.03, withdrawn: 0.015 };
/** Of the completed: sent back once (so not one-visit), and finished late (red, so not on time). */
const SENT_BACK = 700; // per 10,000
const LATE = 400; // per 10,000
const CHUNK = 50_000;

const send = (message: object) => process.send!(message);
const report = (phase: string, done: number, total: number, note?: string) => send({ progress: { phase, done, total, ...(note ? { note } : {}) } });

if (!process.send) throw new Error('bench/scaleSeed.js is forked by bench/scale.js');
process.once('message', async ({ seed }: { seed: SeedRequest }) => {
  try {
    const summary = await seedAll(seed);
    process.send!({ seeded: summary }, () => process.exit(0));
  } catch (error) {
    process.send!({ error: String((error as Error).stack ?? error) }, () => process.exit(1));
  }
});

async function seedAll(request: SeedRequest): Promise<SeedSummary> {
  const started = Date.now();
  const { variants, clerks, admin } = await driveSamples(request);
  const drive = (Date.now() - started) / 1000;

  const db = openDatabase({ url: request.databaseUrl, ...(request.schema ? { schema: request.schema } : {}), poolMax: 2 });
  try {
    const pg = isPostgres(db);
    const history = Date.now();
    if (!pg) for (const p of ['PRAGMA synchronous = OFF', 'PRAGMA cache_size = -1000000']) await db.raw(p);
    const historyRows = await insertHistory(db, pg, variants, request);
    const historySeconds = (Date.now() - history) / 1000;
    const rest = Date.now();
    const open = await insertOpen(db, variants, clerks, request);
    report('ratings and figures', 0, 3);
    const ratings = await insertRatings(db);
    report('ratings and figures', 1, 3);
    const figures = await recomputeFigures(db, pg, variants);
    report('ratings and figures', 2, 3);
    await setCounters(db, pg);
    await db('timers').where({ status: 'pending' }).update({ status: 'fired', fired_at: new Date().toISOString() }); // the samples' notice timers
    await db.schema.dropTableIfExists('bench_variants');
    if (pg) await db.raw('VACUUM ANALYZE applications, open_tasks, figures, ratings, application_events, counters, users');
    else await db.raw('PRAGMA wal_checkpoint(TRUNCATE)');
    report('ratings and figures', 3, 3);
    const byStatus = Object.fromEntries(((await db('applications').select('status').count({ n: '*' }).groupBy('status')) as Row[]).map((r) => [String(r.status), Number(r.n)]));
    const tasksByDepartment = Object.fromEntries(((await db('open_tasks').select('department').count({ n: '*' }).groupBy('department')) as Row[]).map((r) => [String(r.department), Number(r.n)]));
    const completedVariants = variants.filter((v) => v.status === 'completed');
    return {
      applications: Object.values(byStatus).reduce((a, b) => a + b, 0),
      history: historyRows,
      open: open.applications,
      openTasks: open.tasks,
      claimed: open.claimed,
      figures: figures,
      ratings,
      events: Number(((await db('application_events').count({ n: '*' }).first()) as Row).n),
      snapshotBytes: Object.fromEntries(completedVariants.map((v) => [v.serviceId, Buffer.byteLength(v.snapshot)])),
      seconds: { drive, history: historySeconds, rest: (Date.now() - rest) / 1000, total: (Date.now() - started) / 1000 },
      clerks,
      admin,
      byStatus,
      tasksByDepartment,
      now: new Date().toISOString(),
    };
  } finally {
    await db.destroy();
  }
}

/** The real server in this process: accounts, then one application per service and outcome driven over HTTP. */
async function driveSamples(request: SeedRequest): Promise<{ variants: Variant[]; clerks: Record<string, string[]>; admin: string }> {
  const onevisit = await startOnevisit({
    dataDir: request.dataDir,
    databaseUrl: request.databaseUrl,
    ...(request.schema ? { databaseSchema: request.schema } : {}),
    logger: createLogger({ level: 'warn' }),
    pollIntervalMs: 0,
  });
  const server = onevisit.app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const catalog = readCatalog();
    const password = request.password;
    const admin = 'scale-admin';
    const clerks: Record<string, string[]> = {};
    const departments = catalog.departments.map((d) => d.id);
    let made = 0;
    const accounts = 1 + departments.length * 3 + 2;
    report('accounts', 0, accounts);
    await onevisit.identity.addUser({ username: admin, password, role: 'admin', name: 'scale admin' });
    report('accounts', ++made, accounts);
    for (const department of departments) {
      clerks[department] = [];
      for (let k = 1; k <= 3; k++) {
        const username = `scale-${department}-${k}`;
        await onevisit.identity.addUser({ username, password, role: 'clerk', departments: [department], name: `${department} clerk ${k}` });
        clerks[department]!.push(username);
        report('accounts', ++made, accounts);
      }
    }
    const citizens: string[] = [];
    for (let k = 1; k <= 2; k++) {
      const username = `scale-citizen-${k}`;
      await onevisit.identity.addUser({ username, password, role: 'citizen', name: k === 1 ? '王磊' : '李娜', idNumber: makeResidentIdNumber({ sequence: 900 + k }) });
      citizens.push(username);
      report('accounts', ++made, accounts);
    }
    const json = { 'content-type': 'application/json' };
    const tokens = new Map<string, Record<string, string>>();
    const login = async (username: string) => {
      let auth = tokens.get(username);
      if (!auth) {
        const { token } = await call(base, '/api/v1/auth/login', { method: 'POST', headers: json, body: JSON.stringify({ username, password }), expect: 200 });
        auth = { ...json, authorization: `Bearer ${token}` };
        tokens.set(username, auth);
      }
      return auth;
    };
    const variants: Variant[] = [];
    const capture = async (id: string) => {
      const row = (await onevisit.db('applications').where({ id }).first()) as Row;
      const tasks = (await onevisit.db('open_tasks').where({ application_id: id }).orderBy('task')) as Row[];
      const events = (await onevisit.db('application_events').where({ application_id: id }).orderBy('seq')) as Row[];
      const snapshot = String(row.snapshot);
      const materials = Object.values((JSON.parse(snapshot).context.materials ?? {}) as Record<string, { source?: string }>);
      variants.push({
        serviceId: String(row.service_id),
        serviceVersion: Number(row.service_version),
        serviceHash: String(row.service_hash),
        state: String(row.state),
        status: String(row.status),
        snapshot,
        version: Number(row.version),
        clock: String(row.clock ?? '{"pauses":[]}'),
        warningLevel: String(row.warning_level),
        sentBack: Boolean(Number(row.sent_back)),
        tasks: tasks.map((t) => ({ task: String(t.task), kind: String(t.kind), party: String(t.party), department: String(t.department), matter: (t.matter as string | null) ?? null })),
        events,
        materials: materials.length,
        noSubmit: materials.filter((m) => m.source === 'certificate').length,
      });
    };

    // Business start-up first: the restaurant is then opened by a citizen whose wallet holds the business licence (免提交).
    const plans: { serviceId: string; example: number; outcome: 'completed' | 'rejected' | 'withdrawn'; leaveOut?: string[] }[] = [];
    for (const serviceId of Object.keys(SERVICE_WEIGHTS)) {
      const restaurant = serviceId === 'restaurant-opening';
      for (const outcome of ['completed', 'rejected', 'withdrawn'] as const) plans.push({ serviceId, example: restaurant ? 1 : 0, outcome, ...(restaurant ? { leaveOut: ['business-license'] } : {}) });
    }
    let driven = 0;
    for (const plan of plans) {
      report('drive through the engine', driven, plans.length, `${plan.serviceId} ${plan.outcome}`);
      const file = catalog.definitionFiles.find((f) => f.endsWith(`/${plan.serviceId}.json`))!;
      const definition = JSON.parse(fs.readFileSync(file, 'utf8')) as ServiceDefinition;
      const compiled = compileDefinition(definition);
      const citizen = await login(citizens[0]!);
      const form = definition.form.examples![plan.example]!;
      const materials: Record<string, unknown>[] = [];
      for (const m of definition.materials) {
        if (plan.leaveOut?.includes(m.id) || !compiled.applies(`material:${m.id}`, form)) continue;
        if (m.commitment) {
          materials.push({ materialId: m.id, commitment: true });
          continue;
        }
        const upload = new FormData();
        upload.append('file', new Blob([tinyPdf()], { type: 'application/pdf' }), `${m.id}.pdf`);
        materials.push({ materialId: m.id, fileId: (await call(base, '/api/v1/files', { method: 'POST', headers: { authorization: citizen.authorization! }, body: upload, expect: 201 })).fileId });
      }
      const submitted = await call(base, '/api/v1/applications', { method: 'POST', headers: citizen, body: JSON.stringify({ serviceId: plan.serviceId, form, materials }), expect: 201 });
      const id = String(submitted.id);
      await capture(id);
      let rejected = false;
      for (let step = 0; ; step++) {
        if (step > 40) throw new Error(`${plan.serviceId}: application ${id} went round in circles`);
        const { view } = await onevisit.engine.inspect(id);
        if (['completed', 'rejected', 'withdrawn', 'terminated'].includes(view.status)) break;
        if (plan.outcome === 'withdrawn') {
          await call(base, `/api/v1/applications/${id}/events`, { method: 'POST', headers: citizen, body: JSON.stringify({ type: 'WITHDRAW' }), expect: 200 });
          await capture(id);
          continue;
        }
        const move = nextMove(compiled, view.stateValue, { ...(view as unknown as Record<string, unknown>), noticeElapsed: false } as never);
        if (!move) throw new Error(`${plan.serviceId}: no next move for ${view.status} ${JSON.stringify(view.stateValue)}`);
        if (move.type === 'CERTIFICATES_ISSUED') throw new Error(`${plan.serviceId}: the issue effect did not complete the application`);
        const type = plan.outcome === 'rejected' && !rejected && move.type === 'APPROVE' ? 'REJECT' : move.type;
        if (type === 'REJECT') rejected = true;
        if (move.actor.kind === 'clerk') {
          const clerk = await login(clerks[move.actor.department!]![0]!);
          await call(base, `/api/v1/applications/${id}/events`, { method: 'POST', headers: clerk, body: JSON.stringify({ type, ...(move.matter ? { matter: move.matter } : {}) }), expect: 200 });
        } else if (move.actor.kind === 'scheduler') {
          await onevisit.engine.send(id, { type }, { kind: 'scheduler', id: 'scheduler' });
        } else if (move.actor.kind === 'applicant') {
          await call(base, `/api/v1/applications/${id}/events`, { method: 'POST', headers: citizen, body: JSON.stringify({ type, ...(move.matter ? { matter: move.matter } : {}) }), expect: 200 });
        } else throw new Error(`${plan.serviceId}: cannot send ${type} as ${move.actor.kind}`);
        await capture(id);
      }
      const final = variants[variants.length - 1]!;
      if (final.status !== plan.outcome) throw new Error(`${plan.serviceId}: the ${plan.outcome} drive ended ${final.status}`);
      driven++;
    }
    report('drive through the engine', driven, plans.length);
    // Each service's rows count the same materials whatever their state (given at submission): figures rely on it.
    for (const serviceId of Object.keys(SERVICE_WEIGHTS)) {
      const counts = new Set(variants.filter((v) => v.serviceId === serviceId).map((v) => `${v.materials}/${v.noSubmit}`));
      if (counts.size !== 1) throw new Error(`${serviceId}: variants differ in their materials (${[...counts].join(', ')})`);
    }
    return { variants, clerks, admin };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await onevisit.close();
  }
}

/** The history: `applications` rows in bulk, chunk by chunk, each the completed / rejected / withdrawn variant of its service. */
async function insertHistory(db: Database, pg: boolean, variants: Variant[], request: SeedRequest): Promise<number> {
  // One variant per (service, final status), with its share of 10,000.
  const finals: (Variant & { share: number })[] = [];
  for (const [serviceId, serviceWeight] of Object.entries(SERVICE_WEIGHTS)) {
    for (const [status, statusWeight] of Object.entries(HISTORY_STATUS_WEIGHTS)) {
      const v = variants.filter((x) => x.serviceId === serviceId && x.status === status).at(-1);
      if (!v) throw new Error(`no ${status} variant of ${serviceId}`);
      finals.push({ ...v, share: serviceWeight * statusWeight });
    }
  }
  await db.schema.dropTableIfExists('bench_variants');
  await db.schema.createTable('bench_variants', (t) => {
    t.integer('v').primary();
    t.string('service_id', 64);
    t.integer('service_version');
    t.string('service_hash', 64);
    t.string('state', 512);
    t.string('status', 32);
    t.text('snapshot');
    t.text('clock');
    t.integer('version');
  });
  await db('bench_variants').insert(finals.map((v, i) => ({ v: i, service_id: v.serviceId, service_version: v.serviceVersion, service_hash: v.serviceHash, state: v.state, status: v.status, snapshot: v.snapshot, clock: v.clock, version: v.version })));
  // CASE WHEN a < 2387 THEN 0 WHEN a < … — `a` is a hash of i in 0..9999.
  let cumulative = 0;
  const pick = finals.map((v, i) => {
    cumulative += v.share * 10_000;
    return i === finals.length - 1 ? `ELSE ${i}` : `WHEN a < ${Math.round(cumulative)} THEN ${i}`;
  });
  const variantCase = `CASE ${pick.join(' ')} END`;

  const n = request.applications;
  const perDay = Math.ceil(n / request.days);
  // Day 0 starts at midnight China Standard Time `days` days before today's.
  const todayCst = new Date(Date.now() + 8 * 3600_000);
  const startEpoch = Date.UTC(todayCst.getUTCFullYear(), todayCst.getUTCMonth(), todayCst.getUTCDate()) / 1000 - 8 * 3600 - request.days * 86400;
  const windowSeconds = 8 * 3600; // 09:00–17:00 CST
  // Nothing ends in the future: the last days' applications that would still be running end sooner instead.
  const nowEpoch = Math.floor(Date.now() / 1000) - 600;

  // Hashes of i in 0..9999: a picks the variant, b sent back, c late, d the duration.
  const hashes = (i: string) =>
    `${i} AS i, ${i} / ${perDay} AS d, ${i} % ${perDay} AS k,
     ((${i} * 2654435761) % 4294967296) / 429497 AS a,
     ((${i} * 2246822519 + 374761393) % 4294967296) / 429497 AS b,
     ((${i} * 3266489917 + 668265263) % 4294967296) / 429497 AS c,
     ((${i} * 2028178513 + 1013904223) % 4294967296) / 429497 AS e`;
  // Seconds from submission to the end: completed in 1–5 days (8–12 when late), rejected in 1–3, withdrawn within a day.
  const duration = `CASE WHEN v.status = 'completed' THEN (CASE WHEN g.c < ${LATE} THEN 8 ELSE 1 END + g.e % 5) * 86400 + (g.e * 7) % 28800
    WHEN v.status = 'rejected' THEN (1 + g.e % 3) * 86400 + (g.e * 7) % 28800 ELSE (g.e * 13) % 86400 END`;
  const created = `(${startEpoch} + g.d * 86400 + 3600 + (g.k * ${windowSeconds}) / ${perDay})`;
  const columns = 'id, number, service_id, service_version, service_hash, applicant_id, state, status, snapshot, version, due_at, warning_level, created_at, updated_at, clock, blue_at, yellow_at, sent_back, extension_days';
  const iso = pg ? (epoch: string) => `to_char(to_timestamp(${epoch}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')` : (epoch: string) => `strftime('%Y-%m-%dT%H:%M:%fZ', ${epoch}, 'unixepoch')`;
  const number = pg
    ? `to_char(to_timestamp(${startEpoch} + g.d * 86400 + 28800) AT TIME ZONE 'UTC', 'YYYYMMDD') || lpad((g.k + 1)::text, 6, '0')`
    : `strftime('%Y%m%d', ${startEpoch} + g.d * 86400 + 28800, 'unixepoch') || printf('%06d', g.k + 1)`;
  const id = pg
    ? 'gen_random_uuid()::text'
    : "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))";
  // Residents: about 700,000 of the city's million apply in two years; ids shaped like the users' (UUIDs).
  const applicant = pg
    ? `lpad(to_hex(((g.i * 48271) % 700001)::int), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(((g.i * 48271) % 700001 * 7919)::bigint), 12, '0')`
    : `printf('%08x-0000-4000-8000-%012x', (g.i * 48271) % 700001, ((g.i * 48271) % 700001) * 7919)`;
  const select = (lo: number, hi: number) => {
    const series = pg ? `(SELECT ${hashes('s::bigint')} FROM generate_series(${lo}, ${hi - 1}) AS s)` : `(SELECT ${hashes('s.i')} FROM s)`;
    const body = `INSERT INTO applications (${columns})
      SELECT ${id}, ${number}, v.service_id, v.service_version, v.service_hash, ${applicant}, v.state, v.status, v.snapshot, v.version,
        NULL, CASE WHEN v.status = 'completed' AND g.c < ${LATE} THEN 'red' ELSE 'none' END,
        ${iso(created)}, ${iso(`${created} + ${pg ? 'LEAST' : 'min'}(${duration}, (${nowEpoch} - ${created}) * 9 / 10)`)}, v.clock, NULL, NULL,
        ${pg ? `(v.status = 'completed' AND g.b < ${SENT_BACK})` : `CASE WHEN v.status = 'completed' AND g.b < ${SENT_BACK} THEN 1 ELSE 0 END`}, 0
      FROM ${series} AS g JOIN bench_variants v ON v.v = ${variantCase.replace(/\ba\b/g, 'g.a')}`;
    return pg ? body : `WITH RECURSIVE s(i) AS (SELECT ${lo} UNION ALL SELECT i + 1 FROM s WHERE i + 1 < ${hi}) ${body}`;
  };
  report('history', 0, n);
  for (let lo = 0; lo < n; lo += CHUNK) {
    const hi = Math.min(n, lo + CHUNK);
    await db.raw(select(lo, hi));
    report('history', hi, n);
  }
  return n;
}

/** Open applications in the last week, with their tasks (some claimed) and event logs. */
async function insertOpen(db: Database, variants: Variant[], clerks: Record<string, string[]>, request: SeedRequest) {
  const clerkIds = new Map((await db('users').select('id', 'username')).map((u: Row) => [String(u.username), String(u.id)]));
  const calendar = createWorkingCalendar(await loadCalendar(db));
  const catalog = readCatalog();
  const definitions = new Map(
    catalog.definitionFiles.map((f) => {
      const d = JSON.parse(fs.readFileSync(f, 'utf8')) as ServiceDefinition;
      return [d.id, d];
    }),
  );
  let seed = 12345;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const weighted = <T>(entries: [T, number][]): T => {
    let x = random() * entries.reduce((s, [, w]) => s + w, 0);
    for (const [value, w] of entries) if ((x -= w) < 0) return value;
    return entries[entries.length - 1]![0];
  };
  const now = Date.now();
  const perDay = new Map<string, number>();
  const apps: Row[] = [];
  const tasks: Row[] = [];
  const events: Row[] = [];
  let claimed = 0;
  for (let k = 0; k < request.open; k++) {
    const serviceId = weighted(Object.entries(SERVICE_WEIGHTS));
    const submittedOnly = random() < 0.3;
    const choices = variants.filter((v) => v.serviceId === serviceId && (submittedOnly ? v.status === 'submitted' : v.status === 'in_review') && v.tasks.length > 0);
    const v = choices[Math.floor(random() * choices.length)]!;
    // Submitted within the last 7 days (more of them recently), accepted within hours.
    const createdMs = now - Math.floor(random() * random() * 7 * 86400_000) - 60_000;
    const acceptedMs = Math.min(now - 30_000, createdMs + 600_000 + Math.floor(random() * 4 * 3600_000));
    const createdAt = new Date(createdMs).toISOString();
    const definition = definitions.get(serviceId)!;
    const running = v.status !== 'submitted';
    const state = running
      ? advanceDeadline(undefined, 'idle', 'running', new Date(acceptedMs).toISOString(), { promisedDays: definition.promisedDays, extensionDays: 0, thresholds: warningThresholdsOf(definition) }, calendar)
      : { clock: emptyClock(), deadline: {}, level: 'none' as const };
    const updatedAt = new Date(running ? acceptedMs + 60_000 * (v.version - 2) : createdMs).toISOString();
    const day = chinaDateCompact(createdAt);
    const seq = (perDay.get(day) ?? 900_000) + 1;
    perDay.set(day, seq);
    const id = randomUUID();
    const dueAt = state.deadline.dueAt ?? null;
    apps.push({
      id,
      number: `${day}${seq}`,
      service_id: v.serviceId,
      service_version: v.serviceVersion,
      service_hash: v.serviceHash,
      applicant_id: randomUUID(),
      state: v.state,
      status: v.status,
      snapshot: v.snapshot,
      version: v.version,
      due_at: dueAt,
      warning_level: state.level,
      created_at: createdAt,
      updated_at: updatedAt,
      clock: JSON.stringify(state.clock),
      blue_at: state.deadline.blueAt ?? null,
      yellow_at: state.deadline.yellowAt ?? null,
      sent_back: false,
      extension_days: 0,
    });
    for (const t of v.tasks) {
      const holders = clerks[t.department] ?? [];
      const claim = t.party === 'clerk' && holders.length > 0 && random() < 0.35 ? clerkIds.get(holders[Math.floor(random() * holders.length)]!)! : null;
      if (claim) claimed++;
      tasks.push({
        application_id: id,
        task: t.task,
        kind: t.kind,
        party: t.party,
        department: t.department,
        matter: t.matter,
        status: v.status,
        due_at: dueAt,
        blue_at: state.deadline.blueAt ?? null,
        yellow_at: state.deadline.yellowAt ?? null,
        warning_level: state.level,
        due_sort: dueAt ?? '~',
        opened_at: running ? new Date(acceptedMs).toISOString() : createdAt,
        claimed_by: claim,
        claimed_at: claim ? new Date(Math.min(now - 1000, acceptedMs + 300_000)).toISOString() : null,
      });
    }
    v.events.forEach((e, j) => {
      const at = new Date(j === 0 ? createdMs : acceptedMs + 60_000 * (j - 1)).toISOString();
      events.push({ ...e, application_id: id, at });
    });
  }
  const total = apps.length + tasks.length + events.length;
  let done = 0;
  report('open applications', 0, total);
  for (const [table, rows] of [['applications', apps], ['open_tasks', tasks], ['application_events', events]] as const) {
    for (let i = 0; i < rows.length; i += 200) {
      await db.batchInsert(table, rows.slice(i, i + 200), 200);
      done += Math.min(200, rows.length - i);
      report('open applications', done, total);
    }
  }
  return { applications: apps.length, tasks: tasks.length, claimed };
}

/** Ratings for about 31% of the completed applications (chosen by their random ids), mostly good. */
async function insertRatings(db: Database): Promise<number> {
  await db.raw(`INSERT INTO ratings (application_id, score, comment, rated_at)
    SELECT id, CASE WHEN substr(id, 2, 1) IN ('0','1','2','3','4','5','6','7','8','9','a') THEN 5 WHEN substr(id, 2, 1) IN ('b','c','d') THEN 4
      WHEN substr(id, 2, 1) = 'e' THEN 3 WHEN substr(id, 3, 1) < '8' THEN 2 ELSE 1 END, NULL, updated_at
    FROM applications WHERE status = 'completed' AND substr(id, 1, 1) IN ('0','1','2','3','4')`);
  return Number(((await db('ratings').count({ n: '*' }).first()) as Row).n);
}

/** `figures` from the rows, as the engine would have counted them (src/runtime/figures.ts), per CST day and service. */
async function recomputeFigures(db: Database, pg: boolean, variants: Variant[]): Promise<number> {
  const day = (column: string) => (pg ? `to_char(${column}::timestamptz AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')` : `date(${column}, '+8 hours')`);
  const materials = new Map(variants.map((v) => [v.serviceId, v]));
  const perService = (pick: (v: Variant) => number) => `CASE service_id ${[...materials].map(([s, v]) => `WHEN '${s}' THEN ${pick(v)}`).join(' ')} ELSE 0 END`;
  const notSentBack = pg ? 'NOT sent_back' : 'sent_back = 0';
  await db('figures').delete();
  const statements = [
    `SELECT ${day('created_at')} AS day, service_id, 'submitted' AS name, count(*) AS value FROM applications GROUP BY 1, 2`,
    `SELECT ${day('created_at')}, service_id, 'materials', sum(${perService((v) => v.materials)}) FROM applications GROUP BY 1, 2`,
    `SELECT ${day('created_at')}, service_id, 'no_submit', sum(${perService((v) => v.noSubmit)}) FROM applications GROUP BY 1, 2 HAVING sum(${perService((v) => v.noSubmit)}) > 0`,
    `SELECT ${day('updated_at')}, service_id, status, count(*) FROM applications WHERE status IN ('completed', 'rejected', 'withdrawn', 'terminated') GROUP BY 1, 2, 3`,
    `SELECT ${day('updated_at')}, service_id, 'one_visit', count(*) FROM applications WHERE status = 'completed' AND ${notSentBack} GROUP BY 1, 2`,
    `SELECT ${day('updated_at')}, service_id, 'on_time', count(*) FROM applications WHERE status = 'completed' AND warning_level <> 'red' GROUP BY 1, 2`,
    `SELECT ${day('r.rated_at')}, a.service_id, 'ratings', count(*) FROM ratings r JOIN applications a ON a.id = r.application_id GROUP BY 1, 2`,
    `SELECT ${day('r.rated_at')}, a.service_id, 'rating_sum', sum(r.score) FROM ratings r JOIN applications a ON a.id = r.application_id GROUP BY 1, 2`,
    `SELECT ${day('r.rated_at')}, a.service_id, 'rating_bad', count(*) FROM ratings r JOIN applications a ON a.id = r.application_id WHERE r.score <= 2 GROUP BY 1, 2`,
  ];
  for (const select of statements) await db.raw(`INSERT INTO figures (day, service_id, name, value) ${select}`);
  return Number(((await db('figures').count({ n: '*' }).first()) as Row).n);
}

/** Each day's number counter at the last number given that day, so numbering continues after the seeded rows. */
async function setCounters(db: Database, pg: boolean): Promise<void> {
  const seq = pg ? 'substr(number, 9)::bigint' : 'CAST(substr(number, 9) AS INTEGER)';
  await db.raw(
    `INSERT INTO counters (name, value) SELECT 'application:' || substr(number, 1, 8), max(${seq}) FROM applications WHERE true GROUP BY substr(number, 1, 8)
     ON CONFLICT (name) DO UPDATE SET value = ${pg ? 'GREATEST(counters.value, excluded.value)' : 'max(counters.value, excluded.value)'}`,
  );
}
