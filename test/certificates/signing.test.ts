import { expect } from 'chai';
import { canonicalRecord, checkSignature, checkTextSignature, parseRecordText, signRecord, type CertificateRecord } from '../../src/certificates/signing.js';
import type { Keyring } from '../../src/certificates/keys.js';
import { tempKeyring } from './support.js';

const record: CertificateRecord = {
  id: '9b2f8a7e-3c1d-4e5f-8a9b-0c1d2e3f4a5b',
  type: 'food-business-license',
  holderId: '62010219830719201X',
  holderName: '马强',
  fields: { operatorName: '兰州市城关区马记牛肉面馆', categories: ['hot-food', 'cold-food'], seats: 40 },
  issuer: 'market-regulation',
  issuedAt: '2026-03-02T02:00:00.000Z',
  validUntil: '2031-03-02T02:00:00.000Z',
  applicationId: '00000000-0000-4000-8000-000000000001',
};

/** The string with the character at `index` replaced by another of the same alphabet. */
function flipChar(text: string, index: number, alphabet: string): string {
  const current = text[index]!;
  const replacement = alphabet[(alphabet.indexOf(current) + 1) % alphabet.length]!;
  return text.slice(0, index) + replacement + text.slice(index + 1);
}
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('certificate signing', () => {
  let keyring: Keyring;
  let remove: () => void;
  before(async () => ({ keyring, remove } = await tempKeyring()));
  after(() => remove());

  it('signs the canonical JSON and the signature checks', () => {
    const { keyId, signature } = signRecord(record, keyring);
    expect(keyId).to.equal(keyring.signingKeyId);
    expect(signature).to.match(/^[A-Za-z0-9_-]{86}$/);
    expect(checkSignature(record, keyId, signature, keyring)).to.equal(true);
    expect(checkTextSignature(canonicalRecord(record), keyId, signature, keyring)).to.equal(true);
  });

  it('the signed bytes do not depend on the order members were written in', () => {
    const reordered = JSON.parse(JSON.stringify({ ...record, fields: { seats: 40, categories: ['hot-food', 'cold-food'], operatorName: '兰州市城关区马记牛肉面馆' } })) as CertificateRecord;
    const { keyId, signature } = signRecord(record, keyring);
    expect(checkSignature(reordered, keyId, signature, keyring)).to.equal(true);
    expect(canonicalRecord(record)).to.equal(
      '{"applicationId":"00000000-0000-4000-8000-000000000001","fields":{"categories":["hot-food","cold-food"],"operatorName":"兰州市城关区马记牛肉面馆","seats":40},"holderId":"62010219830719201X","holderName":"马强","id":"9b2f8a7e-3c1d-4e5f-8a9b-0c1d2e3f4a5b","issuedAt":"2026-03-02T02:00:00.000Z","issuer":"market-regulation","type":"food-business-license","validUntil":"2031-03-02T02:00:00.000Z"}',
    );
  });

  it('any one byte changed in the signed text fails', () => {
    const { keyId, signature } = signRecord(record, keyring);
    const bytes = Buffer.from(canonicalRecord(record), 'utf8');
    for (let i = 0; i < bytes.length; i++) {
      const tampered = Buffer.from(bytes);
      tampered[i] = tampered[i]! ^ 0x01;
      expect(checkTextSignature(tampered.toString('latin1'), keyId, signature, keyring), `byte ${i}`).to.equal(false);
    }
  });

  it('any one character of the signature changed fails, the last one included', () => {
    const { keyId, signature } = signRecord(record, keyring);
    for (let i = 0; i < signature.length; i++) {
      expect(checkSignature(record, keyId, flipChar(signature, i, BASE64URL), keyring), `character ${i}`).to.equal(false);
    }
  });

  it('a changed field, holder or validity fails', () => {
    const { keyId, signature } = signRecord(record, keyring);
    const changes: Partial<CertificateRecord>[] = [
      { fields: { ...record.fields, seats: 41 } },
      { fields: { ...record.fields, extra: true } },
      { holderName: '马弓虽' },
      { validUntil: '2036-03-02T02:00:00.000Z' },
      { validUntil: null },
    ];
    for (const change of changes) expect(checkSignature({ ...record, ...change }, keyId, signature, keyring), JSON.stringify(change)).to.equal(false);
  });

  it('an unknown key id or a malformed signature is false, never an exception', () => {
    const { signature } = signRecord(record, keyring);
    expect(checkSignature(record, 'k-0000000000000000', signature, keyring)).to.equal(false);
    for (const bad of ['', 'abc', signature + 'A', signature.slice(1), signature.replace(/.$/, '='), `${signature.slice(0, 85)}+`]) {
      expect(checkSignature(record, keyring.signingKeyId, bad, keyring), bad).to.equal(false);
    }
  });

  it('reads back only a canonical record text', () => {
    const text = canonicalRecord(record);
    expect(parseRecordText(text)).to.deep.equal(record);
    expect(parseRecordText(JSON.stringify(record))).to.equal(undefined); // not canonical: members out of order
    expect(parseRecordText(' ' + text)).to.equal(undefined);
    expect(parseRecordText('{')).to.equal(undefined);
    expect(parseRecordText(canonicalRecord({ ...record, extra: 1 } as CertificateRecord))).to.equal(undefined);
    const { holderName: _, ...missing } = record;
    expect(parseRecordText(canonicalRecord(missing as CertificateRecord))).to.equal(undefined);
  });
});
