/**
 * The runtime's ApplicationStore on knex. Every transition is one transaction that first locks the
 * application's row, so decisions arriving through different instances are serialised, not refused.
 */
import { OnevisitError } from '../domain/errors.js';
import { chinaDateCompact } from '../domain/time.js';
import { applicationNumber } from '../domain/ids.js';
import { OpenStatuses } from '../domain/vocabulary.js';
import type { ApplicationRow, ApplicationStore, DecideTransition, EffectLease, EventRow, NewApplication, OutboxEntry, Tracking, Transition } from '../runtime/ports.js';
import { addFigures } from './figures.js';
import { appendAudit, applicationEventAudit } from './audit.js';
import type { Database } from './database.js';
import { isPostgres } from './database.js';
import { Batcher } from './batcher.js';
import { ADD_TO_COUNTER_SQL } from './dialect.js';
import { dueSort, insertTasks, writeTasks } from './openTasks.js';
import { writeTransaction, type Writer } from './writeTransaction.js';

type Row = Record<string, unknown>;

interface Commit {
  id: string;
  knownVersion: number;
  decide: DecideTransition;
}

type Settled = { transition: Transition } | { error: unknown };

export function createApplicationStore(db: Database): ApplicationStore {
  // SQLite has one writer: submissions arriving together are written in one transaction, with one
  // multi-row statement per table. PostgreSQL writes each in its own transaction on its pool.
  const inserts = new Batcher<NewApplication, string>((batch) => writeTransaction(db, (w) => insertApplications(w, batch)), isPostgres(db) ? 1 : 64);
  // PostgreSQL: the row lock waits for a concurrent decision on the same application to commit, then reads
  // what it wrote. SQLite: BEGIN IMMEDIATE has taken the database's write lock already.
  const lockSql = isPostgres(db) ? `${VERSION_SQL} FOR UPDATE` : VERSION_SQL;

  async function commitOne(w: Writer, { id, knownVersion, decide }: Commit): Promise<Transition> {
    const locked = await w.get<{ version: number | string }>(lockSql, [id]);
    if (!locked) throw new OnevisitError('APPLICATION.NOT_FOUND', `no application ${id}`);
    const current = Number(locked.version) === knownVersion ? undefined : applicationFromRow((await w.get<Row>(ROW_SQL, [id]))!);
    const t = decide(current);
    const updated = await w.run(UPDATE_APPLICATION_SQL, [JSON.stringify(t.snapshot), t.state, t.status, t.fromVersion + 1, t.updatedAt, ...trackingValues(t.tracking), t.id, t.fromVersion]);
    if (updated !== 1) throw new OnevisitError('APPLICATION.CONFLICT', `application ${id} moved while it was locked`);
    // The (application, seq) key backs up the version check.
    await w.run(INSERT_EVENT_SQL, eventValues(t.event));
    await insertEffects(w, t.effects, t.updatedAt, t.effectLease);
    await writeTasks(w, id, t.tasks, t.updatedAt, t.claim);
    await addFigures(w, t.figures);
    if (t.completes) await w.run(COMPLETE_EFFECT_SQL, [t.updatedAt, t.completes]);
    await appendAudit(w, [applicationEventAudit(t.event, t.status)]); // last: it holds the audit chain's head until commit
    return t;
  }

  // SQLite: decisions arriving together are committed together (one fsync at synchronous=FULL), each in a
  // savepoint of its own, so one refused decision rolls back alone. Later ones in a batch see earlier ones'
  // writes, as they would after a commit.
  const transitions = new Batcher<Commit, Settled>(
    (batch) =>
      writeTransaction(db, async (w) => {
        const results: Settled[] = [];
        for (const commit of batch) {
          await w.run('SAVEPOINT decision', []);
          try {
            results.push({ transition: await commitOne(w, commit) });
            await w.run('RELEASE decision', []);
          } catch (error) {
            await w.run('ROLLBACK TO decision', []);
            await w.run('RELEASE decision', []);
            results.push({ error });
          }
        }
        return results;
      }),
    64,
  );

  return {
    async insertApplication(application) {
      return inserts.submit(application);
    },

    async commitTransition(id, knownVersion, decide) {
      if (isPostgres(db)) return writeTransaction(db, (w) => commitOne(w, { id, knownVersion, decide }));
      const settled = await transitions.submit({ id, knownVersion, decide });
      if ('error' in settled) throw settled.error;
      return settled.transition;
    },

    async getApplication(id) {
      const row = await db('applications').where({ id }).first();
      return row ? applicationFromRow(row) : undefined;
    },

    async currentVersion(id) {
      const row = await db('applications').select('version').where({ id }).first();
      return row ? Number(row.version) : undefined;
    },

    async listEvents(id) {
      const rows = await db('application_events').where({ application_id: id }).orderBy('seq');
      return rows.map(eventFromRow);
    },

    async runningClocks(afterId, limit) {
      // Only a running clock has deadline instants; the (status, due_at) index narrows to applications in progress.
      const rows = await db('applications')
        .select('id', 'version', 'service_id', 'service_version', 'service_hash', 'number', 'clock', 'due_at', 'blue_at', 'yellow_at', 'warning_level', 'extension_days', 'sent_back')
        .whereIn('status', [...OpenStatuses])
        .whereNotNull('due_at')
        .andWhere('id', '>', afterId)
        .orderBy('id')
        .limit(limit);
      return rows.map((r: Row) => ({
        id: String(r.id),
        version: Number(r.version),
        serviceId: String(r.service_id),
        serviceVersion: Number(r.service_version),
        serviceHash: String(r.service_hash),
        number: String(r.number),
        tracking: trackingFromRow(r),
      }));
    },

    async updateDeadlines(updates) {
      if (updates.length === 0) return 0;
      return writeTransaction(db, async (w) => {
        let updated = 0;
        for (const u of updates) {
          if ((await w.run(UPDATE_DEADLINE_SQL, [u.dueAt, u.blueAt, u.yellowAt, u.id, u.version])) !== 1) continue;
          await w.run(UPDATE_TASK_DEADLINES_SQL, [u.dueAt, u.blueAt, u.yellowAt, dueSort(u.dueAt), u.id]);
          updated++;
        }
        return updated;
      });
    },
  };
}

const APPLICATION_COLUMNS =
  'id, number, service_id, service_version, service_hash, applicant_id, state, status, snapshot, version, created_at, updated_at, clock, due_at, blue_at, yellow_at, warning_level, extension_days, sent_back';
const VERSION_SQL = 'SELECT version FROM applications WHERE id = ?';
const UPDATE_DEADLINE_SQL = 'UPDATE applications SET due_at = ?, blue_at = ?, yellow_at = ? WHERE id = ? AND version = ?';
const UPDATE_TASK_DEADLINES_SQL = 'UPDATE open_tasks SET due_at = ?, blue_at = ?, yellow_at = ?, due_sort = ? WHERE application_id = ?';

const ROW_SQL = `SELECT ${APPLICATION_COLUMNS} FROM applications WHERE id = ?`;
const EVENT_COLUMNS = 'application_id, seq, type, actor_kind, actor_id, payload, at';

/** `INSERT INTO t (cols) VALUES (?, …), (?, …)` for `rows` rows. */
function multiRowInsert(table: string, columns: string, rows: number): string {
  const one = `(${columns.split(',').map(() => '?').join(', ')})`;
  return `INSERT INTO ${table} (${columns}) VALUES ${Array.from({ length: rows }, () => one).join(', ')}`;
}

/** Writes new applications, their submission events, effects, tasks and figures: numbers per China Standard Time day. */
async function insertApplications(w: Writer, batch: readonly NewApplication[]): Promise<string[]> {
  // First, so that a draft submitted twice at once makes one application: the second finds it gone and writes nothing.
  for (const { alongside } of batch) {
    const draft = alongside?.consumesDraft;
    if (draft && (await w.run(DELETE_DRAFT_SQL, [draft.id, draft.ownerId])) !== 1) throw new OnevisitError('DRAFT.NOT_FOUND');
  }
  const byDay = new Map<string, number[]>();
  batch.forEach(({ row }, i) => {
    const day = chinaDateCompact(row.createdAt);
    byDay.set(day, [...(byDay.get(day) ?? []), i]);
  });
  const numbers: string[] = new Array<string>(batch.length);
  for (const [day, indexes] of byDay) {
    const counter = await w.get<{ value: number | string }>(ADD_TO_COUNTER_SQL, [`application:${day}`, indexes.length]);
    const last = Number(counter!.value);
    indexes.forEach((index, k) => (numbers[index] = applicationNumber(day, last - indexes.length + 1 + k)));
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
  for (const { alongside } of batch) {
    const adopted = alongside?.adoptsFiles;
    if (adopted && adopted.fileIds.length > 0) {
      await w.run(`UPDATE files SET owner_id = ? WHERE owner_id = ? AND id IN (${adopted.fileIds.map(() => '?').join(', ')})`, [adopted.to, adopted.from, ...adopted.fileIds]);
    }
  }
  const codes = batch.flatMap(({ row, alongside }) => (alongside?.checkCode ? [[row.id, alongside.checkCode.salt, alongside.checkCode.hash]] : []));
  if (codes.length) await w.run(multiRowInsert('application_check_codes', CHECK_CODE_COLUMNS, codes.length), codes.flat());
  for (const { row, effects, effectLease, tasks } of batch) {
    await insertEffects(w, effects, row.createdAt, effectLease);
    await insertTasks(w, tasks, row.createdAt);
  }
  await addFigures(w, batch.flatMap((b) => b.figures));
  await appendAudit(w, batch.map((b) => applicationEventAudit(b.event, b.row.status, `${b.row.serviceId}@${b.row.serviceVersion}`))); // last: it holds the audit chain's head
  return numbers;
}
const UPDATE_APPLICATION_SQL =
  'UPDATE applications SET snapshot = ?, state = ?, status = ?, version = ?, updated_at = ?, ' +
  'clock = ?, due_at = ?, blue_at = ?, yellow_at = ?, warning_level = ?, extension_days = ?, sent_back = ? WHERE id = ? AND version = ?';
const INSERT_EVENT_SQL = multiRowInsert('application_events', EVENT_COLUMNS, 1);
const CHECK_CODE_COLUMNS = 'application_id, salt, hash';
const DELETE_DRAFT_SQL = 'DELETE FROM drafts WHERE id = ? AND owner_id = ?';
const INSERT_EFFECT_SQL = "INSERT INTO outbox (id, application_id, seq, effect, status, created_at, lease_owner, lease_until) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)";
const COMPLETE_EFFECT_SQL = "UPDATE outbox SET status = 'done', done_at = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?";


function trackingValues(t: Tracking): unknown[] {
  return [t.clock, t.dueAt, t.blueAt, t.yellowAt, t.warningLevel, t.extensionDays, t.sentBack];
}

export function trackingFromRow(row: Row): Tracking {
  return {
    clock: String(row.clock ?? '{"pauses":[]}'),
    dueAt: (row.due_at as string | null) ?? null,
    blueAt: (row.blue_at as string | null) ?? null,
    yellowAt: (row.yellow_at as string | null) ?? null,
    warningLevel: (row.warning_level as Tracking['warningLevel'] | null) ?? 'none',
    extensionDays: Number(row.extension_days ?? 0),
    sentBack: Boolean(Number(row.sent_back ?? 0)),
  };
}

function eventValues(event: EventRow): unknown[] {
  return [event.applicationId, event.seq, event.type, event.actor.kind, event.actor.id, JSON.stringify(event.payload), event.at];
}

async function insertEffects(w: Writer, effects: readonly OutboxEntry[], at: string, lease?: EffectLease): Promise<void> {
  for (const e of effects) await w.run(INSERT_EFFECT_SQL, [e.id, e.applicationId, e.seq, JSON.stringify(e.effect), at, lease?.owner ?? null, lease?.until ?? null]);
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
    tracking: trackingFromRow(row),
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
