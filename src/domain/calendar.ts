/**
 * The working-day calendar: which days are working days (public holidays and make-up working days as data,
 * e.g. workflows/calendars/cn-2026.json), and the deadline arithmetic built on it.
 *
 * Conventions (all of them in one place):
 * - **Days are local days.** An instant (`Date`) belongs to the local calendar day it falls on, local time being
 *   a fixed UTC offset, China Standard Time (UTC+8, no DST) unless told otherwise. A day is the half-open
 *   interval [00:00, next 00:00) local time; days are named `YYYY-MM-DD`.
 * - **Working day.** A make-up working day (`workingWeekends`) is a working day even though it is a weekend day;
 *   a holiday is not; any other day is a working day unless its ISO weekday is in that year's `weekend`.
 *   A year with no data falls back to weekends only (`defaultWeekend`, Saturday and Sunday); `covers(year)`
 *   tells callers when that is happening so they can warn.
 * - **Counting starts the next day (次日起算).** The day on which something starts never counts. The clock starts
 *   at 00:00 of the day after the start day (`countingStart`). "N working days from `start`" ends at the end of
 *   the N-th working day after the start day.
 * - **Deadlines are inclusive instants**: the last millisecond that is still on time, 23:59:59.999 local time
 *   when no pause is involved. Acting at the deadline is on time; one millisecond later is late.
 * - **Working time** is time that lies in working days, measured in milliseconds; a working day is worth
 *   `DAY_MS` (24 h), so "working days" as a quantity is working ms / `DAY_MS`, and may be fractional.
 * - **Pauses** (supplement, payment, notice...) stop the clock: working time spent paused after the clock starts
 *   pushes the deadline later by the same amount of working time. Pauses on non-working days, or before the
 *   clock starts, shift nothing. Overlapping intervals are counted once.
 *
 * No I/O here: a calendar is built from data handed to it (validate that data with `parseCalendarData`).
 */
import { OnevisitError, type Issue, type IssueCode } from './errors.js';
import { Locales, type I18nText } from './i18n.js';
import { formatPointer } from './pointer.js';
import { CHINA_STANDARD_TIME_OFFSET_MINUTES } from './time.js';

/** One (working) day's worth of time, in milliseconds. */
export const DAY_MS = 86_400_000;
/** China Standard Time, the default local time (from `time.ts`, the one place that knows the offset). */
export { CHINA_STANDARD_TIME_OFFSET_MINUTES };
/** The largest day count the arithmetic accepts (about a century), so that a slip of the pen cannot loop for ages. */
export const MAX_WORKING_DAYS = 36_600;

export interface CalendarHoliday {
  /** `YYYY-MM-DD`, in the calendar's year. */
  date: string;
  name: I18nText;
}

/** A make-up working day (调休上班): a weekend day that is a working day. */
export interface CalendarWorkingWeekend {
  /** `YYYY-MM-DD`, in the calendar's year, on one of its weekend days. */
  date: string;
  /** The holiday it makes up for. */
  for?: I18nText;
}

/** One year of one region's working-day calendar, as stored in workflows/calendars/*.json. */
export interface CalendarData {
  year: number;
  region: string;
  /** Where the arrangement comes from (e.g. the State Council notice). */
  source: string;
  /** ISO weekday numbers of the weekend, 1 = Monday ... 7 = Sunday. */
  weekend: number[];
  holidays: CalendarHoliday[];
  workingWeekends: CalendarWorkingWeekend[];
}

export interface TimeInterval {
  from: Date;
  to: Date;
}

export interface WorkingCalendarOptions {
  /** Local time as a fixed offset from UTC, in minutes; default China Standard Time (CHINA_STANDARD_TIME_OFFSET_MINUTES). */
  utcOffsetMinutes?: number;
  /** The weekend of years without data (ISO weekdays); default [6, 7]. */
  defaultWeekend?: number[];
}

export type WarningLevel = 'none' | 'blue' | 'yellow' | 'red';

export interface WarningThresholds {
  /** Elapsed fraction (0..1) from which the level is at least blue. */
  blue: number;
  /** Elapsed fraction (0..1) from which the level is at least yellow; not below `blue`. */
  yellow: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Days as numbers: day n is 1970-01-01 + n days (a proleptic Gregorian date, no time zone).

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The day number of a real `YYYY-MM-DD` date (years 0100–9999), or undefined. */
function dayNumberOfDate(day: string): number | undefined {
  const match = DAY_PATTERN.exec(day);
  if (!match) return undefined;
  const [year, month, date] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, date);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== date) return undefined;
  return ms / DAY_MS;
}

function dateOfDayNumber(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function yearOfDayNumber(day: number): number {
  return new Date(day * DAY_MS).getUTCFullYear();
}

/** ISO weekday, 1 = Monday ... 7 = Sunday; day 0 (1970-01-01) was a Thursday. */
function isoWeekdayOfDayNumber(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

// ---------------------------------------------------------------------------------------------------------------
// Validation of calendar data

const CALENDAR_KEYS = ['year', 'region', 'source', 'weekend', 'holidays', 'workingWeekends'] as const;
const HOLIDAY_KEYS = ['date', 'name'];
const WORKING_WEEKEND_KEYS = ['date', 'for'];

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return `a${typeof value === 'object' ? 'n' : ''} ${typeof value}`;
}

type Path = readonly (string | number)[];

class IssueList {
  readonly issues: Issue[] = [];
  add(path: Path, code: IssueCode, message: string): void {
    this.issues.push({ path: formatPointer(path), code, message });
  }
}

function checkKeys(value: Record<string, unknown>, allowed: readonly string[], path: Path, issues: IssueList): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      issues.add([...path, key], 'CALENDAR.UNKNOWN_KEY', `unknown key "${key}" (allowed: ${allowed.join(', ')})`);
    }
  }
}

function checkI18nText(value: unknown, path: Path, issues: IssueList): I18nText | undefined {
  if (!isRecord(value)) {
    issues.add(path, 'CALENDAR.TYPE', `must be an object of texts by locale, not ${describe(value)}`);
    return undefined;
  }
  let ok = true;
  for (const [locale, text] of Object.entries(value)) {
    if (!(Locales as readonly string[]).includes(locale)) {
      issues.add([...path, locale], 'CALENDAR.UNKNOWN_KEY', `unknown locale "${locale}" (allowed: ${Locales.join(', ')})`);
      ok = false;
    } else if (typeof text !== 'string' || text.trim() === '') {
      issues.add([...path, locale], 'CALENDAR.TYPE', `must be a non-empty string, not ${describe(text)}`);
      ok = false;
    }
  }
  if (!('zh-Hans' in value)) {
    issues.add(path, 'CALENDAR.REQUIRED', 'needs a "zh-Hans" text');
    ok = false;
  }
  return ok ? ({ ...value } as I18nText) : undefined;
}

function checkWeekend(value: unknown, path: Path, issues: IssueList): number[] | undefined {
  if (!Array.isArray(value)) {
    issues.add(path, 'CALENDAR.TYPE', `must be an array of ISO weekday numbers (6 = Saturday, 7 = Sunday), not ${describe(value)}`);
    return undefined;
  }
  let ok = true;
  const seen = new Set<number>();
  value.forEach((weekday: unknown, i) => {
    if (typeof weekday !== 'number' || !Number.isInteger(weekday) || weekday < 1 || weekday > 7) {
      issues.add([...path, i], 'CALENDAR.WEEKDAY', `${describe(weekday)} is not an ISO weekday number 1 (Monday) to 7 (Sunday)`);
      ok = false;
    } else if (seen.has(weekday)) {
      issues.add([...path, i], 'CALENDAR.DUPLICATE', `weekday ${weekday} is listed twice`);
      ok = false;
    } else {
      seen.add(weekday);
    }
  });
  if (ok && seen.size === 7) {
    issues.add(path, 'CALENDAR.WEEKDAY', 'every weekday is a weekend day, so there would be no working days');
    ok = false;
  }
  return ok ? [...value] : undefined;
}

/** A real `YYYY-MM-DD` in `year` (when the year is known), or undefined after recording why not. */
function checkDate(value: unknown, year: number | undefined, path: Path, issues: IssueList): number | undefined {
  if (typeof value !== 'string' || !DAY_PATTERN.test(value)) {
    issues.add(path, 'CALENDAR.DATE', `must be a date written YYYY-MM-DD, not ${describe(value)}`);
    return undefined;
  }
  const day = dayNumberOfDate(value);
  if (day === undefined) {
    issues.add(path, 'CALENDAR.DATE', `"${value}" is not a real date`);
    return undefined;
  }
  if (year !== undefined && yearOfDayNumber(day) !== year) {
    issues.add(path, 'CALENDAR.YEAR_MISMATCH', `"${value}" is not in the calendar's year ${year}`);
    return undefined;
  }
  return day;
}

function checkCalendar(value: unknown, base: Path, issues: IssueList): CalendarData | undefined {
  if (!isRecord(value)) {
    issues.add(base, 'CALENDAR.TYPE', `calendar data must be a JSON object, not ${describe(value)}`);
    return undefined;
  }
  const before = issues.issues.length;
  checkKeys(value, CALENDAR_KEYS, base, issues);
  for (const key of CALENDAR_KEYS) {
    if (!(key in value)) issues.add([...base, key], 'CALENDAR.REQUIRED', `"${key}" is missing`);
  }

  const { year, region, source } = value;
  const yearOk = typeof year === 'number' && Number.isInteger(year) && year >= 1000 && year <= 9999;
  if ('year' in value && !yearOk) issues.add([...base, 'year'], 'CALENDAR.TYPE', `must be a four-digit year, not ${describe(year)}`);
  for (const [key, text] of [['region', region], ['source', source]] as const) {
    if (key in value && (typeof text !== 'string' || text.trim() === '')) {
      issues.add([...base, key], 'CALENDAR.TYPE', `must be a non-empty string, not ${describe(text)}`);
    }
  }
  const weekend = 'weekend' in value ? checkWeekend(value.weekend, [...base, 'weekend'], issues) : undefined;
  const knownYear = yearOk ? (year as number) : undefined;

  const holidayDays = new Map<number, number>();
  const holidays: CalendarHoliday[] = [];
  if ('holidays' in value) {
    const list = value.holidays;
    if (!Array.isArray(list)) {
      issues.add([...base, 'holidays'], 'CALENDAR.TYPE', `must be an array of {date, name}, not ${describe(list)}`);
    } else {
      list.forEach((entry: unknown, i) => {
        const at = [...base, 'holidays', i];
        if (!isRecord(entry)) {
          issues.add(at, 'CALENDAR.TYPE', `must be an object {date, name}, not ${describe(entry)}`);
          return;
        }
        checkKeys(entry, HOLIDAY_KEYS, at, issues);
        const day = checkDate(entry.date, knownYear, [...at, 'date'], issues);
        const name = 'name' in entry ? checkI18nText(entry.name, [...at, 'name'], issues) : undefined;
        if (!('name' in entry)) issues.add([...at, 'name'], 'CALENDAR.REQUIRED', '"name" is missing');
        if (day !== undefined) {
          const first = holidayDays.get(day);
          if (first !== undefined) {
            issues.add([...at, 'date'], 'CALENDAR.DUPLICATE', `${entry.date as string} is already a holiday at /holidays/${first}`);
          } else {
            holidayDays.set(day, i);
          }
        }
        if (day !== undefined && name !== undefined) holidays.push({ date: entry.date as string, name });
      });
    }
  }

  const workingWeekends: CalendarWorkingWeekend[] = [];
  if ('workingWeekends' in value) {
    const list = value.workingWeekends;
    const makeUpDays = new Map<number, number>();
    if (!Array.isArray(list)) {
      issues.add([...base, 'workingWeekends'], 'CALENDAR.TYPE', `must be an array of {date, for}, not ${describe(list)}`);
    } else {
      list.forEach((entry: unknown, i) => {
        const at = [...base, 'workingWeekends', i];
        if (!isRecord(entry)) {
          issues.add(at, 'CALENDAR.TYPE', `must be an object {date, for}, not ${describe(entry)}`);
          return;
        }
        checkKeys(entry, WORKING_WEEKEND_KEYS, at, issues);
        const day = checkDate(entry.date, knownYear, [...at, 'date'], issues);
        const purpose = 'for' in entry ? checkI18nText(entry.for, [...at, 'for'], issues) : undefined;
        if (day === undefined) return;
        const date = entry.date as string;
        const first = makeUpDays.get(day);
        const holiday = holidayDays.get(day);
        if (first !== undefined) {
          issues.add([...at, 'date'], 'CALENDAR.DUPLICATE', `${date} is already a make-up working day at /workingWeekends/${first}`);
        } else {
          makeUpDays.set(day, i);
        }
        if (holiday !== undefined) {
          issues.add([...at, 'date'], 'CALENDAR.CONFLICT', `${date} is both a make-up working day and a holiday (/holidays/${holiday})`);
        }
        if (weekend !== undefined && !weekend.includes(isoWeekdayOfDayNumber(day))) {
          issues.add(
            [...at, 'date'],
            'CALENDAR.NOT_WEEKEND',
            `${date} is a make-up working day but not a weekend day (ISO weekday ${isoWeekdayOfDayNumber(day)}; weekend: ${weekend.join(', ')})`,
          );
        }
        workingWeekends.push(purpose === undefined ? { date } : { date, for: purpose });
      });
    }
  }

  if (issues.issues.length > before) return undefined;
  return {
    year: year as number,
    region: region as string,
    source: source as string,
    weekend: weekend as number[],
    holidays,
    workingWeekends,
  };
}

function invalid(what: string, issues: readonly Issue[]): OnevisitError {
  const list = issues.map((issue) => `${issue.path || '(root)'}: ${issue.message}`).join('; ');
  return new OnevisitError('CONFIG.INVALID', `Invalid ${what}: ${list}`, { errors: [...issues] });
}

/**
 * `value` as `CalendarData`, or an `OnevisitError` with code CONFIG.INVALID whose message names every problem
 * (with its JSON Pointer) and whose `errors` list them. Checks: the shape (no unknown keys), a four-digit year,
 * dates that are real `YYYY-MM-DD` days in that year, no date listed twice, no date both a holiday and a make-up
 * working day, make-up working days on weekend days, weekend ISO weekdays 1–7 (not all seven).
 * Returns a fresh copy: changing `value` later does not change it.
 */
export function parseCalendarData(value: unknown): CalendarData {
  const issues = new IssueList();
  const data = checkCalendar(value, [], issues);
  if (data === undefined || issues.issues.length > 0) {
    const year = isRecord(value) && typeof value.year === 'number' ? ` for ${value.year}` : '';
    throw invalid(`calendar data${year}`, issues.issues);
  }
  return data;
}

// ---------------------------------------------------------------------------------------------------------------
// Arguments

function badInput(message: string): OnevisitError {
  return new OnevisitError('INPUT.INVALID', message);
}

function instantMs(value: Date, what: string): number {
  const ms = value instanceof Date ? value.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) throw badInput(`${what} must be a valid Date, not ${describe(value)}`);
  return ms;
}

function dayCount(value: number, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_WORKING_DAYS) {
    throw badInput(`${what} must be a whole number of days from 0 to ${MAX_WORKING_DAYS}, not ${describe(value)}`);
  }
  return value;
}

/** The union of the intervals as sorted, disjoint, non-empty [from, to) pairs in ms. */
function mergeIntervals(intervals: readonly TimeInterval[], what: string): Array<[number, number]> {
  if (!Array.isArray(intervals)) throw badInput(`${what} must be an array of {from, to}, not ${describe(intervals)}`);
  const pairs = intervals.map((interval, i): [number, number] => {
    const from = instantMs(interval?.from, `${what}[${i}].from`);
    const to = instantMs(interval?.to, `${what}[${i}].to`);
    if (to < from) throw badInput(`${what}[${i}] ends (${interval.to.toISOString()}) before it starts (${interval.from.toISOString()})`);
    return [from, to];
  });
  pairs.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [from, to] of pairs) {
    if (to === from) continue;
    const last = merged[merged.length - 1];
    if (last !== undefined && from <= last[1]) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  return merged;
}

// ---------------------------------------------------------------------------------------------------------------
// The calendar

/**
 * A working-day calendar over any number of years (each year's data at most once, all of one region), with the
 * deadline arithmetic. Immutable once built. See the module comment for the conventions.
 */
export class WorkingCalendar {
  /** Local time as minutes east of UTC (CHINA_STANDARD_TIME_OFFSET_MINUTES for China Standard Time). */
  readonly utcOffsetMinutes: number;
  /** The region of the data, or undefined when built without data. */
  readonly region: string | undefined;
  readonly #offsetMs: number;
  readonly #defaultWeekend: ReadonlySet<number>;
  readonly #weekendByYear = new Map<number, ReadonlySet<number>>();
  readonly #holidays = new Map<number, I18nText>();
  readonly #makeUpDays = new Set<number>();

  /** Throws CONFIG.INVALID for invalid data, a year given twice, mixed regions, or invalid options. */
  constructor(years: readonly CalendarData[] = [], options: WorkingCalendarOptions = {}) {
    const issues = new IssueList();
    const offset = options.utcOffsetMinutes ?? CHINA_STANDARD_TIME_OFFSET_MINUTES;
    if (typeof offset !== 'number' || !Number.isInteger(offset) || Math.abs(offset) > 14 * 60) {
      issues.add(['options', 'utcOffsetMinutes'], 'CALENDAR.TYPE', `must be a whole number of minutes from -840 to 840, not ${describe(offset)}`);
    }
    const defaultWeekend = checkWeekend(options.defaultWeekend ?? [6, 7], ['options', 'defaultWeekend'], issues);
    if (!Array.isArray(years)) {
      issues.add([], 'CALENDAR.TYPE', `the years must be an array of calendar data, not ${describe(years)}`);
    }
    const parsed: CalendarData[] = [];
    const seenYears = new Map<number, number>();
    (Array.isArray(years) ? years : []).forEach((value, i) => {
      const data = checkCalendar(value, [i], issues);
      if (data === undefined) return;
      const first = seenYears.get(data.year);
      if (first !== undefined) {
        issues.add([i, 'year'], 'CALENDAR.DUPLICATE', `${data.year} is already given at /${first}`);
        return;
      }
      seenYears.set(data.year, i);
      const firstRegion = parsed[0]?.region;
      if (firstRegion !== undefined && data.region !== firstRegion) {
        issues.add([i, 'region'], 'CALENDAR.CONFLICT', `region "${data.region}" differs from "${firstRegion}"; one calendar is for one region`);
        return;
      }
      parsed.push(data);
    });
    if (issues.issues.length > 0) throw invalid('working calendar', issues.issues);

    this.utcOffsetMinutes = offset;
    this.#offsetMs = offset * 60_000;
    this.#defaultWeekend = new Set(defaultWeekend);
    this.region = parsed[0]?.region;
    for (const data of parsed) {
      this.#weekendByYear.set(data.year, new Set(data.weekend));
      for (const holiday of data.holidays) this.#holidays.set(dayNumberOfDate(holiday.date) as number, holiday.name);
      for (const makeUp of data.workingWeekends) this.#makeUpDays.add(dayNumberOfDate(makeUp.date) as number);
    }
  }

  /** Whether the calendar has data (holidays, make-up days) for `year`; otherwise it counts weekends only. */
  covers(year: number): boolean {
    return this.#weekendByYear.has(year);
  }

  /** The years with data, ascending. */
  get years(): number[] {
    return [...this.#weekendByYear.keys()].sort((a, b) => a - b);
  }

  /** The local day (`YYYY-MM-DD`) that `instant` falls on. */
  dayOf(instant: Date): string {
    return dateOfDayNumber(this.#dayNumber(instantMs(instant, 'instant')));
  }

  /** The first instant (00:00:00.000 local) of `day`. */
  startOfDay(day: string): Date {
    return new Date(this.#startMs(this.#parseDay(day)));
  }

  /** The last instant (23:59:59.999 local) of `day`. */
  endOfDay(day: string): Date {
    return new Date(this.#startMs(this.#parseDay(day) + 1) - 1);
  }

  /** Whether `day` (`YYYY-MM-DD`) is a working day. */
  isWorkingDay(day: string): boolean {
    return this.#isWorkingDayNumber(this.#parseDay(day));
  }

  /** The holiday's name when `day` is a holiday in the data. */
  holidayName(day: string): I18nText | undefined {
    return this.#holidays.get(this.#parseDay(day));
  }

  /** When the clock starts for something started at `start`: 00:00 local of the next day (次日起算). */
  countingStart(start: Date): Date {
    return new Date(this.#countingStartMs(instantMs(start, 'start')));
  }

  /**
   * The deadline for "`days` working days from `start`": the end (23:59:59.999 local) of the `days`-th working
   * day after the day `start` falls on; that day itself does not count. 0 gives the end of the start day (whether
   * or not it is a working day). For `days` ≥ 1 the result is always on a working day.
   */
  addWorkingDays(start: Date, days: number): Date {
    let day = this.#dayNumber(instantMs(start, 'start'));
    let left = dayCount(days, 'days');
    while (left > 0) {
      day += 1;
      if (this.#isWorkingDayNumber(day)) left -= 1;
    }
    return new Date(this.#startMs(day + 1) - 1);
  }

  /**
   * Working time between two instants, in ms: the part of [from, to) that lies in working days.
   * Negative (−(working time between to and from)) when `to` is before `from`. Exact integer arithmetic.
   */
  workingMsBetween(from: Date, to: Date): number {
    const a = instantMs(from, 'from');
    const b = instantMs(to, 'to');
    return b >= a ? this.#workingMs(a, b) : -this.#workingMs(b, a);
  }

  /**
   * Working days elapsed between two instants, fractional: `workingMsBetween(from, to) / DAY_MS`
   * (each working day contributes the fraction of its 24 h that lies between them). Negative when to < from.
   * Note that it counts the rest of the start day when that is a working day; to measure progress against a
   * deadline, use `elapsedFraction`, which starts the clock as the deadline does.
   */
  workingDaysBetween(from: Date, to: Date): number {
    return this.workingMsBetween(from, to) / DAY_MS;
  }

  /** Working time, in ms, within the union of `intervals` (each from ≤ to; overlaps are counted once). */
  elapsedWorkingMs(intervals: readonly TimeInterval[]): number {
    let total = 0;
    for (const [from, to] of mergeIntervals(intervals, 'intervals')) total += this.#workingMs(from, to);
    return total;
  }

  /**
   * The deadline of something started at `start` with `promisedDays` working days, after the clock was stopped
   * during `pausedIntervals` and `extensionDays` more working days were granted.
   *
   * Exactly: the clock starts at `countingStart(start)` (00:00 of the day after the start day); running time is
   * working time not inside any paused interval (time after the last interval is running); the result is the
   * last instant before the running time reaches `(promisedDays + extensionDays) × DAY_MS`, i.e. the deadline is
   * the instant T − 1 ms where T is the first instant at which that much running time has elapsed.
   * Consequences: without pauses it equals `addWorkingDays(start, promisedDays + extensionDays)`; paused working
   * time after the clock started moves it later by the same amount of working time; pauses on non-working days
   * or on the start day move nothing. A pause still open should be passed as ending "now"; the result is then
   * the earliest the deadline can be.
   */
  dueAt(start: Date, promisedDays: number, pausedIntervals: readonly TimeInterval[] = [], extensionDays = 0): Date {
    const clock = this.#countingStartMs(instantMs(start, 'start'));
    const target = (dayCount(promisedDays, 'promisedDays') + dayCount(extensionDays, 'extensionDays')) * DAY_MS;
    return new Date(this.#runningReachedMs(clock, target, this.#pausesFrom(clock, pausedIntervals)) - 1);
  }

  /**
   * The first instant at which `workingMs` of running time has elapsed since the clock of something started at
   * `start` started (`countingStart(start)`), running time being working time outside `pausedIntervals`, as in
   * `dueAt`. So `dueAt(start, n, pauses, e)` is one millisecond before `instantAfterWorkingMs(start, (n + e) ×
   * DAY_MS, pauses)`, and `elapsedFraction(..., now)` reaches `workingMs / ((n + e) × DAY_MS)` exactly at this
   * instant: it is how the instants of the warning levels are found. 0 gives the clock start itself.
   */
  instantAfterWorkingMs(start: Date, workingMs: number, pausedIntervals: readonly TimeInterval[] = []): Date {
    const clock = this.#countingStartMs(instantMs(start, 'start'));
    if (typeof workingMs !== 'number' || !Number.isSafeInteger(workingMs) || workingMs < 0 || workingMs > MAX_WORKING_DAYS * DAY_MS) {
      throw badInput(`workingMs must be a whole number of milliseconds from 0 to ${MAX_WORKING_DAYS * DAY_MS}, not ${describe(workingMs)}`);
    }
    return new Date(this.#runningReachedMs(clock, workingMs, this.#pausesFrom(clock, pausedIntervals)));
  }

  /** The first instant (ms) at which `target` ms of running time lie in [clock, instant); `pauses` from `#pausesFrom`. */
  #runningReachedMs(clock: number, target: number, pauses: ReadonlyArray<[number, number]>): number {
    let remaining = target;
    if (remaining === 0) return clock;
    let next = 0; // the first pause that may still matter
    for (let day = this.#dayNumber(clock); ; day += 1) {
      if (!this.#isWorkingDayNumber(day)) continue;
      const dayStart = this.#startMs(day);
      const dayEnd = dayStart + DAY_MS;
      while (next < pauses.length && (pauses[next] as [number, number])[1] <= dayStart) next += 1;
      let cursor = dayStart;
      for (let i = next; cursor < dayEnd; i += 1) {
        const pause = pauses[i];
        const runningEnd = pause !== undefined && pause[0] < dayEnd ? Math.max(cursor, pause[0]) : dayEnd;
        const running = runningEnd - cursor;
        if (running >= remaining) return cursor + remaining;
        remaining -= running;
        if (pause === undefined || pause[0] >= dayEnd) break;
        cursor = Math.min(dayEnd, Math.max(cursor, pause[1]));
      }
    }
  }

  /**
   * How much of the promised time has been used at `now`: running working time since the clock started (as in
   * `dueAt`) divided by `(promisedDays + extensionDays) × DAY_MS`. It is ≥ 1 exactly when `now` is after
   * `dueAt(start, promisedDays, pausedIntervals, extensionDays)`, so `warningLevel` turns red exactly when the
   * deadline has passed. 0 before the clock starts. With nothing promised it is 0 until the deadline, 1 after.
   */
  elapsedFraction(start: Date, promisedDays: number, pausedIntervals: readonly TimeInterval[], now: Date, extensionDays = 0): number {
    const clock = this.#countingStartMs(instantMs(start, 'start'));
    const at = instantMs(now, 'now');
    const target = (dayCount(promisedDays, 'promisedDays') + dayCount(extensionDays, 'extensionDays')) * DAY_MS;
    const pauses = this.#pausesFrom(clock, pausedIntervals);
    if (target === 0) return at >= clock ? 1 : 0;
    if (at <= clock) return 0;
    let running = this.#workingMs(clock, at);
    for (const [from, to] of pauses) {
      if (from >= at) break;
      running -= this.#workingMs(from, Math.min(to, at));
    }
    return running / target;
  }

  #pausesFrom(clock: number, pausedIntervals: readonly TimeInterval[]): Array<[number, number]> {
    return mergeIntervals(pausedIntervals, 'pausedIntervals')
      .filter(([, to]) => to > clock)
      .map(([from, to]): [number, number] => [Math.max(from, clock), to]);
  }

  #parseDay(day: string): number {
    const number = typeof day === 'string' ? dayNumberOfDate(day) : undefined;
    if (number === undefined) throw badInput(`day must be a real date written YYYY-MM-DD, not ${describe(day)}`);
    return number;
  }

  #dayNumber(ms: number): number {
    return Math.floor((ms + this.#offsetMs) / DAY_MS);
  }

  #startMs(day: number): number {
    return day * DAY_MS - this.#offsetMs;
  }

  #countingStartMs(startMs: number): number {
    return this.#startMs(this.#dayNumber(startMs) + 1);
  }

  #isWorkingDayNumber(day: number): boolean {
    if (this.#makeUpDays.has(day)) return true;
    if (this.#holidays.has(day)) return false;
    const weekend = this.#weekendByYear.get(yearOfDayNumber(day)) ?? this.#defaultWeekend;
    return !weekend.has(isoWeekdayOfDayNumber(day));
  }

  /** Working ms in [a, b), a ≤ b. */
  #workingMs(a: number, b: number): number {
    let total = 0;
    for (let day = this.#dayNumber(a); this.#startMs(day) < b; day += 1) {
      if (!this.#isWorkingDayNumber(day)) continue;
      const start = this.#startMs(day);
      total += Math.min(b, start + DAY_MS) - Math.max(a, start);
    }
    return total;
  }
}

/** A `WorkingCalendar` over `years` (see its constructor). */
export function createWorkingCalendar(years: readonly CalendarData[] = [], options: WorkingCalendarOptions = {}): WorkingCalendar {
  return new WorkingCalendar(years, options);
}

/** `thresholds` when 0 ≤ blue ≤ yellow ≤ 1; otherwise throws INPUT.INVALID. */
export function checkWarningThresholds(thresholds: WarningThresholds): WarningThresholds {
  const { blue, yellow } = thresholds ?? ({} as WarningThresholds);
  if (typeof blue !== 'number' || typeof yellow !== 'number' || !(blue >= 0 && blue <= yellow && yellow <= 1)) {
    throw badInput(`warning thresholds must satisfy 0 ≤ blue ≤ yellow ≤ 1, not blue ${describe(blue)}, yellow ${describe(yellow)}`);
  }
  return thresholds;
}

/**
 * The warning level for the fraction of the promised time used (e.g. `elapsedFraction`): red from 1 (the deadline
 * has passed), else yellow from `thresholds.yellow`, else blue from `thresholds.blue`, else none. The boundaries
 * belong to the higher level (0.5 with blue = 0.5 is blue). Requires 0 ≤ blue ≤ yellow ≤ 1.
 */
export function warningLevel(elapsedFraction: number, thresholds: WarningThresholds): WarningLevel {
  const { blue, yellow } = checkWarningThresholds(thresholds);
  if (typeof elapsedFraction !== 'number' || Number.isNaN(elapsedFraction)) {
    throw badInput(`the elapsed fraction must be a number, not ${describe(elapsedFraction)}`);
  }
  if (elapsedFraction >= 1) return 'red';
  if (elapsedFraction >= yellow) return 'yellow';
  if (elapsedFraction >= blue) return 'blue';
  return 'none';
}
