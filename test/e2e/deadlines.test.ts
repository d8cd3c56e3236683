/**
 * Deadlines over HTTP: promised days counted from acceptance on the working-day calendar (a public holiday and
 * a make-up working day), paused while the applicant owes a correction, and the warning level identical in the
 * detail view and the queue filter at every moment.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { databaseKinds } from '../support/databases.js';
import { openTestServer, person, type Person, type TestServer } from '../support/server.js';
import { materialsFor } from '../support/businessStartup.js';
import { projectRoot } from '../../src/store/index.js';

const definition = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'workflows', 'business-startup.json'), 'utf8'));
const form = definition.form.examples[0];
const cst = (local: string) => new Date(`${local}+08:00`);
const cstDay = (iso: string) => new Date(new Date(iso).getTime() + 8 * 3600_000).toISOString().slice(0, 10);

for (const kind of databaseKinds) {
  describe(`deadlines over HTTP (${kind})`, function () {
    this.timeout(30000);
    let server: TestServer;
    let citizen: Person;
    let window: Person;
    let tax: Person;
    before(async () => {
      server = await openTestServer(kind, { now: cst('2026-09-30T10:00:00') });
      [citizen, window, tax] = await Promise.all([person(server, 'citizen'), person(server, 'clerk', ['comprehensive-window']), person(server, 'clerk', ['taxation'])]);
    });
    after(async () => server.close());

    async function submit(): Promise<string> {
      const materials = await materialsFor(server, citizen);
      return (await server.http.post('/api/v1/applications').set(...citizen.auth).send({ serviceId: 'business-startup', form, materials }).expect(201)).body.id;
    }

    /** The level in the detail view, checked against the queue filter of every level. */
    async function warningAt(id: string, at: Date, viewer = tax): Promise<string> {
      server.clock.now = at;
      const detail = await server.http.get(`/api/v1/applications/${id}`).set(...viewer.auth).expect(200);
      for (const level of ['none', 'blue', 'yellow', 'red']) {
        const listed = await server.http.get(`/api/v1/applications?warning=${level}`).set(...viewer.auth).expect(200);
        expect(listed.body.some((a: { id: string }) => a.id === id), `${level} filter at ${at.toISOString()}`).to.equal(level === detail.body.warning);
      }
      return detail.body.warning;
    }

    it('counts 3 working days from the day after acceptance, across the National Day holiday to the make-up Saturday', async () => {
      server.clock.now = cst('2026-09-30T10:00:00');
      const id = await submit();
      const accepted = await server.http.post(`/api/v1/applications/${id}/events`).set(...window.auth).send({ type: 'ACCEPT' }).expect(200);
      // 次日起算: 1 Oct–7 Oct are holidays; 8 Oct (Thu), 9 Oct (Fri), 10 Oct (Saturday, a make-up working day).
      expect(cstDay(accepted.body.dueAt)).to.equal('2026-10-10');
      expect(await warningAt(id, cst('2026-10-08T12:00:00'))).to.equal('none');
      expect(await warningAt(id, cst('2026-10-09T18:00:00'))).to.equal('blue');
      expect(await warningAt(id, cst('2026-10-10T12:00:00'))).to.equal('yellow');
      expect(await warningAt(id, cst('2026-10-11T12:00:00'))).to.equal('red');
    });

    it('moves the deadline and warning instants of an open application when an admin adds a holiday next week', async () => {
      const admin = await person(server, 'admin');
      server.clock.now = cst('2026-11-25T10:00:00'); // a Wednesday
      const id = await submit();
      const accepted = await server.http.post(`/api/v1/applications/${id}/events`).set(...window.auth).send({ type: 'ACCEPT' }).expect(200);
      // 26 Nov (Thu), 27 Nov (Fri), 30 Nov (Mon).
      expect(cstDay(accepted.body.dueAt)).to.equal('2026-11-30');
      const queued = async () => (await server.http.get('/api/v1/applications').set(...tax.auth).expect(200)).body.find((t: { id: string }) => t.id === id);
      expect((await queued()).dueAt).to.equal(accepted.body.dueAt);
      expect(await warningAt(id, cst('2026-11-30T12:00:00'))).to.equal('yellow');

      const calendar = (await server.http.get('/api/v1/calendar/2026').set(...admin.auth).expect(200)).body;
      calendar.holidays.push({ date: '2026-11-30', name: { 'zh-Hans': '临时假日', 'zh-Hant': '臨時假日', en: 'A day off' } });
      await server.http.put('/api/v1/calendar/2026').set(...admin.auth).send(calendar).expect(200);

      const moved = (await server.http.get(`/api/v1/applications/${id}`).set(...tax.auth).expect(200)).body;
      expect(cstDay(moved.dueAt)).to.equal('2026-12-01');
      expect((await queued()).dueAt).to.equal(moved.dueAt);
      // The holiday counts for nothing, so on it the application is where it was at the end of Friday; red comes a day later.
      expect(await warningAt(id, cst('2026-11-30T12:00:00'))).to.equal('blue');
      expect(await warningAt(id, cst('2026-12-01T12:00:00'))).to.equal('yellow');
      expect(await warningAt(id, cst('2026-12-02T09:00:00'))).to.equal('red');
    });

    it('pauses while a matter is returned to the applicant and moves the deadline by the paused working time', async () => {
      server.clock.now = cst('2026-09-30T10:00:00');
      const id = await submit();
      const accepted = await server.http.post(`/api/v1/applications/${id}/events`).set(...window.auth).send({ type: 'ACCEPT' }).expect(200);
      server.clock.now = cst('2026-10-09T09:00:00');
      const returned = await server.http.post(`/api/v1/applications/${id}/events`).set(...tax.auth).send({ type: 'RETURN', matter: 'tax', comment: '请补充财务负责人联系方式' }).expect(200);
      expect(returned.body.clock).to.equal('paused');
      expect(returned.body.dueAt).to.equal(null);
      const license = await person(server, 'clerk', ['market-regulation']);
      const frozen = await warningAt(id, cst('2026-10-12T08:00:00'), license);
      expect(frozen, 'a paused application keeps the level it had when it paused').to.equal('none');
      server.clock.now = cst('2026-10-12T09:00:00');
      const resumed = await server.http.post(`/api/v1/applications/${id}/events`).set(...citizen.auth).send({ type: 'SUPPLEMENT', comment: '已补充' }) // the one matter sent back: no need to name it.expect(200);
      expect(resumed.body.clock).to.equal('running');
      // Paused 9 Oct 09:00 → 12 Oct 09:00: 15 h of Friday, all of Saturday (working), 9 h of Monday = 2 working days.
      expect(cstDay(resumed.body.dueAt)).to.equal('2026-10-13');
      expect(new Date(resumed.body.dueAt).getTime() - new Date(accepted.body.dueAt).getTime()).to.equal(3 * 24 * 3600_000); // Sun 11 Oct is a rest day
    });
  });
}
