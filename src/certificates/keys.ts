/**
 * Ed25519 signing keys in a directory (`<dataDir>/keys/`), one PEM file per half:
 * `<created>_<key id>.private.pem` (PKCS #8, mode 0600) and `<created>_<key id>.public.pem` (SPKI).
 * A key's id is `k-` and the first 16 hex digits of the SHA-256 of its raw 32-byte public key, so it is
 * derived from the key itself and checked on every load. The name's timestamp orders the keys: the newest
 * key with a private half signs; every key verifies, so certificates signed before a rotation keep verifying.
 * A key kept only as its public half verifies and never signs (a retired key whose private half was removed).
 *
 * Several instances share the directory. Each signs with the newest key it has read; a key it has not read yet
 * (another instance's, or one `onevisit keys rotate` added) is looked for on disk when a signature names it.
 * Private keys never leave this file: the keyring signs, it does not hand out its private keys.
 */
import crypto, { type KeyObject } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { OnevisitError } from '../domain/errors.js';

export interface VerifyingKey {
  id: string;
  createdAt: string;
  publicKey: KeyObject;
  /** Whether this directory holds its private half. */
  canSign: boolean;
}

export interface Keyring {
  readonly dir: string;
  /** The key new signatures are made with: the newest that can sign. */
  readonly signingKeyId: string;
  sign(data: Uint8Array): { keyId: string; signature: Buffer };
  /** A public key this keyring has read, by id. */
  publicKey(keyId: string): KeyObject | undefined;
  /** A public key by id; one not read yet is looked for in the directory (at most once a second). */
  findPublicKey(keyId: string): Promise<KeyObject | undefined>;
  /** Every key, oldest first. */
  keys(): readonly VerifyingKey[];
  /** Reads the directory again: keys added since are taken in, and the newest signs from now on. */
  refresh(): Promise<void>;
}

export interface Jwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
  use: 'sig';
  alg: 'EdDSA';
}

export const KEY_ID_PATTERN = /^k-[0-9a-f]{16}$/;
const FILE_PATTERN = /^(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z)_(k-[0-9a-f]{16})\.(private|public)\.pem$/;
const REFRESH_INTERVAL_MS = 1000;

/** Where the keys of a data directory live. */
export function keysDir(dataDir: string): string {
  return path.join(dataDir, 'keys');
}

/** The key id of an Ed25519 public key. */
export function keyIdOf(publicKey: KeyObject): string {
  return 'k-' + crypto.createHash('sha256').update(rawPublicKey(publicKey)).digest('hex').slice(0, 16);
}

/** Opens the keys in `dir`, creating the directory and a first key when there is none that can sign. */
export async function openKeyring(dir: string): Promise<Keyring> {
  let loaded = await loadKeys(dir);
  if (!loaded.some((k) => k.privateKey)) {
    await createKey(dir);
    loaded = await loadKeys(dir);
  }
  return new DirectoryKeyring(dir, loaded);
}

/** Adds a new key to `dir`, which signs from now on; returns its id. Old keys stay and keep verifying. */
export async function rotateKey(dir: string): Promise<string> {
  return createKey(dir);
}

/** The public keys as a JSON Web Key Set (RFC 7517, RFC 8037), newest first: what offline checkers fetch. */
export function jwks(keyring: Keyring): { keys: Jwk[] } {
  return {
    keys: [...keyring.keys()].reverse().map((key) => ({
      kty: 'OKP',
      crv: 'Ed25519',
      x: rawPublicKey(key.publicKey).toString('base64url'),
      kid: key.id,
      use: 'sig',
      alg: 'EdDSA',
    })),
  };
}

interface LoadedKey extends VerifyingKey {
  privateKey?: KeyObject;
}

class DirectoryKeyring implements Keyring {
  private byId = new Map<string, LoadedKey>();
  private signer!: LoadedKey & { privateKey: KeyObject };
  private lastRefresh = Date.now();

  constructor(
    readonly dir: string,
    keys: LoadedKey[],
  ) {
    this.take(keys);
  }

  get signingKeyId(): string {
    return this.signer.id;
  }

  sign(data: Uint8Array): { keyId: string; signature: Buffer } {
    return { keyId: this.signer.id, signature: crypto.sign(null, data, this.signer.privateKey) };
  }

  publicKey(keyId: string): KeyObject | undefined {
    return this.byId.get(keyId)?.publicKey;
  }

  async findPublicKey(keyId: string): Promise<KeyObject | undefined> {
    const known = this.publicKey(keyId);
    if (known || !KEY_ID_PATTERN.test(keyId) || Date.now() - this.lastRefresh < REFRESH_INTERVAL_MS) return known;
    await this.refresh();
    return this.publicKey(keyId);
  }

  keys(): readonly VerifyingKey[] {
    return [...this.byId.values()].map(({ id, createdAt, publicKey, canSign }) => ({ id, createdAt, publicKey, canSign }));
  }

  async refresh(): Promise<void> {
    this.lastRefresh = Date.now();
    this.take(await loadKeys(this.dir));
  }

  /** Never shows key material when logged or serialised. */
  toJSON(): object {
    return { dir: this.dir, signingKeyId: this.signingKeyId, keys: [...this.byId.keys()] };
  }

  private take(keys: LoadedKey[]): void {
    const signer = keys.filter((k): k is LoadedKey & { privateKey: KeyObject } => k.privateKey !== undefined).at(-1);
    if (!signer) throw new OnevisitError('KEYS.INVALID', `${this.dir} holds no private key to sign with`);
    this.byId = new Map(keys.map((k) => [k.id, k]));
    this.signer = signer;
  }
}

/** The keys in `dir`, oldest first; any file that cannot be used is a KEYS.INVALID error naming it. */
async function loadKeys(dir: string): Promise<LoadedKey[]> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const halves = new Map<string, { createdAt: string; stamp: string; private?: string; public?: string }>();
  for (const name of (await fs.readdir(dir)).sort()) {
    if (name.startsWith('.')) continue; // half-written files and the like
    const match = FILE_PATTERN.exec(name);
    if (!match) {
      if (name.endsWith('.pem')) throw invalid(path.join(dir, name), 'its name is not <created>_<key id>.private.pem or .public.pem');
      continue;
    }
    const [, stamp, id, half] = match as unknown as [string, string, string, 'private' | 'public'];
    const entry = halves.get(id) ?? { stamp, createdAt: createdAtOf(stamp) };
    if (entry.stamp !== stamp) throw invalid(path.join(dir, name), `key ${id} also has files created at another time`);
    entry[half] = path.join(dir, name);
    halves.set(id, entry);
  }
  const keys: LoadedKey[] = [];
  for (const [id, files] of halves) {
    const privateKey = files.private ? readKey(files.private, await fs.readFile(files.private, 'utf8'), 'private') : undefined;
    const publicKey = files.public ? readKey(files.public, await fs.readFile(files.public, 'utf8'), 'public') : undefined;
    if (privateKey) checkKeyId(files.private!, crypto.createPublicKey(privateKey), id);
    if (publicKey) checkKeyId(files.public!, publicKey, id);
    const verifying = publicKey ?? crypto.createPublicKey(privateKey!);
    keys.push({ id, createdAt: files.createdAt, publicKey: verifying, canSign: privateKey !== undefined, ...(privateKey ? { privateKey } : {}) });
  }
  return keys.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1));
}

function checkKeyId(file: string, publicKey: KeyObject, id: string): void {
  const actual = keyIdOf(publicKey);
  if (actual !== id) throw invalid(file, `it holds key ${actual}, not ${id}`);
}

function readKey(file: string, pem: string, half: 'private' | 'public'): KeyObject {
  let key: KeyObject;
  try {
    key = half === 'private' ? crypto.createPrivateKey({ key: pem, format: 'pem' }) : crypto.createPublicKey({ key: pem, format: 'pem' });
  } catch {
    throw invalid(file, `it is not a PEM ${half} key`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw invalid(file, `it is a ${key.asymmetricKeyType ?? 'symmetric'} key, not Ed25519`);
  return key;
}

/** Writes a new key pair into `dir`, created strictly after every key there; returns its id. */
async function createKey(dir: string): Promise<string> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const newest = (await fs.readdir(dir))
    .map((name) => FILE_PATTERN.exec(name)?.[1])
    .filter((stamp): stamp is string => stamp !== undefined)
    .map((stamp) => Date.parse(createdAtOf(stamp)))
    .reduce((a, b) => Math.max(a, b), -Infinity);
  const created = new Date(Math.max(Date.now(), newest + 1));
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  const id = keyIdOf(publicKey);
  const base = path.join(dir, `${stampOf(created)}_${id}`);
  // The private half first: a crash in between leaves a key that signs (its public half is derived).
  await writeNew(`${base}.private.pem`, privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, 0o600);
  await writeNew(`${base}.public.pem`, publicKey.export({ format: 'pem', type: 'spki' }) as string, 0o644);
  return id;
}

/** Writes a file that did not exist, whole or not at all (a hidden temporary file renamed into place). */
async function writeNew(file: string, content: string, mode: number): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    const handle = await fs.open(temporary, 'wx', mode);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.chmod(temporary, mode);
    await fs.rename(temporary, file);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
}

function rawPublicKey(publicKey: KeyObject): Buffer {
  const { x } = publicKey.export({ format: 'jwk' });
  if (publicKey.asymmetricKeyType !== 'ed25519' || typeof x !== 'string') throw new OnevisitError('KEYS.INVALID', 'not an Ed25519 public key');
  return Buffer.from(x, 'base64url');
}

/** 2026-03-02T02:00:00.000Z ↔ 2026-03-02T02-00-00-000Z (file names hold no colons, for every file system). */
const stampOf = (date: Date) => date.toISOString().replace(/[:.]/g, '-');
const createdAtOf = (stamp: string) => stamp.replace(/T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z$/, 'T$1:$2:$3.$4Z');

const invalid = (file: string, why: string) => new OnevisitError('KEYS.INVALID', `the key file ${file} cannot be used: ${why}`, { details: { file } });
