import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import { expect } from 'chai';
import { jwks, keyIdOf, openKeyring, rotateKey } from '../../src/certificates/keys.js';
import { checkSignature, signRecord, type CertificateRecord } from '../../src/certificates/signing.js';
import { isOnevisitError } from '../../src/domain/errors.js';
import { tempDir } from './support.js';

const record: CertificateRecord = {
  id: '9b2f8a7e-3c1d-4e5f-8a9b-0c1d2e3f4a5b',
  type: 'business-license',
  holderId: '62010219830719201X',
  holderName: '马强',
  fields: { name: '兰州市城关区马记牛肉面馆' },
  issuer: 'market-regulation',
  issuedAt: '2026-03-02T02:00:00.000Z',
  validUntil: null,
  applicationId: 'a-1',
};

async function rejectsWithKeysInvalid(promise: Promise<unknown>, file: string): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect(isOnevisitError(error, 'KEYS.INVALID'), String(error)).to.equal(true);
    expect((error as Error).message).to.contain(file);
    return;
  }
  expect.fail('expected KEYS.INVALID');
}

describe('signing keys', () => {
  let root: string;
  let dir: string;
  beforeEach(() => {
    root = tempDir();
    dir = path.join(root, 'keys');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('creates a first key on first open, private half readable by the owner only, and finds it again', async () => {
    const keyring = await openKeyring(dir);
    expect(keyring.signingKeyId).to.match(/^k-[0-9a-f]{16}$/);
    const files = fs.readdirSync(dir).sort();
    expect(files).to.have.length(2);
    const privateFile = files.find((f) => f.endsWith('.private.pem'))!;
    expect(fs.statSync(path.join(dir, privateFile)).mode & 0o777).to.equal(0o600);
    expect(fs.statSync(dir).mode & 0o077).to.equal(0);

    const again = await openKeyring(dir);
    expect(again.signingKeyId).to.equal(keyring.signingKeyId);
    expect(fs.readdirSync(dir)).to.have.length(2);
  });

  it('names a key by the SHA-256 of its raw public key', async () => {
    const keyring = await openKeyring(dir);
    const publicKey = keyring.publicKey(keyring.signingKeyId)!;
    const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
    expect(raw).to.have.length(32);
    expect(keyring.signingKeyId).to.equal('k-' + crypto.createHash('sha256').update(raw).digest('hex').slice(0, 16));
    expect(keyIdOf(publicKey)).to.equal(keyring.signingKeyId);
  });

  it('after a rotation the new key signs and certificates signed before keep verifying', async () => {
    const before = await openKeyring(dir);
    const old = signRecord(record, before);
    const newId = await rotateKey(dir);
    expect(newId).to.not.equal(before.signingKeyId);

    const after = await openKeyring(dir);
    expect(after.signingKeyId).to.equal(newId);
    const fresh = signRecord(record, after);
    expect(fresh.keyId).to.equal(newId);
    expect(checkSignature(record, old.keyId, old.signature, after)).to.equal(true);
    expect(checkSignature(record, fresh.keyId, fresh.signature, after)).to.equal(true);
    expect(after.keys().map((k) => k.id)).to.deep.equal([old.keyId, newId]);
  });

  it('a running keyring finds a key added by another process when a signature names it', async () => {
    const running = await openKeyring(dir);
    const newId = await rotateKey(dir);
    const other = await openKeyring(dir);
    const signed = signRecord(record, other);
    expect(signed.keyId).to.equal(newId);
    expect(running.publicKey(newId)).to.equal(undefined);
    // The throttle lets one look per second; the keyring was opened just now.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await running.findPublicKey(newId)).to.not.equal(undefined);
    expect(checkSignature(record, signed.keyId, signed.signature, running)).to.equal(true);
  });

  it('a key kept only as its public half verifies but never signs', async () => {
    const first = await openKeyring(dir);
    const old = signRecord(record, first);
    await rotateKey(dir);
    const privateFile = fs.readdirSync(dir).find((f) => f.includes(old.keyId) && f.endsWith('.private.pem'))!;
    fs.rmSync(path.join(dir, privateFile));
    const keyring = await openKeyring(dir);
    expect(keyring.signingKeyId).to.not.equal(old.keyId);
    expect(keyring.keys().find((k) => k.id === old.keyId)?.canSign).to.equal(false);
    expect(checkSignature(record, old.keyId, old.signature, keyring)).to.equal(true);
  });

  it('publishes the public keys as a JWKS that standard tools import and verify with', async () => {
    const keyring = await openKeyring(dir);
    await rotateKey(dir);
    const both = await openKeyring(dir);
    const set = jwks(both);
    expect(set.keys).to.have.length(2);
    expect(set.keys[0]!.kid).to.equal(both.signingKeyId);
    for (const jwk of set.keys) {
      expect(Object.keys(jwk).sort()).to.deep.equal(['alg', 'crv', 'kid', 'kty', 'use', 'x']);
      expect(jwk).to.include({ kty: 'OKP', crv: 'Ed25519', use: 'sig', alg: 'EdDSA' });
      expect(jwk.x).to.match(/^[A-Za-z0-9_-]{43}$/);
    }
    const signed = signRecord(record, keyring);
    const jwk = set.keys.find((k) => k.kid === signed.keyId)!;
    const imported = crypto.createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: 'jwk' });
    const canonical = Buffer.from(JSON.stringify(Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)))));
    expect(crypto.verify(null, canonical, imported, Buffer.from(signed.signature, 'base64url'))).to.equal(true);
    expect(JSON.stringify(set)).to.not.match(/"d"/);
  });

  it('never shows private key material when logged or serialised', async () => {
    const keyring = await openKeyring(dir);
    const privatePem = fs.readFileSync(path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith('.private.pem'))!), 'utf8');
    const body = privatePem.split('\n')[1]!;
    for (const text of [JSON.stringify(keyring), inspect(keyring, { depth: 10, showHidden: true }), JSON.stringify(jwks(keyring))]) {
      expect(text).to.not.contain('PRIVATE KEY');
      expect(text).to.not.contain(body);
    }
  });

  it('refuses a file that is not a PEM key, naming it', async () => {
    await openKeyring(dir);
    const file = fs.readdirSync(dir).find((f) => f.endsWith('.private.pem'))!;
    fs.writeFileSync(path.join(dir, file), '-----BEGIN PRIVATE KEY-----\nnot base64 at all\n-----END PRIVATE KEY-----\n');
    await rejectsWithKeysInvalid(openKeyring(dir), file);
  });

  it('refuses a key whose file name claims another key id', async () => {
    await openKeyring(dir);
    for (const file of fs.readdirSync(dir)) fs.renameSync(path.join(dir, file), path.join(dir, file.replace(/k-[0-9a-f]{16}/, 'k-0000000000000000')));
    await rejectsWithKeysInvalid(openKeyring(dir), 'k-0000000000000000');
  });

  it('refuses a key that is not Ed25519', async () => {
    fs.mkdirSync(dir, { recursive: true });
    const { privateKey } = crypto.generateKeyPairSync('x25519');
    const name = '2026-03-02T02-00-00-000Z_k-0123456789abcdef.private.pem';
    fs.writeFileSync(path.join(dir, name), privateKey.export({ format: 'pem', type: 'pkcs8' }));
    await rejectsWithKeysInvalid(openKeyring(dir), name);
  });

  it('refuses a public half that belongs to another key', async () => {
    await openKeyring(dir);
    const file = fs.readdirSync(dir).find((f) => f.endsWith('.public.pem'))!;
    const { publicKey } = crypto.generateKeyPairSync('ed25519');
    fs.writeFileSync(path.join(dir, file), publicKey.export({ format: 'pem', type: 'spki' }));
    await rejectsWithKeysInvalid(openKeyring(dir), file);
  });

  it('refuses a PEM file it did not write, naming it', async () => {
    await openKeyring(dir);
    fs.writeFileSync(path.join(dir, 'backup.pem'), 'whatever');
    await rejectsWithKeysInvalid(openKeyring(dir), 'backup.pem');
  });
});
