/**
 * express-rate-limit's `Store` on the `rate_limits` table (migration 008), so a limit counts the hits of every
 * instance on the database, not of one process. A fixed window per key: the first hit opens it (`reset_at` =
 * now + windowMs), later hits count until it ends, the first hit after it ends opens a new one. Each increment
 * is one atomic statement on both databases (INSERT … ON CONFLICT DO UPDATE … RETURNING), so concurrent hits
 * from any instances are all counted. Rows whose window has ended are deleted now and then by an increment.
 *
 * Keys are what the limiter makes them (see `http/api.ts`: no plain username); one longer than the column is
 * stored as its SHA-256.
 *
 * The limiter sends some statements after the response is out (a lookup that found its application takes its hit
 * back once the response has finished), so nobody waits for them but `shutdown`: it returns once every statement
 * the store has started is done, and the database is closed after it.
 */
import { createHash } from 'node:crypto';
import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import { isPostgres, type Database } from './database.js';

export interface RateLimitStoreOptions {
  /** Prepended to every key, so that several limiters share the table (e.g. `login:`). */
  prefix?: string;
  /** Epoch milliseconds; default Date.now. */
  now?: () => number;
  /** The window when `init` is not called (express-rate-limit calls it with its `windowMs`). */
  windowMs?: number;
  /** How often, at most, an increment also deletes the rows of ended windows; default the window. */
  cleanupEveryMs?: number;
}

export interface RateLimitStore extends Store {
  /** Deletes the rows whose window has ended; returns how many. */
  deleteExpired(): Promise<number>;
  /** Resolves once every statement started so far is done (succeeded or failed). */
  shutdown(): Promise<void>;
}

const KEY_COLUMN_LENGTH = 255;

const INCREMENT_SQL = `INSERT INTO rate_limits ("key", hits, reset_at) VALUES (?, 1, ?)
ON CONFLICT ("key") DO UPDATE SET
  hits = CASE WHEN rate_limits.reset_at <= ? THEN 1 ELSE rate_limits.hits + 1 END,
  reset_at = CASE WHEN rate_limits.reset_at <= ? THEN excluded.reset_at ELSE rate_limits.reset_at END
RETURNING hits, reset_at`;

export function createRateLimitStore(db: Database, options: RateLimitStoreOptions = {}): RateLimitStore {
  const now = options.now ?? Date.now;
  const prefix = options.prefix ?? '';
  let windowMs = options.windowMs ?? 60_000;
  let lastCleanup = now();
  let cleaning: Promise<unknown> | undefined;
  const inFlight = new Set<Promise<unknown>>();
  /** The statement `work` starts, remembered until it settles, for `shutdown`. */
  const tracked = <A extends unknown[], R>(work: (...args: A) => Promise<R>) => (...args: A): Promise<R> => {
    const running = work(...args);
    inFlight.add(running);
    const settle = () => inFlight.delete(running);
    running.then(settle, settle);
    return running;
  };

  const keyOf = (key: string) => {
    const full = prefix + key;
    return full.length <= KEY_COLUMN_LENGTH ? full : `${prefix}sha256:${createHash('sha256').update(key).digest('hex')}`;
  };

  const store: RateLimitStore = {
    localKeys: false,
    prefix,

    init(limiterOptions: Options) {
      windowMs = limiterOptions.windowMs;
    },

    get: tracked(async (key: string): Promise<ClientRateLimitInfo | undefined> => {
      const row = await db('rate_limits').select('hits', 'reset_at').where({ key: keyOf(key) }).andWhere('reset_at', '>', now()).first();
      return row ? { totalHits: Number(row.hits), resetTime: new Date(Number(row.reset_at)) } : undefined;
    }),

    increment: tracked(async (key: string): Promise<ClientRateLimitInfo> => {
      const at = now();
      const result = await db.raw(INCREMENT_SQL, [keyOf(key), at + windowMs, at, at]);
      const row = ((isPostgres(db) ? result.rows : result) as { hits: number | string; reset_at: number | string }[])[0]!;
      if (at - lastCleanup >= (options.cleanupEveryMs ?? windowMs) && !cleaning) {
        lastCleanup = at;
        // Housekeeping only: a failed clean-up is tried again next time and never fails the request.
        cleaning = store
          .deleteExpired()
          .catch(() => undefined)
          .finally(() => (cleaning = undefined));
      }
      return { totalHits: Number(row.hits), resetTime: new Date(Number(row.reset_at)) };
    }),

    decrement: tracked(async (key: string): Promise<void> => {
      await db('rate_limits').where({ key: keyOf(key) }).andWhere('hits', '>', 0).andWhere('reset_at', '>', now()).decrement('hits', 1);
    }),

    resetKey: tracked(async (key: string): Promise<void> => {
      await db('rate_limits').where({ key: keyOf(key) }).delete();
    }),

    resetAll: tracked(async (): Promise<void> => {
      const rows = db('rate_limits');
      await (prefix ? rows.whereRaw('substr("key", 1, ?) = ?', [prefix.length, prefix]) : rows).delete();
    }),

    async shutdown() {
      // A statement may start another (an increment, its clean-up): wait until none is left.
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },

    deleteExpired: tracked(async (): Promise<number> => Number(await db('rate_limits').where('reset_at', '<=', now()).delete())),
  };
  return store;
}
