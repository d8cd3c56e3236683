/**
 * Reads over applications: an applicant's own list, the clerk queue and claims (over `open_tasks`), ratings,
 * and the dashboard's figures. Nothing here scans the history: the queue reads the small task table through
 * its indexes, and the figures are sums of per-day counters.
 */
import type { Knex } from 'knex';
import type { AuditEntry } from '../domain/audit.js';
import type { WarningLevel } from '../domain/calendar.js';
import { OpenStatuses, type ApplicationStatus, type QueueSort, type QueueStage } from '../domain/vocabulary.js';
import type { TaskKind, TaskParty } from '../definitions/index.js';
import type { FigureDelta, FigureName, TaskRow, Tracking } from '../runtime/ports.js';
import type { Database } from './database.js';
import { appendAudit } from './audit.js';
import { trackingFromRow } from './applicationStore.js';
import { addFigures } from './figures.js';
import { writeTransaction } from './writeTransaction.js';

export interface ApplicationSummaryRow {
  id: string;
  number: string;
  serviceId: string;
  serviceVersion: number;
  applicantId: string;
  status: ApplicationStatus;
  tracking: Tracking;
  createdAt: string;
  updatedAt: string;
}

/** A row of `open_tasks` as read back: the projection's columns, when the task opened, and its claim. */
export interface TaskSummaryRow extends TaskRow {
  openedAt: string;
  claimedBy: string | null;
  claimedAt: string | null;
  /** The name on the claiming clerk's account (read with the row, never one lookup per row). */
  claimedByName: string | null;
  /** The task went from a clerk to the applicant since it opened; a clerk's again, it holds their answer. */
  returned: boolean;
}

export interface QueueItemRow extends TaskSummaryRow {
  number: string;
  serviceId: string;
  serviceVersion: number;
  /** Whether the application was ever sent back to the applicant (a supplement requested, a matter returned). */
  sentBack: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface ListFilters {
  status?: ApplicationStatus;
  warning?: WarningLevel;
  limit?: number;
  offset?: number;
}

export interface QueueFilters extends ListFilters {
  /** The departments whose open work is listed (the clerk's, or the one they filtered on). */
  departments: readonly string[];
  kind?: TaskKind;
  party?: TaskParty;
  /** Only tasks this clerk holds (`claimedBy`), or only those nobody holds (`null`). */
  claimedBy?: string | null;
  /** One stage of the queue (see QueueStages). */
  stage?: QueueStage;
  serviceId?: string;
  /** The nearest deadline first (default), or the latest submission first. */
  sort?: QueueSort;
  now: Date;
}

/** The period the figures are summed over: China Standard Time days, both ends included. */
export interface FigurePeriod {
  from?: string;
  to?: string;
}

const CLAIM_FREE_SQL = "UPDATE open_tasks SET claimed_by = ?, claimed_at = ? WHERE application_id = ? AND task = ? AND party = 'clerk' AND claimed_by IS NULL";
const CLAIM_AGAIN_SQL = "UPDATE open_tasks SET claimed_at = ? WHERE application_id = ? AND task = ? AND party = 'clerk' AND claimed_by = ?";
const CLAIM_HOLDER_SQL = "SELECT claimed_by FROM open_tasks WHERE application_id = ? AND task = ? AND party = 'clerk'";
const CLOSE_TASK_SQL = 'DELETE FROM open_tasks WHERE application_id = ? AND task = ?';
const RELEASE_SQL = 'UPDATE open_tasks SET claimed_by = NULL, claimed_at = NULL WHERE application_id = ? AND task = ? AND claimed_by = ?';

const SUMMARY_COLUMNS = ['id', 'number', 'service_id', 'service_version', 'applicant_id', 'status', 'clock', 'due_at', 'blue_at', 'yellow_at', 'warning_level', 'extension_days', 'sent_back', 'created_at', 'updated_at'];

export function createApplicationQueries(db: Database) {
  return {
    /** The applications of one applicant, or of several ids one person applies under (an account, a counter's record of them). */
    async listForApplicant(applicantIds: string | readonly string[], filters: ListFilters & { now: Date }): Promise<ApplicationSummaryRow[]> {
      const ids = typeof applicantIds === 'string' ? [applicantIds] : [...applicantIds];
      const query = db('applications').select(SUMMARY_COLUMNS).whereIn('applicant_id', ids);
      if (filters.status) query.where({ status: filters.status });
      if (filters.warning) whereWarning(query, '', filters.warning, filters.now.toISOString());
      return (await query.orderBy('created_at', 'desc').limit(filters.limit ?? 50).offset(filters.offset ?? 0)).map(summaryFromRow);
    },

    /** The open tasks of the departments, the nearest deadline first; tasks without one last. */
    async queue(filters: QueueFilters): Promise<QueueItemRow[]> {
      if (filters.departments.length === 0) return [];
      const query = db('open_tasks as t')
        .join('applications as a', 'a.id', 't.application_id')
        .leftJoin('users as u', 'u.id', 't.claimed_by')
        .select('t.*', 'a.number', 'a.service_id', 'a.service_version', 'a.sent_back', 'a.created_at', 'a.updated_at', 'u.name as claimed_by_name')
        .whereIn('t.department', [...filters.departments]);
      if (filters.status) query.where('t.status', filters.status);
      if (filters.kind) query.where('t.kind', filters.kind);
      if (filters.party) query.where('t.party', filters.party);
      if (filters.claimedBy !== undefined) {
        if (filters.claimedBy === null) query.whereNull('t.claimed_by');
        else query.where('t.claimed_by', filters.claimedBy);
      }
      if (filters.warning) whereWarning(query, 't.', filters.warning, filters.now.toISOString());
      if (filters.serviceId) query.where('a.service_id', filters.serviceId);
      if (filters.stage) whereStage(query, filters.stage);
      if (filters.sort === 'submitted') query.orderBy([{ column: 'a.created_at', order: 'desc' }, { column: 't.application_id' }, { column: 't.task' }]);
      else query.orderBy([{ column: 't.due_sort' }, { column: 't.application_id' }, { column: 't.task' }]);
      const rows = await query.limit(filters.limit ?? 50).offset(filters.offset ?? 0);
      return rows.map((r: Record<string, unknown>) => ({
        ...taskFromRow(r),
        number: String(r.number),
        serviceId: String(r.service_id),
        serviceVersion: Number(r.service_version),
        sentBack: Boolean(r.sent_back),
        createdAt: String(r.created_at),
        updatedAt: String(r.updated_at),
      }));
    },

    /** The application's open tasks with who holds them. */
    async tasksOf(applicationId: string): Promise<TaskSummaryRow[]> {
      return (await db('open_tasks as t').leftJoin('users as u', 'u.id', 't.claimed_by').select('t.*', 'u.name as claimed_by_name').where('t.application_id', applicationId).orderBy('t.task')).map(taskFromRow);
    },

    /**
     * Takes the task for the clerk unless another clerk holds it: conditional UPDATEs, decided on the row as it is
     * now. Resolves to the clerk who holds it afterwards, or undefined when the task is not open (any more).
     * `audit` is appended in the same transaction when the task was nobody's and is now the clerk's (taking one's
     * own task again only moves its `claimed_at`).
     */
    async claim(applicationId: string, task: string, clerkId: string, at: string, audit?: AuditEntry): Promise<string | undefined> {
      return writeTransaction(db, async (w) => {
        if ((await w.run(CLAIM_FREE_SQL, [clerkId, at, applicationId, task])) === 1) {
          if (audit) await appendAudit(w, [audit]);
          return clerkId;
        }
        if ((await w.run(CLAIM_AGAIN_SQL, [at, applicationId, task, clerkId])) === 1) return clerkId;
        const row = await w.get<{ claimed_by: string | null }>(CLAIM_HOLDER_SQL, [applicationId, task]);
        return row?.claimed_by ? String(row.claimed_by) : undefined;
      });
    },

    /**
     * Closes a task that no transition closes (a post-check); false when it was not open. `audit` is appended in
     * the same transaction when it was.
     */
    async closeTask(applicationId: string, task: string, audit?: AuditEntry): Promise<boolean> {
      return writeTransaction(db, async (w) => {
        if ((await w.run(CLOSE_TASK_SQL, [applicationId, task])) !== 1) return false;
        if (audit) await appendAudit(w, [audit]);
        return true;
      });
    },

    /** Releases the clerk's own claim; false when they did not hold it. `audit` is appended in the same transaction when they did. */
    async release(applicationId: string, task: string, clerkId: string, audit?: AuditEntry): Promise<boolean> {
      return writeTransaction(db, async (w) => {
        if ((await w.run(RELEASE_SQL, [applicationId, task, clerkId])) !== 1) return false;
        if (audit) await appendAudit(w, [audit]);
        return true;
      });
    },

    /** Records the rating with its figures (and `audit`, last) in one transaction; false when the application was rated already. */
    async rate(applicationId: string, score: number, comment: string | undefined, at: string, figures: readonly FigureDelta[], audit?: AuditEntry): Promise<boolean> {
      try {
        await writeTransaction(db, async (w) => {
          await w.run('INSERT INTO ratings (application_id, score, comment, rated_at) VALUES (?, ?, ?, ?)', [applicationId, score, comment ?? null, at]);
          await addFigures(w, figures);
          if (audit) await appendAudit(w, [audit]);
        });
        return true;
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },

    async ratingOf(applicationId: string): Promise<{ score: number; comment: string | null; ratedAt: string } | undefined> {
      const row = await db('ratings').where({ application_id: applicationId }).first();
      return row ? { score: Number(row.score), comment: (row.comment as string | null) ?? null, ratedAt: String(row.rated_at) } : undefined;
    },

    /**
     * The figures of the period: totals, per service, and submissions and completions per day. Three sums over the
     * small per-day table (days × services × names rows), grouped in SQL so only the answers travel.
     */
    async figures(period: FigurePeriod): Promise<{ totals: Partial<Record<FigureName, number>>; byService: Record<string, Partial<Record<FigureName, number>>>; byDay: Record<string, Partial<Record<FigureName, number>>> }> {
      const sum = (groups: string[], names?: FigureName[]) => {
        const query = db('figures').select(...groups, 'name').sum({ value: 'value' }).groupBy(...groups, 'name');
        if (period.from) query.where('day', '>=', period.from);
        if (period.to) query.where('day', '<=', period.to);
        if (names) query.whereIn('name', names);
        return query as Promise<Record<string, unknown>[]>;
      };
      const [totalRows, serviceRows, dayRows] = await Promise.all([sum([]), sum(['service_id']), sum(['day'], ['submitted', 'completed'])]);
      const into = (target: Partial<Record<FigureName, number>>, r: Record<string, unknown>) => (target[r.name as FigureName] = Number(r.value));
      const totals: Partial<Record<FigureName, number>> = {};
      const byService: Record<string, Partial<Record<FigureName, number>>> = {};
      const byDay: Record<string, Partial<Record<FigureName, number>>> = {};
      for (const r of totalRows) into(totals, r);
      for (const r of serviceRows) into((byService[String(r.service_id)] ??= {}), r);
      for (const r of dayRows) into((byDay[String(r.day)] ??= {}), r);
      return { totals, byService, byDay };
    },

    /** Applications in progress now, by status and by warning level (an indexed range over the open statuses). */
    async inProgress(now: Date): Promise<{ byStatus: Partial<Record<ApplicationStatus, number>>; warnings: Record<WarningLevel, number> }> {
      const rows = await db('applications').select('status').select(db.raw(`${levelSql('')} AS level`, levelBindings(now))).count({ n: '*' }).whereIn('status', [...OpenStatuses]).groupBy('status', 'level');
      const byStatus: Partial<Record<ApplicationStatus, number>> = {};
      const warnings: Record<WarningLevel, number> = { none: 0, blue: 0, yellow: 0, red: 0 };
      for (const r of rows as Record<string, unknown>[]) {
        const status = r.status as ApplicationStatus;
        byStatus[status] = (byStatus[status] ?? 0) + Number(r.n);
        warnings[r.level as WarningLevel] += Number(r.n);
      }
      return { byStatus, warnings };
    },

    /** Effects waiting to be carried out, and those given up on (an indexed count: done ones are never counted). */
    async effectsWaiting(): Promise<{ pending: number; failed: number }> {
      const rows = (await db('outbox').select('status').count({ n: '*' }).whereIn('status', ['pending', 'failed']).groupBy('status')) as Record<string, unknown>[];
      const n = (status: string) => Number(rows.find((r) => r.status === status)?.n ?? 0);
      return { pending: n('pending'), failed: n('failed') };
    },

    /** Open tasks per department, by warning level and by who acts (the clerks, or the applicant). */
    async tasksByDepartment(now: Date): Promise<Record<string, { warnings: Record<WarningLevel, number>; clerk: number; applicant: number; claimed: number }>> {
      const rows = await db('open_tasks')
        .select('department', 'party')
        .select(db.raw(`${levelSql('')} AS level`, levelBindings(now)))
        .count({ n: '*' })
        .count({ claimed: 'claimed_by' })
        .groupBy('department', 'party', 'level');
      const result: Record<string, { warnings: Record<WarningLevel, number>; clerk: number; applicant: number; claimed: number }> = {};
      for (const r of rows as Record<string, unknown>[]) {
        const d = (result[String(r.department)] ??= { warnings: { none: 0, blue: 0, yellow: 0, red: 0 }, clerk: 0, applicant: 0, claimed: 0 });
        const n = Number(r.n);
        d.warnings[r.level as WarningLevel] += n;
        d[r.party as TaskParty] += n;
        d.claimed += Number(r.claimed);
      }
      return result;
    },
  };
}

export type ApplicationQueries = ReturnType<typeof createApplicationQueries>;

/**
 * The SQL twin of runtime/tracking.ts `warningLevelAt`: the same comparisons with the same instants (ISO
 * strings, whose text order is their time order). `prefix` names the table (`t.`) or nothing.
 */
function levelSql(prefix: string): string {
  const c = (name: string) => `${prefix}${name}`;
  return `CASE WHEN ${c('due_at')} IS NULL THEN ${c('warning_level')} WHEN ${c('due_at')} < ? THEN 'red' WHEN ${c('yellow_at')} <= ? THEN 'yellow' WHEN ${c('blue_at')} <= ? THEN 'blue' ELSE 'none' END`;
}

function levelBindings(now: Date): string[] {
  const at = now.toISOString();
  return [at, at, at];
}

function whereWarning(query: Knex.QueryBuilder, prefix: string, level: WarningLevel, now: string): void {
  const c = (name: string) => `${prefix}${name}`;
  query.where((q) => {
    q.where((frozen) => frozen.whereNull(c('due_at')).andWhere(c('warning_level'), level));
    if (level === 'red') q.orWhere((r) => r.whereNotNull(c('due_at')).andWhere(c('due_at'), '<', now));
    if (level === 'yellow') q.orWhere((r) => r.where(c('due_at'), '>=', now).andWhere(c('yellow_at'), '<=', now));
    if (level === 'blue') q.orWhere((r) => r.where(c('yellow_at'), '>', now).andWhere(c('blue_at'), '<=', now));
    if (level === 'none') q.orWhere((r) => r.where(c('blue_at'), '>', now));
  });
}

/**
 * A stage of the queue: intake tasks at the window; the applicant's turn (a supplement, owed materials) or their
 * answer back with the clerk (an intake or a matter returned once, open again at the window or the department);
 * the departments' own work.
 */
function whereStage(query: Knex.QueryBuilder, stage: QueueStage): void {
  switch (stage) {
    case 'accept':
      query.where({ 't.kind': 'intake', 't.party': 'clerk' });
      break;
    case 'supplements':
      query.where((q) => q.where('t.party', 'applicant').whereIn('t.kind', ['supplement', 'materials']).orWhere((back) => back.where({ 't.party': 'clerk', 't.returned': true })));
      break;
    case 'review':
      query.where('t.party', 'clerk').whereNot('t.kind', 'intake');
      break;
  }
}

export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === '23505' || (code === 'SQLITE_CONSTRAINT' && /UNIQUE|PRIMARY KEY/i.test(String((error as Error).message)));
}

function summaryFromRow(row: Record<string, unknown>): ApplicationSummaryRow {
  return {
    id: String(row.id),
    number: String(row.number),
    serviceId: String(row.service_id),
    serviceVersion: Number(row.service_version),
    applicantId: String(row.applicant_id),
    status: row.status as ApplicationStatus,
    tracking: trackingFromRow(row),
    createdAt: String(row.created_at),
    updatedAt: String(row.updated_at),
  };
}

function taskFromRow(r: Record<string, unknown>): TaskSummaryRow {
  const optional = (v: unknown) => (v === null || v === undefined ? null : String(v));
  return {
    applicationId: String(r.application_id),
    task: String(r.task),
    kind: r.kind as TaskKind,
    party: r.party as TaskParty,
    department: String(r.department),
    matter: optional(r.matter),
    status: r.status as ApplicationStatus,
    dueAt: optional(r.due_at),
    blueAt: optional(r.blue_at),
    yellowAt: optional(r.yellow_at),
    warningLevel: r.warning_level as WarningLevel,
    openedAt: String(r.opened_at),
    claimedBy: optional(r.claimed_by),
    claimedAt: optional(r.claimed_at),
    claimedByName: optional(r.claimed_by_name),
    returned: Boolean(Number(r.returned)),
  };
}
