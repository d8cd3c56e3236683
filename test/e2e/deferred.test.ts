/**
 * Deferred materials (容缺后补) over HTTP, on each database: an application accepted with a material still owed tells its
 * applicant and its window the last instant it may follow (`owedBy`, the deferred-materials timer's period), offers
 * PROVIDE_MATERIALS to the applicant only, and once the file follows owes nothing and says no date.
 */
import { expect } from 'chai';
import { databaseKinds } from '../support/databases.js';
import { clerksOf, openTestServer, person, tinyPdf, type Person, type TestServer } from '../support/server.js';
import { act, businessStartup, materialsFor, submitBusinessStartup } from '../support/businessStartup.js';

const cst = (local: string) => new Date(`${local}+08:00`);
const WINDOW = 'comprehensive-window';

for (const kind of databaseKinds) {
  describe(`deferred materials (${kind})`, function () {
    this.timeout(60000);
    let server: TestServer;
    let citizen: Person;
    const clerkOf = clerksOf(() => server);

    before(async () => {
      // A Tuesday: the proof of premises (3 working days) is owed by the end of Friday.
      server = await openTestServer(kind, { now: cst('2026-03-10T10:00:00') });
      citizen = await person(server, 'citizen');
    });
    after(async () => server?.close());

    const detail = async (id: string, who: Person) => (await server.http.get(`/api/v1/applications/${id}`).set(...who.auth).expect(200)).body;

    it('says by when an owed material must follow, offers PROVIDE_MATERIALS to the applicant, and owes nothing once it has', async () => {
      const materials = (await materialsFor(server, citizen)).filter((m) => m.materialId !== 'premises-proof');
      const id = await submitBusinessStartup(server, citizen, materials);
      const submitted = await detail(id, citizen);
      expect(submitted.owed).to.deep.equal(['premises-proof']);
      expect(submitted, 'no date before acceptance starts the period').to.not.have.property('owedBy');

      await act(server, await clerkOf(WINDOW), id, { type: 'ACCEPT' });
      const accepted = await detail(id, citizen);
      expect(accepted.owedBy).to.equal(cst('2026-03-13T23:59:59.999').toISOString());
      expect(accepted.actions.map((a: { type: string }) => a.type)).to.include('PROVIDE_MATERIALS');
      const window = await detail(id, await clerkOf(WINDOW));
      expect(window.owedBy).to.equal(accepted.owedBy);
      expect(window.actions.map((a: { type: string }) => a.type)).to.not.include('PROVIDE_MATERIALS');

      const fileId = (await server.http.post('/api/v1/files').set(...citizen.auth).attach('file', tinyPdf(), 'premises.pdf').expect(201)).body.fileId;
      const provided = await server.http.post(`/api/v1/applications/${id}/events`).set(...citizen.auth).send({ type: 'PROVIDE_MATERIALS', materials: [{ materialId: 'premises-proof', fileId }] }).expect(200);
      expect(provided.body.owed).to.deep.equal([]);
      expect(provided.body).to.not.have.property('owedBy');
      expect(provided.body.materials['premises-proof']).to.include({ source: 'file', fileId });
      expect(provided.body.actions.map((a: { type: string }) => a.type)).to.not.include('PROVIDE_MATERIALS');
      expect(businessStartup.id).to.equal(provided.body.serviceId);
    });
  });
}
