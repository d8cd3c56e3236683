/**
 * Drafts over HTTP, on each database: a citizen keeps the form so far and the materials chosen, reads, replaces and
 * deletes them; another citizen's draft is answered as an unknown id; a partial form is kept, a form too large, too
 * deep or holding control characters is not; submitting a draft makes the application and deletes the draft in the
 * same transaction.
 */
import { expect } from 'chai';
import { databaseKinds } from '../support/databases.js';
import { openTestServer, person, type Person, type TestServer } from '../support/server.js';
import { expectProblem, storedCounts } from '../support/problems.js';
import { businessStartup, exampleForm, materialsFor, type MaterialClaim } from '../support/businessStartup.js';
import { DRAFTS_PER_KEEPER, DRAFT_FORM_MAX_BYTES, DRAFT_FORM_MAX_DEPTH } from '../../src/application/drafts.js';

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
/** What a citizen has typed after the first page: the applicant and the company's name, nothing required yet. */
const partialForm = { applicant: { name: '王磊', role: 'agent' }, company: { name: '兰州青禾信息技术有限公司' } };

for (const kind of databaseKinds) {
  describe(`drafts (${kind})`, function () {
    this.timeout(60000);
    let server: TestServer;
    let citizen: Person;
    let other: Person;
    let materials: MaterialClaim[];

    before(async () => {
      server = await openTestServer(kind, { now: new Date('2026-03-10T02:00:00Z') });
      [citizen, other] = await Promise.all([person(server, 'citizen'), person(server, 'citizen')]);
      materials = await materialsFor(server, citizen);
    });
    after(async () => server?.close());

    const drafts = '/api/v1/drafts';
    async function kept(body: object = { serviceId: businessStartup.id, form: partialForm, materials: materials.slice(0, 1) }, who: Person = citizen) {
      return (await server.http.post(drafts).set(...who.auth).send(body).expect(201)).body as { id: string; serviceId: string; form: object; materials: object[]; createdAt: string; updatedAt: string };
    }

    it('keeps a partial form and the materials chosen, and gives them back to their keeper', async () => {
      const res = await server.http.post(drafts).set(...citizen.auth).send({ serviceId: businessStartup.id, form: partialForm, materials: materials.slice(0, 2) }).expect(201);
      const draft = res.body;
      expect(res.headers.location).to.equal(`/api/v1/drafts/${draft.id}`);
      expect(draft).to.deep.include({ serviceId: businessStartup.id, form: partialForm, materials: materials.slice(0, 2), createdAt: '2026-03-10T02:00:00.000Z', updatedAt: '2026-03-10T02:00:00.000Z' });
      const read = await server.http.get(`${drafts}/${draft.id}`).set(...citizen.auth).expect(200);
      expect(read.body).to.deep.equal(draft);
      const list = await server.http.get(drafts).set(...citizen.auth).expect(200);
      expect(list.body).to.deep.include({ id: draft.id, serviceId: businessStartup.id, createdAt: draft.createdAt, updatedAt: draft.updatedAt });
      expect(list.body[0]).to.not.have.any.keys('form', 'materials');
      // Nothing of it is an application yet.
      expect((await server.http.get('/api/v1/applications').set(...citizen.auth).expect(200)).body).to.deep.equal([]);
      // An empty one too: a draft is started before anything is typed.
      await kept({ serviceId: businessStartup.id });
    });

    it('replaces a draft with PUT, later drafts first in the list', async () => {
      const draft = await kept();
      server.clock.now = new Date('2026-03-11T03:00:00Z');
      const form = { ...partialForm, company: { ...partialForm.company, type: 'llc' } };
      const put = await server.http.put(`${drafts}/${draft.id}`).set(...citizen.auth).send({ serviceId: businessStartup.id, form, materials }).expect(200);
      expect(put.body).to.deep.include({ id: draft.id, form, materials, createdAt: draft.createdAt, updatedAt: '2026-03-11T03:00:00.000Z' });
      expect((await server.http.get(`${drafts}/${draft.id}`).set(...citizen.auth).expect(200)).body).to.deep.equal(put.body);
      expect((await server.http.get(drafts).set(...citizen.auth).expect(200)).body[0].id).to.equal(draft.id);
      server.clock.now = new Date('2026-03-10T02:00:00Z');
    });

    it('deletes a draft: it is then not found', async () => {
      const draft = await kept();
      await server.http.delete(`${drafts}/${draft.id}`).set(...citizen.auth).expect(204);
      expectProblem(await server.http.get(`${drafts}/${draft.id}`).set(...citizen.auth), 404, 'DRAFT.NOT_FOUND');
      expectProblem(await server.http.delete(`${drafts}/${draft.id}`).set(...citizen.auth), 404, 'DRAFT.NOT_FOUND');
      expect((await server.http.get(drafts).set(...citizen.auth).expect(200)).body.map((d: { id: string }) => d.id)).to.not.include(draft.id);
    });

    it("answers another citizen's draft as an unknown id, byte for byte, and leaves it as it was", async () => {
      const draft = await kept();
      const body = { serviceId: businessStartup.id, form: { company: { name: '别人的公司' } } };
      const pairs = [
        [await server.http.get(`${drafts}/${draft.id}`).set(...other.auth), await server.http.get(`${drafts}/${UNKNOWN_ID}`).set(...other.auth)],
        [await server.http.put(`${drafts}/${draft.id}`).set(...other.auth).send(body), await server.http.put(`${drafts}/${UNKNOWN_ID}`).set(...other.auth).send(body)],
        [await server.http.delete(`${drafts}/${draft.id}`).set(...other.auth), await server.http.delete(`${drafts}/${UNKNOWN_ID}`).set(...other.auth)],
      ];
      for (const [hidden, unknown] of pairs) {
        expectProblem(hidden!, 404, 'DRAFT.NOT_FOUND');
        expect(hidden!.text).to.equal(unknown!.text);
        expect(hidden!.text).to.not.include(partialForm.company.name);
      }
      expect((await server.http.get(drafts).set(...other.auth).expect(200)).body.map((d: { id: string }) => d.id)).to.not.include(draft.id);
      expect((await server.http.get(`${drafts}/${draft.id}`).set(...citizen.auth).expect(200)).body).to.deep.equal(draft);
    });

    it('refuses drafts to clerks and admins before any lookup, and to nobody', async () => {
      const draft = await kept();
      for (const role of ['clerk', 'admin'] as const) {
        const someone = await person(server, role, role === 'clerk' ? ['comprehensive-window'] : []);
        const answers = [
          await server.http.get(drafts).set(...someone.auth),
          await server.http.post(drafts).set(...someone.auth).send({ serviceId: businessStartup.id }),
          await server.http.get(`${drafts}/${draft.id}`).set(...someone.auth),
          await server.http.get(`${drafts}/${UNKNOWN_ID}`).set(...someone.auth),
        ];
        for (const res of answers) expectProblem(res, 403, 'AUTH.FORBIDDEN');
        expect(answers[2]!.text).to.equal(answers[3]!.text);
      }
      expectProblem(await server.http.get(`${drafts}/${draft.id}`), 401, 'AUTH.REQUIRED');
    });

    it('checks a partial form for size, depth and control characters, and what a certificate would print, but not for what is required', async () => {
      const refused = async (form: unknown, status: number, code: string) => {
        const before = await server.onevisit.db('drafts').count({ n: '*' }).first();
        const res = await server.http.post(drafts).set(...citizen.auth).send({ serviceId: businessStartup.id, form });
        expectProblem(res, status, code);
        expect((await server.onevisit.db('drafts').count({ n: '*' }).first())!.n).to.equal(before!.n);
        return res.body as { errors?: { path: string; code: string; message: string }[]; detail: string };
      };
      const large = await refused({ company: { businessScope: ['软'.repeat(DRAFT_FORM_MAX_BYTES / 3 + 1)] } }, 400, 'INPUT.INVALID');
      expect(large.errors).to.deep.equal([{ path: '/form', code: 'INPUT.TOO_LARGE', message: large.errors![0]!.message }]);
      let deep: Record<string, unknown> = {};
      for (let i = 0; i < DRAFT_FORM_MAX_DEPTH; i++) deep = { a: deep };
      expect((await refused(deep, 400, 'INPUT.INVALID')).errors![0]!.code).to.equal('INPUT.TOO_DEEP');
      expect((await refused({ company: { name: '兰州\u0007青禾' } }, 400, 'INPUT.INVALID')).errors![0]).to.deep.include({ path: '/form/company/name', code: 'INPUT.UNPRINTABLE' });
      expect((await refused({ 'bad\u001bkey': 1 }, 400, 'INPUT.INVALID')).errors![0]).to.deep.include({ path: '/form/bad\u001bkey', code: 'INPUT.UNPRINTABLE' });
      // 𓀀 (U+13000) in the company name, which the licence prints: refused as the submission would refuse it.
      const glyph = await refused({ company: { name: '兰州𓀀信息技术有限公司' } }, 422, 'CERTIFICATE.GLYPH_MISSING');
      expect(glyph.detail).to.include('/form/company/name');
      const unknown = await server.http.post(drafts).set(...citizen.auth).send({ serviceId: 'no-such-service', form: {} });
      expectProblem(unknown, 404, 'SERVICE.NOT_FOUND');
      expectProblem(await server.http.post(drafts).set(...citizen.auth).send({ form: {} }), 400, 'INPUT.INVALID');
      // Just within the limits, and nothing required there: kept.
      let within: Record<string, unknown> = { end: '行\n第二行\t制表' };
      for (let i = 1; i < DRAFT_FORM_MAX_DEPTH; i++) within = { a: within };
      await kept({ serviceId: businessStartup.id, form: within });
    });

    it('submits a draft as saved with {draftId}: the application is made, with its check code, and the draft is gone', async () => {
      const draft = await kept({ serviceId: businessStartup.id, form: exampleForm, materials });
      const res = await server.http.post('/api/v1/applications').set(...citizen.auth).send({ draftId: draft.id }).expect(201);
      expect(res.body).to.deep.include({ serviceId: businessStartup.id, status: 'submitted', form: exampleForm });
      expect(res.body.checkCode).to.match(/^[2-9A-HJKMNP-Z]{6}$/);
      expectProblem(await server.http.get(`/api/v1/drafts/${draft.id}`).set(...citizen.auth), 404, 'DRAFT.NOT_FOUND');
      expect(await server.onevisit.db('drafts').where({ id: draft.id })).to.deep.equal([]);
      // The draft is not there to submit again.
      const before = await storedCounts(server);
      expectProblem(await server.http.post('/api/v1/applications').set(...citizen.auth).send({ draftId: draft.id }), 404, 'DRAFT.NOT_FOUND');
      expect(await storedCounts(server)).to.deep.equal(before);
    });

    it('submits a whole body that names a draft, consuming the draft; two submissions of one draft at once make one application', async () => {
      const draft = await kept();
      const whole = { serviceId: businessStartup.id, form: exampleForm, materials, draftId: draft.id };
      await server.http.post('/api/v1/applications').set(...citizen.auth).send(whole).expect(201);
      expectProblem(await server.http.get(`/api/v1/drafts/${draft.id}`).set(...citizen.auth), 404, 'DRAFT.NOT_FOUND');

      const twice = await kept({ serviceId: businessStartup.id, form: exampleForm, materials });
      const count = async () => Number((await server.onevisit.db('applications').where({ applicant_id: citizen.id }).count({ n: '*' }).first())!.n);
      const before = await count();
      const answers = await Promise.all([0, 1].map(() => server.http.post('/api/v1/applications').set(...citizen.auth).send({ draftId: twice.id })));
      expect(answers.map((r) => r.status).sort()).to.deep.equal([201, 404]);
      expectProblem(answers.find((r) => r.status === 404)!, 404, 'DRAFT.NOT_FOUND');
      expect(await count()).to.equal(before + 1);
    });

    it('writes nothing when the draft named is missing or another citizen’s, and keeps a draft whose submission is refused', async () => {
      const theirs = await kept(undefined, other);
      const before = await storedCounts(server);
      for (const draftId of [theirs.id, UNKNOWN_ID]) {
        expectProblem(await server.http.post('/api/v1/applications').set(...citizen.auth).send({ serviceId: businessStartup.id, form: exampleForm, materials, draftId }), 404, 'DRAFT.NOT_FOUND');
        expectProblem(await server.http.post('/api/v1/applications').set(...citizen.auth).send({ draftId }), 404, 'DRAFT.NOT_FOUND');
      }
      expect(await storedCounts(server), 'the application is not written without its draft').to.deep.equal(before);
      expect((await server.http.get(`/api/v1/drafts/${theirs.id}`).set(...other.auth).expect(200)).body).to.deep.equal(theirs);

      // A partial draft is not an application: the submission is refused and the draft stays.
      const partial = await kept();
      expectProblem(await server.http.post('/api/v1/applications').set(...citizen.auth).send({ draftId: partial.id }), 422, 'FORM.INVALID');
      await server.http.get(`/api/v1/drafts/${partial.id}`).set(...citizen.auth).expect(200);
      // With a draft, the body is the draft alone or whole.
      expectProblem(await server.http.post('/api/v1/applications').set(...citizen.auth).send({ draftId: partial.id, materials }), 400, 'INPUT.INVALID');
    });

    it(`keeps at most ${DRAFTS_PER_KEEPER} drafts per citizen`, async () => {
      const keeper = await person(server, 'citizen');
      for (let i = 0; i < DRAFTS_PER_KEEPER; i++) await kept({ serviceId: businessStartup.id }, keeper);
      expectProblem(await server.http.post(drafts).set(...keeper.auth).send({ serviceId: businessStartup.id }), 409, 'DRAFT.LIMIT_REACHED');
      const list = (await server.http.get(drafts).set(...keeper.auth).expect(200)).body as { id: string }[];
      expect(list).to.have.length(DRAFTS_PER_KEEPER);
      await server.http.delete(`${drafts}/${list[0]!.id}`).set(...keeper.auth).expect(204);
      await kept({ serviceId: businessStartup.id }, keeper);
    });
  });
}
