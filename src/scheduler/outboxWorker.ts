/**
 * The outbox worker: carries out the effects transitions recorded (issue certificates, schedule a timer) that
 * nobody is carrying out now — the committing instance's attempt failed, or it died holding the lease. It polls
 * the outbox, leases what is due (src/store/outboxStore.ts), runs each effect, and on failure gives it back with
 * a retry delay (doubling from `retryDelayMs`, capped at `maxRetryDelayMs`), or marks it failed once it has
 * failed `maxAttempts` times (an admin retries it: POST /api/v1/effects/{id}/retry). Any number of instances run
 * one on the same database; the lease keeps them off each other's effects.
 *
 * Delivery is at least once: an effect that outlives its lease, or a crash between running it and marking it
 * done, lets another instance run it again. Effects are idempotent by their id (the engine's contract).
 */
import type { OutboxRow, OutboxStore } from '../runtime/ports.js';
import { createPollLoop, messageOf } from './pollLoop.js';

export interface OutboxWorkerOptions {
  outbox: OutboxStore;
  /** Carries one effect out, and marks it done on success (the engine's `runEffect`); throws on failure. */
  run: (row: OutboxRow) => Promise<void>;
  /** This instance's name in leases (e.g. host, process id and a random suffix); unique among the instances. */
  owner: string;
  /** How long a claimed effect is ours; another instance takes it over after that. Default 30 s. */
  leaseMs?: number;
  /** Failed runs after which an effect is `failed` for good (until an admin retries it). Default 8. */
  maxAttempts?: number;
  /** Wait before the first retry, doubled per attempt up to `maxRetryDelayMs`. Default 1 s. */
  retryDelayMs?: number;
  /** Default 5 minutes. */
  maxRetryDelayMs?: number;
  /** Effects of one poll run at the same time. Default 4. */
  concurrency?: number;
  now?: () => Date;
  /** A failed run (with its effect) or a failed poll or bookkeeping step. Default: one JSON line on stderr. */
  onError?: (error: unknown, row?: OutboxRow) => void;
  /** An effect given up on: `row` as now stored (status failed, its attempts counted). Default: one JSON line on stderr. */
  onGiveUp?: (row: OutboxRow, error: unknown) => void;
}

/** What one poll did. */
export interface OutboxPoll {
  /** Leased by this poll; `claimed === limit` means there may be more due. */
  claimed: number;
  /** Run without an error (the run marked them done). */
  done: number;
  /** Failed, given back to be retried later. */
  retrying: number;
  /** Failed for the last allowed time: now `failed`. */
  failed: number;
  /** Not run: the lease ran out before its turn came (another instance may hold it now). */
  skipped: number;
}

export interface OutboxWorker {
  /** Claims and runs up to `limit` due effects. */
  pollOnce(limit?: number): Promise<OutboxPoll>;
  /** Polls now and then every `intervalMs` (at once again while polls come back full) until `stop`. */
  start(intervalMs?: number): void;
  /** Stops polling; resolves once the poll in flight, if any, has finished. */
  stop(): Promise<void>;
}

export const OUTBOX_POLL_LIMIT = 50;

export function createOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const { outbox, run, owner } = options;
  const leaseMs = options.leaseMs ?? 30_000;
  const maxAttempts = options.maxAttempts ?? 8;
  const retryDelayMs = options.retryDelayMs ?? 1_000;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 300_000;
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const now = options.now ?? (() => new Date());
  const onError = options.onError ?? logError;
  const onGiveUp = options.onGiveUp ?? logGiveUp;
  if (!owner) throw new TypeError('an outbox worker needs an owner name');
  if (!(maxAttempts >= 1)) throw new TypeError('maxAttempts must be at least 1');

  /** Runs one claimed effect; never throws (an effect whose bookkeeping fails is left to its lease's expiry). */
  async function carryOut(row: OutboxRow): Promise<keyof Omit<OutboxPoll, 'claimed'>> {
    // Claimed effects wait for their turn; one whose lease ran out meanwhile may be another instance's now.
    if (row.leaseUntil !== null && now().toISOString() >= row.leaseUntil) return 'skipped';
    try {
      await run(row);
      return 'done';
    } catch (error) {
      onError(error, row);
      const message = messageOf(error);
      const attempts = row.attempts + 1;
      try {
        if (attempts >= maxAttempts) {
          const at = now();
          await outbox.fail(row.id, message, null, at);
          onGiveUp({ ...row, status: 'failed', attempts, lastError: message, leaseOwner: null, leaseUntil: null }, error);
          return 'failed';
        }
        await outbox.fail(row.id, message, retryAt(row.attempts), now());
        return 'retrying';
      } catch (bookkeeping) {
        onError(bookkeeping, row);
        return 'skipped';
      }
    }
  }

  /** When an effect that has failed `attempts` times before (and now once more) is tried again. */
  function retryAt(attempts: number): Date {
    const delay = Math.min(maxRetryDelayMs, retryDelayMs * 2 ** Math.min(attempts, 40));
    return new Date(now().getTime() + delay);
  }

  async function pollOnce(limit = OUTBOX_POLL_LIMIT): Promise<OutboxPoll> {
    const claimed = await outbox.claimDue(owner, now(), leaseMs, limit);
    const result: OutboxPoll = { claimed: claimed.length, done: 0, retrying: 0, failed: 0, skipped: 0 };
    let next = 0;
    const lane = async () => {
      while (next < claimed.length) result[await carryOut(claimed[next++]!)]++;
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, claimed.length) }, lane));
    return result;
  }

  const loop = createPollLoop(async () => (await pollOnce(OUTBOX_POLL_LIMIT)).claimed >= OUTBOX_POLL_LIMIT, (error) => onError(error));

  return {
    pollOnce,
    start: (intervalMs = 1_000) => loop.start(intervalMs),
    stop: () => loop.stop(),
  };
}

function logError(error: unknown, row?: OutboxRow): void {
  const entry = { level: 'error', time: new Date().toISOString(), msg: row ? 'effect failed' : 'outbox poll failed', effect: row?.id, kind: row?.effect.effect, error: messageOf(error) };
  process.stderr.write(`${JSON.stringify(entry)}\n`);
}

/** Names the effect, its kind and attempts only: error texts may quote personal data. */
function logGiveUp(row: OutboxRow): void {
  const entry = { level: 'error', time: new Date().toISOString(), msg: 'effect given up on', effect: row.id, kind: row.effect.effect, attempts: row.attempts };
  process.stderr.write(`${JSON.stringify(entry)}\n`);
}
