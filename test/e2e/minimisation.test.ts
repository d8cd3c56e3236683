/**
 * Data minimisation, for every matter of every shipped definition: a matter's reviewer is shown the form fields
 * its matters name, the materials that support them, the comments on them, and the certificates they produced —
 * nothing else of the application, whichever route they ask through. The window sees all of it.
 */
import { expect } from 'chai';
import { getByPointer } from '../../src/domain/pointer.js';
import type { ServiceDefinition } from '../../src/domain/definition.js';
import { databaseKinds } from '../support/databases.js';
import { openTestServer, person, type Person, type TestServer, clerksOf } from '../support/server.js';
import { definitionOf, submitWithFiles } from '../support/services.js';
import { nextMove } from '../../src/definitions/index.js';
import { catalog } from '../support/world.js';

/** The events of the steps a department runs, by step kind. */
const STEP_EVENTS: Record<string, string[]> = { inspection: ['SCHEDULE', 'PASS', 'FAIL'], payment: ['PAY', 'WAIVE'], notice: ['OBJECTION', 'UPHOLD', 'DISMISS'] };
const comments = (view: { timeline: { comment?: string }[] }) => view.timeline.map((e) => e.comment).filter(Boolean);

const SHIPPED = catalog.definitionFiles.map((f) => f.split('/').pop()!.replace(/\.json$/, ''));

/** Every pointer to a leaf (a value that is not an object) of `value`. */
function leaves(value: unknown, at = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [at];
  return Object.entries(value).flatMap(([k, v]) => leaves(v, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`));
}

for (const kind of databaseKinds) {
  describe(`what a matter's reviewer sees (${kind})`, function () {
    this.timeout(180_000);
    let server: TestServer;
    let citizen: Person;
    const clerkOf = clerksOf(() => server);

    before(async () => {
      server = await openTestServer(kind);
      citizen = await person(server, 'citizen');
    });
    after(() => server.close());

    const event = async (id: string, who: Person, body: Record<string, unknown>) =>
      server.http.post(`/api/v1/applications/${id}/events`).set(...who.auth).send(body).expect(200);

    /** An application with comments of the window and of one matter, taken as far as clerks take it. */
    async function worked(definition: ServiceDefinition): Promise<{ id: string; returned: string }> {
      const form = structuredClone(definition.form.examples![0]!) as Record<string, unknown>;
      const { id } = await submitWithFiles(server, citizen, definition.id, form);
      const window = definition.steps[0]!.kind === 'intake' ? definition.steps[0]!.window : '';
      await event(id, await clerkOf(window), { type: 'REQUEST_SUPPLEMENT', items: ['/applicant'], comment: 'secret of the window' });
      await event(id, citizen, { type: 'SUPPLEMENT', data: { form } });
      await event(id, await clerkOf(window), { type: 'ACCEPT', comment: 'accepted by the window' });
      const view = (await server.http.get(`/api/v1/applications/${id}`).set(...citizen.auth).expect(200)).body;
      const returned = Object.keys(view.matters)[0]!;
      const department = definition.steps.flatMap((s) => (s.kind === 'review' ? s.matters : [])).find((m) => m.id === returned)!.department;
      await event(id, await clerkOf(department), { type: 'RETURN', matter: returned, items: ['/applicant'], comment: `secret of ${returned}` });
      await event(id, citizen, { type: 'SUPPLEMENT', matter: returned });
      await finish(id);
      return { id, returned };
    }

    /** The happy path the rest of the way, as clerks and the applicant would go: up to completion or a public notice. */
    async function finish(id: string): Promise<void> {
      for (let i = 0; i < 30; i++) {
        const { view, compiled } = await server.onevisit.engine.inspect(id);
        const move = nextMove(compiled, view.stateValue, { ...view, noticeElapsed: false });
        if (!move || move.actor.kind === 'scheduler' || move.actor.kind === 'system') return;
        const who = move.actor.kind === 'clerk' ? await clerkOf(move.actor.department!) : citizen;
        await event(id, who, { type: move.type, ...(move.matter ? { matter: move.matter } : {}), ...(move.type === 'PASS' ? { comment: 'inspected on site' } : {}) });
      }
      throw new Error('the application did not finish');
    }

    for (const serviceId of SHIPPED) {
      it(`${serviceId}: every reviewer sees only its matters' fields, materials, comments and certificates`, async () => {
        const definition = definitionOf(serviceId);
        const { id } = await worked(definition);
        const matters = definition.steps.flatMap((s) => (s.kind === 'review' ? s.matters : []));
        const certificates = (await server.onevisit.db('certificates').where({ application_id: id })) as { id: string; matter_id: string; issuer: string }[];
        const full = (await server.http.get(`/api/v1/applications/${id}`).set(...citizen.auth).expect(200)).body;
        for (const department of new Set(matters.map((m) => m.department))) {
          const reviewer = await person(server, 'clerk', [department]);
          const mine = matters.filter((m) => m.department === department);
          const mineIds = new Set(mine.map((m) => m.id));
          const seen = (await server.http.get(`/api/v1/applications/${id}`).set(...reviewer.auth).expect(200)).body;
          const label = `${serviceId} as ${department}`;
          expect(seen.access, label).to.equal('reviewer');

          // Fields: every leaf shown lies under a field its matters name, and each such field that has a value is shown.
          const fields = mine.flatMap((m) => m.fields);
          for (const leaf of leaves(seen.form)) expect(fields.some((f) => leaf === f || leaf.startsWith(`${f}/`)), `${label}: field ${leaf}`).to.equal(true);
          for (const f of fields) if (getByPointer(full.form, f) !== undefined) expect(getByPointer(seen.form, f), `${label}: field ${f}`).to.deep.equal(getByPointer(full.form, f));

          // Materials: exactly those supporting its matters.
          const supporting = definition.materials.filter((m) => m.matters === undefined || m.matters.some((x) => mineIds.has(x))).map((m) => m.id);
          expect(Object.keys(seen.materials).sort(), `${label}: materials`).to.deep.equal(Object.keys(full.materials).filter((m) => supporting.includes(m)).sort());
          for (const [materialId, record] of Object.entries(full.materials as Record<string, { fileId?: string }>)) {
            if (!record.fileId) continue;
            const res = await server.http.get(`/api/v1/applications/${id}/materials/${materialId}`).set(...reviewer.auth);
            expect(res.status, `${label}: download of ${materialId}`).to.equal(supporting.includes(materialId) ? 200 : 404);
          }

          // Comments: only on its matters and the steps it runs (the window's and other matters' are not shown).
          const runs = new Set(definition.steps.filter((s) => 'department' in s && s.department === department).map((s) => s.kind));
          const ownStepEvent = (type: string) => Object.entries(STEP_EVENTS).some(([k, types]) => runs.has(k as never) && types.includes(type));
          for (const entry of seen.timeline as { type: string; matter?: string; comment?: string; items?: string[] }[]) {
            if (entry.comment === undefined && entry.items === undefined) continue;
            expect(entry.matter !== undefined ? mineIds.has(entry.matter) : ownStepEvent(entry.type), `${label}: comment ${entry.comment}`).to.equal(true);
          }
          if (!runs.has('inspection')) expect(comments(seen), label).to.not.include('inspected on site');
          expect(comments(seen), label).to.not.include('secret of the window');
          for (const other of matters.filter((m) => !mineIds.has(m.id))) expect(comments(seen), label).to.not.include(`secret of ${other.id}`);

          // Certificates: its own matters' (or its department's), and none of the others'.
          for (const c of certificates) {
            const res = await server.http.get(`/api/v1/certificates/${c.id}`).set(...reviewer.auth);
            const allowed = mineIds.has(c.matter_id) || c.issuer === department;
            expect(res.status, `${label}: certificate of ${c.matter_id}`).to.equal(allowed ? 200 : 404);
          }
        }

        // The window sees everything, comments included.
        const window = definition.steps[0]!.kind === 'intake' ? definition.steps[0]!.window : '';
        const windowView = (await server.http.get(`/api/v1/applications/${id}`).set(...(await person(server, 'clerk', [window])).auth).expect(200)).body;
        expect(windowView.form).to.deep.equal(full.form);
        expect(Object.keys(windowView.materials).sort()).to.deep.equal(Object.keys(full.materials).sort());
        expect(comments(windowView)).to.include('secret of the window');
      });
    }

    it('lets only the post-check department find a commitment false, and revokes only the certificates of the matters it supports', async () => {
      const definition = definitionOf('restaurant-opening');
      const { id } = await worked(definition);
      const status = (await server.http.get(`/api/v1/applications/${id}`).set(...citizen.auth).expect(200)).body.status;
      expect(status).to.equal('completed');
      const commitment = definition.materials.find((m) => m.id === 'fire-safety-commitment')!;
      const before = (await server.onevisit.db('certificates').where({ application_id: id, status: 'valid' })) as { id: string; matter_id: string }[];
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
    });
  });
}
