/**
 * The outbox seen by whoever carries effects out (the runtime's `OutboxStore` port): the effects a transition
 * recorded, leased like timers (src/store/timerStore.ts), retried with a delay, given up on after a cap.
 *
 * Leasing. A pending effect is claimable when `lease_until` is absent or not after now: `lease_until` is "no
 * one claims it before then". A claim sets the claimant as `lease_owner` with `lease_until = now + leaseMs` in
 * one statement, so it is atomic on both databases; PostgreSQL's `FOR UPDATE SKIP LOCKED` lets concurrent
 * claimers pass each other's rows instead of waiting for them. The engine inserts the effects of a commit
 * already leased to the committing instance, which runs them at once; if that instance dies, its lease runs
 * out and any instance's worker takes them. A failed attempt gives the effect back with no owner and
 * `lease_until` at its retry instant; the last one allowed marks it `failed` (an admin may `retry` it).
 *
 * Instants go in as `Date`s and are stored and returned as ISO 8601 UTC strings, whose text order is their
 * time order, so SQL compares them as strings.
 */
import type { AuditEntry } from '../domain/audit.js';
import { OnevisitError } from '../domain/errors.js';
import { EffectStatuses, type EffectStatus, type OutboxRow, type OutboxStore } from '../runtime/ports.js';
import { appendAudit } from './audit.js';
import type { Database } from './database.js';
import { isPostgres } from './database.js';
import { writeTransaction } from './writeTransaction.js';

/** An outbox row with the instant it was given up on (what admins see beside the port's row). */
export interface StoredEffect extends OutboxRow {
  failedAt: string | null;
}

/** The port, with `get` and `list` answering `failedAt` too, and an admin's retry recorded with it. */
export interface EffectOutbox extends OutboxStore {
  claimDue(owner: string, now: Date, leaseMs: number, limit: number): Promise<StoredEffect[]>;
  get(id: string): Promise<StoredEffect | undefined>;
  list(status: EffectStatus, limit: number, offset: number): Promise<StoredEffect[]>;
  /** As the port's; `audit` (who retried it) is appended in the same transaction when the effect was failed. */
  retry(id: string, at: Date, audit?: AuditEntry): Promise<boolean>;
}

const MAX_ERROR_LENGTH = 2000;

export function createOutboxStore(db: Database): EffectOutbox {
  const claimSql = isPostgres(db) ? CLAIM_SQL.replace('LIMIT ?)', 'LIMIT ? FOR UPDATE SKIP LOCKED)') : CLAIM_SQL;
  const rowsOf = (result: unknown): Row[] => (isPostgres(db) ? (result as { rows: Row[] }).rows : (result as Row[]));

  return {
    async claimDue(owner, now, leaseMs, limit) {
      if (!owner) throw new OnevisitError('INPUT.INVALID', 'a claim needs an owner name');
      const at = isoOf(now, 'now');
      const leaseUntil = isoOf(new Date(now.getTime() + leaseMs), 'lease end');
      const result = await db.raw(claimSql, [owner, leaseUntil, at, limit]);
      return rowsOf(result)
        .map(effectFromRow)
        .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },

    async get(id) {
      const row = await db('outbox').where({ id }).first();
      return row ? effectFromRow(row) : undefined;
    },

    async complete(id, at) {
      await db('outbox')
        .where({ id })
        .whereNot({ status: EffectStatuses.done })
        .update({ status: EffectStatuses.done, done_at: isoOf(at, 'at'), lease_owner: null, lease_until: null });
    },

    async fail(id, error, retryAt, at) {
      const common = { attempts: db.raw('attempts + 1'), last_error: error.slice(0, MAX_ERROR_LENGTH), lease_owner: null };
      const changes =
        retryAt === null
          ? { ...common, status: EffectStatuses.failed, failed_at: isoOf(at, 'at'), lease_until: null }
          : { ...common, lease_until: isoOf(retryAt, 'retryAt') };
      // Only a pending effect counts an attempt: one done meanwhile (by another instance) stays done.
      await db('outbox').where({ id, status: EffectStatuses.pending }).update(changes);
    },

    async list(status, limit, offset) {
      const rows = await db('outbox')
        .where({ status })
        .orderBy([{ column: 'created_at' }, { column: 'id' }])
        .limit(limit)
        .offset(offset);
      return rows.map(effectFromRow);
    },

    async retry(id, at, audit) {
      isoOf(at, 'at');
      return writeTransaction(db, async (w) => {
        if ((await w.run(RETRY_SQL, [EffectStatuses.pending, id, EffectStatuses.failed])) !== 1) return false;
        if (audit) await appendAudit(w, [audit]);
        return true;
      });
    },

    async counts() {
      const rows = (await db('outbox').select('status').count({ n: '*' }).groupBy('status')) as { status: string; n: number | string }[];
      const counts: Record<EffectStatus, number> = { pending: 0, done: 0, failed: 0 };
      for (const row of rows) if (Object.prototype.hasOwnProperty.call(counts, row.status)) counts[row.status as EffectStatus] = Number(row.n);
      return counts;
    },
  };
}

type Row = Record<string, unknown>;

const RETRY_SQL = 'UPDATE outbox SET status = ?, attempts = 0, lease_owner = NULL, lease_until = NULL, failed_at = NULL WHERE id = ? AND status = ?';
/** PostgreSQL adds `FOR UPDATE SKIP LOCKED` to the inner select. */
const CLAIM_SQL =
  'UPDATE outbox SET lease_owner = ?, lease_until = ? WHERE id IN (' +
  "SELECT id FROM outbox WHERE status = 'pending' AND (lease_until IS NULL OR lease_until <= ?) ORDER BY created_at, id LIMIT ?" +
  ') RETURNING *';

function isoOf(instant: Date, what: string): string {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) throw new OnevisitError('INPUT.INVALID', `${what} must be a valid Date`);
  return instant.toISOString();
}

const nullable = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

function effectFromRow(row: Row): StoredEffect {
  return {
    id: String(row.id),
    applicationId: String(row.application_id),
    seq: Number(row.seq),
    effect: JSON.parse(String(row.effect)) as OutboxRow['effect'],
    status: row.status as EffectStatus,
    attempts: Number(row.attempts ?? 0),
    lastError: nullable(row.last_error),
    createdAt: String(row.created_at),
    doneAt: nullable(row.done_at),
    leaseOwner: nullable(row.lease_owner),
    leaseUntil: nullable(row.lease_until),
    failedAt: nullable(row.failed_at),
  };
}
