/** The start-a-business bundle from registration to completion, through HTTP only, on each database. */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { databaseKinds } from '../support/databases.js';
import { openTestServer, person, type Person, type TestServer } from '../support/server.js';
import { materialsFor } from '../support/businessStartup.js';
import { makeResidentIdNumber } from '../../src/domain/ids.js';
import { projectRoot } from '../../src/store/index.js';

const definition = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'workflows', 'business-startup.json'), 'utf8'));
const form = definition.form.examples[0];

for (const kind of databaseKinds) {
  describe(`HTTP lifecycle (${kind})`, function () {
    this.timeout(30000);
    let server: TestServer;
    before(async () => {
      server = await openTestServer(kind);
    });
    after(async () => server.close());

    it('takes start-a-business from registration to completed: submit, accept, parallel approvals, timeline', async () => {
      const idNumber = makeResidentIdNumber({ sequence: 777 });
      await server.http.post('/api/v1/auth/register').send({ username: 'wanglei', password: 'correct horse battery', name: '王磊', idNumber }).expect(202);
      const login = await server.http.post('/api/v1/auth/login').send({ username: 'wanglei', password: 'correct horse battery' }).expect(200);
      expect(login.body.user.idNumberMasked).to.not.equal(idNumber);
      const citizen: Person = { id: login.body.user.id, username: 'wanglei', token: login.body.token, csrfToken: login.body.csrfToken, auth: ['Authorization', `Bearer ${login.body.token}`] };

      const services = await server.http.get('/api/v1/services').expect(200);
      expect(services.body.map((s: { id: string }) => s.id)).to.include('business-startup');
      const service = await server.http.get('/api/v1/services/business-startup').expect(200);
      expect(service.body.diagram).to.match(/^stateDiagram-v2/);

      const materials = await materialsFor(server, citizen);
      const submitted = await server.http.post('/api/v1/applications').set(...citizen.auth).send({ serviceId: 'business-startup', form, materials }).expect(201);
      const id = submitted.body.id as string;
      expect(submitted.body.status).to.equal('submitted');
      expect(submitted.headers.etag).to.equal('"1"');
      expect(submitted.body.mayRate, 'rated once decided').to.equal(false);

      const window = await person(server, 'clerk', ['comprehensive-window']);
      const queue = await server.http.get('/api/v1/applications').set(...window.auth).expect(200);
      expect(queue.body.map((a: { id: string }) => a.id)).to.include(id);
      const accepted = await server.http.post(`/api/v1/applications/${id}/events`).set(...window.auth).set('If-Match', '"1"').send({ type: 'ACCEPT' }).expect(200);
      expect(accepted.body.status).to.equal('in_review');
      expect(accepted.body.dueAt, 'the promised-days clock starts at acceptance').to.be.a('string');

      const pending = Object.entries(accepted.body.matters as Record<string, string>).filter(([, s]) => s === 'pending').map(([m]) => m);
      expect(pending.length).to.be.greaterThanOrEqual(3);
      const matterDepartments = Object.fromEntries(
        definition.steps.find((s: { kind: string }) => s.kind === 'review').matters.map((m: { id: string; department: string }) => [m.id, m.department]),
      );
      const reviewers = await Promise.all(pending.map((m) => person(server, 'clerk', [matterDepartments[m]])));
      // Every department approves at the same time: no lost update, no conflict without If-Match.
      await Promise.all(pending.map((matter, i) => server.http.post(`/api/v1/applications/${id}/events`).set(...reviewers[i]!.auth).send({ type: 'APPROVE', matter }).expect(200)));

      const done = await server.http.get(`/api/v1/applications/${id}`).set(...citizen.auth).expect(200);
      expect(done.body.status).to.equal('completed');
      const types = done.body.timeline.map((e: { type: string }) => e.type);
      expect(types[0]).to.equal('SUBMIT');
      expect(types).to.include('ACCEPT');
      expect(types.filter((t: string) => t === 'APPROVE')).to.have.length(pending.length);
      expect(types.at(-1)).to.equal('CERTIFICATES_ISSUED');
      const own = await server.http.get('/api/v1/applications').set(...citizen.auth).expect(200);
      expect(own.body).to.have.length(1);
      expect(own.body[0].status).to.equal('completed');
      expect((await server.onevisit.engine.verifyReplay(id)).consistent).to.equal(true);

      // The applicant is told they may rate it now, as the rating's own rule says; a clerk never.
      expect(done.body.mayRate).to.equal(true);
      expect((await server.http.get(`/api/v1/applications/${id}`).set(...window.auth).expect(200)).body.mayRate).to.equal(false);
      const rated = await server.http.post(`/api/v1/applications/${id}/rating`).set(...citizen.auth).send({ score: 5, comment: '一次办成' }).expect(201);
      expect(rated.body).to.deep.include({ mayRate: false, rating: { score: 5, comment: '一次办成', ratedAt: rated.body.rating.ratedAt } });
      await server.http.post(`/api/v1/applications/${id}/rating`).set(...citizen.auth).send({ score: 1 }).expect(409);
    });

    it('offers the rating of a refused application, and of none still open or withdrawn, as the rating use case decides', async () => {
      const citizen = await person(server, 'citizen');
      const window = await person(server, 'clerk', ['comprehensive-window']);
      const submit = async () => (await server.http.post('/api/v1/applications').set(...citizen.auth).send({ serviceId: 'business-startup', form, materials: await materialsFor(server, citizen) }).expect(201)).body.id as string;
      const send = (id: string, who: Person, event: object) => server.http.post(`/api/v1/applications/${id}/events`).set(...who.auth).send(event).expect(200);
      const [rejected, withdrawn, open] = [await submit(), await submit(), await submit()];
      await send(rejected, window, { type: 'REJECT', comment: '不符合受理条件' });
      await send(withdrawn, citizen, { type: 'WITHDRAW' });
      for (const [id, offered] of [[rejected, true], [withdrawn, false], [open, false]] as const) {
        const { body } = await server.http.get(`/api/v1/applications/${id}`).set(...citizen.auth).expect(200);
        expect(body.mayRate, body.status).to.equal(offered);
        await server.http.post(`/api/v1/applications/${id}/rating`).set(...citizen.auth).send({ score: 3 }).expect(offered ? 201 : 409);
      }
    });

    it('shows a reviewer only the fields of their matter, and the window clerk the whole form', async () => {
      const citizen = await person(server, 'citizen');
      const materials = await materialsFor(server, citizen);
      const { body } = await server.http.post('/api/v1/applications').set(...citizen.auth).send({ serviceId: 'business-startup', form, materials }).expect(201);
      const window = await person(server, 'clerk', ['comprehensive-window']);
      const tax = await person(server, 'clerk', ['taxation']);
      const full = await server.http.get(`/api/v1/applications/${body.id}`).set(...window.auth).expect(200);
      expect(full.body.form).to.deep.equal(form);
      const cut = await server.http.get(`/api/v1/applications/${body.id}`).set(...tax.auth).expect(200);
      expect(Object.keys(cut.body.form).sort()).to.deep.equal(['company', 'financialOfficer', 'legalRepresentative', 'tax']);
      expect(cut.body.form.company).to.have.all.keys('name', 'type', 'address', 'businessScope');
      expect(cut.body.form).to.not.have.property('shareholders');
      expect(cut.body.form).to.not.have.property('applicant');
    });

    it('lets one clerk claim a task; another clerk of the department is refused until it is released', async () => {
      const citizen = await person(server, 'citizen');
      const materials = await materialsFor(server, citizen);
      const { body } = await server.http.post('/api/v1/applications').set(...citizen.auth).send({ serviceId: 'business-startup', form, materials }).expect(201);
      const a = await person(server, 'clerk', ['comprehensive-window']);
      const b = await person(server, 'clerk', ['comprehensive-window']);
      await server.http.post(`/api/v1/applications/${body.id}/claim`).set(...a.auth).send({}).expect(200);
      const refused = await server.http.post(`/api/v1/applications/${body.id}/events`).set(...b.auth).send({ type: 'ACCEPT' }).expect(409);
      expect(refused.body.code).to.equal('TASK.CLAIMED');
      await server.http.post(`/api/v1/applications/${body.id}/release`).set(...a.auth).send({}).expect(200);
      await server.http.post(`/api/v1/applications/${body.id}/events`).set(...b.auth).send({ type: 'REQUEST_SUPPLEMENT', comment: '请补充公司章程签字页', items: ['articles-of-association'] }).expect(200);
      const seen = await server.http.get(`/api/v1/applications/${body.id}`).set(...citizen.auth).expect(200);
      expect(seen.body.status).to.equal('supplement_requested');
      expect(seen.body.timeline.at(-1)).to.include({ type: 'REQUEST_SUPPLEMENT', comment: '请补充公司章程签字页' });
    });

    it('refuses a stale If-Match with 409 and changes nothing', async () => {
      const citizen = await person(server, 'citizen');
      const materials = await materialsFor(server, citizen);
      const { body } = await server.http.post('/api/v1/applications').set(...citizen.auth).send({ serviceId: 'business-startup', form, materials }).expect(201);
      const clerk = await person(server, 'clerk', ['comprehensive-window']);
      await server.http.post(`/api/v1/applications/${body.id}/events`).set(...clerk.auth).set('If-Match', '"1"').send({ type: 'ACCEPT' }).expect(200);
      const stale = await server.http.post(`/api/v1/applications/${body.id}/events`).set(...clerk.auth).set('If-Match', '"1"').send({ type: 'EXTEND', data: { days: 3 } }).expect(409);
      expect(stale.body.code).to.equal('APPLICATION.CONFLICT');
      const after = await server.http.get(`/api/v1/applications/${body.id}`).set(...clerk.auth).expect(200);
      expect(after.body.version).to.equal(2);
    });
  });
}
