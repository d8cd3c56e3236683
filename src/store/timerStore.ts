/**
 * Timers in the database: what is due when, who holds it, whether it fired — the scheduler's `TimerStore` port
 * (src/scheduler/ports.ts). No in-memory timer holds business state; the scheduler polls this table.
 *
 * Leasing. A timer is claimable while it is pending, due, and `lease_until` is absent or past: `lease_until` is
 * "no one claims it before then". A claim sets the claimant as `lease_owner` with `lease_until = now + leaseMs`;
 * firing and releasing check that the lease is still the caller's, so with several instances each timer is marked
 * fired once. A released timer (its handler failed) keeps `lease_until` at its retry instant, with no owner.
 * The claim is one statement, so it is atomic on both databases; PostgreSQL's `FOR UPDATE SKIP LOCKED` lets
 * concurrent claimers pass each other's rows instead of waiting for them.
 *
 * Instants go in as `Date`s and are stored and returned as ISO 8601 UTC strings (`toISOString()`), whose text
 * order is their time order, so SQL compares them as strings.
 */
import { OnevisitError } from '../domain/errors.js';
import { TimerStatuses, type TimerRow, type TimerStatus, type TimerStore } from '../scheduler/ports.js';
import type { Database } from './database.js';
import { isPostgres } from './database.js';

const MAX_ERROR_LENGTH = 2000;

export function createTimerStore(db: Database): TimerStore {
  const claimSql = isPostgres(db) ? CLAIM_SQL.replace('LIMIT ?)', 'LIMIT ? FOR UPDATE SKIP LOCKED)') : CLAIM_SQL;
  const rowsOf = (result: unknown): Row[] => (isPostgres(db) ? (result as { rows: Row[] }).rows : (result as Row[]));

  return {
    async schedule(timer) {
      const result = await db.raw(SCHEDULE_SQL, [
        timer.id,
        timer.applicationId,
        timer.kind,
        isoOf(timer.dueAt, 'dueAt'),
        JSON.stringify(timer.payload ?? {}),
        isoOf(timer.createdAt, 'createdAt'),
      ]);
      return rowsOf(result).length === 1;
    },

    async claimDue(owner, now, leaseMs, limit) {
      const at = isoOf(now, 'now');
      const leaseUntil = isoOf(new Date(now.getTime() + leaseMs), 'lease end');
      const result = await db.raw(claimSql, [owner, leaseUntil, at, at, limit]);
      return rowsOf(result)
        .map(timerFromRow)
        .sort((a, b) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : a.id < b.id ? -1 : 1));
    },

    async markFired(id, owner, at) {
      const changed = await db('timers')
        .where({ id, status: TimerStatuses.pending, lease_owner: owner })
        .update({ status: TimerStatuses.fired, fired_at: isoOf(at, 'at'), lease_until: null });
      return changed === 1;
    },

    async release(id, owner, failure) {
      const changed = await db('timers')
        .where({ id, status: TimerStatuses.pending, lease_owner: owner })
        .update({
          lease_owner: null,
          lease_until: isoOf(failure.retryAt, 'retryAt'),
          attempts: db.raw('attempts + 1'),
          last_error: failure.error.slice(0, MAX_ERROR_LENGTH),
        });
      return changed === 1;
    },

    async listForApplication(applicationId) {
      const rows = await db('timers').where({ application_id: applicationId }).orderBy([{ column: 'due_at' }, { column: 'id' }]);
      return rows.map(timerFromRow);
    },
  };
}

type Row = Record<string, unknown>;

const SCHEDULE_SQL =
  "INSERT INTO timers (id, application_id, kind, due_at, payload, status, created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?) " +
  'ON CONFLICT (id) DO NOTHING RETURNING id';

/** PostgreSQL adds `FOR UPDATE SKIP LOCKED` to the inner select. */
const CLAIM_SQL =
  'UPDATE timers SET lease_owner = ?, lease_until = ? WHERE id IN (' +
  "SELECT id FROM timers WHERE status = 'pending' AND due_at <= ? AND (lease_until IS NULL OR lease_until < ?) ORDER BY due_at, id LIMIT ?" +
  ') RETURNING *';

function isoOf(instant: Date, what: string): string {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) throw new OnevisitError('INPUT.INVALID', `${what} must be a valid Date`);
  return instant.toISOString();
}

const optional = (value: unknown): string | undefined => (value === null || value === undefined ? undefined : String(value));

function timerFromRow(row: Row): TimerRow {
  const timer: TimerRow = {
    id: String(row.id),
    applicationId: String(row.application_id),
    kind: String(row.kind),
    dueAt: String(row.due_at),
    payload: JSON.parse(String(row.payload)) as Record<string, unknown>,
    status: row.status as TimerStatus,
    attempts: Number(row.attempts ?? 0),
    createdAt: String(row.created_at),
  };
  const leaseOwner = optional(row.lease_owner);
  const leaseUntil = optional(row.lease_until);
  const firedAt = optional(row.fired_at);
  const lastError = optional(row.last_error);
  if (leaseOwner !== undefined) timer.leaseOwner = leaseOwner;
  if (leaseUntil !== undefined) timer.leaseUntil = leaseUntil;
  if (firedAt !== undefined) timer.firedAt = firedAt;
  if (lastError !== undefined) timer.lastError = lastError;
  return timer;
}
