import { expect } from 'chai';
import { openKeyring, rotateKey } from '../../src/certificates/keys.js';
import { createLifecycle, type Lifecycle } from '../../src/certificates/lifecycle.js';
import { checkSignature, parseRecordText } from '../../src/certificates/signing.js';
import { isOnevisitError, type ErrorCode } from '../../src/domain/errors.js';
import type { StoredCertificate } from '../../src/certificates/ports.js';
import { createCertificateStore } from '../../src/store/index.js';
import { databaseKinds } from '../support/databases.js';
import { T0, issueTalentCard, useCertificateSetting } from './support.js';

const LATER = new Date(T0.getTime() + 30 * 24 * 60 * 60 * 1000);

async function refusal(promise: Promise<unknown>, code: ErrorCode): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    expect(isOnevisitError(error, code), String(error)).to.equal(true);
    return error as Error;
  }
  return expect.fail(`expected ${code}`);
}

for (const kind of databaseKinds) {
  describe(`revoking and reissuing certificates (${kind})`, function () {
    const s = useCertificateSetting(kind);
    let lifecycle: Lifecycle;

    const issueCard = () => issueTalentCard(s);

    beforeEach(async () => {
      lifecycle = createLifecycle({ store: s.store, keyring: s.keyring, now: () => LATER });
    });

    it('revokes a valid certificate, recording why, when and by whom', async () => {
      const row = await issueCard();
      const revoked = await lifecycle.revoke(row.id, '  告知承诺不实  ', 'clerk-health');
      expect(revoked).to.include({ status: 'revoked', revokeReason: '告知承诺不实', revokedBy: 'clerk-health', revokedAt: LATER.toISOString() });
    });

    it('a revocation without a reason is refused, and nothing changes', async () => {
      const row = await issueCard();
      for (const reason of ['', '   ', undefined as unknown as string, 'x'.repeat(501)]) {
        const error = await refusal(lifecycle.revoke(row.id, reason, 'clerk-health'), 'INPUT.INVALID');
        expect((error as unknown as { errors: { path: string }[] }).errors[0]!.path).to.equal('/reason');
      }
      expect((await s.store.get(row.id))!.status).to.equal('valid');
    });

    it('only a valid certificate can be revoked or reissued', async () => {
      const revoked = await issueCard();
      await lifecycle.revoke(revoked.id, 'wrong', 'clerk-health');
      await refusal(lifecycle.revoke(revoked.id, 'again', 'clerk-health'), 'CERTIFICATE.NOT_ALLOWED');
      await refusal(lifecycle.reissue(revoked.id, 'clerk-health'), 'CERTIFICATE.NOT_ALLOWED');

      const superseded = await issueCard();
      await lifecycle.reissue(superseded.id, 'clerk-health');
      await refusal(lifecycle.reissue(superseded.id, 'clerk-health'), 'CERTIFICATE.NOT_ALLOWED');
      await refusal(lifecycle.revoke(superseded.id, 'late', 'clerk-health'), 'CERTIFICATE.NOT_ALLOWED');

      await refusal(lifecycle.revoke('00000000-0000-4000-8000-ffffffffffff', 'r', 'c'), 'CERTIFICATE.NOT_FOUND');
      await refusal(lifecycle.reissue('00000000-0000-4000-8000-ffffffffffff', 'c'), 'CERTIFICATE.NOT_FOUND');
    });

    it('a reissue is a new certificate with the same holder, fields and validity, signed with the current key; the old one is superseded by it', async () => {
      const old = await issueCard();
      await rotateKey(s.keysDir);
      const rotated = await openKeyring(s.keysDir);
      const next = await createLifecycle({ store: s.store, keyring: rotated, now: () => LATER }).reissue(old.id, 'clerk-health');

      expect(next.id).to.not.equal(old.id);
      expect(next).to.include({ status: 'valid', issuedBy: 'clerk-health', issuedAt: LATER.toISOString(), keyId: rotated.signingKeyId, matterId: old.matterId, applicationId: old.applicationId });
      const [before, after] = [parseRecordText(old.record)!, parseRecordText(next.record)!];
      expect({ ...after, id: before.id, issuedAt: before.issuedAt }).to.deep.equal(before);
      expect(checkSignature(after, next.keyId, next.signature, rotated)).to.equal(true);
      expect(await s.store.get(old.id)).to.include({ status: 'superseded', supersededBy: next.id, supersededAt: LATER.toISOString() });
      expect((await s.store.byApplication(old.applicationId)).map((r) => r.id)).to.deep.equal([old.id, next.id]);
    });

    it('two clerks reissuing at once make one new certificate', async () => {
      const old = await issueCard();
      const other = createLifecycle({ store: createCertificateStore(s.database.openAnother()), keyring: s.keyring, now: () => LATER });
      const results = await Promise.allSettled([lifecycle.reissue(old.id, 'clerk-a'), other.reissue(old.id, 'clerk-b'), lifecycle.reissue(old.id, 'clerk-c')]);
      const fulfilled = results.filter((r): r is PromiseFulfilledResult<StoredCertificate> => r.status === 'fulfilled');
      expect(fulfilled).to.have.length(1);
      for (const r of results) if (r.status === 'rejected') expect(isOnevisitError(r.reason, 'CERTIFICATE.NOT_ALLOWED'), String(r.reason)).to.equal(true);
      const rows = await s.store.byApplication(old.applicationId);
      expect(rows).to.have.length(2);
      expect(rows.filter((r) => r.status === 'valid').map((r) => r.id)).to.deep.equal([fulfilled[0]!.value.id]);
    });

    it('an expired certificate or an altered one is not reissued', async () => {
      const expired = await issueCard();
      await refusal(createLifecycle({ store: s.store, keyring: s.keyring, now: () => new Date('2030-01-01T00:00:00Z') }).reissue(expired.id, 'clerk-health'), 'CERTIFICATE.NOT_ALLOWED');

      const altered = await issueCard();
      await s.database.db('certificates').where({ id: altered.id }).update({ record: altered.record.replace('马强', '马弓') });
      await refusal(lifecycle.reissue(altered.id, 'clerk-health'), 'CERTIFICATE.NOT_ALLOWED');
      expect(await s.store.byApplication(altered.applicationId)).to.have.length(1);
    });
  });
}
