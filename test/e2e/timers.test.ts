/**
 * A public-notice period that ends while the server is down: the next instance fires its timer once at its
 * first poll, and the application moves on exactly once — on each database.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { databaseKinds } from '../support/databases.js';
import { openTestServer, person, tinyPdf, type Person, type TestServer } from '../support/server.js';
import { compileDefinition } from '../../src/definitions/index.js';
import { projectRoot } from '../../src/store/index.js';
import { validator, catalog } from '../support/world.js';

const raw = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'workflows', 'talent-medical-card.json'), 'utf8'));
const checked = validator.validate(raw, catalog.context);
if (!checked.valid) throw new Error('talent-medical-card.json is invalid');
const definition = checked.definition;
const compiled = compileDefinition(definition);
const form = definition.form.examples![0]!;
const cst = (local: string) => new Date(`${local}+08:00`);

async function submit(server: TestServer, citizen: Person): Promise<string> {
  const materials = [];
  for (const m of definition.materials.filter((m) => compiled.applies(`material:${m.id}`, form))) {
    if (m.commitment) materials.push({ materialId: m.id, commitment: true });
    else materials.push({ materialId: m.id, fileId: (await server.http.post('/api/v1/files').set(...citizen.auth).attach('file', tinyPdf(), 'm.pdf').expect(201)).body.fileId });
  }
  return (await server.http.post('/api/v1/applications').set(...citizen.auth).send({ serviceId: 'talent-medical-card', form, materials }).expect(201)).body.id;
}

for (const kind of databaseKinds) {
  describe(`timers across a restart (${kind})`, function () {
    this.timeout(30000);
    let server: TestServer;
    before(async () => {
      server = await openTestServer(kind, { now: cst('2026-11-02T10:00:00') });
    });
    after(async () => server.close());

    it('fires a notice period that ended during downtime once, at the first poll after the restart', async () => {
      const [citizen, window, talent] = await Promise.all([person(server, 'citizen'), person(server, 'clerk', ['comprehensive-window']), person(server, 'clerk', ['talent-office'])]);
      const id = await submit(server, citizen);
      await server.http.post(`/api/v1/applications/${id}/events`).set(...window.auth).send({ type: 'ACCEPT' }).expect(200);
      const noticed = await server.http.post(`/api/v1/applications/${id}/events`).set(...talent.auth).send({ type: 'APPROVE', matter: 'talent-verification' }).expect(200);
      expect(noticed.body.status).to.equal('in_notice');
      expect(noticed.body.clock, 'the notice period does not count against the promised days').to.equal('paused');
      expect(await server.onevisit.scheduler.pollOnce(), 'nothing is due during the notice period').to.equal(0);

      // The server goes down on day 2 of the 5-day notice and comes back two weeks later.
      server.clock.now = cst('2026-11-03T10:00:00');
      expect(await server.onevisit.scheduler.pollOnce()).to.equal(0);
      server.clock.now = cst('2026-11-17T09:00:00');
      await server.restart();
      expect(await server.onevisit.scheduler.pollOnce()).to.equal(1);
      expect(await server.onevisit.scheduler.pollOnce()).to.equal(0);

      const after = await server.http.get(`/api/v1/applications/${id}`).set(...citizen.auth).expect(200);
      expect(after.body.status).to.equal('in_review');
      expect(after.body.timeline.filter((e: { type: string }) => e.type === 'NOTICE_ELAPSED')).to.have.length(1);
      expect(after.body.timeline.find((e: { type: string }) => e.type === 'NOTICE_ELAPSED').actor).to.equal('scheduler');
      expect((await server.onevisit.engine.verifyReplay(id)).consistent).to.equal(true);
    });
  });
}
