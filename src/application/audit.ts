/**
 * The audit trail for admins: its rows newest first, filtered by subject, actor, kind and period, paged by
 * limit/offset or by seq cursors. Whether the chain is whole is `onevisit audit verify`'s (src/store/audit.ts).
 */
import type { AuditRecord } from '../domain/audit.js';
import { OnevisitError } from '../domain/errors.js';
import { startOfChinaDay } from '../domain/time.js';
import { requireCapability, type Subject } from '../identity/policy.js';
import type { AuditFilters, AuditStore } from '../store/audit.js';
import { checkInput } from './input.js';

export interface AuditDeps {
  audit: Pick<AuditStore, 'list'>;
}

interface AuditQuery extends Omit<AuditFilters, 'limit'> {
  limit?: number;
}

const DEFAULT_LIMIT = 100;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

export function createAuditUseCases({ audit }: AuditDeps) {
  return {
    /** `from` / `to` are China Standard Time days (the whole day) or instants, both inclusive. */
    async list(subject: Subject, query: unknown): Promise<AuditRecord[]> {
      requireCapability(subject, 'audit.read');
      const filters = checkInput<AuditQuery>('AuditFilters', coerceQuery(query));
      const from = filters.from === undefined ? undefined : DAY.test(filters.from) ? startOfChinaDay(filters.from) : new Date(filters.from);
      const to = filters.to === undefined ? undefined : DAY.test(filters.to) ? new Date(startOfChinaDay(filters.to).getTime() + DAY_MS - 1) : new Date(filters.to);
      if (from && to && from > to) {
        throw new OnevisitError('INPUT.INVALID', 'the period ends before it begins', { errors: [{ path: '/to', code: 'INPUT.RANGE', message: `must not be before ${filters.from}` }] });
      }
      return audit.list({
        ...filters,
        ...(from ? { from: from.toISOString() } : {}),
        ...(to ? { to: to.toISOString() } : {}),
        limit: filters.limit ?? DEFAULT_LIMIT,
      });
    },
  };
}

export type AuditUseCases = ReturnType<typeof createAuditUseCases>;

const NUMBERS = new Set(['limit', 'offset', 'afterSeq', 'beforeSeq']);

/** Query strings arrive as text; numbers are turned into numbers before the schema check. */
function coerceQuery(query: unknown): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    result[key] = NUMBERS.has(key) && typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value;
  }
  return result;
}
