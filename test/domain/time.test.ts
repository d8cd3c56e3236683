import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import fc from 'fast-check';
import {
  CHINA_STANDARD_TIME_OFFSET_MINUTES,
  CHINA_STANDARD_TIME_OFFSET_MS,
  CHINA_TIME_ZONE,
  chinaDate,
  chinaDateCompact,
  chinaWallClock,
  startOfChinaDay,
} from '../../src/domain/time.js';
import { CHINA_STANDARD_TIME_OFFSET_MINUTES as calendarOffset, createWorkingCalendar } from '../../src/domain/calendar.js';
import { isResidentIdNumber, makeResidentIdNumber } from '../../src/domain/ids.js';
import { formatDate } from '../../src/certificates/format.js';
import { addDuration, parseDuration } from '../../src/certificates/validity.js';
import { createRenderer } from '../../src/web/render.js';
import { translator } from '../../src/web/messages/index.js';
import { projectRoot } from '../../src/store/index.js';

/** Any instant from 1971 to 2100, to the millisecond. */
const instants = fc.integer({ min: Date.UTC(1971, 0, 1), max: Date.UTC(2100, 0, 1) }).map((ms) => new Date(ms));
/** The date in China as Intl (with the IANA zone database) says it. */
const intlChinaDate = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: CHINA_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);

describe('China Standard Time (domain/time)', () => {
  it('is UTC+8', () => {
    expect(CHINA_STANDARD_TIME_OFFSET_MINUTES).to.equal(8 * 60);
    expect(CHINA_STANDARD_TIME_OFFSET_MS).to.equal(CHINA_STANDARD_TIME_OFFSET_MINUTES * 60_000);
  });

  it('an evening in UTC is already the next day in China', () => {
    expect(chinaDate('2026-12-01T20:26:00Z')).to.equal('2026-12-02');
    expect(chinaDate(new Date('2026-12-01T20:26:00Z'))).to.equal('2026-12-02');
    expect(chinaDateCompact('2026-12-01T20:26:00Z')).to.equal('20261202');
    expect(chinaDate('2026-12-01T15:59:59.999Z')).to.equal('2026-12-01');
    expect(chinaDate('2026-12-01T16:00:00Z')).to.equal('2026-12-02');
    expect(chinaDate('2026-12-31T16:00:00Z')).to.equal('2027-01-01');
  });

  it('the wall clock reads China time in its UTC fields', () => {
    const wall = chinaWallClock('2026-12-01T20:26:00Z');
    expect([wall.getUTCFullYear(), wall.getUTCMonth() + 1, wall.getUTCDate(), wall.getUTCHours(), wall.getUTCMinutes()]).to.deep.equal([2026, 12, 2, 4, 26]);
  });

  it('a China day starts at 16:00 UTC the day before, and round-trips', () => {
    expect(startOfChinaDay('2026-12-02').toISOString()).to.equal('2026-12-01T16:00:00.000Z');
    expect(chinaDate(startOfChinaDay('2026-12-02'))).to.equal('2026-12-02');
    expect(chinaDate(new Date(startOfChinaDay('2026-12-02').getTime() - 1))).to.equal('2026-12-01');
    expect(startOfChinaDay('2024-03-01').toISOString()).to.equal('2024-02-29T16:00:00.000Z');
  });

  it('agrees with the IANA zone Asia/Shanghai for any instant since 1991 (no daylight saving)', () => {
    fc.assert(
      fc.property(instants.filter((d) => d.getTime() >= Date.UTC(1991, 8, 15)), (d) => {
        expect(chinaDate(d)).to.equal(intlChinaDate(d));
      }),
    );
  });

  it('start of day and date are inverse: every instant lies in the day that starts at or before it', () => {
    fc.assert(
      fc.property(instants, (d) => {
        const day = chinaDate(d);
        const start = startOfChinaDay(day);
        expect(chinaDate(start)).to.equal(day);
        expect(start.getTime()).to.be.at.most(d.getTime());
        expect(d.getTime() - start.getTime()).to.be.below(86_400_000);
      }),
    );
  });

  it('refuses what is not an instant or a day', () => {
    expect(() => chinaDate('yesterday')).to.throw(RangeError);
    expect(() => chinaWallClock(new Date(Number.NaN))).to.throw(RangeError);
    expect(() => startOfChinaDay('2026-1-2')).to.throw(RangeError);
    expect(() => startOfChinaDay('2026-13-01')).to.throw(RangeError);
  });

  it('is the one place the offset is written: no other source file has a copy of it', () => {
    const copies = [/\b480\b/, /\b8 \* 3600/, /3600_?000 \* 8\b/, /\w*OFFSET\w*\s*=\s*[\d(]/, /\+08:00/];
    const files = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
    const src = path.join(projectRoot(), 'src');
    const found: string[] = [];
    for (const file of files(src)) {
      if (path.relative(src, file) === path.join('domain', 'time.ts')) continue;
      fs.readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (copies.some((re) => re.test(line))) found.push(`${path.relative(src, file)}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(found).to.deep.equal([]);
  });

  describe('is the offset the rest of the product uses', () => {
    const lateEvening = new Date('2026-12-01T20:26:00Z'); // 2026-12-02 04:26 in China

    it('the working-day calendar defaults to it', () => {
      expect(calendarOffset).to.equal(CHINA_STANDARD_TIME_OFFSET_MINUTES);
      expect(createWorkingCalendar([]).utcOffsetMinutes).to.equal(CHINA_STANDARD_TIME_OFFSET_MINUTES);
    });

    it('a resident id number born "today" in China is valid although it is still yesterday in UTC', () => {
      const id = makeResidentIdNumber({ region: '110101', birthDate: '2026-12-02', sequence: 11 });
      expect(isResidentIdNumber(id, lateEvening)).to.equal(true);
      expect(isResidentIdNumber(id, new Date('2026-12-01T15:59:59Z'))).to.equal(false);
    });

    it('certificates are dated, and their validity counted, in China', () => {
      expect(formatDate(lateEvening.toISOString(), 'zh-Hans')).to.equal('2026年12月2日');
      expect(formatDate(lateEvening.toISOString(), 'en')).to.equal('2 December 2026');
      // One month from 2 December (China) is 2 January, at the same China wall-clock time.
      expect(addDuration(lateEvening, parseDuration('P1M')).toISOString()).to.equal('2027-01-01T20:26:00.000Z');
    });

    it('the verify page shows dates in China', () => {
      const html = createRenderer().render('public/verifyResult.njk', {
        locale: 'zh-Hans', t: translator('zh-Hans'), l: (text: { 'zh-Hans': string }) => text['zh-Hans'], nav: [], languages: [], csrf: 'x', path: '/verify/x',
        status: 'valid', id: 'x', certificate: { typeTitle: { 'zh-Hans': 't' }, issuerTitle: { 'zh-Hans': 'i' }, holderNameMasked: '王*', issuedAt: lateEvening.toISOString(), validUntil: null },
      });
      expect(html).to.contain('2026-12-02');
      expect(html).to.not.contain('2026-12-01');
    });
  });
});
