/**
 * The working-day calendar in the database: one row per year (region, source, weekend) and one per special day
 * (a holiday, or a make-up working day on a weekend). Admins edit it; the shipped files only seed years the
 * database does not have yet, so an edit survives restarts. One region per database, as one WorkingCalendar is.
 */
import { parseCalendarData, type CalendarData } from '../domain/calendar.js';
import { OnevisitError, isOnevisitError, type Issue } from '../domain/errors.js';
import type { Database } from './database.js';
import { writeTransaction, type Writer } from './writeTransaction.js';

type Row = Record<string, unknown>;

/** Every year in the database, ascending, each checked as calendar data. Throws CALENDAR.INVALID for a bad row. */
export async function loadCalendar(db: Database): Promise<CalendarData[]> {
  const years = await db('calendar_years').orderBy('year');
  const days = await db('calendar_days').orderBy('day');
  return years.map((year: Row) => {
    const own = days.filter((day: Row) => Number(day.year) === Number(year.year));
    const raw = {
      year: Number(year.year),
      region: year.region,
      source: year.source,
      weekend: parseJson(year.weekend),
      holidays: own.filter((d: Row) => d.kind === 'holiday').map((d: Row) => ({ date: d.day, name: parseJson(d.name) })),
      workingWeekends: own
        .filter((d: Row) => d.kind === 'workday')
        .map((d: Row) => (d.name === null || d.name === undefined ? { date: d.day } : { date: d.day, for: parseJson(d.name) })),
    };
    return checked(raw, `The stored calendar for ${String(year.year)} is invalid. `);
  });
}

/**
 * Replaces one year (its row and all its days) in one transaction. Throws CALENDAR.INVALID, with `errors` naming
 * each problem by JSON Pointer, for invalid data or a region other than the other stored years'.
 */
export async function saveCalendarYear(db: Database, data: CalendarData): Promise<void> {
  const year = checked(data);
  await writeTransaction(db, async (w) => {
    await checkRegion(w, year);
    await w.run(UPSERT_YEAR_SQL, yearValues(year));
    await w.run('DELETE FROM calendar_days WHERE year = ?', [year.year]);
    await insertDays(w, year);
  });
}

/**
 * Stores each of `years` the database does not hold yet; years already there (perhaps edited) are left alone.
 * Safe to run on every start of every instance. Returns the years it stored.
 */
export async function seedCalendars(db: Database, years: readonly CalendarData[]): Promise<number[]> {
  const valid = years.map((data) => checked(data));
  const seeded: number[] = [];
  for (const year of valid) {
    const inserted = await writeTransaction(db, async (w) => {
      await checkRegion(w, year);
      if ((await w.run(INSERT_YEAR_IF_ABSENT_SQL, yearValues(year))) === 0) return false;
      await insertDays(w, year);
      return true;
    });
    if (inserted) seeded.push(year.year);
  }
  return seeded;
}

const UPSERT_YEAR_SQL =
  'INSERT INTO calendar_years (year, region, source, weekend) VALUES (?, ?, ?, ?) ' +
  'ON CONFLICT (year) DO UPDATE SET region = excluded.region, source = excluded.source, weekend = excluded.weekend';
const INSERT_YEAR_IF_ABSENT_SQL = 'INSERT INTO calendar_years (year, region, source, weekend) VALUES (?, ?, ?, ?) ON CONFLICT (year) DO NOTHING';
const INSERT_DAY_SQL = 'INSERT INTO calendar_days (day, year, kind, name, region) VALUES (?, ?, ?, ?, ?)';

function yearValues(data: CalendarData): unknown[] {
  return [data.year, data.region, data.source, JSON.stringify(data.weekend)];
}

async function insertDays(w: Writer, data: CalendarData): Promise<void> {
  for (const holiday of data.holidays) {
    await w.run(INSERT_DAY_SQL, [holiday.date, data.year, 'holiday', JSON.stringify(holiday.name), data.region]);
  }
  for (const makeUp of data.workingWeekends) {
    await w.run(INSERT_DAY_SQL, [makeUp.date, data.year, 'workday', makeUp.for === undefined ? null : JSON.stringify(makeUp.for), data.region]);
  }
}

/** One calendar is for one region: a year of another region than the other stored years is refused. */
async function checkRegion(w: Writer, data: CalendarData): Promise<void> {
  const other = await w.get<{ year: number | string; region: string }>('SELECT year, region FROM calendar_years WHERE year <> ? AND region <> ? LIMIT 1', [
    data.year,
    data.region,
  ]);
  if (other) {
    const message = `region "${data.region}" differs from "${other.region}" of the stored year ${String(other.year)}; one calendar is for one region`;
    throw new OnevisitError('CALENDAR.INVALID', `Invalid calendar data for ${data.year}: /region: ${message}`, {
      errors: [{ path: '/region', code: 'CALENDAR.CONFLICT', message }],
    });
  }
}

/** `value` as calendar data, or CALENDAR.INVALID carrying the domain's issues (paths are JSON Pointers into `value`). */
function checked(value: unknown, context = ''): CalendarData {
  try {
    return parseCalendarData(value);
  } catch (error) {
    if (!isOnevisitError(error, 'CONFIG.INVALID')) throw error;
    const errors: Issue[] = [...error.errors];
    throw new OnevisitError('CALENDAR.INVALID', `${context}${error.message}`, { errors });
  }
}

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text; // left for parseCalendarData to name as the wrong type
  }
}
