import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { rotateKey, openKeyring } from '../../src/certificates/keys.js';
import { createLifecycle } from '../../src/certificates/lifecycle.js';
import { createVerifier, type Verifier } from '../../src/certificates/verify.js';
import type { StoredCertificate } from '../../src/certificates/ports.js';
import { databaseKinds } from '../support/databases.js';
import { T0, issueTalentCard, useCertificateSetting } from './support.js';

const DAY = 24 * 60 * 60 * 1000;
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const flipChar = (text: string, index: number) => text.slice(0, index) + BASE64URL[(BASE64URL.indexOf(text[index]!) + 1) % 64] + text.slice(index + 1);

for (const kind of databaseKinds) {
  describe(`verifying certificates (${kind})`, function () {
    const s = useCertificateSetting(kind);
    let clock: Date;
    let verifier: Verifier;

    const issueCard = (keyring = s.keyring) => issueTalentCard(s, keyring);
    const embedded = (row: StoredCertificate) => ({ record: row.record, keyId: row.keyId, signature: row.signature });

    beforeEach(async () => {
      clock = new Date(T0.getTime() + DAY);
      verifier = createVerifier({ store: s.store, keyring: s.keyring, now: () => clock });
    });

    it('a certificate as issued is valid, by id, by id and signature, and from its embedded record', async () => {
      const row = await issueCard();
      const expected = {
        status: 'valid',
        certificate: { id: row.id, type: 'talent-medical-card', holderNameMasked: '马*', issuer: 'health', issuedAt: T0.toISOString(), validUntil: '2029-03-02T02:00:00.000Z', status: 'valid' },
      };
      expect(await verifier.verifyById(row.id)).to.deep.equal(expected);
      expect(await verifier.verifyById(row.id, row.signature)).to.deep.equal(expected);
      expect(await verifier.verifySigned(embedded(row))).to.deep.equal(expected);
      expect(await verifier.verifySigned({ ...embedded(row), record: JSON.parse(row.record) })).to.deep.equal(expected);
      expect(JSON.stringify(await verifier.verifyById(row.id))).to.not.contain('62010219830719201X');
    });

    it('one character of the presented signature changed is tampered', async () => {
      const row = await issueCard();
      for (const i of [0, 40, row.signature.length - 1]) {
        const signature = flipChar(row.signature, i);
        expect(await verifier.verifyById(row.id, signature), `by id, character ${i}`).to.deep.equal({ status: 'tampered' });
        expect(await verifier.verifySigned({ ...embedded(row), signature }), `embedded, character ${i}`).to.deep.equal({ status: 'tampered' });
      }
    });

    it('one byte of the embedded record changed is tampered', async () => {
      const row = await issueCard();
      const bytes = Buffer.from(row.record, 'utf8');
      const idStart = bytes.indexOf(Buffer.from(row.id));
      for (let i = 0; i < bytes.length; i += 7) {
        if (i >= idStart && i < idStart + row.id.length) continue; // a changed id names another (unknown) certificate
        const changed = Buffer.from(bytes);
        changed[i] = changed[i]! ^ 0x01;
        expect((await verifier.verifySigned({ ...embedded(row), record: changed.toString('utf8') })).status, `byte ${i}`).to.equal('tampered');
      }
      expect((await verifier.verifySigned({ ...embedded(row), record: row.record + ' ' })).status).to.equal('tampered');
    });

    it('a changed field, holder or validity in the embedded record is tampered', async () => {
      const row = await issueCard();
      const record = JSON.parse(row.record) as Record<string, unknown>;
      for (const change of [{ fields: { ...(record.fields as object), level: 'A' } }, { holderName: '马弓虽' }, { validUntil: '2099-01-01T00:00:00.000Z' }, { validUntil: null }]) {
        expect((await verifier.verifySigned({ ...embedded(row), record: { ...record, ...change } })).status, JSON.stringify(change)).to.equal('tampered');
      }
    });

    it('a presented record nested deeper than any signed one, or with a number beyond JSON or a lone surrogate, is tampered, judged without recursing into it', async () => {
      const row = await issueCard();
      const record = JSON.parse(row.record) as Record<string, unknown>;
      // 30,000 levels: canonicalising this (a recursive walk) would overflow the stack.
      let deep: unknown = 0;
      for (let i = 0; i < 30_000; i++) deep = [deep];
      expect(await verifier.verifySigned({ ...embedded(row), record: { ...record, fields: { ...(record.fields as object), level: deep } } })).to.deep.equal({ status: 'tampered' });
      const text = `{"id":${JSON.stringify(row.id)},"fields":${'['.repeat(30_000)}${']'.repeat(30_000)}}`;
      expect(await verifier.verifySigned({ ...embedded(row), record: text })).to.deep.equal({ status: 'tampered' });
      // A cycle, which only a built value can have, is as deep as it gets.
      const cyclic: Record<string, unknown> = { ...record };
      cyclic.fields = { self: cyclic };
      expect(await verifier.verifySigned({ ...embedded(row), record: cyclic })).to.deep.equal({ status: 'tampered' });
      // A number beyond JSON's range (1e999 parses to Infinity) cannot be canonical JSON: nobody signed it.
      expect(await verifier.verifySigned({ ...embedded(row), record: { ...record, fields: { level: Infinity } } })).to.deep.equal({ status: 'tampered' });
      // Nor can a lone surrogate, in a value or a property name.
      expect(await verifier.verifySigned({ ...embedded(row), record: { ...record, holderName: '马\ud800' } })).to.deep.equal({ status: 'tampered' });
      expect(await verifier.verifySigned({ ...embedded(row), record: { ...record, fields: { '\udc00': 1 } } })).to.deep.equal({ status: 'tampered' });
      // The certificate itself is untouched.
      expect((await verifier.verifySigned(embedded(row))).status).to.equal('valid');
    });

    it('a presented key id other than the stored one is tampered', async () => {
      const row = await issueCard();
      expect((await verifier.verifySigned({ ...embedded(row), keyId: 'k-0000000000000000' })).status).to.equal('tampered');
    });

    it('a record or column edited in the s.database is tampered', async () => {
      const edited = await issueCard();
      await s.database.db('certificates').where({ id: edited.id }).update({ record: edited.record.replace('马强', '马弓') });
      expect(await verifier.verifyById(edited.id)).to.deep.equal({ status: 'tampered' });

      const moved = await issueCard();
      await s.database.db('certificates').where({ id: moved.id }).update({ holder_id: '110105199003071234' });
      expect(await verifier.verifyById(moved.id)).to.deep.equal({ status: 'tampered' });

      const resigned = await issueCard();
      const other = await issueCard();
      await s.database.db('certificates').where({ id: resigned.id }).update({ signature: other.signature });
      expect(await verifier.verifyById(resigned.id)).to.deep.equal({ status: 'tampered' });
    });

    it('an id no certificate has is unknown, whatever its shape', async () => {
      for (const id of [randomUUID(), 'not-an-id', '', 'x'.repeat(10_000), "'; DROP TABLE certificates; --"]) {
        expect(await verifier.verifyById(id), id.slice(0, 20)).to.deep.equal({ status: 'unknown' });
      }
      const row = await issueCard();
      const elsewhere = { ...(JSON.parse(row.record) as object), id: randomUUID() };
      expect(await verifier.verifySigned({ ...embedded(row), record: elsewhere })).to.deep.equal({ status: 'unknown' });
    });

    it('an embedded record that names no certificate is tampered', async () => {
      for (const record of ['', '{', 'null', '[]', '{"id":42}', { fields: {} }, null, 17]) {
        expect(await verifier.verifySigned({ record, keyId: s.keyring.signingKeyId, signature: 'x' }), JSON.stringify(record)).to.deep.equal({ status: 'tampered' });
      }
    });

    it('revoked is revoked; reissued is superseded and its successor valid', async () => {
      const lifecycle = createLifecycle({ store: s.store, keyring: s.keyring, now: () => clock });
      const revoked = await issueCard();
      await lifecycle.revoke(revoked.id, '承诺不实', 'clerk-health');
      expect(await verifier.verifyById(revoked.id)).to.deep.include({ status: 'revoked' });
      expect((await verifier.verifyById(revoked.id)).certificate).to.include({ status: 'revoked', holderNameMasked: '马*' });

      const old = await issueCard();
      const next = await lifecycle.reissue(old.id, 'clerk-health');
      expect((await verifier.verifySigned(embedded(old))).status).to.equal('superseded');
      expect((await verifier.verifyById(next.id, next.signature)).status).to.equal('valid');
    });

    it('after validUntil it is expired; revoked still says revoked', async () => {
      const row = await issueCard();
      const revoked = await issueCard();
      await createLifecycle({ store: s.store, keyring: s.keyring }).revoke(revoked.id, 'wrong level', 'clerk-health');
      clock = new Date('2029-03-02T02:00:00.000Z');
      expect((await verifier.verifyById(row.id)).status).to.equal('valid'); // valid until that instant, inclusive
      clock = new Date('2029-03-02T02:00:00.001Z');
      expect(await verifier.verifyById(row.id)).to.deep.include({ status: 'expired' });
      expect((await verifier.verifySigned(embedded(row))).status).to.equal('expired');
      expect((await verifier.verifyById(revoked.id)).status).to.equal('revoked');
    });

    it('certificates signed before a key rotation keep verifying, and new ones are signed with the new key', async () => {
      const before = await issueCard();
      await rotateKey(s.keysDir);
      const rotated = await openKeyring(s.keysDir);
      const after = await issueCard(rotated);
      expect(after.keyId).to.equal(rotated.signingKeyId).and.not.equal(before.keyId);
      const afterRotation = createVerifier({ store: s.store, keyring: rotated, now: () => clock });
      expect((await afterRotation.verifySigned(embedded(before))).status).to.equal('valid');
      expect((await afterRotation.verifySigned(embedded(after))).status).to.equal('valid');
    });

    it('every verification is logged with its result and how it came', async () => {
      const row = await issueCard();
      const unknownId = randomUUID();
      await verifier.verifyById(row.id);
      await verifier.verifyById(row.id, 'A'.repeat(86), 'id');
      await verifier.verifyById(row.id, undefined, 'page');
      await verifier.verifySigned(embedded(row));
      await verifier.verifyById(unknownId);
      const logged = await s.store.listVerifications(row.id);
      expect(logged.map(({ result, via }) => [result, via])).to.deep.equal([
        ['valid', 'id'],
        ['tampered', 'id'],
        ['valid', 'page'],
        ['valid', 'pdf'],
      ]);
      for (const entry of logged) expect(entry).to.include({ certificateId: row.id, at: clock.toISOString() });
      expect((await s.store.listVerifications(null)).map((e) => e.result)).to.deep.equal(['unknown']);
    });
  });
}
