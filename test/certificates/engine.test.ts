import { expect } from 'chai';
import { createCertificateIssuer } from '../../src/certificates/issue.js';
import { createVerifier } from '../../src/certificates/verify.js';
import { definitionHash } from '../../src/definitions/index.js';
import type { EffectHandlers } from '../../src/runtime/index.js';
import { createDefinitionStore } from '../../src/store/index.js';
import { databaseKinds } from '../support/databases.js';
import { Wallet, applicant, claimsFor, createEngine, drive, exampleForm, runPendingEffects, type World } from '../support/world.js';
import { assignUsccIn, certificateTypes, holderOf, useCertificateSetting, workflow } from './support.js';

for (const kind of databaseKinds) {
  describe(`certificates from the engine's issue step (${kind})`, function () {
    const s = useCertificateSetting(kind);

    it('a completed application yields its certificates once, even when the effect is retried after issuing', async () => {
      const issue = createCertificateIssuer({ store: s.store, keyring: s.keyring, certificateTypes: async () => certificateTypes, holderOf, assignUscc: assignUsccIn(s) });
      let calls = 0;
      const effects: EffectHandlers = {
        // The first run issues and then "crashes" before the engine records the result.
        async issueCertificates(context, spec) {
          const ids = await issue(context, spec);
          if (++calls === 1) throw new Error('crashed after issuing');
          return ids;
        },
        async scheduleTimer() {},
      };
      const definitions = createDefinitionStore(s.database.db);
      const wallet = new Wallet();
      const engine = createEngine(s.database.db, effects, wallet);
      const definition = (await definitions.publish(workflow('business-startup'), definitionHash, 'test', new Date().toISOString())).definition;
      const world: World = { engine, wallet, issued: [], timers: [], publish: async (d) => d, runPendingEffects: () => runPendingEffects(s.database.db, engine) };
      const form = exampleForm(definition);
      const submitted = await engine.submit({ serviceId: definition.id, applicant: applicant(), form, materials: claimsFor(world, definition, form, 'citizen-1') });

      const issuing = await drive(world, submitted, definition, (v) => v.status === 'issuing');
      expect(issuing.status).to.equal('issuing');
      const firstRun = await s.store.byApplication(submitted.id);
      expect(firstRun.length).to.be.greaterThan(0);

      expect(await world.runPendingEffects()).to.equal(1);
      const completed = await engine.get(submitted.id);
      expect(completed.status).to.equal('completed');
      const stored = await s.store.byApplication(submitted.id);
      expect(stored.map((r) => r.id)).to.deep.equal(firstRun.map((r) => r.id));
      const event = (await engine.events(submitted.id)).find((e) => e.type === 'CERTIFICATES_ISSUED')!;
      expect(((event.payload.data as { certificates: string[] }).certificates).sort()).to.deep.equal(stored.map((r) => r.id).sort());
      expect(stored.map((r) => r.type).sort()).to.include.members(['business-license', 'seal-filing-record', 'tax-registration-record']);

      const verifier = createVerifier({ store: s.store, keyring: s.keyring });
      for (const row of stored) expect((await verifier.verifyById(row.id, row.signature)).status).to.equal('valid');
    });
  });
}
