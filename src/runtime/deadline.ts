/**
 * The promised-days clock (承诺时限) of one application, and the instants at which its warning level (红黄蓝预警)
 * changes. Pure: no I/O, no clock of its own; the working-day arithmetic is the calendar's (src/domain/calendar.ts).
 *
 * Why instants: while the clock runs, the level is a function of time only, so it is stored as the three instants
 * it changes (`blue_at`, `yellow_at`, `due_at` on the application row) instead of a level that would go stale. A
 * queue filter in SQL and the detail view then agree exactly, at any `now`, by the same comparisons:
 *
 *   CASE WHEN due_at IS NULL THEN warning_level          -- idle, paused or stopped: the stored (frozen) level
 *        WHEN due_at < :now THEN 'red' WHEN yellow_at <= :now THEN 'yellow' WHEN blue_at <= :now THEN 'blue'
 *        ELSE 'none' END
 *
 * (instants are ISO 8601 UTC strings, whose text order is their time order). While the clock is paused or stopped
 * the instants are absent and the level is the one it had when the clock left 'running' (`advanceDeadline` keeps it).
 * The instants agree with the calendar's own measure: `warningAt(deadlineOf(...), 'running', now)` equals
 * `warningLevel(calendar.elapsedFraction(...), thresholds)` at every millisecond.
 */
import { DAY_MS, checkWarningThresholds, type TimeInterval, type WarningThresholds, type WorkingCalendar } from '../domain/calendar.js';
import { OnevisitError, type Issue } from '../domain/errors.js';
import type { ClockMode, WarningLevel } from '../domain/vocabulary.js';

/** A stretch of time during which the clock stood still (supplement, payment, notice ...), ISO instants. */
export interface ClockPause {
  from: string;
  to: string;
}

/** An application's promised-days clock, kept as JSON on its row (`applications.clock`). */
export interface ClockRecord {
  /** Acceptance: the first move out of 'idle'. Counting starts the next day (次日起算). */
  startedAt?: string;
  /** When the pause still open began. */
  pausedSince?: string;
  /** When the application reached a final state. */
  stoppedAt?: string;
  /** Closed pauses, in order. */
  pauses: ClockPause[];
}

/** The instants at which the level turns blue and yellow, and the deadline (inclusive: red from 1 ms after it). */
export interface Deadline {
  dueAt?: string;
  blueAt?: string;
  yellowAt?: string;
}

export interface DeadlineTerms {
  promisedDays: number;
  /** Working days added by approved extensions (延期). */
  extensionDays: number;
  thresholds: WarningThresholds;
}

/** What the application row holds about its deadline: the clock, the instants, and the level when they are absent. */
export interface DeadlineState {
  clock: ClockRecord;
  deadline: Deadline;
  /** The level at the last transition; while the clock does not run, the level itself (frozen). */
  level: WarningLevel;
}

/** When a definition gives no `warning`: blue from half the promised time, yellow from four fifths. */
export const DEFAULT_WARNING_THRESHOLDS: Readonly<WarningThresholds> = Object.freeze({ blue: 0.5, yellow: 0.8 });

export function warningThresholdsOf(definition: { warning?: WarningThresholds | undefined }): WarningThresholds {
  return { ...(definition.warning ?? DEFAULT_WARNING_THRESHOLDS) };
}

export function emptyClock(): ClockRecord {
  return { pauses: [] };
}

/**
 * The clock after the application moves from a state whose clock is `fromMode` to one whose clock is `toMode`
 * at `at`. The clock starts on the first move out of 'idle' (acceptance) into 'running' or 'paused' — an
 * acceptance straight into a payment or notice step starts it paused; a move into 'paused' opens a pause and
 * leaving 'paused' closes it; 'stopped' closes any open pause and stops the clock for good. A move that changes
 * no mode changes nothing. An `at` earlier than the last recorded instant (two servers' clocks disagreeing)
 * counts as that instant, so pauses never end before they begin. Instants are `Date`s or ISO strings.
 */
export function advanceClock(record: ClockRecord, fromMode: ClockMode, toMode: ClockMode, at: Date | string): ClockRecord {
  const next: ClockRecord = { ...record, pauses: [...record.pauses] };
  if (fromMode === toMode || next.stoppedAt !== undefined) return next;
  const when = new Date(Math.max(instant(at, 'at'), latestMs(record))).toISOString();
  if (next.startedAt === undefined) {
    if (toMode !== 'running' && toMode !== 'paused') return next;
    next.startedAt = when;
  }
  if (toMode === 'paused') {
    next.pausedSince ??= when;
    return next;
  }
  if (next.pausedSince !== undefined) {
    next.pauses.push({ from: next.pausedSince, to: when });
    delete next.pausedSince;
  }
  if (toMode === 'stopped') next.stoppedAt = when;
  return next;
}

/**
 * The instants of the warning levels while the clock runs: the deadline (`calendar.dueAt` with the pauses and
 * the extension) and the first instants at which the elapsed fraction reaches `thresholds.blue` and
 * `thresholds.yellow`. Empty before the clock starts, while it is paused (the deadline still moves) and once it
 * has stopped.
 */
export function deadlineOf(
  record: ClockRecord,
  promisedDays: number,
  extensionDays: number,
  thresholds: WarningThresholds,
  calendar: WorkingCalendar,
): Deadline {
  checkWarningThresholds(thresholds);
  if (record.startedAt === undefined || record.pausedSince !== undefined || record.stoppedAt !== undefined) return {};
  const start = new Date(instant(record.startedAt, 'startedAt'));
  const pauses: TimeInterval[] = record.pauses.map((p, i) => ({
    from: new Date(instant(p.from, `pauses[${i}].from`)),
    to: new Date(instant(p.to, `pauses[${i}].to`)),
  }));
  const due = calendar.dueAt(start, promisedDays, pauses, extensionDays);
  const target = (promisedDays + extensionDays) * DAY_MS;
  const reached = (fraction: number): string => {
    if (fraction === 0) return record.startedAt as string; // the level is at least this from the start
    if (target === 0) return new Date(due.getTime() + 1).toISOString();
    return calendar.instantAfterWorkingMs(start, thresholdMs(target, fraction), pauses).toISOString();
  };
  return { dueAt: due.toISOString(), blueAt: reached(thresholds.blue), yellowAt: reached(thresholds.yellow) };
}

/**
 * The warning level at `now`. While the clock runs: red once `now` is after the deadline, yellow from `yellowAt`,
 * blue from `blueAt`, else none (each instant belongs to the higher level). While it is paused or stopped:
 * `frozenLevel`, the level it had when it left 'running' (none when not given). Before acceptance: none.
 */
export function warningAt(deadline: Deadline, clockMode: ClockMode, now: Date | string, frozenLevel: WarningLevel = 'none'): WarningLevel {
  if (clockMode === 'idle') return 'none';
  if (clockMode !== 'running') return frozenLevel;
  if (deadline.dueAt === undefined) return 'none';
  const at = instant(now, 'now');
  if (at > instant(deadline.dueAt, 'dueAt')) return 'red';
  if (deadline.yellowAt !== undefined && at >= instant(deadline.yellowAt, 'yellowAt')) return 'yellow';
  if (deadline.blueAt !== undefined && at >= instant(deadline.blueAt, 'blueAt')) return 'blue';
  return 'none';
}

/**
 * The row's deadline state after a transition at `at` from `fromMode` to `toMode` (or after an extension, with
 * equal modes and new terms): the clock advanced, the instants recomputed, and the level — when the clock leaves
 * 'running' the level it had at `at` is kept (frozen) until it runs again; a stopped clock keeps it for good, so a
 * finished application that was late stays red. `previous` is undefined for a new application.
 */
export function advanceDeadline(
  previous: DeadlineState | undefined,
  fromMode: ClockMode,
  toMode: ClockMode,
  at: Date | string,
  terms: DeadlineTerms,
  calendar: WorkingCalendar,
): DeadlineState {
  const before = previous ?? { clock: emptyClock(), deadline: {}, level: 'none' };
  const levelBefore = warningAt(before.deadline, fromMode, at, before.level);
  const clock = advanceClock(before.clock, fromMode, toMode, at);
  const deadline = deadlineOf(clock, terms.promisedDays, terms.extensionDays, terms.thresholds, calendar);
  const level = toMode === 'running' ? warningAt(deadline, 'running', at) : toMode === 'idle' ? 'none' : levelBefore;
  return { clock, deadline, level };
}

/**
 * `value` (the row's JSON, parsed) as a ClockRecord; null or undefined give an empty clock. Throws INPUT.INVALID
 * naming each problem by JSON Pointer.
 */
export function parseClockRecord(value: unknown): ClockRecord {
  if (value === null || value === undefined) return emptyClock();
  const issues: Issue[] = [];
  const problem = (path: string, message: string) => issues.push({ path, code: 'CLOCK.INVALID', message });
  if (typeof value !== 'object' || Array.isArray(value)) {
    problem('', 'must be an object {startedAt?, pausedSince?, stoppedAt?, pauses}');
    throw invalidClock(issues);
  }
  const raw = value as Record<string, unknown>;
  const record: ClockRecord = { pauses: [] };
  for (const key of Object.keys(raw)) {
    if (!['startedAt', 'pausedSince', 'stoppedAt', 'pauses'].includes(key)) problem(`/${key}`, `unknown key "${key}"`);
  }
  for (const key of ['startedAt', 'pausedSince', 'stoppedAt'] as const) {
    if (raw[key] === undefined) continue;
    if (isIsoInstant(raw[key])) record[key] = raw[key];
    else problem(`/${key}`, 'must be an ISO 8601 UTC instant');
  }
  if (!Array.isArray(raw.pauses)) {
    problem('/pauses', 'must be an array of {from, to}');
  } else {
    raw.pauses.forEach((pause: unknown, i) => {
      const p = pause as Record<string, unknown> | null;
      if (p === null || typeof p !== 'object' || !isIsoInstant(p.from) || !isIsoInstant(p.to) || Object.keys(p).length !== 2) {
        problem(`/pauses/${i}`, 'must be {from, to} with ISO 8601 UTC instants');
      } else if (p.to < p.from) {
        problem(`/pauses/${i}`, 'ends before it starts');
      } else {
        record.pauses.push({ from: p.from, to: p.to });
      }
    });
  }
  if (record.startedAt === undefined && (record.pausedSince !== undefined || record.stoppedAt !== undefined || record.pauses.length > 0)) {
    problem('/startedAt', 'is missing, but the clock has pauses or has stopped');
  }
  if (issues.length > 0) throw invalidClock(issues);
  return record;
}

// ---------------------------------------------------------------------------------------------------------------

/** The least whole number of ms whose share of `target` reaches `fraction` (0 < fraction ≤ 1), as elapsedFraction divides. */
function thresholdMs(target: number, fraction: number): number {
  let ms = Math.min(target, Math.max(1, Math.ceil(fraction * target)));
  while (ms > 1 && (ms - 1) / target >= fraction) ms -= 1;
  while (ms < target && ms / target < fraction) ms += 1;
  return ms;
}

function isIsoInstant(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const ms = Date.parse(value);
  return Number.isFinite(ms) && new Date(ms).toISOString() === value;
}

function instant(value: Date | string, what: string): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw new OnevisitError('INPUT.INVALID', `${what} must be a valid instant, not ${String(value)}`);
  return ms;
}

/** The last instant the record holds (or −∞ for an empty clock). */
function latestMs(record: ClockRecord): number {
  const instants = [record.startedAt, record.pausedSince, record.stoppedAt, ...record.pauses.map((p) => p.to)];
  return Math.max(-Infinity, ...instants.filter((s): s is string => s !== undefined).map((s) => instant(s, 'a recorded instant')));
}

function invalidClock(issues: Issue[]): OnevisitError {
  const list = issues.map((issue) => `${issue.path || '(root)'}: ${issue.message}`).join('; ');
  return new OnevisitError('INPUT.INVALID', `Invalid deadline clock: ${list}`, { errors: issues });
}
