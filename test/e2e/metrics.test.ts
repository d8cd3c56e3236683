/**
 * The dashboard over HTTP: the period's figures counted as applications move (submitted, completed, one-visit,
 * on-time, no-submit, ratings), the work in progress by department, and a period filter on China Standard
 * Time days.
 */
import { expect } from 'chai';
import { databaseKinds } from '../support/databases.js';
import { openTestServer, person, type Person, type TestServer, clerksOf } from '../support/server.js';
import { exampleForm, materialsFor, matters, submitBusinessStartup } from '../support/businessStartup.js';
import { approveAll } from '../support/services.js';

const cst = (local: string) => new Date(`${local}+08:00`);

for (const kind of databaseKinds) {
  describe(`the dashboard's figures (${kind})`, function () {
    this.timeout(60_000);
    let server: TestServer;
    let admin: Person;
    let citizen: Person;
    const clerkOf = clerksOf(() => server);

    before(async () => {
      server = await openTestServer(kind, { now: cst('2026-11-02T09:00:00') });
      [admin, citizen] = await Promise.all([person(server, 'admin'), person(server, 'citizen')]);
    });
    after(() => server.close());

    const metrics = async (query = '') => (await server.http.get(`/api/v1/metrics${query}`).set(...admin.auth).expect(200)).body;
    const event = (id: string, who: Person, body: Record<string, unknown>) => server.http.post(`/api/v1/applications/${id}/events`).set(...who.auth).send(body).expect(200);

    it('counts submissions, completions, one-visit and on-time completions and ratings on their days, and work in progress now', async () => {
      // 2 Nov (CST): one completed at once; one sent back for a supplement, then completed; one left in review.
      const straight = await submitBusinessStartup(server, citizen, await materialsFor(server, citizen));
      expect(await approveAll(server, straight, clerkOf)).to.equal('completed');
      const returned = await submitBusinessStartup(server, citizen, await materialsFor(server, citizen));
      await event(returned, await clerkOf('comprehensive-window'), { type: 'REQUEST_SUPPLEMENT', items: ['/company/name'], comment: '名称不清' });
      await event(returned, citizen, { type: 'SUPPLEMENT', data: { form: exampleForm } });
      expect(await approveAll(server, returned, clerkOf)).to.equal('completed');
      // 3 Nov: another submission, accepted, its tax matter still open; the first one rated 5 and the second 2.
      server.clock.now = cst('2026-11-03T00:30:00');
      const open = await submitBusinessStartup(server, citizen, await materialsFor(server, citizen));
      await event(open, await clerkOf('comprehensive-window'), { type: 'ACCEPT' });
      await server.http.post(`/api/v1/applications/${straight}/rating`).set(...citizen.auth).send({ score: 5 }).expect(201);
      await server.http.post(`/api/v1/applications/${returned}/rating`).set(...citizen.auth).send({ score: 2, comment: "跑了两次" }).expect(201);

      const all = await metrics();
      expect(all.submitted).to.equal(3);
      expect(all.finished.completed).to.equal(2);
      expect(all.oneVisitRate).to.equal(0.5);
      expect(all.onTimeRate).to.equal(1);
      expect(all.ratings).to.deep.equal({ count: 2, average: 3.5, bad: 1 });
      expect(all.materials.total).to.be.greaterThan(0);
      expect(all.noSubmitRate).to.equal(0); // every material here was an upload or a commitment
      expect(all.perDay).to.deep.equal([
        { day: '2026-11-02', submitted: 2, completed: 2 },
        { day: '2026-11-03', submitted: 1, completed: 0 },
      ]);
      expect(all.byService['business-startup']).to.include({ submitted: 3, completed: 2, oneVisitRate: 0.5 });
      expect(all.inProgress).to.equal(1);
      expect(all.byStatus).to.deep.equal({ in_review: 1 });
      expect(all.warnings.none).to.equal(1);
      const departmentsWithWork = Object.values(matters).filter((m) => m.department in all.tasksByDepartment);
      expect(departmentsWithWork.length).to.be.greaterThan(1);
      expect(all.tasksByDepartment.taxation).to.deep.include({ clerk: 1, applicant: 0, claimed: 0 });
      expect(all.effects).to.deep.equal({ pending: 0, failed: 0 });

      // 00:30 on 3 Nov in China is still 2 Nov in UTC: the period is China's days.
      const third = await metrics('?from=2026-11-03&to=2026-11-03');
      expect(third).to.deep.include({ submitted: 1, oneVisitRate: null });
      expect(third.ratings.count).to.equal(2);
      expect(third.inProgress).to.equal(1); // now is not bound by the period
      const second = await metrics('?to=2026-11-02');
      expect(second.submitted).to.equal(2);
      expect(second.ratings.count).to.equal(0);
    });

    it('refuses a period that is not one', async () => {
      for (const query of ['?from=2026-13-01', '?from=yesterday', '?from=2026-11-05&to=2026-11-01', '?week=1']) {
        const res = await server.http.get(`/api/v1/metrics${query}`).set(...admin.auth);
        expect(res.status, query).to.be.within(400, 422);
        expect(res.type).to.equal('application/problem+json');
      }
    });
  });
}
