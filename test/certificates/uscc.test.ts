/** New enterprises get one unified social credit code per application; existing ones keep theirs. */
import { expect } from 'chai';
import { createCertificateIssuer } from '../../src/certificates/issue.js';
import { isUnifiedSocialCreditCode, makeUnifiedSocialCreditCode } from '../../src/domain/ids.js';
import { databaseKinds } from '../support/databases.js';
import { exampleForm } from '../support/world.js';
import { assignUsccIn, certificateTypes, holderOf, insertApplication, issueContext, spec, useCertificateSetting, workflow } from './support.js';

for (const kind of databaseKinds) {
  describe(`unified social credit codes for new enterprises (${kind})`, function () {
    const s = useCertificateSetting(kind);
    const issuer = () => createCertificateIssuer({ store: s.store, keyring: s.keyring, certificateTypes: async () => certificateTypes, holderOf, assignUscc: assignUsccIn(s) });

    it('gives each application its own valid code, the same on every certificate and on a retried issue', async () => {
      const definition = workflow('business-startup');
      const first = await insertApplication(s.database.db);
      const second = await insertApplication(s.database.db);
      await issuer()(issueContext(definition, first), spec);
      // A retry of the same effect (say after a crash) finds the code the certificates carry.
      await issuer()(issueContext(definition, first), spec);
      await issuer()(issueContext(definition, second, { effectId: 'another-effect' }), spec);
      const codes = async (id: string) => new Set((await s.store.byApplication(id)).map((c) => c.holderId));
      const [a] = [...(await codes(first))];
      const [b] = [...(await codes(second))];
      expect(await codes(first)).to.have.property('size', 1);
      expect(isUnifiedSocialCreditCode(a!) && isUnifiedSocialCreditCode(b!)).to.equal(true);
      expect(a!.slice(0, 8)).to.equal('91620100');
      expect(a).to.not.equal(b);
    });

    it("uses the code an existing enterprise's form already holds", async () => {
      const definition = workflow('restaurant-opening');
      const uscc = makeUnifiedSocialCreditCode({ category: '2', region: '620102', sequence: 4711 });
      const base = exampleForm(definition);
      const form = { ...base, business: { ...(base.business as object), uscc } };
      const id = await insertApplication(s.database.db);
      await issuer()(issueContext(definition, id, { form }), spec);
      const holders = new Set((await s.store.byApplication(id)).map((c) => c.holderId));
      expect([...holders]).to.deep.equal([uscc]);
    });
  });
}
