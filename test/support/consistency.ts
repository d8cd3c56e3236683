/**
 * What must hold of a deployment's database once its instances have stopped, however they ended: every
 * acknowledged write is there, each application's event log is whole and replays to its snapshot, the open-task
 * projection says what the snapshot says, no certificate was issued twice, and no effect is left pending.
 * `findInconsistencies` answers every violation as a line of text (none: all holds), so a failure names them all.
 */
import type { PersistedSnapshot } from '../../src/definitions/index.js';
import { taskRowsOf } from '../../src/runtime/tasks.js';
import { createWorkingCalendar } from '../../src/domain/calendar.js';
import { createApplicationStore, type Database } from '../../src/store/index.js';
import type { Engine } from '../../src/runtime/index.js';
import { createEngine } from './world.js';

/** What clients were told succeeded (2xx). */
export interface Ledger {
  /** Applications whose submission was answered 201. */
  applications: Set<string>;
  /** Events answered 200, with the version the answer showed (at or after the event's own). */
  events: { applicationId: string; type: string; matter?: string; version: number }[];
}

export const emptyLedger = (): Ledger => ({ applications: new Set(), events: [] });

const refuse = async (): Promise<never> => {
  throw new Error('the checking engine carries out no effects and verifies no materials');
};

/** An engine on `db` that only reads and replays. */
export function checkingEngine(db: Database): Engine {
  return createEngine(db, { issueCertificates: refuse, scheduleTimer: refuse }, { checkFile: refuse, checkCertificate: refuse });
}

export async function findInconsistencies(db: Database, ledger: Ledger = emptyLedger()): Promise<string[]> {
  const problems: string[] = [];
  const engine = checkingEngine(db);
  const store = createApplicationStore(db);
  const rows = (await db('applications').select('id', 'status', 'version')) as { id: string; status: string; version: number | string }[];
  const byId = new Map(rows.map((r) => [r.id, { status: r.status, version: Number(r.version) }]));
  const events = (await db('application_events').select('application_id', 'seq', 'type', 'payload').orderBy(['application_id', 'seq'])) as {
    application_id: string;
    seq: number | string;
    type: string;
    payload: string;
  }[];
  const eventsOf = new Map<string, { seq: number; type: string; matter?: string }[]>();
  for (const e of events) {
    const payload = JSON.parse(e.payload) as { matter?: unknown };
    const list = eventsOf.get(e.application_id) ?? eventsOf.set(e.application_id, []).get(e.application_id)!;
    list.push({ seq: Number(e.seq), type: e.type, ...(typeof payload.matter === 'string' ? { matter: payload.matter } : {}) });
  }

  // Acknowledged writes.
  for (const id of ledger.applications) if (!byId.has(id)) problems.push(`acknowledged application ${id} is missing`);
  for (const acked of ledger.events) {
    const app = byId.get(acked.applicationId);
    const what = `acknowledged ${acked.type}${acked.matter ? ` ${acked.matter}` : ''} of ${acked.applicationId} (answered at version ${acked.version})`;
    if (!app) {
      problems.push(`${what}: the application is missing`);
      continue;
    }
    if (app.version < acked.version) problems.push(`${what}: the application is back at version ${app.version}`);
    const found = (eventsOf.get(acked.applicationId) ?? []).some((e) => e.type === acked.type && e.matter === acked.matter && e.seq <= acked.version);
    if (!found) problems.push(`${what}: no such event at or before that version`);
  }

  // Each application: a whole log that replays to the snapshot, and its open tasks.
  for (const [id, app] of byId) {
    const log = eventsOf.get(id) ?? [];
    const seqs = log.map((e) => e.seq);
    if (log[0]?.type !== 'SUBMIT' || seqs.some((s, i) => s !== i + 1) || seqs.length !== app.version) {
      problems.push(`${id}: event log ${JSON.stringify(log.map((e) => `${e.seq}:${e.type}`))} is not 1..${app.version} starting with SUBMIT`);
    }
    try {
      const replay = await engine.verifyReplay(id);
      if (!replay.consistent) problems.push(`${id}: replay differs from the snapshot (stored ${stateOf(replay.stored)}, replayed ${stateOf(replay.replayed)})`);
    } catch (error) {
      problems.push(`${id}: replay failed: ${String(error)}`);
    }
    const row = await store.getApplication(id);
    const { compiled } = await engine.inspect(id);
    const snapshot = compiled.machine.resolveState({ value: row!.snapshot.value, context: row!.snapshot.context });
    // What the row says is open: the snapshot's tasks, and a completed application's commitments to check afterwards.
    const expected = taskRowsOf(id, compiled, snapshot, row!.tracking, createWorkingCalendar())
      .map((t) => `${t.task}@${t.department}`)
      .sort();
    const stored = ((await db('open_tasks').where({ application_id: id }).select('task', 'department')) as { task: string; department: string }[]).map((t) => `${t.task}@${t.department}`).sort();
    if (JSON.stringify(expected) !== JSON.stringify(stored)) problems.push(`${id} (${app.status}): open tasks ${JSON.stringify(stored)}, its snapshot says ${JSON.stringify(expected)}`);
  }

  // Certificates: one per (application, matter, type) among those in force; a completed application has its set.
  const certificates = (await db('certificates').whereNot({ status: 'superseded' }).select('id', 'application_id', 'matter_id', 'type', 'effect_id')) as {
    id: string;
    application_id: string;
    matter_id: string;
    type: string;
    effect_id: string;
  }[];
  const issued = new Map<string, string[]>();
  for (const c of certificates) {
    const key = `${c.application_id} ${c.matter_id} ${c.type}`;
    issued.set(key, [...(issued.get(key) ?? []), `${c.id} (effect ${c.effect_id})`]);
  }
  for (const [key, ids] of issued) if (ids.length > 1) problems.push(`certificate ${key} issued ${ids.length} times: ${ids.join(', ')}`);
  for (const [id, app] of byId) {
    const row = await store.getApplication(id);
    const { compiled } = await engine.inspect(id);
    const decisions = (row!.snapshot.context as { decisions?: Record<string, string> }).decisions ?? {};
    const due = app.status === 'completed' ? compiled.definition.steps.flatMap((s) => (s.kind === 'review' ? s.matters : [])).filter((m) => m.certificate && decisions[m.id] === 'approved').map((m) => m.id).sort() : [];
    const have = certificates.filter((c) => c.application_id === id).map((c) => c.matter_id).sort();
    if (JSON.stringify(due) !== JSON.stringify(have)) problems.push(`${id} (${app.status}): certificates for ${JSON.stringify(have)}, expected ${JSON.stringify(due)}`);
  }

  // The outbox is drained: nothing pending, nothing given up on, nobody left waiting for their certificates.
  const effects = (await db('outbox').whereNot({ status: 'done' }).select('id', 'status', 'attempts', 'last_error', 'lease_owner', 'lease_until')) as Record<string, unknown>[];
  for (const e of effects) problems.push(`effect ${String(e.id)} is ${String(e.status)} (attempts ${String(e.attempts)}, lease ${String(e.lease_owner)} until ${String(e.lease_until)}, last error ${String(e.last_error)})`);
  for (const [id, app] of byId) if (app.status === 'issuing') problems.push(`${id} is still issuing`);
  return problems;
}

function stateOf(snapshot: PersistedSnapshot): string {
  return JSON.stringify(snapshot.value);
}

/** Outbox effects not yet done (pending or failed). */
export async function unfinishedEffects(db: Database): Promise<number> {
  const row = await db('outbox').whereNot({ status: 'done' }).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}
