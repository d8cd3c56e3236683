/** The runtime's ApplicationStore on knex. Every transition is one transaction; a stale version writes nothing. */
import type { ApplicationRow, ApplicationStore, EventRow, OutboxEntry, OutboxRow, Tracking, Transition } from '../runtime/ports.js';
import type { Database } from './database.js';
import { isPostgres } from './database.js';
import { Batcher } from './batcher.js';
import { ADD_TO_COUNTER_SQL } from './dialect.js';
import { writeTransaction, type Writer } from './writeTransaction.js';

type Row = Record<string, unknown>;

interface NewApplication {
  row: Omit<ApplicationRow, 'number'>;
  event: EventRow;
  effects: OutboxEntry[];
}

export function createApplicationStore(db: Database): ApplicationStore {
  // SQLite has one writer: submissions arriving together are written in one transaction, with one
  // multi-row statement per table. PostgreSQL writes each in its own transaction on its pool.
  const inserts = new Batcher<NewApplication, string>((batch) => writeTransaction(db, (w) => insertApplications(w, batch)), isPostgres(db) ? 1 : 64);
  return {
    async insertApplication(row, event, effects) {
      return inserts.submit({ row, event, effects });
    },

    async commitTransition(t: Transition) {
      return writeTransaction(db, async (w) => {
        const updated = await w.run(UPDATE_APPLICATION_SQL, [JSON.stringify(t.snapshot), t.state, t.status, t.fromVersion + 1, t.updatedAt, ...trackingValues(t.tracking), t.id, t.fromVersion]);
        if (updated !== 1) return false;
        // The (application, seq) key backs up the version check.
        await w.run(INSERT_EVENT_SQL, eventValues(t.event));
        await insertEffects(w, t.effects, t.updatedAt);
        if (t.completes) await w.run(COMPLETE_EFFECT_SQL, [t.updatedAt, t.completes]);
        return true;
      });
    },

    async getApplication(id) {
      const row = await db('applications').where({ id }).first();
      return row ? applicationFromRow(row) : undefined;
    },

    async listEvents(id) {
      const rows = await db('application_events').where({ application_id: id }).orderBy('seq');
      return rows.map(eventFromRow);
    },

    async pendingEffects(limit) {
      const rows = await db('outbox').where({ status: 'pending' }).orderBy('created_at').limit(limit);
      return rows.map(outboxFromRow);
    },

    async getEffect(id) {
      const row = await db('outbox').where({ id }).first();
      return row ? outboxFromRow(row) : undefined;
    },

    async completeEffect(id, at) {
      await db('outbox').where({ id }).update({ status: 'done', done_at: at });
    },

    async failEffect(id, error) {
      await db('outbox')
        .where({ id })
        .update({ attempts: db.raw('attempts + 1'), last_error: error.slice(0, 2000) });
    },
  };
}

const APPLICATION_COLUMNS =
  'id, number, service_id, service_version, service_hash, applicant_id, state, status, snapshot, version, created_at, updated_at, clock, due_at, blue_at, yellow_at, warning_level, open_departments';
const EVENT_COLUMNS = 'application_id, seq, type, actor_kind, actor_id, payload, at';

/** `INSERT INTO t (cols) VALUES (?, …), (?, …)` for `rows` rows. */
function multiRowInsert(table: string, columns: string, rows: number): string {
  const one = `(${columns.split(',').map(() => '?').join(', ')})`;
  return `INSERT INTO ${table} (${columns}) VALUES ${Array.from({ length: rows }, () => one).join(', ')}`;
}

/** Writes new applications, their submission events and effects: one statement per table, numbers per day. */
async function insertApplications(w: Writer, batch: readonly NewApplication[]): Promise<string[]> {
  const byDay = new Map<string, number[]>();
  batch.forEach(({ row }, i) => {
    const day = row.createdAt.slice(0, 10).replace(/-/g, '');
    byDay.set(day, [...(byDay.get(day) ?? []), i]);
  });
  const numbers: string[] = new Array<string>(batch.length);
  for (const [day, indexes] of byDay) {
    const counter = await w.get<{ value: number | string }>(ADD_TO_COUNTER_SQL, [`application:${day}`, indexes.length]);
    const last = Number(counter!.value);
    indexes.forEach((index, k) => (numbers[index] = `${day}${String(last - indexes.length + 1 + k).padStart(6, '0')}`));
  }
  await w.run(
    multiRowInsert('applications', APPLICATION_COLUMNS, batch.length),
    batch.flatMap(({ row }, i) => [
      row.id,
      numbers[i],
      row.serviceId,
      row.serviceVersion,
      row.serviceHash,
      row.applicantId,
      row.state,
      row.status,
      JSON.stringify(row.snapshot),
      row.version,
      row.createdAt,
      row.updatedAt,
      ...trackingValues(row.tracking),
    ]),
  );
  await w.run(multiRowInsert('application_events', EVENT_COLUMNS, batch.length), batch.flatMap(({ event }) => eventValues(event)));
  for (const { row, effects } of batch) await insertEffects(w, effects, row.createdAt);
  return numbers;
}
const UPDATE_APPLICATION_SQL =
  'UPDATE applications SET snapshot = ?, state = ?, status = ?, version = ?, updated_at = ?, ' +
  'clock = ?, due_at = ?, blue_at = ?, yellow_at = ?, warning_level = ?, open_departments = ? WHERE id = ? AND version = ?';
const INSERT_EVENT_SQL = multiRowInsert('application_events', EVENT_COLUMNS, 1);
const INSERT_EFFECT_SQL = "INSERT INTO outbox (id, application_id, seq, effect, status, created_at) VALUES (?, ?, ?, ?, 'pending', ?)";
const COMPLETE_EFFECT_SQL = "UPDATE outbox SET status = 'done', done_at = ? WHERE id = ?";

function trackingValues(t: Tracking): unknown[] {
  return [t.clock, t.dueAt, t.blueAt, t.yellowAt, t.warningLevel, t.openDepartments];
}

export function trackingFromRow(row: Row, extensionDays = 0): Tracking {
  return {
    clock: String(row.clock ?? '{"pauses":[]}'),
    dueAt: (row.due_at as string | null) ?? null,
    blueAt: (row.blue_at as string | null) ?? null,
    yellowAt: (row.yellow_at as string | null) ?? null,
    warningLevel: (row.warning_level as Tracking['warningLevel'] | null) ?? 'none',
    extensionDays,
    openDepartments: String(row.open_departments ?? '|'),
  };
}

function eventValues(event: EventRow): unknown[] {
  return [event.applicationId, event.seq, event.type, event.actor.kind, event.actor.id, JSON.stringify(event.payload), event.at];
}

async function insertEffects(w: Writer, effects: readonly OutboxEntry[], at: string): Promise<void> {
  for (const e of effects) await w.run(INSERT_EFFECT_SQL, [e.id, e.applicationId, e.seq, JSON.stringify(e.effect), at]);
}

function applicationFromRow(row: Row): ApplicationRow {
  const snapshot = JSON.parse(String(row.snapshot)) as ApplicationRow['snapshot'];
  return {
    id: String(row.id),
    number: String(row.number),
    serviceId: String(row.service_id),
    serviceVersion: Number(row.service_version),
    serviceHash: String(row.service_hash),
    applicantId: String(row.applicant_id),
    state: String(row.state),
    status: row.status as ApplicationRow['status'],
    snapshot,
    version: Number(row.version),
    createdAt: String(row.created_at),
    updatedAt: String(row.updated_at),
    tracking: trackingFromRow(row, Number((snapshot.context as { extensionDays?: number }).extensionDays ?? 0)),
  };
}

function eventFromRow(row: Row): EventRow {
  const payload = JSON.parse(String(row.payload)) as Record<string, unknown>;
  return {
    applicationId: String(row.application_id),
    seq: Number(row.seq),
    type: String(row.type),
    actor: (payload.actor as EventRow['actor']) ?? { kind: row.actor_kind as EventRow['actor']['kind'], id: String(row.actor_id) },
    payload,
    at: String(row.at),
  };
}

function outboxFromRow(row: Row): OutboxRow {
  return {
    id: String(row.id),
    applicationId: String(row.application_id),
    seq: Number(row.seq),
    effect: JSON.parse(String(row.effect)),
    status: row.status as OutboxRow['status'],
    attempts: Number(row.attempts),
  };
}
