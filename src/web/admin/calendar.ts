/**
 * The working-day calendar as the admin console edits it: a year drawn as twelve month grids, and its exceptions
 * (public holidays, make-up working days 调休) as lines of text, one dated exception per line, so the page works
 * without scripts:
 *
 *     2026-10-01 | 国庆节 | 國慶節 | National Day
 *
 * (the date, then the name in zh-Hans, zh-Hant and English; for a make-up working day, the holiday it makes up
 * for, which may be left out). The calendar's own checks (domain/calendar.ts, through `admin.saveCalendar`) have
 * the last word; their issues come back to the line they are about.
 */
import type { CalendarData } from '../../domain/calendar.js';
import type { Issue } from '../../domain/errors.js';
import { Locales, localize, type I18nText, type Locale } from '../../domain/i18n.js';
import type { Translate } from '../messages/index.js';

export interface FieldError {
  field: string;
  text: string;
}

const namesLine = (date: string, text: I18nText | undefined) =>
  [date, ...(text ? Locales.map((l) => text[l] ?? '') : [])].join(' | ').replace(/(\s\|\s)+$/, '');

export function exceptionLines(data: CalendarData): { holidays: string; workingWeekends: string } {
  return {
    holidays: data.holidays.map((h) => namesLine(h.date, h.name)).join('\n'),
    workingWeekends: data.workingWeekends.map((w) => namesLine(w.date, w.for)).join('\n'),
  };
}

function textOfParts(parts: string[]): I18nText | undefined {
  const [hans, hant, en] = parts.map((p) => p.trim());
  if (!hans) return undefined;
  return { 'zh-Hans': hans, ...(hant ? { 'zh-Hant': hant } : {}), ...(en ? { en } : {}) };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The lines of one textarea: [date, names] per line that is not blank; a line without a date is an error. */
function parseLines(text: string, field: string, nameRequired: boolean, t: Translate, errors: FieldError[]) {
  const entries: { line: number; date: string; text?: I18nText }[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    if (raw.trim() === '') return;
    const [date = '', ...names] = raw.split('|').map((p) => p.trim());
    if (!DATE.test(date)) {
      errors.push({ field, text: t('admin.calendar.lineDate', { line: index + 1 }) });
      return;
    }
    const name = textOfParts(names);
    if (nameRequired && !name) {
      errors.push({ field, text: t('admin.calendar.lineName', { line: index + 1 }) });
      return;
    }
    entries.push({ line: index + 1, date, ...(name ? { text: name } : {}) });
  });
  return entries;
}

export interface CalendarForm {
  source: string;
  holidays: string;
  workingWeekends: string;
}

/**
 * The submitted form as calendar data, and for each entry the line it came from (to place the calendar's own
 * issues); errors found in the text itself are returned instead.
 */
export function calendarFromForm(form: CalendarForm, base: CalendarData, t: Translate):
  | { ok: true; data: CalendarData; lines: { holidays: number[]; workingWeekends: number[] } }
  | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const holidays = parseLines(form.holidays, 'holidays', true, t, errors);
  const workingWeekends = parseLines(form.workingWeekends, 'workingWeekends', false, t, errors);
  if (form.source.trim() === '') errors.push({ field: 'source', text: t('admin.calendar.sourceRequired') });
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    data: {
      year: base.year,
      region: base.region,
      source: form.source.trim(),
      weekend: base.weekend,
      holidays: holidays.map((h) => ({ date: h.date, name: h.text! })),
      workingWeekends: workingWeekends.map((w) => ({ date: w.date, ...(w.text ? { for: w.text } : {}) })),
    },
    lines: { holidays: holidays.map((h) => h.line), workingWeekends: workingWeekends.map((w) => w.line) },
  };
}

/** The calendar's own issues at the textarea and line they are about. */
export function placeCalendarIssues(issues: readonly Issue[], lines: { holidays: number[]; workingWeekends: number[] }, t: Translate): FieldError[] {
  return issues.map((issue) => {
    const [list, index] = issue.path.split('/').slice(1);
    const message = t(`admin.calendar.issue.${['CALENDAR.DATE', 'CALENDAR.YEAR_MISMATCH', 'CALENDAR.DUPLICATE', 'CALENDAR.CONFLICT', 'CALENDAR.NOT_WEEKEND'].includes(issue.code) ? issue.code : 'other'}`);
    if ((list === 'holidays' || list === 'workingWeekends') && index !== undefined) {
      const line = lines[list][Number(index)];
      return { field: list, text: t('admin.calendar.atLine', { line: line ?? Number(index) + 1, message }) };
    }
    return { field: list === 'source' ? 'source' : 'holidays', text: message };
  });
}

export type DayKind = 'working' | 'weekend' | 'holiday' | 'makeup';

export interface DayCell {
  date: string;
  day: number;
  kind: DayKind;
  /** The holiday's name, or the holiday a make-up day is for. */
  name: string;
}

export interface MonthGrid {
  month: number;
  title: string;
  weeks: (DayCell | null)[][];
  counts: { working: number; holiday: number; makeup: number };
}

/** The year as months of weeks (Monday first), each day with its kind. */
export function yearGrid(data: CalendarData, locale: Locale): MonthGrid[] {
  const holidays = new Map(data.holidays.map((h) => [h.date, h.name]));
  const makeups = new Map(data.workingWeekends.map((w) => [w.date, w.for]));
  const monthName = new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : locale === 'zh-Hant' ? 'zh-TW' : 'zh-CN', { month: 'long', timeZone: 'UTC' });
  return Array.from({ length: 12 }, (_, m) => {
    const first = Date.UTC(data.year, m, 1);
    const days = new Date(Date.UTC(data.year, m + 1, 0)).getUTCDate();
    const lead = (new Date(first).getUTCDay() + 6) % 7;
    const cells: (DayCell | null)[] = Array.from({ length: lead }, () => null);
    const counts = { working: 0, holiday: 0, makeup: 0 };
    for (let d = 1; d <= days; d++) {
      const date = new Date(Date.UTC(data.year, m, d)).toISOString().slice(0, 10);
      const weekday = new Date(Date.UTC(data.year, m, d)).getUTCDay() || 7;
      const holiday = holidays.get(date);
      const kind: DayKind = holiday ? 'holiday' : makeups.has(date) ? 'makeup' : data.weekend.includes(weekday) ? 'weekend' : 'working';
      const named = holiday ?? makeups.get(date);
      if (kind === 'holiday') counts.holiday++;
      if (kind === 'makeup') counts.makeup++;
      if (kind === 'working' || kind === 'makeup') counts.working++;
      cells.push({ date, day: d, kind, name: named ? localize(named, locale) : '' });
    }
    while (cells.length % 7 !== 0) cells.push(null);
    const weeks: (DayCell | null)[][] = [];
    for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7));
    return { month: m + 1, title: monthName.format(new Date(first)), weeks, counts };
  });
}

/** A year without data yet: weekends only, to be filled in. */
export function emptyYear(year: number, like?: CalendarData): CalendarData {
  return { year, region: like?.region ?? 'CN', source: '', weekend: like?.weekend ?? [6, 7], holidays: [], workingWeekends: [] };
}
