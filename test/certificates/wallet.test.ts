import { expect } from 'chai';
import { createCertificateIssuer } from '../../src/certificates/issue.js';
import { createLifecycle } from '../../src/certificates/lifecycle.js';
import { createWallet, type Wallet } from '../../src/certificates/wallet.js';
import { databaseKinds } from '../support/databases.js';
import { T0, assignUsccIn, certificateTypes, holderOf, insertApplication, issueContext, spec, useCertificateSetting, workflow } from './support.js';

const DAY = 24 * 60 * 60 * 1000;
const HOLDER = '62010219830719201X';
const at = (days: number) => new Date(T0.getTime() + days * DAY);

for (const kind of databaseKinds) {
  describe(`the wallet (${kind})`, function () {
    const s = useCertificateSetting(kind);
    let wallet: Wallet;
    let clock: Date;

    /** Issues the service's certificates on `day` for an application of `applicantId`; returns their ids. */
    async function issue(service: string, day: number, applicantId = 'citizen-1'): Promise<string[]> {
      const applicationId = await insertApplication(s.database.db, applicantId);
      return createCertificateIssuer({ store: s.store, keyring: s.keyring, certificateTypes: async () => certificateTypes, holderOf, assignUscc: assignUsccIn(s) })(issueContext(workflow(service), applicationId, { at: at(day), applicantId }), spec);
    }

    beforeEach(async () => {
      clock = at(10);
      wallet = createWallet({ store: s.store, keyring: s.keyring, now: () => clock });
    });

    it("lists the holder's certificates, usable ones first, each group newest first", async () => {
      const [oldCard] = await issue('talent-medical-card', 0);
      const [revokedCard] = await issue('talent-medical-card', 1);
      const [newCard] = await issue('talent-medical-card', 2);
      const restaurant = await issue('restaurant-opening', 3);
      await createLifecycle({ store: s.store, keyring: s.keyring }).revoke(revokedCard!, 'wrong level', 'clerk-health');

      // The restaurant's four are held by the business it registered: in the wallet through the application.
      expect((await wallet.walletOf([HOLDER])).map((c) => c.id)).to.not.include.members(restaurant);
      const listed = await wallet.walletOf([HOLDER], { applicantId: 'citizen-1' });
      // The restaurant's four share an instant (in id order among themselves).
      expect(listed.slice(0, 4).map((c) => c.id).sort()).to.deep.equal([...restaurant].sort());
      expect(listed.slice(4).map((c) => c.id)).to.deep.equal([newCard, oldCard, revokedCard]);
      expect(listed.map((c) => c.standing)).to.deep.equal(['valid', 'valid', 'valid', 'valid', 'valid', 'valid', 'revoked']);
      const card = listed.find((c) => c.id === newCard)!;
      expect(card).to.include({ type: 'talent-medical-card', holderId: HOLDER, holderName: '马强', issuer: 'health', status: 'valid' });
      expect(card.fields).to.have.property('level');
      expect(await wallet.walletOf(['110105199003071234'])).to.deep.equal([]);
      expect(await wallet.walletOf([])).to.deep.equal([]);
    });

    it('expired certificates go after the usable ones', async () => {
      const [card] = await issue('talent-medical-card', 0); // valid three years
      const food = (await issue('restaurant-opening', 1)).length;
      clock = new Date('2029-06-01T00:00:00Z');
      const listed = await wallet.walletOf([HOLDER], { applicantId: 'citizen-1' });
      expect(listed.at(-1)).to.include({ id: card, standing: 'expired', status: 'valid' });
      expect(listed).to.have.length(food + 1);
    });

    it('finds the newest valid, unexpired certificate of a type, for a material it satisfies', async () => {
      const [first] = await issue('talent-medical-card', 0);
      const [second] = await issue('talent-medical-card', 5);
      expect((await wallet.findUsable([HOLDER], 'talent-medical-card', at(10)))?.id).to.equal(second);
      await createLifecycle({ store: s.store, keyring: s.keyring }).revoke(second!, 'wrong employer', 'clerk-health');
      expect((await wallet.findUsable([HOLDER], 'talent-medical-card', at(10)))?.id).to.equal(first);
      expect(await wallet.findUsable([HOLDER], 'talent-medical-card', new Date('2029-03-03T00:00:00Z'))).to.equal(undefined);
      expect(await wallet.findUsable([HOLDER], 'business-license', at(10))).to.equal(undefined);
      expect(await wallet.findUsable(['someone-else'], 'talent-medical-card', at(10))).to.equal(undefined);
    });

    it("a parent's wallet takes in the certificates of the newborn they applied for", async () => {
      const issued = await issue('newborn', 0);
      expect(await wallet.walletOf([HOLDER])).to.deep.equal([]);
      const withChildren = await wallet.walletOf([HOLDER], { applicantId: 'citizen-1' });
      expect(withChildren.map((c) => c.id).sort()).to.deep.equal([...issued].sort());
      expect(withChildren.every((c) => c.holderId === 'XS2026031807')).to.equal(true);
      expect((await wallet.findUsable([HOLDER], 'birth-medical-certificate', at(1), { applicantId: 'citizen-1' }))?.holderName).to.equal('张子涵');
      expect(await wallet.walletOf([], { applicantId: 'citizen-2' })).to.deep.equal([]);
    });

    it('says why a certificate cannot stand in for a material', async () => {
      const [card] = await issue('talent-medical-card', 0);
      const [revoked] = await issue('talent-medical-card', 1);
      await createLifecycle({ store: s.store, keyring: s.keyring }).revoke(revoked!, 'wrong level', 'clerk-health');
      expect(await wallet.checkCertificate([HOLDER], card!, 'talent-medical-card')).to.equal(undefined);
      expect(await wallet.checkCertificate([HOLDER], card!, 'business-license')).to.equal(`certificate ${card} is a talent-medical-card, not a business-license`);
      expect(await wallet.checkCertificate(['someone-else'], card!, 'talent-medical-card')).to.equal(`no certificate ${card} in your wallet`);
      expect(await wallet.checkCertificate([HOLDER], revoked!, 'talent-medical-card')).to.equal(`certificate ${revoked} is revoked`);
      await s.database.db('certificates').where({ id: card }).update({ record: (await s.store.get(card!))!.record.replace('马强', '马弓') });
      expect(await wallet.checkCertificate([HOLDER], card!, 'talent-medical-card')).to.equal(`certificate ${card} is tampered`);
    });
  });
}
