/**
 * The scheduler: polls the `timers` table, leases what is due, runs the handler of each timer's kind, and marks it
 * fired. Any number of instances may poll one database; the lease (`TimerStore`, ./ports.ts) makes each timer fire
 * once. Nothing is kept in memory between polls, so a timer that fell due while every instance was down fires at
 * the first poll after one starts.
 *
 * Delivery is at least once: a handler that runs longer than the lease, or a crash between the handler and the
 * mark, lets another instance run it again. Handlers are therefore idempotent (`timerHandlers` treats an event the
 * application no longer takes as already delivered).
 */
import { createPollLoop, messageOf } from './pollLoop.js';
import type { TimerRow, TimerStore } from './ports.js';

export type TimerHandler = (timer: TimerRow) => Promise<void>;

export interface SchedulerOptions {
  /** The `timers` table (src/store/timerStore.ts, built once by main.ts). */
  timers: Pick<TimerStore, 'claimDue' | 'markFired' | 'release'>;
  /** This instance's name in leases (e.g. host and process id); unique among the instances. */
  owner: string;
  /** By timer kind. A timer of a kind without a handler fails like a failing handler, and is retried. */
  handlers: Readonly<Record<string, TimerHandler>>;
  /** How long a claimed timer is ours; another instance takes it over after that. Default one minute. */
  leaseMs?: number;
  /** Wait before the first retry of a failed timer, doubled per attempt up to `maxRetryDelayMs`. Default 1 s. */
  retryDelayMs?: number;
  /** Default 5 minutes. */
  maxRetryDelayMs?: number;
  now?: () => Date;
  /** A failed handler (with its timer) or a failed poll (without one). Default: one JSON line on stderr. */
  onError?: (error: unknown, timer?: TimerRow) => void;
}

export interface Scheduler {
  /** Claims and runs up to `limit` due timers; resolves to how many it marked fired. */
  pollOnce(limit?: number): Promise<number>;
  /** Polls now and then every `intervalMs` (at once again while polls come back full) until `stop`. */
  start(intervalMs?: number): void;
  /** Stops polling; resolves once the poll in flight, if any, has finished. */
  stop(): Promise<void>;
}

const DEFAULT_LEASE_MS = 60_000;
const DEFAULT_LIMIT = 100;

export function createScheduler(options: SchedulerOptions): Scheduler {
  const store = options.timers;
  const { owner, handlers } = options;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const retryDelayMs = options.retryDelayMs ?? 1_000;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 300_000;
  const now = options.now ?? (() => new Date());
  const onError = options.onError ?? logError;
  if (!owner) throw new TypeError('a scheduler needs an owner name');

  /** Runs one claimed timer; never throws (a timer whose bookkeeping fails is left to its lease's expiry). */
  async function fire(timer: TimerRow): Promise<boolean> {
    try {
      const handler = Object.prototype.hasOwnProperty.call(handlers, timer.kind) ? handlers[timer.kind] : undefined;
      if (!handler) throw new Error(`no handler for timers of kind "${timer.kind}"`);
      await handler(timer);
    } catch (error) {
      onError(error, timer);
      const delay = Math.min(maxRetryDelayMs, retryDelayMs * 2 ** Math.min(timer.attempts, 30));
      await store.release(timer.id, owner, { error: messageOf(error), retryAt: new Date(now().getTime() + delay) }).catch((e: unknown) => onError(e, timer));
      return false;
    }
    return store.markFired(timer.id, owner, now()).catch((error: unknown) => {
      onError(error, timer);
      return false;
    });
  }

  async function pollOnce(limit = DEFAULT_LIMIT): Promise<number> {
    const claimed = await store.claimDue(owner, now(), leaseMs, limit);
    const fired = await Promise.all(claimed.map(fire));
    return fired.filter(Boolean).length;
  }

  const loop = createPollLoop(async () => (await pollOnce(DEFAULT_LIMIT)) >= DEFAULT_LIMIT, (error) => onError(error));

  return {
    pollOnce,
    start: (intervalMs = 1_000) => loop.start(intervalMs),
    stop: () => loop.stop(),
  };
}

function logError(error: unknown, timer?: TimerRow): void {
  const entry = { level: 'error', time: new Date().toISOString(), msg: timer ? 'timer handler failed' : 'timer poll failed', timer: timer?.id, kind: timer?.kind, error: messageOf(error) };
  process.stderr.write(`${JSON.stringify(entry)}\n`);
}
