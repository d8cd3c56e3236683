/**
 * What each reader is shown, for every matter of every shipped definition and through every route that carries an
 * application's contents. A matter's reviewer is shown the form fields its matters name, the materials that support
 * them, the comments on them and on the steps its department runs, and the certificates they produced — in the
 * detail, in the answers of its claims, releases and decisions, in its queue (rows carry no contents at all), in
 * material downloads and certificate reads. The window sees all of it, the applicant all of theirs; another citizen
 * and a clerk of an uninvolved department are told it is not there; the public objecting during a notice is shown
 * what the notice publishes; a post-check is answered without the application's contents.
 */
import { expect } from 'chai';
import { getByPointer } from '../../src/domain/pointer.js';
import { maskResidentId } from '../../src/domain/ids.js';
import type { ServiceDefinition } from '../../src/domain/definition.js';
import { databaseKinds } from '../support/databases.js';
import { openTestServer, person, type Person, type TestServer, clerksOf } from '../support/server.js';
import { definitionOf, submitWithFiles } from '../support/services.js';
import { expectProblem } from '../support/problems.js';
import { nextMove } from '../../src/definitions/index.js';
import { catalog } from '../support/world.js';
import { NOTICE_KEYS, QUEUE_KEYS, SUMMARY_KEYS, expectBareRows, expectNoneOf, expectReviewerAnswer, formTexts, hiddenTexts, leaves, reviewerScope, within, type ReviewerScope } from '../support/visibility.js';

const comments = (view: { timeline: { comment?: string }[] }) => view.timeline.map((e) => e.comment).filter(Boolean);

const SHIPPED = catalog.definitionFiles.map((f) => f.split('/').pop()!.replace(/\.json$/, ''));

const windowOf = (definition: ServiceDefinition) => (definition.steps[0]!.kind === 'intake' ? definition.steps[0]!.window : '');
const mattersOf = (definition: ServiceDefinition) => definition.steps.flatMap((s) => (s.kind === 'review' ? s.matters : []));
/** A department of the catalog with no part in the definition. */
const uninvolved = (definition: ServiceDefinition) => {
  const involved = new Set([windowOf(definition), ...definition.steps.flatMap((s) => ('department' in s ? [s.department] : [])), ...mattersOf(definition).map((m) => m.department), ...definition.materials.flatMap((m) => (m.postCheck ? [m.postCheck.department] : []))]);
  return catalog.departments.map((d) => d.id).find((d) => !involved.has(d))!;
};

for (const kind of databaseKinds) {
  describe(`what each reader is shown (${kind})`, function () {
    this.timeout(180_000);
    let server: TestServer;
    let citizen: Person;
    let stranger: Person;
    const clerkOf = clerksOf(() => server);

    before(async () => {
      server = await openTestServer(kind);
      citizen = await person(server, 'citizen');
      stranger = await person(server, 'citizen');
    });
    after(() => server.close());

    /** How a clerk of `department` sees applications of `definition`: all of it at the window, else their matters'. */
    const readerOf = (definition: ServiceDefinition, department: string): ReviewerScope | 'window' => (department === windowOf(definition) ? 'window' : reviewerScope(definition, [department]));

    /** Asserts what an answer shows a clerk of `department`: everything at the window; a reviewer, their scope and no texts beyond it. */
    function expectAnswerFor(definition: ServiceDefinition, department: string, form: Record<string, unknown>, res: { body: Record<string, unknown>; text: string }, label: string): void {
      const reader = readerOf(definition, department);
      if (reader === 'window') {
        expect(res.body.access, label).to.equal('window');
        expect(res.body.form, label).to.deep.equal(form);
        return;
      }
      expectReviewerAnswer(res.body, reader, label);
      expectNoneOf(res.text, hiddenTexts(form, reader.fields), label);
    }

    /** Sends an event as a clerk and checks what its answer shows them. */
    async function clerkEvent(definition: ServiceDefinition, id: string, department: string, form: Record<string, unknown>, body: Record<string, unknown>) {
      const res = await server.http.post(`/api/v1/applications/${id}/events`).set(...(await clerkOf(department)).auth).send(body).expect(200);
      expectAnswerFor(definition, department, form, res, `${definition.id}: ${String(body.type)} as ${department}`);
    }

    /**
     * A clerk's turn as the queue shows it and as they take it: their queue rows (bare), the claim and the release
     * (each answer cut to what they may see), then the decision itself.
     */
    async function clerkTurn(definition: ServiceDefinition, id: string, department: string, form: Record<string, unknown>, body: Record<string, unknown>) {
      const clerk = await clerkOf(department);
      const label = `${definition.id}: ${String(body.type)} as ${department}`;
      const queue = await server.http.get('/api/v1/applications').set(...clerk.auth).expect(200);
      const rows = (queue.body as Record<string, unknown>[]).filter((r) => r.id === id);
      expect(rows.length, `${label}: the task in the queue`).to.be.greaterThan(0);
      expectBareRows(rows, QUEUE_KEYS, `${label}: queue`);
      expectNoneOf(JSON.stringify(rows), formTexts(form), `${label}: queue`);
      const task = body.matter !== undefined ? { matter: body.matter } : {};
      expectAnswerFor(definition, department, form, await server.http.post(`/api/v1/applications/${id}/claim`).set(...clerk.auth).send(task).expect(200), `${label}: claim`);
      expectAnswerFor(definition, department, form, await server.http.post(`/api/v1/applications/${id}/release`).set(...clerk.auth).send(task).expect(200), `${label}: release`);
      await clerkEvent(definition, id, department, form, body);
    }

    const applicantEvent = async (id: string, body: Record<string, unknown>) => server.http.post(`/api/v1/applications/${id}/events`).set(...citizen.auth).send(body).expect(200);

    /** An application with comments of the window and of one matter, taken as far as clerks take it: completed, or in its public notice. */
    async function worked(definition: ServiceDefinition): Promise<{ id: string; form: Record<string, unknown> }> {
      const form = structuredClone(definition.form.examples![0]!) as Record<string, unknown>;
      const { id } = await submitWithFiles(server, citizen, definition.id, form);
      const window = windowOf(definition);
      await clerkTurn(definition, id, window, form, { type: 'REQUEST_SUPPLEMENT', items: ['/applicant'], comment: 'secret of the window' });
      await applicantEvent(id, { type: 'SUPPLEMENT', data: { form } });
      await clerkTurn(definition, id, window, form, { type: 'ACCEPT', comment: 'accepted by the window' });
      const view = (await server.http.get(`/api/v1/applications/${id}`).set(...citizen.auth).expect(200)).body;
      const returned = Object.keys(view.matters)[0]!;
      const department = mattersOf(definition).find((m) => m.id === returned)!.department;
      await clerkTurn(definition, id, department, form, { type: 'RETURN', matter: returned, items: ['/applicant'], comment: `secret of ${returned}` });
      await applicantEvent(id, { type: 'SUPPLEMENT', matter: returned });
      await finish(definition, id, form);
      return { id, form };
    }

    /** The happy path the rest of the way, as clerks and the applicant would go: up to completion or a public notice. */
    async function finish(definition: ServiceDefinition, id: string, form: Record<string, unknown>): Promise<void> {
      for (let i = 0; i < 30; i++) {
        const { view, compiled } = await server.onevisit.engine.inspect(id);
        const move = nextMove(compiled, view.stateValue, { ...view, noticeElapsed: false });
        if (!move || move.actor.kind === 'scheduler' || move.actor.kind === 'system') return;
        const body = { type: move.type, ...(move.matter ? { matter: move.matter } : {}), ...(move.type === 'PASS' ? { comment: 'inspected on site' } : {}) };
        if (move.actor.kind === 'clerk') await clerkTurn(definition, id, move.actor.department!, form, body);
        else await applicantEvent(id, body);
      }
      throw new Error('the application did not finish');
    }

    for (const serviceId of SHIPPED) {
      it(`${serviceId}: every reviewer sees only its matters' fields, materials, comments and certificates, through every route`, async () => {
        const definition = definitionOf(serviceId);
        const { id, form } = await worked(definition);
        const matters = mattersOf(definition);
        const certificates = (await server.onevisit.db('certificates').where({ application_id: id })) as { id: string; matter_id: string; issuer: string }[];
        const full = (await server.http.get(`/api/v1/applications/${id}`).set(...citizen.auth).expect(200)).body;
        expect(full.access).to.equal('owner');
        expect(full.form).to.deep.equal(form);
        // Whom it is for, as the receipt names them: the applicant and the window read it, the id number masked.
        const applicant = { name: '测试citizen', idNumberMasked: maskResidentId(citizen.idNumber!), hasAccount: true };
        expect(full.applicant).to.deep.equal(applicant);
        const files = Object.entries(full.materials as Record<string, { fileId?: string }>).filter(([, r]) => r.fileId);

        for (const department of new Set(matters.map((m) => m.department))) {
          const reviewer = await person(server, 'clerk', [department]);
          const scope = reviewerScope(definition, [department]);
          const label = `${serviceId} as ${department}`;
          const res = await server.http.get(`/api/v1/applications/${id}`).set(...reviewer.auth).expect(200);
          const seen = res.body;
          expectReviewerAnswer(seen, scope, label);
          expectNoneOf(res.text, hiddenTexts(form, scope.fields), label);
          expectNoneOf(res.text, [citizen.idNumber!, maskResidentId(citizen.idNumber!)], `${label}: the applicant's id number`);

          // Fields: each field its matters name that has a value is shown as it is.
          for (const f of scope.fields) if (getByPointer(full.form, f) !== undefined) expect(getByPointer(seen.form, f), `${label}: field ${f}`).to.deep.equal(getByPointer(full.form, f));
          // Materials: exactly those supporting its matters, and only their files can be downloaded.
          expect(Object.keys(seen.materials).sort(), `${label}: materials`).to.deep.equal(Object.keys(full.materials).filter((m) => scope.materials.has(m)).sort());
          for (const [materialId, record] of files) {
            const download = await server.http.get(`/api/v1/applications/${id}/materials/${materialId}`).set(...reviewer.auth);
            expect(download.status, `${label}: download of ${materialId}`).to.equal(scope.materials.has(materialId) ? 200 : 404);
            if (!scope.materials.has(materialId)) expect(res.text, `${label}: file of ${materialId}`).to.not.include(record.fileId!);
          }
          // Comments: the window's and other matters' are not shown; an inspection's only to the department that runs it.
          if (!scope.steps.has('inspection')) expect(comments(seen), label).to.not.include('inspected on site');
          expect(comments(seen), label).to.not.include('secret of the window');
          for (const other of matters.filter((m) => !scope.matters.has(m.id))) expect(comments(seen), label).to.not.include(`secret of ${other.id}`);

          // Certificates: its own matters' (or its department's), and none of the others', as a record or a PDF.
          for (const c of certificates) {
            const allowed = scope.matters.has(c.matter_id) || c.issuer === department;
            for (const path of [`/api/v1/certificates/${c.id}`, `/api/v1/certificates/${c.id}/pdf`]) {
              const read = await server.http.get(path).set(...reviewer.auth);
              expect(read.status, `${label}: ${path} (${c.matter_id})`).to.equal(allowed ? 200 : 404);
            }
            if (!allowed) expect(res.text, `${label}: certificate of ${c.matter_id}`).to.not.include(c.id);
          }
        }

        // The window sees everything, comments included.
        const windowView = (await server.http.get(`/api/v1/applications/${id}`).set(...(await person(server, 'clerk', [windowOf(definition)])).auth).expect(200)).body;
        expect(windowView.access).to.equal('window');
        expect(windowView.form).to.deep.equal(full.form);
        expect(windowView.applicant).to.deep.equal(applicant);
        expect(Object.keys(windowView.materials).sort()).to.deep.equal(Object.keys(full.materials).sort());
        expect(comments(windowView)).to.include('secret of the window');

        // The applicant: their own certificates; their list shows the application, bare.
        for (const c of certificates) await server.http.get(`/api/v1/certificates/${c.id}`).set(...citizen.auth).expect(200);
        const own = (await server.http.get('/api/v1/applications').set(...citizen.auth).expect(200)).body as Record<string, unknown>[];
        expect(own.map((r) => r.id)).to.include(id);
        expectBareRows(own, SUMMARY_KEYS, `${serviceId}: the applicant's list`);

        // Another citizen and a clerk of an uninvolved department: not there, by any route, and not in their lists.
        const outsider = await person(server, 'clerk', [uninvolved(definition)]);
        for (const [who, reader] of [['another citizen', stranger], [`a clerk of ${uninvolved(definition)}`, outsider]] as const) {
          const label = `${serviceId} as ${who}`;
          expectProblem(await server.http.get(`/api/v1/applications/${id}`).set(...reader.auth), 404, 'APPLICATION.NOT_FOUND');
          expectProblem(await server.http.post(`/api/v1/applications/${id}/events`).set(...reader.auth).send({ type: 'WITHDRAW' }), 404, 'APPLICATION.NOT_FOUND');
          expectProblem(await server.http.post(`/api/v1/applications/${id}/claim`).set(...reader.auth).send({}), 404, 'APPLICATION.NOT_FOUND');
          for (const [materialId] of files) expect((await server.http.get(`/api/v1/applications/${id}/materials/${materialId}`).set(...reader.auth)).status, `${label}: ${materialId}`).to.equal(404);
          for (const c of certificates) {
            expectProblem(await server.http.get(`/api/v1/certificates/${c.id}`).set(...reader.auth), 404, 'CERTIFICATE.NOT_FOUND');
            expectProblem(await server.http.get(`/api/v1/certificates/${c.id}/pdf`).set(...reader.auth), 404, 'CERTIFICATE.NOT_FOUND');
          }
          const list = await server.http.get('/api/v1/applications').set(...reader.auth).expect(200);
          expect((list.body as { id: string }[]).map((r) => r.id), label).to.not.include(id);
          expectNoneOf(list.text, formTexts(form), label);
        }

        // A post-check is answered without the application's contents, and only to its department.
        for (const material of definition.materials.filter((m) => full.status === 'completed' && m.postCheck && full.materials[m.id]?.source === 'commitment')) {
          const path = `/api/v1/applications/${id}/materials/${material.id}/confirm`;
          expectProblem(await server.http.post(path).set(...(await clerkOf(windowOf(definition))).auth), 403, 'AUTH.FORBIDDEN');
          const confirmed = await server.http.post(path).set(...(await clerkOf(material.postCheck!.department)).auth).expect(200);
          expect(confirmed.body).to.deep.equal({ applicationId: id, materialId: material.id, confirmed: true });
        }

        // The public objecting during a notice is shown what the notice publishes, not the applicant's view.
        if (full.status === 'in_notice') {
          expectProblem(await server.http.post(`/api/v1/applications/${id}/events`).set(...outsider.auth).send({ type: 'OBJECTION', comment: '异议' }), 404, 'APPLICATION.NOT_FOUND');
          const objection = await server.http.post(`/api/v1/applications/${id}/events`).set(...stranger.auth).send({ type: 'OBJECTION', comment: '申请人不符合条件' }).expect(200);
          expect(objection.body.access).to.equal('public');
          expect(Object.keys(objection.body).filter((k) => !NOTICE_KEYS.includes(k))).to.deep.equal([]);
          expect(objection.body.form).to.deep.equal({});
          expect(objection.body.timeline).to.deep.equal([]);
          expectNoneOf(objection.text, [...formTexts(form), citizen.id, ...files.map(([, r]) => r.fileId!)], `${serviceId}: the public's objection`);
          // It still is not theirs to read.
          expectProblem(await server.http.get(`/api/v1/applications/${id}`).set(...stranger.auth), 404, 'APPLICATION.NOT_FOUND');
        }
      });
    }

    it('lets only the post-check department find a commitment false, and revokes only the certificates of the matters it supports', async () => {
      const definition = definitionOf('restaurant-opening');
      const { id, form } = await worked(definition);
      const status = (await server.http.get(`/api/v1/applications/${id}`).set(...citizen.auth).expect(200)).body.status;
      expect(status).to.equal('completed');
      const commitment = definition.materials.find((m) => m.id === 'fire-safety-commitment')!;
      const before = (await server.onevisit.db('certificates').where({ application_id: id, status: 'valid' })) as { id: string; matter_id: string; holder_id: string; holder_name: string }[];
      expect(before.length).to.be.greaterThan(1);
      // Each commitment is a post-check task in its department's queue, with its own deadline.
      const fire = await person(server, 'clerk', [commitment.postCheck!.department]);
      const queued = async (who: Person) => ((await server.http.get('/api/v1/applications?kind=postcheck').set(...who.auth).expect(200)).body as { id: string; task: string; dueAt: string | null }[]).filter((t) => t.id === id);
      const [postCheck] = await queued(fire);
      expect(postCheck?.task).to.equal(`postcheck:${commitment.id}`);
      expect(Date.parse(postCheck!.dueAt!)).to.be.greaterThan(Date.now());
      const water = await person(server, 'clerk', ['water-affairs']);
      expect((await queued(water)).map((t) => t.task)).to.deep.equal(['postcheck:drainage-commitment']);
      await server.http.post(`/api/v1/applications/${id}/materials/drainage-commitment/confirm`).set(...water.auth).expect(200);
      expect(await queued(water)).to.deep.equal([]);
      expect((await server.http.post(`/api/v1/applications/${id}/materials/drainage-commitment/confirm`).set(...water.auth)).status).to.equal(409);
      expect((await server.http.post(`/api/v1/applications/${id}/materials/drainage-commitment/confirm`).set(...fire.auth)).status).to.equal(403);

      const refute = (who: Person) => server.http.post(`/api/v1/applications/${id}/materials/${commitment.id}/refute`).set(...who.auth).send({ reason: '现场核查不符' });
      // Another department named in the definition (even one with a matter here) may not.
      for (const other of ['market-regulation', 'water-affairs', 'comprehensive-window']) expect((await refute(await person(server, 'clerk', [other]))).status, other).to.equal(403);
      expect((await server.onevisit.db('certificates').where({ application_id: id, status: 'valid' })).length).to.equal(before.length);
      const res = await refute(fire);
      expect(res.status).to.equal(200);
      expect(await queued(fire)).to.deep.equal([]);
      const revokedMatters = (res.body.revoked as { id: string }[]).map((c) => before.find((b) => b.id === c.id)!.matter_id);
      expect(revokedMatters.sort()).to.deep.equal(before.filter((b) => commitment.matters!.includes(b.matter_id)).map((b) => b.matter_id).sort());
      const after = (await server.onevisit.db('certificates').where({ application_id: id, status: 'valid' })) as { matter_id: string }[];
      expect(after.map((c) => c.matter_id).sort()).to.deep.equal(before.filter((b) => !commitment.matters!.includes(b.matter_id)).map((b) => b.matter_id).sort());
      // The answer names what was revoked, not what it certified.
      for (const c of res.body.revoked as Record<string, unknown>[]) expect(Object.keys(c).sort()).to.deep.equal(['id', 'issuer', 'matterId', 'status', 'type']);
      expectNoneOf(res.text, [...formTexts(form), ...before.flatMap((b) => [b.holder_id, b.holder_name])], 'the refutation');
    });

    it('shows a reviewer of several departments the union of what each may see, and no more', async () => {
      const definition = definitionOf('business-startup');
      const form = structuredClone(definition.form.examples![0]!) as Record<string, unknown>;
      const { id } = await submitWithFiles(server, citizen, definition.id, form);
      await clerkEvent(definition, id, windowOf(definition), form, { type: 'ACCEPT' });
      const departments = ['taxation', 'banking'];
      const scope = reviewerScope(definition, departments);
      const res = await server.http.get(`/api/v1/applications/${id}`).set(...(await person(server, 'clerk', departments)).auth).expect(200);
      expectReviewerAnswer(res.body, scope, 'taxation and banking');
      expectNoneOf(res.text, hiddenTexts(form, scope.fields), 'taxation and banking');
      for (const leaf of leaves(form)) if (within(leaf, scope.fields)) expect(getByPointer(res.body.form, leaf), leaf).to.deep.equal(getByPointer(form, leaf));
    });
  });
}
