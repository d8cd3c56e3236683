import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { WorkingCalendar, parseCalendarData, type CalendarData } from '../../src/domain/calendar.js';
import { isOnevisitError, type OnevisitError } from '../../src/domain/errors.js';
import { loadCalendar, saveCalendarYear, seedCalendars } from '../../src/store/index.js';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/databases.js';

const cn2026 = parseCalendarData(JSON.parse(readFileSync(new URL('../../../workflows/calendars/cn-2026.json', import.meta.url), 'utf8')));
const cn2027: CalendarData = {
  year: 2027,
  region: 'CN',
  source: 'test data',
  weekend: [6, 7],
  holidays: [{ date: '2027-01-01', name: { 'zh-Hans': '元旦', en: "New Year's Day" } }],
  workingWeekends: [],
};

async function refusal(work: Promise<unknown>): Promise<OnevisitError> {
  try {
    await work;
  } catch (error) {
    expect(isOnevisitError(error, 'CALENDAR.INVALID'), String(error)).to.equal(true);
    return error as OnevisitError;
  }
  throw new Error('expected CALENDAR.INVALID');
}

for (const kind of databaseKinds) {
  describe(`store/calendarStore (${kind})`, function () {
    let database: TestDatabase;

    beforeEach(async () => {
      database = await openTestDatabase(kind);
    });
    afterEach(async () => {
      await database.close();
    });

    it('loads nothing from a new database', async () => {
      expect(await loadCalendar(database.db)).to.deep.equal([]);
    });

    it('seeds the shipped year and loads it back unchanged', async () => {
      expect(await seedCalendars(database.db, [cn2026])).to.deep.equal([2026]);
      const years = await loadCalendar(database.db);
      expect(years).to.deep.equal([cn2026]);
      const calendar = new WorkingCalendar(years);
      expect(calendar.isWorkingDay('2026-10-01')).to.equal(false);
      expect(calendar.isWorkingDay('2026-10-10')).to.equal(true); // a make-up Saturday
    });

    it('keeps an admin\'s edit when the shipped years are seeded again, and adds the years still missing', async () => {
      await seedCalendars(database.db, [cn2026]);
      const edited = structuredClone(cn2026);
      edited.source = 'edited by an admin';
      edited.holidays.push({ date: '2026-03-02', name: { 'zh-Hans': '本地节日' } });
      edited.workingWeekends = edited.workingWeekends.filter((w) => w.date !== '2026-10-10');
      await saveCalendarYear(database.db, edited);

      expect(await seedCalendars(database.db, [cn2026, cn2027])).to.deep.equal([2027]);
      const [year2026, year2027] = await loadCalendar(database.db);
      expect(year2026!.source).to.equal('edited by an admin');
      expect(year2027).to.deep.equal(cn2027);
      // Another instance reads the same calendar.
      const calendar = new WorkingCalendar(await loadCalendar(database.openAnother()));
      expect(calendar.isWorkingDay('2026-03-02')).to.equal(false);
      expect(calendar.holidayName('2026-03-02')).to.deep.equal({ 'zh-Hans': '本地节日' });
      expect(calendar.isWorkingDay('2026-10-10')).to.equal(false);
      expect(calendar.isWorkingDay('2027-01-01')).to.equal(false);
    });

    it('replaces the whole year on save, removed days included', async () => {
      await seedCalendars(database.db, [cn2026]);
      const fewer = { ...structuredClone(cn2026), holidays: cn2026.holidays.filter((h) => !h.date.startsWith('2026-10')) };
      await saveCalendarYear(database.db, fewer);
      const [loaded] = await loadCalendar(database.db);
      expect(loaded).to.deep.equal(fewer);
      expect(new WorkingCalendar([loaded!]).isWorkingDay('2026-10-08')).to.equal(true);
    });

    it('refuses invalid data naming each problem by its path, and leaves the stored year as it was', async () => {
      await seedCalendars(database.db, [cn2026]);
      const bad = structuredClone(cn2026) as unknown as Record<string, any>;
      bad.holidays[3].date = '2026-02-30';
      bad.workingWeekends[0].date = '2026-01-05'; // a Monday
      const error = await refusal(saveCalendarYear(database.db, bad as CalendarData));
      expect(error.errors.map((e) => e.path)).to.deep.equal(['/holidays/3/date', '/workingWeekends/0/date']);
      expect(error.message).to.match(/\/holidays\/3\/date: "2026-02-30" is not a real date/);
      expect(await loadCalendar(database.db)).to.deep.equal([cn2026]);
    });

    it('refuses invalid data when seeding too, storing none of it', async () => {
      const error = await refusal(seedCalendars(database.db, [cn2027, { ...cn2026, weekend: [6, 8] }]));
      expect(error.errors.map((e) => e.path)).to.deep.equal(['/weekend/1']);
      expect(await loadCalendar(database.db)).to.deep.equal([]);
    });

    it('refuses a year of another region than the stored ones', async () => {
      await seedCalendars(database.db, [cn2026]);
      const error = await refusal(saveCalendarYear(database.db, { ...cn2027, region: 'HK' }));
      expect(error.errors).to.deep.equal([{ path: '/region', code: 'CALENDAR.CONFLICT', message: error.errors[0]!.message }]);
      expect(error.errors[0]!.message).to.match(/"HK" differs from "CN"/);
      expect((await loadCalendar(database.db)).map((y) => y.year)).to.deep.equal([2026]);
    });
  });
}
