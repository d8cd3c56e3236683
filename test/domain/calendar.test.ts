import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import fc from 'fast-check';
import {
  DAY_MS,
  WorkingCalendar,
  createWorkingCalendar,
  parseCalendarData,
  warningLevel,
  type CalendarData,
  type TimeInterval,
} from '../../src/domain/calendar.js';
import { isOnevisitError, type OnevisitError } from '../../src/domain/errors.js';

/** The shipped 2026 calendar (dist/test/domain → project root). */
const raw2026: unknown = JSON.parse(readFileSync(new URL('../../../workflows/calendars/cn-2026.json', import.meta.url), 'utf8'));
const cn2026 = parseCalendarData(raw2026);
const calendar = new WorkingCalendar([cn2026]);

const HOUR_MS = 3_600_000;
/** An instant written in China Standard Time, e.g. cst('2026-09-30T10:00'). */
const cst = (local: string) => new Date(`${local}+08:00`);
/** The last millisecond of a CST day. */
const endOf = (day: string) => cst(`${day}T23:59:59.999`);
const later = (date: Date, ms: number) => new Date(date.getTime() + ms);
const iso = (date: Date) => date.toISOString();
const copy = () => structuredClone(raw2026) as Record<string, any>;

function rejection(value: unknown): OnevisitError {
  try {
    parseCalendarData(value);
  } catch (error) {
    expect(isOnevisitError(error, 'CONFIG.INVALID'), String(error)).to.equal(true);
    return error as OnevisitError;
  }
  throw new Error('expected the calendar data to be rejected');
}

/** Instants from mid-2025 to the start of 2028: uncovered 2025, the 2026 data, uncovered 2027. */
const arbInstant = fc
  .integer({ min: cst('2025-06-01T00:00').getTime(), max: cst('2028-01-01T00:00').getTime() })
  .map((ms) => new Date(ms));
const arbDays = fc.integer({ min: 0, max: 60 });
/** Up to four pauses starting within 40 days of `base`, each up to 6 days long (possibly empty, possibly overlapping). */
const arbPauses = (base: Date) =>
  fc.array(
    fc.record({ offset: fc.integer({ min: -2 * DAY_MS, max: 40 * DAY_MS }), length: fc.integer({ min: 0, max: 6 * DAY_MS }) }).map(
      ({ offset, length }): TimeInterval => ({ from: later(base, offset), to: later(base, offset + length) }),
    ),
    { maxLength: 4 },
  );

describe('domain/calendar', () => {
  describe('parseCalendarData', () => {
    it('accepts the shipped 2026 calendar unchanged, as a copy', () => {
      expect(cn2026).to.deep.equal(raw2026);
      expect(cn2026).to.not.equal(raw2026);
      expect(cn2026.year).to.equal(2026);
      expect(cn2026.workingWeekends.map((w) => w.date)).to.include('2026-10-10');
    });

    it('rejects what is not an object', () => {
      expect(rejection(null).message).to.match(/must be a JSON object, not null/);
      expect(rejection([]).message).to.match(/not an array/);
    });

    it('names a missing key', () => {
      const data = copy();
      delete data.workingWeekends;
      const error = rejection(data);
      expect(error.message).to.match(/\/workingWeekends: "workingWeekends" is missing/);
      expect(error.errors.map((e) => e.path)).to.deep.equal(['/workingWeekends']);
    });

    it('rejects a date that is not a real day, naming where it is', () => {
      const data = copy();
      data.holidays[3].date = '2026-02-30';
      const error = rejection(data);
      expect(error.message).to.match(/\/holidays\/3\/date: "2026-02-30" is not a real date/);
      expect(error.errors[0]).to.include({ path: '/holidays/3/date', code: 'CALENDAR.DATE' });
    });

    it('rejects dates not written YYYY-MM-DD', () => {
      const data = copy();
      data.holidays[0].date = '2026-1-1';
      data.workingWeekends[0].date = 20260104;
      const error = rejection(data);
      expect(error.errors.map((e) => e.path)).to.deep.equal(['/holidays/0/date', '/workingWeekends/0/date']);
      expect(error.message).to.match(/must be a date written YYYY-MM-DD/);
    });

    it('rejects a date outside the calendar year', () => {
      const data = copy();
      data.holidays[0].date = '2025-12-31';
      expect(rejection(data).message).to.match(/"2025-12-31" is not in the calendar's year 2026/);
    });

    it('rejects a day that is both a holiday and a make-up working day', () => {
      const data = copy();
      data.workingWeekends.push({ date: '2026-10-03', for: { 'zh-Hans': '国庆节' } });
      const error = rejection(data);
      expect(error.message).to.match(/2026-10-03 is both a make-up working day and a holiday/);
      expect(error.errors[0]).to.include({ code: 'CALENDAR.CONFLICT', path: '/workingWeekends/6/date' });
    });

    it('rejects a make-up working day that is not on a weekend', () => {
      const data = copy();
      data.workingWeekends[0].date = '2026-01-05'; // a Monday
      expect(rejection(data).message).to.match(/2026-01-05 is a make-up working day but not a weekend day/);
    });

    it('rejects a date listed twice', () => {
      const data = copy();
      data.holidays.push({ date: '2026-10-01', name: { 'zh-Hans': '国庆节' } });
      expect(rejection(data).message).to.match(/2026-10-01 is already a holiday at \/holidays\/26/);
    });

    it('rejects bad weekend numbers, an unknown key, a name without zh-Hans, and reports them all at once', () => {
      const data = copy();
      data.weekend = [6, 8];
      data.holidy = [];
      data.holidays[0].name = { en: "New Year's Day" };
      data.year = '2026';
      const error = rejection(data);
      const paths = error.errors.map((e) => e.path);
      expect(paths).to.include.members(['/weekend/1', '/holidy', '/holidays/0/name', '/year']);
      expect(error.message).to.match(/number 8 is not an ISO weekday/).and.match(/unknown key "holidy"/).and.match(/needs a "zh-Hans" text/);
    });

    it('rejects a weekend of all seven days', () => {
      const data = copy();
      data.weekend = [1, 2, 3, 4, 5, 6, 7];
      expect(rejection(data).message).to.match(/no working days/);
    });
  });

  describe('WorkingCalendar construction', () => {
    const for2027: CalendarData = { year: 2027, region: 'CN', source: 'test', weekend: [6, 7], holidays: [], workingWeekends: [] };

    it('merges several years and says which it covers', () => {
      const both = createWorkingCalendar([for2027, cn2026]);
      expect(both.years).to.deep.equal([2026, 2027]);
      expect(both.covers(2026) && both.covers(2027)).to.equal(true);
      expect(both.covers(2028)).to.equal(false);
      expect(both.region).to.equal('CN');
    });

    it('refuses the same year twice and mixed regions', () => {
      expect(() => new WorkingCalendar([cn2026, cn2026])).to.throw(/\/1\/year: 2026 is already given at \/0/);
      expect(() => new WorkingCalendar([cn2026, { ...for2027, region: 'HK' }])).to.throw(/region "HK" differs from "CN"/);
    });

    it('validates the data it is given', () => {
      expect(() => new WorkingCalendar([{ ...cn2026, weekend: [0] }])).to.throw(/\/0\/weekend\/0: number 0 is not an ISO weekday/);
    });

    it('validates its options', () => {
      expect(() => new WorkingCalendar([], { utcOffsetMinutes: 900 })).to.throw(/utcOffsetMinutes/);
      expect(() => new WorkingCalendar([], { defaultWeekend: [1, 2, 3, 4, 5, 6, 7] })).to.throw(/no working days/);
    });
  });

  describe('isWorkingDay', () => {
    it('follows the 2026 data: holidays off, make-up weekend days on, else Monday to Friday', () => {
      expect(calendar.isWorkingDay('2026-09-30')).to.equal(true); // Wednesday
      expect(calendar.isWorkingDay('2026-10-01')).to.equal(false); // National Day, Thursday
      expect(calendar.isWorkingDay('2026-10-07')).to.equal(false); // National Day, Wednesday
      expect(calendar.isWorkingDay('2026-10-10')).to.equal(true); // make-up Saturday
      expect(calendar.isWorkingDay('2026-09-20')).to.equal(true); // make-up Sunday
      expect(calendar.isWorkingDay('2026-09-19')).to.equal(false); // ordinary Saturday
      expect(calendar.isWorkingDay('2026-02-14')).to.equal(true); // make-up Saturday before the Spring Festival
      expect(calendar.isWorkingDay('2026-02-23')).to.equal(false); // Spring Festival, Monday
      expect(calendar.holidayName('2026-02-16')).to.deep.equal({ 'zh-Hans': '春节', en: 'Spring Festival' });
      expect(calendar.holidayName('2026-02-24')).to.equal(undefined);
    });

    it('falls back to weekends only for a year without data (2027)', () => {
      expect(calendar.covers(2026)).to.equal(true);
      expect(calendar.covers(2027)).to.equal(false);
      expect(calendar.isWorkingDay('2027-10-01')).to.equal(true); // a Friday; no holiday data
      expect(calendar.isWorkingDay('2027-10-02')).to.equal(false); // Saturday
      expect(calendar.isWorkingDay('2027-10-03')).to.equal(false); // Sunday
      expect(calendar.isWorkingDay('2025-12-31')).to.equal(true); // Wednesday, 2025 has no data either
    });

    it('refuses a malformed day', () => {
      expect(() => calendar.isWorkingDay('2026-02-29')).to.throw(/real date written YYYY-MM-DD/);
      expect(() => calendar.isWorkingDay('2026/10/01')).to.throw(/INPUT|YYYY-MM-DD/);
    });

    it('places an instant on its China Standard Time day, not its UTC day', () => {
      expect(calendar.dayOf(new Date('2026-09-30T16:30:00Z'))).to.equal('2026-10-01');
      expect(calendar.dayOf(new Date('2026-09-30T15:59:59.999Z'))).to.equal('2026-09-30');
      expect(iso(calendar.startOfDay('2026-10-01'))).to.equal('2026-09-30T16:00:00.000Z');
      expect(iso(calendar.endOfDay('2026-10-09'))).to.equal('2026-10-09T15:59:59.999Z');
      const utc = new WorkingCalendar([cn2026], { utcOffsetMinutes: 0 });
      expect(utc.dayOf(new Date('2026-09-30T16:30:00Z'))).to.equal('2026-09-30');
    });
  });

  describe('addWorkingDays', () => {
    it('counts across the National Day holiday and onto the make-up Saturday after it', () => {
      const start = cst('2026-09-30T10:00');
      // Oct 1–7 are holidays; Oct 8 (Thu), Oct 9 (Fri), Oct 10 (make-up Saturday).
      expect(iso(calendar.addWorkingDays(start, 1))).to.equal(iso(endOf('2026-10-08')));
      expect(iso(calendar.addWorkingDays(start, 3))).to.equal(iso(endOf('2026-10-10')));
      expect(iso(calendar.addWorkingDays(start, 3))).to.equal('2026-10-10T15:59:59.999Z');
      // Oct 11 is an ordinary Sunday.
      expect(iso(calendar.addWorkingDays(start, 5))).to.equal(iso(endOf('2026-10-13')));
    });

    it('counts a make-up Sunday before National Day as a working day', () => {
      // Friday Sep 18 → Saturday 19 is off, Sunday 20 is a make-up working day.
      expect(iso(calendar.addWorkingDays(cst('2026-09-18T15:00'), 1))).to.equal(iso(endOf('2026-09-20')));
      expect(iso(calendar.addWorkingDays(cst('2026-09-18T15:00'), 2))).to.equal(iso(endOf('2026-09-21')));
    });

    it('counts across the Spring Festival, including its make-up Saturdays', () => {
      const start = cst('2026-02-13T16:00'); // Friday
      expect(iso(calendar.addWorkingDays(start, 1))).to.equal(iso(endOf('2026-02-14'))); // make-up Saturday
      expect(iso(calendar.addWorkingDays(start, 2))).to.equal(iso(endOf('2026-02-24'))); // Feb 15–23 off
      // Feb 24–27 (Tue–Fri) then the make-up Saturday Feb 28.
      expect(iso(calendar.addWorkingDays(start, 6))).to.equal(iso(endOf('2026-02-28')));
    });

    it('does not count the start day, even when it starts just after midnight', () => {
      expect(iso(calendar.addWorkingDays(cst('2026-03-02T00:00'), 1))).to.equal(iso(endOf('2026-03-03')));
      expect(iso(calendar.addWorkingDays(cst('2026-03-02T23:59:59.999'), 1))).to.equal(iso(endOf('2026-03-03')));
    });

    it('crosses from an uncovered year into the data: New Year 2026 and its make-up Sunday', () => {
      expect(iso(calendar.addWorkingDays(cst('2025-12-31T09:00'), 1))).to.equal(iso(endOf('2026-01-04')));
    });

    it('uses weekends only in 2027, which has no data', () => {
      // Thursday Dec 31 2026 → Friday Jan 1 2027 counts (no holiday data for 2027); then Monday Jan 4.
      expect(iso(calendar.addWorkingDays(cst('2026-12-31T09:00'), 1))).to.equal(iso(endOf('2027-01-01')));
      expect(iso(calendar.addWorkingDays(cst('2026-12-31T09:00'), 2))).to.equal(iso(endOf('2027-01-04')));
      expect(iso(calendar.addWorkingDays(cst('2027-10-01T09:00'), 1))).to.equal(iso(endOf('2027-10-04')));
    });

    it('gives the end of the start day for zero days, working day or not', () => {
      expect(iso(calendar.addWorkingDays(cst('2026-09-30T10:00'), 0))).to.equal(iso(endOf('2026-09-30')));
      expect(iso(calendar.addWorkingDays(cst('2026-10-03T10:00'), 0))).to.equal(iso(endOf('2026-10-03')));
    });

    it('refuses negative, fractional or absurd day counts and invalid dates', () => {
      const start = cst('2026-03-02T10:00');
      expect(() => calendar.addWorkingDays(start, -1)).to.throw(/whole number of days/);
      expect(() => calendar.addWorkingDays(start, 1.5)).to.throw(/whole number of days/);
      expect(() => calendar.addWorkingDays(start, 1e9)).to.throw(/whole number of days/);
      expect(() => calendar.addWorkingDays(new Date('nonsense'), 1)).to.throw(/valid Date/);
    });
  });

  describe('workingDaysBetween and elapsedWorkingMs', () => {
    it('counts only working-day time, fractionally', () => {
      // Friday 18:00 → Monday 06:00: 6 h of Friday, nothing of the weekend, 6 h of Monday.
      expect(calendar.workingDaysBetween(cst('2026-03-06T18:00'), cst('2026-03-09T06:00'))).to.equal(0.5);
      // Across National Day: Sep 30 12:00 → Oct 8 12:00 is half of Sep 30 and half of Oct 8.
      expect(calendar.workingDaysBetween(cst('2026-09-30T12:00'), cst('2026-10-08T12:00'))).to.equal(1);
      // The make-up Sunday counts.
      expect(calendar.workingDaysBetween(cst('2026-09-19T00:00'), cst('2026-09-21T00:00'))).to.equal(1);
    });

    it('is negative when to is before from', () => {
      expect(calendar.workingDaysBetween(cst('2026-03-09T06:00'), cst('2026-03-06T18:00'))).to.equal(-0.5);
      expect(calendar.workingDaysBetween(cst('2026-03-09T06:00'), cst('2026-03-09T06:00'))).to.equal(0);
    });

    it('sums running intervals, counting overlaps once', () => {
      const intervals = [
        { from: cst('2026-03-02T09:00'), to: cst('2026-03-02T12:00') }, // Monday, 3 h
        { from: cst('2026-03-02T11:00'), to: cst('2026-03-02T13:00') }, // overlaps: 1 more hour
        { from: cst('2026-03-07T09:00'), to: cst('2026-03-07T17:00') }, // Saturday: nothing
        { from: cst('2026-03-09T08:00'), to: cst('2026-03-09T08:00') }, // empty
      ];
      expect(calendar.elapsedWorkingMs(intervals)).to.equal(4 * HOUR_MS);
      expect(calendar.elapsedWorkingMs([])).to.equal(0);
      expect(() => calendar.elapsedWorkingMs([{ from: cst('2026-03-02T12:00'), to: cst('2026-03-02T09:00') }])).to.throw(/ends .* before it starts/);
    });
  });

  describe('dueAt', () => {
    const start = cst('2026-03-02T10:00'); // Monday
    const plain = endOf('2026-03-09'); // 5 working days: Mar 3, 4, 5, 6, 9

    it('equals addWorkingDays when nothing paused', () => {
      expect(iso(calendar.dueAt(start, 5))).to.equal(iso(plain));
      expect(iso(calendar.dueAt(start, 5, []))).to.equal(iso(calendar.addWorkingDays(start, 5)));
      expect(iso(calendar.dueAt(start, 0))).to.equal(iso(endOf('2026-03-02')));
    });

    it('is not moved by a pause over a weekend', () => {
      const weekend = [{ from: cst('2026-03-07T00:00'), to: cst('2026-03-09T00:00') }];
      expect(iso(calendar.dueAt(start, 5, weekend))).to.equal(iso(plain));
    });

    it('is not moved by a pause during a holiday, nor by one on the start day (the clock starts the next day)', () => {
      const festival = [{ from: cst('2026-02-15T00:00'), to: cst('2026-02-24T00:00') }];
      const fridayStart = cst('2026-02-13T16:00');
      expect(iso(calendar.dueAt(fridayStart, 2, festival))).to.equal(iso(endOf('2026-02-24')));
      expect(iso(calendar.dueAt(start, 5, [{ from: cst('2026-03-02T10:00'), to: cst('2026-03-02T18:00') }]))).to.equal(iso(plain));
    });

    it('moves later by exactly the paused working time', () => {
      const paused = [{ from: cst('2026-03-04T09:00'), to: cst('2026-03-04T12:00') }]; // 3 h on Wednesday
      const due = calendar.dueAt(start, 5, paused);
      expect(iso(due)).to.equal(iso(cst('2026-03-10T02:59:59.999')));
      expect(calendar.workingMsBetween(plain, due)).to.equal(3 * HOUR_MS);
    });

    it('counts only the working part of a pause that spans a weekend', () => {
      // Friday 17:00 → Monday 17:00: 7 h of Friday + 17 h of Monday = one working day.
      const paused = [{ from: cst('2026-03-06T17:00'), to: cst('2026-03-09T17:00') }];
      expect(iso(calendar.dueAt(start, 5, paused))).to.equal(iso(endOf('2026-03-10')));
    });

    it('treats the time after the last pause as running, even past the unpaused deadline', () => {
      // Paused from Thursday Mar 5 00:00 until Wednesday Mar 11 00:00: Mar 5, 6, 9, 10 are lost (4 working days),
      // Mar 3 and 4 ran before; Mar 11, 12, 13 finish the five.
      const paused = [{ from: cst('2026-03-05T00:00'), to: cst('2026-03-11T00:00') }];
      expect(iso(calendar.dueAt(start, 5, paused))).to.equal(iso(endOf('2026-03-13')));
    });

    it('adds extension days as working days', () => {
      expect(iso(calendar.dueAt(start, 5, [], 2))).to.equal(iso(endOf('2026-03-11')));
      expect(iso(calendar.dueAt(cst('2026-09-28T10:00'), 2, [], 1))).to.equal(iso(endOf('2026-10-08'))); // Sep 29, 30, then Oct 8
      const paused = [{ from: cst('2026-03-04T00:00'), to: cst('2026-03-05T00:00') }];
      expect(iso(calendar.dueAt(start, 5, paused, 2))).to.equal(iso(endOf('2026-03-12')));
    });

    it('refuses a pause that ends before it starts', () => {
      expect(() => calendar.dueAt(start, 5, [{ from: cst('2026-03-04T12:00'), to: cst('2026-03-04T09:00') }])).to.throw(/pausedIntervals\[0\]/);
    });
  });

  describe('instantAfterWorkingMs', () => {
    const start = cst('2026-03-02T10:00'); // Monday

    it('is the clock start for no time, and the next midnight after whole working days', () => {
      expect(iso(calendar.instantAfterWorkingMs(start, 0))).to.equal(iso(cst('2026-03-03T00:00')));
      expect(iso(calendar.instantAfterWorkingMs(start, 5 * DAY_MS))).to.equal(iso(later(endOf('2026-03-09'), 1)));
    });

    it('lands inside a working day for part of a day, skipping the weekend, holidays and not make-up days', () => {
      expect(iso(calendar.instantAfterWorkingMs(start, 2.5 * DAY_MS))).to.equal(iso(cst('2026-03-05T12:00')));
      expect(iso(calendar.instantAfterWorkingMs(start, 4.25 * DAY_MS))).to.equal(iso(cst('2026-03-09T06:00')));
      // Accepted Friday Feb 13: Saturday Feb 14 is a make-up working day, then the Spring Festival to Feb 23.
      expect(iso(calendar.instantAfterWorkingMs(cst('2026-02-13T16:00'), 1.5 * DAY_MS))).to.equal(iso(cst('2026-02-24T12:00')));
    });

    it('moves later by the paused working time', () => {
      const paused = [{ from: cst('2026-03-03T06:00'), to: cst('2026-03-03T09:00') }];
      expect(iso(calendar.instantAfterWorkingMs(start, DAY_MS / 2, paused))).to.equal(iso(cst('2026-03-03T15:00')));
      // A pause that begins exactly when the time is reached does not move it.
      expect(iso(calendar.instantAfterWorkingMs(start, DAY_MS / 4, paused))).to.equal(iso(cst('2026-03-03T06:00')));
    });

    it('refuses a negative or fractional amount', () => {
      expect(() => calendar.instantAfterWorkingMs(start, -1)).to.throw(/workingMs must be a whole number/);
      expect(() => calendar.instantAfterWorkingMs(start, 0.5)).to.throw(/workingMs must be a whole number/);
    });

    it('is where elapsedFraction reaches the fraction, and the deadline is 1 ms before the whole (property)', () => {
      fc.assert(
        fc.property(
          arbInstant.chain((start) => fc.tuple(fc.constant(start), fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 1, noNaN: true }), arbPauses(start))),
          ([start, n, fraction, pauses]) => {
            const target = n * DAY_MS;
            const ms = Math.ceil(fraction * target);
            const at = calendar.instantAfterWorkingMs(start, ms, pauses);
            expect(calendar.elapsedFraction(start, n, pauses, at) * target).to.be.closeTo(ms, 1e-3);
            if (ms > 0) expect(calendar.elapsedFraction(start, n, pauses, later(at, -1)) * target).to.be.closeTo(ms - 1, 1e-3);
            expect(iso(calendar.instantAfterWorkingMs(start, target, pauses))).to.equal(iso(later(calendar.dueAt(start, n, pauses), 1)));
          },
        ),
      );
    });
  });

  describe('elapsedFraction', () => {
    const start = cst('2026-03-02T10:00');
    const due = endOf('2026-03-09');

    it('starts the clock the day after the start day and reaches 1 just after the deadline', () => {
      expect(calendar.elapsedFraction(start, 5, [], cst('2026-03-02T20:00'))).to.equal(0);
      expect(calendar.elapsedFraction(start, 5, [], cst('2026-03-04T12:00'))).to.equal(1.5 / 5);
      expect(calendar.elapsedFraction(start, 5, [], due)).to.be.lessThan(1);
      expect(calendar.elapsedFraction(start, 5, [], later(due, 1))).to.equal(1);
      expect(warningLevel(calendar.elapsedFraction(start, 5, [], due), { blue: 0.5, yellow: 0.8 })).to.equal('yellow');
      expect(warningLevel(calendar.elapsedFraction(start, 5, [], later(due, 1)), { blue: 0.5, yellow: 0.8 })).to.equal('red');
    });

    it('does not advance while paused, and counts extension days in the promised time', () => {
      const paused = [{ from: cst('2026-03-03T00:00'), to: cst('2026-03-04T00:00') }];
      expect(calendar.elapsedFraction(start, 5, paused, cst('2026-03-04T00:00'))).to.equal(0);
      expect(calendar.elapsedFraction(start, 5, paused, cst('2026-03-05T00:00'), 5)).to.equal(0.1);
    });

    it('with nothing promised, is 0 on the start day and 1 from the next day', () => {
      expect(calendar.elapsedFraction(start, 0, [], cst('2026-03-02T23:00'))).to.equal(0);
      expect(calendar.elapsedFraction(start, 0, [], cst('2026-03-03T00:00'))).to.equal(1);
    });
  });

  describe('warningLevel', () => {
    const thresholds = { blue: 0.5, yellow: 0.8 };

    it('puts each threshold itself in the higher level', () => {
      expect(warningLevel(0, thresholds)).to.equal('none');
      expect(warningLevel(0.4999, thresholds)).to.equal('none');
      expect(warningLevel(0.5, thresholds)).to.equal('blue');
      expect(warningLevel(0.7999, thresholds)).to.equal('blue');
      expect(warningLevel(0.8, thresholds)).to.equal('yellow');
      expect(warningLevel(0.9999, thresholds)).to.equal('yellow');
      expect(warningLevel(1, thresholds)).to.equal('red');
      expect(warningLevel(3.2, thresholds)).to.equal('red');
    });

    it('refuses thresholds out of order and a fraction that is not a number', () => {
      expect(() => warningLevel(0.5, { blue: 0.9, yellow: 0.8 })).to.throw(/0 ≤ blue ≤ yellow ≤ 1/);
      expect(() => warningLevel(0.5, { blue: 0.5, yellow: 1.5 })).to.throw(/0 ≤ blue ≤ yellow ≤ 1/);
      expect(() => warningLevel(Number.NaN, thresholds)).to.throw(/must be a number/);
    });

    it('never goes down as the fraction grows (property)', () => {
      const rank = { none: 0, blue: 1, yellow: 2, red: 3 } as const;
      const arbThresholds = fc
        .tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }))
        .map(([a, b]) => ({ blue: Math.min(a, b), yellow: Math.max(a, b) }));
      fc.assert(
        fc.property(arbThresholds, fc.double({ min: 0, max: 2, noNaN: true }), fc.double({ min: 0, max: 2, noNaN: true }), (t, x, y) => {
          const [lo, hi] = x <= y ? [x, y] : [y, x];
          return rank[warningLevel(lo, t)] <= rank[warningLevel(hi, t)];
        }),
      );
    });
  });

  describe('properties (instants from mid-2025 to 2028, across the 2026 data and the uncovered years)', () => {
    // True for every start, not only ends of working days: the result depends only on the start's day, and
    // addWorkingDays(start, a) lies on the a-th working day after it (or on the start day when a = 0), so b more
    // working days from there is the (a + b)-th working day after the start day.
    it('addWorkingDays(start, a + b) = addWorkingDays(addWorkingDays(start, a), b)', () => {
      fc.assert(
        fc.property(arbInstant, arbDays, arbDays, (start, a, b) => {
          expect(iso(calendar.addWorkingDays(start, a + b))).to.equal(iso(calendar.addWorkingDays(calendar.addWorkingDays(start, a), b)));
        }),
      );
    });

    it('for n ≥ 1 the deadline is the last millisecond of a working day after the start day', () => {
      fc.assert(
        fc.property(arbInstant, fc.integer({ min: 1, max: 60 }), (start, n) => {
          const due = calendar.addWorkingDays(start, n);
          const day = calendar.dayOf(due);
          expect(calendar.isWorkingDay(day)).to.equal(true);
          expect(day > calendar.dayOf(start)).to.equal(true);
          expect(iso(due)).to.equal(iso(calendar.endOfDay(day)));
        }),
      );
    });

    it('exactly n working days lie between the clock start and the deadline', () => {
      fc.assert(
        fc.property(arbInstant, arbDays, (start, n) => {
          const due = calendar.addWorkingDays(start, n);
          expect(calendar.workingMsBetween(calendar.countingStart(start), later(due, 1))).to.equal(n * DAY_MS);
        }),
      );
    });

    // [n, n + 1] once the deadline's own last millisecond is included: the n counted days, plus whatever of the
    // start day (a working day or not) is left after `start`. Up to the deadline instant itself it is 1 ms less.
    it('workingDaysBetween(start, addWorkingDays(start, n) + 1 ms) is in [n, n + 1]', () => {
      fc.assert(
        fc.property(arbInstant, arbDays, (start, n) => {
          const due = calendar.addWorkingDays(start, n);
          const elapsed = calendar.workingDaysBetween(start, later(due, 1));
          expect(elapsed).to.be.within(n, n + 1);
          expect(calendar.workingMsBetween(start, due)).to.be.at.least(n * DAY_MS - 1);
        }),
      );
    });

    it('workingMsBetween is additive and antisymmetric', () => {
      fc.assert(
        fc.property(arbInstant, arbInstant, arbInstant, (a, b, c) => {
          expect(calendar.workingMsBetween(a, b) + calendar.workingMsBetween(b, c)).to.equal(calendar.workingMsBetween(a, c));
          expect(calendar.workingMsBetween(b, a)).to.equal(-calendar.workingMsBetween(a, b));
        }),
      );
    });

    it('dueAt: the running time reaches the promise exactly one millisecond after the deadline', () => {
      fc.assert(
        fc.property(
          arbInstant.chain((start) => fc.tuple(fc.constant(start), arbDays, fc.integer({ min: 0, max: 5 }), arbPauses(start))),
          ([start, n, extension, pauses]) => {
            const due = calendar.dueAt(start, n, pauses, extension);
            if (n + extension > 0) {
              expect(calendar.elapsedFraction(start, n, pauses, due, extension)).to.be.lessThan(1);
              expect(calendar.elapsedFraction(start, n, pauses, later(due, 1), extension)).to.equal(1);
            } else {
              expect(iso(due)).to.equal(iso(calendar.endOfDay(calendar.dayOf(start))));
            }
          },
        ),
      );
    });

    it('dueAt: pausing moves the deadline later by exactly the paused working time before it', () => {
      fc.assert(
        fc.property(
          arbInstant.chain((start) => fc.tuple(fc.constant(start), fc.integer({ min: 1, max: 60 }), arbPauses(start))),
          ([start, n, pauses]) => {
            const plain = calendar.addWorkingDays(start, n);
            const due = calendar.dueAt(start, n, pauses);
            const clock = calendar.countingStart(start).getTime();
            const end = due.getTime() + 1;
            const pausedBefore = pauses
              .map(({ from, to }) => ({ from: new Date(Math.max(from.getTime(), clock)), to: new Date(Math.min(to.getTime(), end)) }))
              .filter(({ from, to }) => from < to);
            expect(calendar.workingMsBetween(plain, due)).to.equal(calendar.elapsedWorkingMs(pausedBefore));
            expect(due >= plain).to.equal(true);
          },
        ),
      );
    });

    it('dueAt without pauses is addWorkingDays of the promised plus extension days', () => {
      fc.assert(
        fc.property(arbInstant, arbDays, fc.integer({ min: 0, max: 10 }), (start, n, extension) => {
          expect(iso(calendar.dueAt(start, n, [], extension))).to.equal(iso(calendar.addWorkingDays(start, n + extension)));
        }),
      );
    });
  });
});
