import { expect } from 'chai';
import { addDuration, parseDuration, validUntilOf } from '../../src/certificates/validity.js';
import { isOnevisitError } from '../../src/domain/errors.js';

describe('certificate validity (ISO 8601 durations)', () => {
  it('parses years, months, weeks and days', () => {
    expect(parseDuration('P5Y')).to.deep.equal({ years: 5, months: 0, weeks: 0, days: 0 });
    expect(parseDuration('P1Y6M')).to.deep.equal({ years: 1, months: 6, weeks: 0, days: 0 });
    expect(parseDuration('P90D')).to.deep.equal({ years: 0, months: 0, weeks: 0, days: 90 });
    expect(parseDuration('P2W')).to.deep.equal({ years: 0, months: 0, weeks: 2, days: 0 });
    expect(parseDuration('P1Y2M3W4D')).to.deep.equal({ years: 1, months: 2, weeks: 3, days: 4 });
    expect(parseDuration('P0D')).to.deep.equal({ years: 0, months: 0, weeks: 0, days: 0 });
  });

  it('refuses anything else', () => {
    for (const bad of ['', 'P', '5Y', 'P5', 'P5y', 'PT1H', 'P1YT2H', 'P1.5Y', 'P-1Y', '-P1Y', 'P1M1Y', 'P1D1M', ' P1Y', 'P1Y ', 'P99999Y']) {
      expect(() => parseDuration(bad), bad).to.throw().that.satisfies((e: unknown) => isOnevisitError(e, 'INPUT.INVALID'));
    }
  });

  it('adds years and months on the China Standard Time calendar', () => {
    const add = (iso: string, duration: string) => addDuration(new Date(iso), parseDuration(duration)).toISOString();
    expect(add('2026-03-02T02:00:00.000Z', 'P5Y')).to.equal('2031-03-02T02:00:00.000Z');
    expect(add('2026-03-02T02:00:00.000Z', 'P1Y6M')).to.equal('2027-09-02T02:00:00.000Z');
    expect(add('2026-03-02T02:00:00.000Z', 'P90D')).to.equal('2026-05-31T02:00:00.000Z');
    // 31 January 10:00 in Beijing plus a month: the last day of February.
    expect(add('2026-01-31T02:00:00.000Z', 'P1M')).to.equal('2026-02-28T02:00:00.000Z');
    // 29 February in Beijing (16:30 UTC the day before) plus a year: 28 February, still in Beijing.
    expect(add('2028-02-28T16:30:00.000Z', 'P1Y')).to.equal('2029-02-27T16:30:00.000Z');
    expect(add('2028-02-29T02:00:00.000Z', 'P4Y')).to.equal('2032-02-29T02:00:00.000Z');
    expect(add('2026-11-30T02:00:00.000Z', 'P3M')).to.equal('2027-02-28T02:00:00.000Z');
    expect(add('2026-03-02T02:00:00.000Z', 'P1Y1M1W1D')).to.equal('2027-04-10T02:00:00.000Z');
  });

  it('a certificate without `valid` never expires', () => {
    expect(validUntilOf('2026-03-02T02:00:00.000Z', undefined)).to.equal(null);
    expect(validUntilOf('2026-03-02T02:00:00.000Z', 'P3Y')).to.equal('2029-03-02T02:00:00.000Z');
  });
});
