/**
 * How long a certificate is valid: a definition's `valid` is an ISO 8601 duration in whole years, months,
 * weeks and days (P20Y, P5Y, P1Y6M, P90D). It is added on the calendar of China Standard Time (UTC+8, no
 * daylight saving), because that is the date printed on the certificate: years and months first, a day that the
 * target month lacks becomes its last day (a certificate issued on 29 February for P1Y runs to 28 February),
 * then weeks and days.
 */
import { OnevisitError } from '../domain/errors.js';
import { CHINA_STANDARD_TIME_OFFSET_MS, chinaWallClock } from '../domain/time.js';

export interface CalendarDuration {
  years: number;
  months: number;
  weeks: number;
  days: number;
}

const DURATION = /^P(?:(\d{1,4})Y)?(?:(\d{1,5})M)?(?:(\d{1,5})W)?(?:(\d{1,6})D)?$/;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Parses `PnYnMnWnD` (at least one part); anything else (time parts, fractions, signs) is INPUT.INVALID. */
export function parseDuration(text: string): CalendarDuration {
  const match = DURATION.exec(text);
  if (!match || text === 'P') {
    throw new OnevisitError('INPUT.INVALID', `"${text}" is not an ISO 8601 duration in years, months, weeks and days (e.g. P5Y, P1Y6M, P90D)`);
  }
  const [, years, months, weeks, days] = match;
  return { years: Number(years ?? 0), months: Number(months ?? 0), weeks: Number(weeks ?? 0), days: Number(days ?? 0) };
}

/** `instant` plus `duration`, counted on the China Standard Time calendar. */
export function addDuration(instant: Date, duration: CalendarDuration): Date {
  const local = chinaWallClock(instant);
  const monthIndex = local.getUTCFullYear() * 12 + local.getUTCMonth() + duration.years * 12 + duration.months;
  const year = Math.floor(monthIndex / 12);
  const month = monthIndex - year * 12;
  // Date.UTC reads years 0–99 as 1900–1999; no certificate is issued then, but say so rather than be wrong.
  if (year < 100) throw new RangeError('years before 100 are not supported');
  const day = Math.min(local.getUTCDate(), daysInMonth(year, month));
  const moved = Date.UTC(year, month, day, local.getUTCHours(), local.getUTCMinutes(), local.getUTCSeconds(), local.getUTCMilliseconds());
  return new Date(moved + (duration.weeks * 7 + duration.days) * DAY_MS - CHINA_STANDARD_TIME_OFFSET_MS);
}

/** The end of validity of a certificate issued at `issuedAt` (ISO 8601) for `valid`; null when `valid` is absent. */
export function validUntilOf(issuedAt: string, valid: string | undefined): string | null {
  if (valid === undefined) return null;
  const start = new Date(issuedAt);
  if (Number.isNaN(start.getTime())) throw new OnevisitError('INPUT.INVALID', `"${issuedAt}" is not an instant`);
  return addDuration(start, parseDuration(valid)).toISOString();
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}
