/** Lists over applications (an applicant's own, a clerk's queue), task claims and ratings. */
import type { Knex } from 'knex';
import type { WarningLevel } from '../domain/calendar.js';
import type { ApplicationStatus } from '../domain/vocabulary.js';
import type { Tracking } from '../runtime/ports.js';
import type { Database } from './database.js';
import { trackingFromRow } from './applicationStore.js';

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

export interface ListFilters {
  status?: ApplicationStatus;
  warning?: WarningLevel;
  limit?: number;
  offset?: number;
}

export interface QueueFilters extends ListFilters {
  /** The departments whose open work is listed (the clerk's, or the one they filtered on). */
  departments: readonly string[];
  now: Date;
}

const SUMMARY_COLUMNS = [
  'id', 'number', 'service_id', 'service_version', 'applicant_id', 'status', 'clock', 'due_at', 'blue_at', 'yellow_at', 'warning_level', 'open_departments', 'created_at', 'updated_at',
];

export function createApplicationQueries(db: Database) {
  return {
    async listForApplicant(applicantId: string, filters: ListFilters & { now: Date }): Promise<ApplicationSummaryRow[]> {
      const query = db('applications').select(SUMMARY_COLUMNS).where({ applicant_id: applicantId });
      applyFilters(query, filters);
      return (await query.orderBy('created_at', 'desc').limit(filters.limit ?? 50).offset(filters.offset ?? 0)).map(summaryFromRow);
    },

    /** Work the departments can do now, the nearest deadline first; applications without one last. */
    async queue(filters: QueueFilters): Promise<ApplicationSummaryRow[]> {
      if (filters.departments.length === 0) return [];
      const query = db('applications')
        .select(SUMMARY_COLUMNS)
        .where((q) => {
          for (const d of filters.departments) q.orWhere('open_departments', 'like', `%|${escapeLike(d)}|%`);
        });
      applyFilters(query, filters);
      query.orderByRaw('CASE WHEN due_at IS NULL THEN 1 ELSE 0 END').orderBy([{ column: 'due_at' }, { column: 'created_at' }]);
      return (await query.limit(filters.limit ?? 50).offset(filters.offset ?? 0)).map(summaryFromRow);
    },

    async claimsFor(applicationId: string): Promise<{ task: string; clerkId: string; claimedAt: string }[]> {
      const rows = await db('task_claims').where({ application_id: applicationId }).orderBy('task');
      return rows.map((r) => ({ task: String(r.task), clerkId: String(r.clerk_id), claimedAt: String(r.claimed_at) }));
    },

    /** Takes the task unless another clerk holds it; returns the clerk who holds it afterwards. */
    async claim(applicationId: string, task: string, clerkId: string, at: string): Promise<string> {
      await db('task_claims').insert({ application_id: applicationId, task, clerk_id: clerkId, claimed_at: at }).onConflict(['application_id', 'task']).ignore();
      const row = await db('task_claims').where({ application_id: applicationId, task }).first();
      return String(row!.clerk_id);
    },

    /** Releases the clerk's own claim; false when they did not hold it. */
    async release(applicationId: string, task: string, clerkId: string): Promise<boolean> {
      return (await db('task_claims').where({ application_id: applicationId, task, clerk_id: clerkId }).delete()) === 1;
    },

    /** Records the rating; false when the application was rated already. */
    async rate(applicationId: string, score: number, comment: string | undefined, at: string): Promise<boolean> {
      try {
        await db('ratings').insert({ application_id: applicationId, score, comment: comment ?? null, rated_at: at });
        return true;
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },

    /** What the dashboard is computed from: every application's status and tracking, who was sent back, the scores. */
    async metricsData() {
      const rows = (await db('applications').select('id', 'service_id', 'status', 'due_at', 'blue_at', 'yellow_at', 'warning_level', 'open_departments', 'clock', 'snapshot')).map((r) => ({
        materialSources: Object.values(((JSON.parse(String(r.snapshot)) as { context?: { materials?: Record<string, { source: string }> } }).context?.materials ?? {})).map((m) => m.source),
        id: String(r.id),
        serviceId: String(r.service_id),
        status: r.status as ApplicationStatus,
        tracking: trackingFromRow(r),
      }));
      const returned = new Set(
        (await db('application_events').distinct('application_id').whereIn('type', ['REQUEST_SUPPLEMENT', 'RETURN'])).map((r) => String(r.application_id)),
      );
      const scores = (await db('ratings').select('score')).map((r) => Number(r.score));
      return { rows, returned, scores };
    },

    async ratingOf(applicationId: string): Promise<{ score: number; comment: string | null; ratedAt: string } | undefined> {
      const row = await db('ratings').where({ application_id: applicationId }).first();
      return row ? { score: Number(row.score), comment: (row.comment as string | null) ?? null, ratedAt: String(row.rated_at) } : undefined;
    },
  };
}

export type ApplicationQueries = ReturnType<typeof createApplicationQueries>;

function applyFilters(query: Knex.QueryBuilder, filters: ListFilters & { now?: Date }): void {
  if (filters.status) query.where({ status: filters.status });
  if (filters.warning && filters.now) whereWarning(query, filters.warning, filters.now.toISOString());
}

/** The SQL twin of runtime/tracking.ts `warningLevelAt`: the same comparisons with the same instants. */
function whereWarning(query: Knex.QueryBuilder, level: WarningLevel, now: string): void {
  query.where((q) => {
    q.where((frozen) => frozen.whereNull('due_at').andWhere('warning_level', level));
    if (level === 'red') q.orWhere((r) => r.whereNotNull('due_at').andWhere('due_at', '<', now));
    if (level === 'yellow') q.orWhere((r) => r.where('due_at', '>=', now).andWhere('yellow_at', '<=', now));
    if (level === 'blue') q.orWhere((r) => r.where('yellow_at', '>', now).andWhere('blue_at', '<=', now));
    if (level === 'none') q.orWhere((r) => r.where('blue_at', '>', now));
  });
}

export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === '23505' || (code === 'SQLITE_CONSTRAINT' && /UNIQUE|PRIMARY KEY/i.test(String((error as Error).message)));
}

function escapeLike(value: string): string {
  return value.replace(/[%_|\\]/g, '');
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
