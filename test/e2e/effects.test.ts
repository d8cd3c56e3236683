/**
 * The outbox for admins, through HTTP on each database: effects that gave up are listed, an admin puts one back
 * to work, and nobody else may see or retry them.
 */
import { expect } from 'chai';
import { databaseKinds } from '../support/databases.js';
import { openTestServer, person, type Person, type TestServer } from '../support/server.js';
import { expectProblem } from '../support/problems.js';
import { failedEffect } from '../support/effects.js';
import { materialsFor, submitBusinessStartup } from '../support/businessStartup.js';
import { createOutboxStore } from '../../src/store/index.js';
import { createOutboxWorker } from '../../src/scheduler/index.js';

for (const kind of databaseKinds) {
  describe(`HTTP outbox effects (${kind})`, function () {
    this.timeout(60_000);
    let server: TestServer;
    let admin: Person;
    let citizen: Person;
    let clerk: Person;
    let application: string;

    before(async () => {
      server = await openTestServer(kind);
      admin = await person(server, 'admin');
      citizen = await person(server, 'citizen');
      clerk = await person(server, 'clerk', ['comprehensive-window']);
      application = await submitBusinessStartup(server, citizen, await materialsFor(server, citizen));
    });
    after(async () => server?.close());

    it('lists the effects that gave up, and puts one back to work when an admin retries it', async () => {
      const id = await failedEffect(server, application, 'Error: the certificate service is unavailable');
      const other = await failedEffect(server, application);

      const listed = await server.http.get('/api/v1/effects').set(...admin.auth).expect(200);
      const mine = (listed.body as Record<string, unknown>[]).find((e) => e.id === id);
      expect(mine).to.have.all.keys('id', 'applicationId', 'seq', 'effect', 'status', 'attempts', 'lastError', 'createdAt', 'failedAt', 'leaseUntil');
      expect(mine!.effect).to.deep.equal({ effect: 'issueCertificates', step: 'issue' });
      expect(mine).to.include({
        id,
        applicationId: application,
        status: 'failed',
        attempts: 8,
        lastError: 'Error: the certificate service is unavailable',
        createdAt: server.clock.now.toISOString(),
        failedAt: server.clock.now.toISOString(),
        leaseUntil: null,
      });
      // Failed is the default; the same list asked for by name.
      const failed = await server.http.get('/api/v1/effects?status=failed').set(...admin.auth).expect(200);
      expect(failed.body.map((e: { id: string }) => e.id)).to.include.members([id, other]);

      const retried = await server.http.post(`/api/v1/effects/${encodeURIComponent(id)}/retry`).set(...admin.auth).expect(200);
      expect(retried.body).to.include({ id, status: 'pending', attempts: 0, failedAt: null, leaseUntil: null });

      const pending = await server.http.get('/api/v1/effects?status=pending').set(...admin.auth).expect(200);
      expect(pending.body.map((e: { id: string }) => e.id)).to.include(id);
      const stillFailed = await server.http.get('/api/v1/effects').set(...admin.auth).expect(200);
      expect(stillFailed.body.map((e: { id: string }) => e.id)).to.include(other).and.not.include(id);

      // Back to work: the next worker poll, on any instance, carries it out.
      const outbox = createOutboxStore(server.onevisit.db);
      const carried: string[] = [];
      const worker = createOutboxWorker({
        outbox,
        owner: 'test-worker',
        now: () => server.clock.now,
        run: async (row) => {
          carried.push(row.id);
          await outbox.complete(row.id, server.clock.now);
        },
      });
      await worker.pollOnce();
      expect(carried).to.include(id);
      expect(await outbox.get(id)).to.include({ status: 'done' });

      // Not failed any more: a second retry is refused.
      expectProblem(await server.http.post(`/api/v1/effects/${encodeURIComponent(id)}/retry`).set(...admin.auth), 409, 'EFFECT.NOT_FAILED');
    });

    it('pages with limit and offset, oldest first', async () => {
      const first = await failedEffect(server, application);
      server.clock.now = new Date(server.clock.now.getTime() + 1000);
      const second = await failedEffect(server, application);
      const all = (await server.http.get('/api/v1/effects?limit=200').set(...admin.auth).expect(200)).body.map((e: { id: string }) => e.id) as string[];
      expect(all.indexOf(first)).to.be.lessThan(all.indexOf(second));
      const page = await server.http.get(`/api/v1/effects?limit=1&offset=${all.indexOf(second)}`).set(...admin.auth).expect(200);
      expect(page.body.map((e: { id: string }) => e.id)).to.deep.equal([second]);
    });

    it('refuses a bad filter with 400 INPUT.INVALID, naming it', async () => {
      for (const query of ['status=done', 'limit=0', 'limit=many', 'colour=red']) {
        const res = await server.http.get(`/api/v1/effects?${query}`).set(...admin.auth);
        expectProblem(res, 400, 'INPUT.INVALID');
        expect(res.body.errors, query).to.be.an('array').that.is.not.empty;
      }
    });

    it('answers 404 EFFECT.NOT_FOUND for an effect that does not exist', async () => {
      expectProblem(await server.http.post('/api/v1/effects/no-such-effect/retry').set(...admin.auth), 404, 'EFFECT.NOT_FOUND');
      expectProblem(await server.http.post(`/api/v1/effects/${encodeURIComponent(`${application}:99:0`)}/retry`).set(...admin.auth), 404, 'EFFECT.NOT_FOUND');
    });

    it('refuses citizens and clerks (403 AUTH.FORBIDDEN) and anonymous callers (401), and leaves the effect failed', async () => {
      const id = await failedEffect(server, application);
      for (const who of [citizen, clerk]) {
        expectProblem(await server.http.get('/api/v1/effects').set(...who.auth), 403, 'AUTH.FORBIDDEN');
        expectProblem(await server.http.get('/api/v1/effects?status=pending').set(...who.auth), 403, 'AUTH.FORBIDDEN');
        expectProblem(await server.http.post(`/api/v1/effects/${encodeURIComponent(id)}/retry`).set(...who.auth), 403, 'AUTH.FORBIDDEN');
        // Nor does an unknown id tell them anything more.
        expectProblem(await server.http.post('/api/v1/effects/no-such-effect/retry').set(...who.auth), 403, 'AUTH.FORBIDDEN');
      }
      expectProblem(await server.http.get('/api/v1/effects'), 401, 'AUTH.REQUIRED');
      expectProblem(await server.http.post(`/api/v1/effects/${encodeURIComponent(id)}/retry`), 401, 'AUTH.REQUIRED');
      expect(await createOutboxStore(server.onevisit.db).get(id)).to.include({ status: 'failed', attempts: 8 });
    });
  });
}
