/**
 * What the scheduler needs from storage, as interfaces (like the runtime's `ports.ts`): the `timers` table,
 * leased so that with several instances each timer fires once. src/store/timerStore.ts implements it; main.ts
 * builds it once and hands it to the scheduler and to the `scheduleTimer` effect.
 */

export const TimerStatuses = { pending: 'pending', fired: 'fired' } as const;
export type TimerStatus = (typeof TimerStatuses)[keyof typeof TimerStatuses];

export interface TimerRow {
  id: string;
  applicationId: string;
  kind: string;
  dueAt: string;
  payload: Record<string, unknown>;
  status: TimerStatus;
  leaseOwner?: string;
  leaseUntil?: string;
  firedAt?: string;
  /** Failed handler runs so far. */
  attempts: number;
  lastError?: string;
  createdAt: string;
}

export interface NewTimer {
  /** Chosen by the caller so that scheduling again (a retried effect) schedules nothing more. */
  id: string;
  applicationId: string;
  kind: string;
  dueAt: Date;
  payload?: Record<string, unknown>;
  createdAt: Date;
}

export interface TimerFailure {
  error: string;
  /** Not claimable again before this instant. */
  retryAt: Date;
}

export interface TimerStore {
  /** Stores the timer unless one with its id exists; true when it was stored now. */
  schedule(timer: NewTimer): Promise<boolean>;
  /** Leases up to `limit` pending timers due at `now` that nobody holds, earliest first, to `owner` for `leaseMs`. */
  claimDue(owner: string, now: Date, leaseMs: number, limit: number): Promise<TimerRow[]>;
  /** Marks the timer fired if `owner` still holds it; false when the lease went to someone else. */
  markFired(id: string, owner: string, at: Date): Promise<boolean>;
  /** Gives the timer back after a failed run, counting the attempt; false when `owner` no longer holds it. */
  release(id: string, owner: string, failure: TimerFailure): Promise<boolean>;
  listForApplication(applicationId: string): Promise<TimerRow[]>;
}
