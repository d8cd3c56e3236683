/**
 * The outbox for admins: the effects that gave up (or are still waiting to be carried out), and a retry that
 * puts a failed one back to work once its cause is fixed. An effect names its application by id only.
 */
import { OnevisitError } from '../domain/errors.js';
import { EffectStatuses, type EffectStatus, type OutboxRow } from '../runtime/ports.js';
import type { EffectOutbox } from '../store/outboxStore.js';
import { requireCapability, type Subject } from '../identity/policy.js';
import { checkInput } from './input.js';
import { effectRetryAudit } from './workAudit.js';

export interface EffectDeps {
  outbox: Pick<EffectOutbox, 'get' | 'list' | 'retry'>;
  now: () => Date;
}

/** One effect as admins see it. */
export interface EffectView {
  id: string;
  applicationId: string;
  seq: number;
  effect: OutboxRow['effect'];
  status: EffectStatus;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  /** When it was given up on (failed effects). */
  failedAt: string | null;
  /** Held until, or not retried before (pending effects). */
  leaseUntil: string | null;
}

interface EffectFilters {
  status?: 'failed' | 'pending';
  limit?: number;
  offset?: number;
}

const DEFAULT_LIMIT = 50;

export function createEffectUseCases({ outbox, now }: EffectDeps) {
  return {
    /** Failed effects (or pending ones with `status=pending`), oldest first. */
    async list(subject: Subject, query: unknown): Promise<EffectView[]> {
      requireCapability(subject, 'effect.list');
      const filters = checkInput<EffectFilters>('EffectFilters', coerceQuery(query));
      const rows = await outbox.list(filters.status ?? EffectStatuses.failed, filters.limit ?? DEFAULT_LIMIT, filters.offset ?? 0);
      return rows.map(viewOf);
    },

    /** A failed effect back to pending, due at once with its attempts reset. */
    async retry(subject: Subject, id: string): Promise<EffectView> {
      requireCapability(subject, 'effect.retry');
      const failed = await outbox.get(id);
      if (!failed) throw notFound(id);
      const at = now();
      const retried = await outbox.retry(id, at, effectRetryAudit(subject, failed, at));
      const row = await outbox.get(id);
      if (!row) throw notFound(id);
      if (!retried) throw new OnevisitError('EFFECT.NOT_FAILED', `effect ${id} is ${row.status}, not failed`, { details: { effectStatus: row.status } });
      return viewOf(row);
    },
  };
}

export type EffectUseCases = ReturnType<typeof createEffectUseCases>;

function viewOf(row: OutboxRow & { failedAt?: string | null }): EffectView {
  return {
    id: row.id,
    applicationId: row.applicationId,
    seq: row.seq,
    effect: row.effect,
    status: row.status,
    attempts: row.attempts,
    lastError: row.lastError,
    createdAt: row.createdAt,
    failedAt: row.failedAt ?? null,
    leaseUntil: row.leaseUntil,
  };
}

function notFound(id: string): OnevisitError {
  return new OnevisitError('EFFECT.NOT_FOUND', `no effect ${id}`);
}

/** Query strings arrive as text; numbers are turned into numbers before the schema check. */
function coerceQuery(query: unknown): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    result[key] = (key === 'limit' || key === 'offset') && typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value;
  }
  return result;
}
