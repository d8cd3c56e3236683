import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import fc from 'fast-check';
import { DAY_MS, WorkingCalendar, parseCalendarData, warningLevel, type TimeInterval } from '../../src/domain/calendar.js';
import { isOnevisitError } from '../../src/domain/errors.js';
import type { ClockMode } from '../../src/domain/vocabulary.js';
import {
  DEFAULT_WARNING_THRESHOLDS,
  advanceClock,
  advanceDeadline,
  deadlineOf,
  emptyClock,
  parseClockRecord,
  warningAt,
  warningThresholdsOf,
  type ClockRecord,
  type DeadlineTerms,
} from '../../src/runtime/deadline.js';

const cn2026 = parseCalendarData(JSON.parse(readFileSync(new URL('../../../workflows/calendars/cn-2026.json', import.meta.url), 'utf8')));
const calendar = new WorkingCalendar([cn2026]);
const weekendsOnly = new WorkingCalendar();

const HOUR_MS = 3_600_000;
/** An instant written in China Standard Time, e.g. cst('2026-09-30T10:00'). */
const cst = (local: string) => new Date(`${local}+08:00`);
const iso = (date: Date) => date.toISOString();
const later = (at: Date | string, ms: number) => new Date(new Date(at).getTime() + ms);
const thresholds = { blue: 0.5, yellow: 0.8 };

/** A clock accepted at `acceptedAt`, then moved through `moves` ([mode, local CST time]). */
function clockThrough(acceptedAt: string, ...moves: Array<[ClockMode, string]>): ClockRecord {
  let record = advanceClock(emptyClock(), 'idle', 'running', cst(acceptedAt));
  let mode: ClockMode = 'running';
  for (const [next, at] of moves) {
    record = advanceClock(record, mode, next, cst(at));
    mode = next;
  }
  return record;
}

describe('runtime/deadline', () => {
  describe('advanceClock', () => {
    it('starts at acceptance (the first move out of idle), not at submission or a supplement before it', () => {
      const submitted = advanceClock(emptyClock(), 'idle', 'idle', cst('2026-03-02T09:00'));
      expect(submitted).to.deep.equal({ pauses: [] });
      const accepted = advanceClock(submitted, 'idle', 'running', cst('2026-03-02T10:00'));
      expect(accepted).to.deep.equal({ startedAt: iso(cst('2026-03-02T10:00')), pauses: [] });
    });

    it('opens a pause on entering paused, closes it on leaving, and closes an open one on stopping', () => {
      const record = clockThrough('2026-03-02T10:00', ['paused', '2026-03-04T09:00'], ['running', '2026-03-05T15:00'], ['paused', '2026-03-06T08:00']);
      expect(record.pauses).to.deep.equal([{ from: iso(cst('2026-03-04T09:00')), to: iso(cst('2026-03-05T15:00')) }]);
      expect(record.pausedSince).to.equal(iso(cst('2026-03-06T08:00')));
      const stopped = advanceClock(record, 'paused', 'stopped', cst('2026-03-06T11:00'));
      expect(stopped.pausedSince).to.equal(undefined);
      expect(stopped.stoppedAt).to.equal(iso(cst('2026-03-06T11:00')));
      expect(stopped.pauses).to.have.length(2);
      expect(advanceClock(stopped, 'stopped', 'running', cst('2026-03-09T10:00'))).to.deep.equal(stopped);
    });

    it('starts paused when acceptance leads straight into a paused step (payment, notice, owed materials)', () => {
      const record = advanceClock(emptyClock(), 'idle', 'paused', cst('2026-03-02T10:00'));
      expect(record).to.deep.equal({ startedAt: iso(cst('2026-03-02T10:00')), pausedSince: iso(cst('2026-03-02T10:00')), pauses: [] });
    });

    it('never starts for an application rejected or withdrawn before acceptance', () => {
      expect(advanceClock(emptyClock(), 'idle', 'stopped', cst('2026-03-02T10:00'))).to.deep.equal({ pauses: [] });
    });

    it('leaves the given record unchanged and takes an instant earlier than the last one as that one', () => {
      const record = clockThrough('2026-03-02T10:00', ['paused', '2026-03-04T09:00']);
      const before = structuredClone(record);
      const resumed = advanceClock(record, 'paused', 'running', cst('2026-03-04T08:00'));
      expect(record).to.deep.equal(before);
      expect(resumed.pauses).to.deep.equal([{ from: iso(cst('2026-03-04T09:00')), to: iso(cst('2026-03-04T09:00')) }]);
    });
  });

  describe('deadlineOf', () => {
    it('skips the National Day holidays and counts the make-up Saturday after them', () => {
      // Accepted Wed Sep 30; Oct 1–7 are holidays; Thu Oct 8, Fri Oct 9, Sat Oct 10 (a make-up working day).
      const deadline = deadlineOf(clockThrough('2026-09-30T10:00'), 3, 0, thresholds, calendar);
      expect(deadline.dueAt).to.equal(iso(cst('2026-10-10T23:59:59.999')));
      // With weekends only, Thu Oct 1, Fri Oct 2 and Mon Oct 5 would count.
      expect(deadlineOf(clockThrough('2026-09-30T10:00'), 3, 0, thresholds, weekendsOnly).dueAt).to.equal(iso(cst('2026-10-05T23:59:59.999')));
    });

    it('counts a make-up Sunday and not the Saturday before it', () => {
      // Accepted Fri Sep 18: Sat Sep 19 is a weekend day, Sun Sep 20 a make-up working day, then Mon Sep 21.
      expect(deadlineOf(clockThrough('2026-09-18T16:00'), 2, 0, thresholds, calendar).dueAt).to.equal(iso(cst('2026-09-21T23:59:59.999')));
    });

    it('puts blue and yellow where that share of the working time has run', () => {
      // 3 working days = 72 h: half is Oct 8 and the morning of Oct 9; 80% is 57.6 h, Oct 10 09:36.
      const deadline = deadlineOf(clockThrough('2026-09-30T10:00'), 3, 0, thresholds, calendar);
      expect(deadline.blueAt).to.equal(iso(cst('2026-10-09T12:00')));
      expect(deadline.yellowAt).to.equal(iso(cst('2026-10-10T09:36')));
    });

    it('moves the deadline and both thresholds later by exactly the paused working time', () => {
      const plain = deadlineOf(clockThrough('2026-03-02T10:00'), 5, 0, thresholds, calendar);
      // Paused Wed 09:00 → Thu 15:00: 30 working hours.
      const paused = deadlineOf(clockThrough('2026-03-02T10:00', ['paused', '2026-03-04T09:00'], ['running', '2026-03-05T15:00']), 5, 0, thresholds, calendar);
      expect(plain.dueAt).to.equal(iso(cst('2026-03-09T23:59:59.999')));
      expect(paused.dueAt).to.equal(iso(cst('2026-03-11T05:59:59.999')));
      expect(calendar.workingMsBetween(new Date(plain.dueAt!), new Date(paused.dueAt!))).to.equal(30 * HOUR_MS);
      // blue (2.5 days in: Thu Mar 5 12:00) fell inside the pause, so it moves by the whole pause too.
      expect(calendar.workingMsBetween(new Date(plain.blueAt!), new Date(paused.blueAt!))).to.equal(30 * HOUR_MS);
      expect(calendar.workingMsBetween(new Date(plain.yellowAt!), new Date(paused.yellowAt!))).to.equal(30 * HOUR_MS);
    });

    it('counts only the working part of a pause over a weekend', () => {
      // Fri Mar 6 18:00 → Mon Mar 9 10:00: 6 h of Friday and 10 h of Monday.
      const paused = deadlineOf(clockThrough('2026-03-02T10:00', ['paused', '2026-03-06T18:00'], ['running', '2026-03-09T10:00']), 5, 0, thresholds, calendar);
      expect(paused.dueAt).to.equal(iso(cst('2026-03-10T15:59:59.999')));
    });

    it('adds extension days as working days', () => {
      expect(deadlineOf(clockThrough('2026-09-30T10:00'), 3, 1, thresholds, calendar).dueAt).to.equal(iso(cst('2026-10-12T23:59:59.999'))); // Sun Oct 11 skipped
      expect(deadlineOf(clockThrough('2026-03-02T10:00'), 5, 2, thresholds, calendar).dueAt).to.equal(iso(cst('2026-03-11T23:59:59.999')));
    });

    it('has no instants before acceptance, while paused, or once stopped', () => {
      expect(deadlineOf(emptyClock(), 5, 0, thresholds, calendar)).to.deep.equal({});
      expect(deadlineOf(clockThrough('2026-03-02T10:00', ['paused', '2026-03-04T09:00']), 5, 0, thresholds, calendar)).to.deep.equal({});
      expect(deadlineOf(clockThrough('2026-03-02T10:00', ['stopped', '2026-03-04T09:00']), 5, 0, thresholds, calendar)).to.deep.equal({});
    });

    it('refuses thresholds out of order', () => {
      expect(() => deadlineOf(clockThrough('2026-03-02T10:00'), 5, 0, { blue: 0.9, yellow: 0.8 }, calendar)).to.throw(/0 ≤ blue ≤ yellow ≤ 1/);
    });
  });

  describe('warningAt', () => {
    const deadline = deadlineOf(clockThrough('2026-09-30T10:00'), 3, 0, thresholds, calendar);
    const at = (instant: Date) => warningAt(deadline, 'running', instant);

    it('changes level exactly at each instant, red one millisecond after the (inclusive) deadline', () => {
      const blue = new Date(deadline.blueAt!);
      const yellow = new Date(deadline.yellowAt!);
      const due = new Date(deadline.dueAt!);
      expect(at(cst('2026-09-30T10:00'))).to.equal('none');
      expect(at(later(blue, -1))).to.equal('none');
      expect(at(blue)).to.equal('blue');
      expect(at(later(blue, 1))).to.equal('blue');
      expect(at(later(yellow, -1))).to.equal('blue');
      expect(at(yellow)).to.equal('yellow');
      expect(at(later(yellow, 1))).to.equal('yellow');
      expect(at(due)).to.equal('yellow');
      expect(at(later(due, 1))).to.equal('red');
      expect(at(cst('2026-12-01T00:00'))).to.equal('red');
      expect(warningAt(deadline, 'running', deadline.yellowAt!)).to.equal('yellow'); // ISO strings work as well
    });

    it('agrees with the calendar measure at each of those instants', () => {
      const start = cst('2026-09-30T10:00');
      for (const instant of [deadline.blueAt!, deadline.yellowAt!, deadline.dueAt!]) {
        for (const offset of [-1, 0, 1]) {
          const now = later(instant, offset);
          expect(at(now), iso(now)).to.equal(warningLevel(calendar.elapsedFraction(start, 3, [], now), thresholds));
        }
      }
    });

    it('is none before acceptance and the frozen level while paused or stopped', () => {
      expect(warningAt({}, 'idle', cst('2027-01-01T00:00'))).to.equal('none');
      expect(warningAt({}, 'paused', cst('2027-01-01T00:00'), 'yellow')).to.equal('yellow');
      expect(warningAt({}, 'paused', cst('2027-01-01T00:00'))).to.equal('none');
      expect(warningAt(deadline, 'stopped', cst('2027-01-01T00:00'), 'blue')).to.equal('blue');
    });
  });

  describe('advanceDeadline', () => {
    const terms: DeadlineTerms = { promisedDays: 5, extensionDays: 0, thresholds };
    const accept = () => advanceDeadline(undefined, 'idle', 'running', cst('2026-03-02T10:00'), terms, calendar);

    it('keeps the level an application had when it paused, however long the pause', () => {
      // Blue from Thu Mar 5 12:00; paused Fri Mar 6 10:00 (blue), resumed a month later.
      const paused = advanceDeadline(accept(), 'running', 'paused', cst('2026-03-06T10:00'), terms, calendar);
      expect(paused.level).to.equal('blue');
      expect(paused.deadline).to.deep.equal({});
      expect(warningAt(paused.deadline, 'paused', cst('2026-04-06T10:00'), paused.level)).to.equal('blue');
      const resumed = advanceDeadline(paused, 'paused', 'running', cst('2026-04-06T10:00'), terms, calendar);
      expect(resumed.level).to.equal('blue');
      expect(resumed.deadline.dueAt! > paused.clock.pausedSince!).to.equal(true);
      expect(warningAt(resumed.deadline, 'running', cst('2026-04-06T10:00'))).to.equal('blue');
    });

    it('recomputes the instants when an extension is granted in the same state', () => {
      const running = accept();
      const extended = advanceDeadline(running, 'running', 'running', cst('2026-03-03T10:00'), { ...terms, extensionDays: 2 }, calendar);
      expect(running.deadline.dueAt).to.equal(iso(cst('2026-03-09T23:59:59.999')));
      expect(extended.deadline.dueAt).to.equal(iso(cst('2026-03-11T23:59:59.999')));
      expect(extended.clock).to.deep.equal(running.clock);
    });

    it('keeps red for an application finished late, and the level at the end for one finished in time', () => {
      const late = advanceDeadline(accept(), 'running', 'stopped', cst('2026-03-10T09:00'), terms, calendar);
      expect(late.level).to.equal('red');
      expect(late.deadline).to.deep.equal({});
      const inTime = advanceDeadline(accept(), 'running', 'stopped', cst('2026-03-04T09:00'), terms, calendar);
      expect(inTime.level).to.equal('none');
    });
  });

  describe('thresholds', () => {
    it('defaults to blue 0.5 and yellow 0.8 when a definition has no warning', () => {
      expect(DEFAULT_WARNING_THRESHOLDS).to.deep.equal({ blue: 0.5, yellow: 0.8 });
      expect(warningThresholdsOf({})).to.deep.equal({ blue: 0.5, yellow: 0.8 });
      expect(warningThresholdsOf({ warning: { blue: 0.6, yellow: 0.9 } })).to.deep.equal({ blue: 0.6, yellow: 0.9 });
    });
  });

  describe('parseClockRecord', () => {
    it('reads back what advanceClock wrote, and an absent clock as an empty one', () => {
      const record = clockThrough('2026-03-02T10:00', ['paused', '2026-03-04T09:00'], ['running', '2026-03-05T15:00']);
      expect(parseClockRecord(JSON.parse(JSON.stringify(record)))).to.deep.equal(record);
      expect(parseClockRecord(null)).to.deep.equal({ pauses: [] });
    });

    it('refuses a malformed clock, naming each problem', () => {
      try {
        parseClockRecord({ startedAt: 'yesterday', pauses: [{ from: iso(cst('2026-03-04T09:00')), to: iso(cst('2026-03-03T09:00')) }], extra: 1 });
        expect.fail('expected a refusal');
      } catch (error) {
        expect(isOnevisitError(error, 'INPUT.INVALID')).to.equal(true);
        expect((error as { errors: { path: string }[] }).errors.map((e) => e.path)).to.have.members(['/extra', '/startedAt', '/pauses/0']);
      }
    });
  });

  describe('properties', () => {
    const arbInstant = fc.integer({ min: cst('2025-12-01T00:00').getTime(), max: cst('2027-01-31T00:00').getTime() }).map((ms) => new Date(ms));
    const arbThresholds = fc
      .tuple(fc.double({ min: 0.01, max: 0.99, noNaN: true }), fc.double({ min: 0.01, max: 0.99, noNaN: true }))
      .map(([a, b]) => ({ blue: Math.min(a, b), yellow: Math.max(a, b) }));
    /** Acceptance, then alternating pause/resume after random gaps of up to 5 days; the clock ends running. */
    const arbClock = fc
      .tuple(arbInstant, fc.array(fc.integer({ min: 0, max: 5 * DAY_MS }), { maxLength: 6 }))
      .map(([accepted, gaps]) => {
        let record = advanceClock(emptyClock(), 'idle', 'running', accepted);
        let at = accepted.getTime();
        let mode: ClockMode = 'running';
        for (const gap of gaps.slice(0, gaps.length - (gaps.length % 2))) {
          at += gap;
          const next: ClockMode = mode === 'running' ? 'paused' : 'running';
          record = advanceClock(record, mode, next, new Date(at));
          mode = next;
        }
        return record;
      });

    it('the stored instants give the same level as the calendar measure, at every millisecond', () => {
      fc.assert(
        fc.property(arbClock, fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 3 }), arbThresholds, fc.integer({ min: 0, max: 40 * DAY_MS }), (record, n, extension, t, offset) => {
          const deadline = deadlineOf(record, n, extension, t, calendar);
          const start = new Date(record.startedAt!);
          const pauses: TimeInterval[] = record.pauses.map((p) => ({ from: new Date(p.from), to: new Date(p.to) }));
          const lastResume = record.pauses.length ? new Date(record.pauses[record.pauses.length - 1]!.to) : start;
          const now = later(lastResume, offset);
          const expected = warningLevel(calendar.elapsedFraction(start, n, pauses, now, extension), t);
          expect(warningAt(deadline, 'running', now)).to.equal(expected);
          for (const instant of [deadline.blueAt!, deadline.yellowAt!, deadline.dueAt!]) {
            for (const shift of [-1, 0, 1]) {
              const around = later(instant, shift);
              expect(warningAt(deadline, 'running', around)).to.equal(warningLevel(calendar.elapsedFraction(start, n, pauses, around, extension), t));
            }
          }
        }),
      );
    });
  });
});
