import { expect } from 'chai';
import { createCertificateIssuer, type CertificateIssuerOptions } from '../../src/certificates/issue.js';
import { checkSignature, parseRecordText } from '../../src/certificates/signing.js';
import { isOnevisitError } from '../../src/domain/errors.js';
import { isUnifiedSocialCreditCode } from '../../src/domain/ids.js';
import { createCertificateStore } from '../../src/store/index.js';
import { databaseKinds } from '../support/databases.js';
import { exampleForm } from '../support/world.js';
import { T0, assignUsccIn, certificateTypes, decide, holderOf, insertApplication, issueContext, spec, useCertificateSetting, workflow } from './support.js';

for (const kind of databaseKinds) {
  describe(`issuing certificates (${kind})`, function () {
    const s = useCertificateSetting(kind);

    const issuer = (overrides: Partial<CertificateIssuerOptions> = {}) =>
      createCertificateIssuer({ store: s.store, keyring: s.keyring, certificateTypes: async () => certificateTypes, holderOf, assignUscc: assignUsccIn(s), ...overrides });

    it('issues one signed certificate per approved matter that declares one, all held by the new business under one assigned code', async () => {
      const definition = workflow('restaurant-opening');
      const applicationId = await insertApplication(s.database.db);
      const ids = await issuer()(issueContext(definition, applicationId), spec);
      // license, food-business, fire-safety, sewage-discharge; the signboard matter issues nothing.
      expect(ids).to.have.length(4);
      const rows = await s.store.byApplication(applicationId);
      expect(rows.map((r) => r.matterId).sort()).to.deep.equal(['fire-safety', 'food-business', 'license', 'sewage-discharge']);
      expect(rows.map((r) => r.id).sort()).to.deep.equal([...ids].sort());
      const holders = new Set(rows.map((r) => r.holderId));
      expect(holders.size, 'one code for the new individual business').to.equal(1);
      const [code] = [...holders];
      expect(isUnifiedSocialCreditCode(code!)).to.equal(true);
      expect(code!.slice(0, 8), 'market regulation (9), individual business (2), Lanzhou (620100)').to.equal('92620100');
      for (const row of rows) {
        const record = parseRecordText(row.record)!;
        expect(record).to.include({ id: row.id, holderId: code, holderName: '兰州市城关区马记牛肉面馆', issuedAt: T0.toISOString(), applicationId });
        expect(row.status).to.equal('valid');
        expect(row.keyId).to.equal(s.keyring.signingKeyId);
        expect(checkSignature(record, row.keyId, row.signature, s.keyring)).to.equal(true);
      }
      const food = parseRecordText(rows.find((r) => r.matterId === 'food-business')!.record)!;
      expect(food).to.include({ type: 'food-business-license', issuer: 'market-regulation', validUntil: '2031-03-02T02:00:00.000Z' });
      expect(food.fields).to.deep.equal({
        operatorName: '兰州市城关区马记牛肉面馆',
        legalRepresentative: '马强',
        address: '甘肃省兰州市城关区张掖路步行街128号一层',
        categories: ['hot-food', 'cold-food'],
        foodSafetyManager: '马强',
      }); // creditCode (/business/uscc) is not in the form: left out
      const fire = rows.find((r) => r.matterId === 'fire-safety')!;
      expect(fire).to.include({ issuer: 'fire-rescue', validUntil: null });
    });

    it('takes the holder from the form where the definition points at one (the newborn)', async () => {
      const definition = workflow('newborn');
      const applicationId = await insertApplication(s.database.db);
      const ids = await issuer()(issueContext(definition, applicationId, { decisions: decide(definition, { 'social-security-card': 'rejected' }) }), spec);
      expect(ids).to.have.length(4);
      const rows = await s.store.byApplication(applicationId);
      expect(rows.map((r) => r.type).sort()).to.deep.equal(['birth-medical-certificate', 'household-registration-record', 'medical-insurance-registration', 'vaccination-certificate']);
      for (const row of rows) expect(row).to.include({ holderId: 'XS2026031807', holderName: '张子涵' });
    });

    it('issues nothing for rejected or skipped matters', async () => {
      const definition = workflow('restaurant-opening');
      const applicationId = await insertApplication(s.database.db);
      const decisions = decide(definition, { license: 'approved' }, 'skipped');
      expect(await issuer()(issueContext(definition, applicationId, { decisions }), spec)).to.have.length(1);
      const other = await insertApplication(s.database.db);
      expect(await issuer()(issueContext(definition, other, { decisions: decide(definition, {}, 'rejected') }), spec)).to.deep.equal([]);
      expect(await s.store.byApplication(other)).to.deep.equal([]);
    });

    it('run again for the same effect, it returns the same ids and stores nothing new', async () => {
      const definition = workflow('business-startup');
      const applicationId = await insertApplication(s.database.db);
      let n = 0;
      const newId = () => `10000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
      const first = await issuer({ newId })(issueContext(definition, applicationId), spec);
      // A retry runs later, on another instance, and would sign new records with new ids.
      const again = await issuer({ newId })(issueContext(definition, applicationId, { at: new Date(T0.getTime() + 60_000) }), spec);
      expect(again).to.deep.equal(first);
      expect(n).to.equal(2 * first.length);
      const rows = await s.store.byApplication(applicationId);
      expect(rows).to.have.length(first.length);
      for (const row of rows) expect(row.issuedAt).to.equal(T0.toISOString());
    });

    it('two concurrent runs of the same effect, from two connection pools, s.store one set and agree on its ids', async () => {
      const definition = workflow('business-startup');
      const other = createCertificateStore(s.database.openAnother());
      for (let round = 0; round < 5; round++) {
        const applicationId = await insertApplication(s.database.db);
        const context = issueContext(definition, applicationId);
        const results = await Promise.all([issuer()(context, spec), issuer({ store: other })(context, spec), issuer()(context, spec)]);
        expect(results[0]).to.have.length.greaterThan(0);
        expect(results[1]).to.deep.equal(results[0]);
        expect(results[2]).to.deep.equal(results[0]);
        expect((await s.store.byApplication(applicationId)).map((r) => r.id).sort()).to.deep.equal([...results[0]!].sort());
      }
    });

    it('a different effect of the same application issues anew', async () => {
      const definition = workflow('talent-medical-card');
      const applicationId = await insertApplication(s.database.db);
      const first = await issuer()(issueContext(definition, applicationId, { effectId: `${applicationId}:9:0` }), spec);
      const second = await issuer()(issueContext(definition, applicationId, { effectId: `${applicationId}:12:0` }), spec);
      expect(first).to.have.length(1);
      expect(second).to.have.length(1).and.not.deep.equal(first);
      expect(parseRecordText((await s.store.get(first[0]!))!.record)!.validUntil).to.equal('2029-03-02T02:00:00.000Z');
    });

    it('fails clearly, storing nothing, when the holder cannot be found', async () => {
      const definition = workflow('newborn');
      const applicationId = await insertApplication(s.database.db);
      const form = exampleForm(definition);
      delete (form.baby as Record<string, unknown>).hospitalRecordNumber;
      try {
        await issuer()(issueContext(definition, applicationId, { form }), spec);
        expect.fail('expected a failure');
      } catch (error) {
        expect(isOnevisitError(error, 'FORM.INVALID'), String(error)).to.equal(true);
        expect((error as Error).message).to.contain('/baby/hospitalRecordNumber');
      }
      const unknownApplicant = await insertApplication(s.database.db, 'nobody');
      try {
        await issuer()(issueContext(workflow('talent-medical-card'), unknownApplicant, { applicantId: 'nobody' }), spec);
        expect.fail('expected a failure');
      } catch (error) {
        expect(isOnevisitError(error, 'USER.NOT_FOUND'), String(error)).to.equal(true);
      }
      expect(await s.store.byApplication(applicationId)).to.deep.equal([]);
      expect(await s.store.byApplication(unknownApplicant)).to.deep.equal([]);
    });
  });
}
