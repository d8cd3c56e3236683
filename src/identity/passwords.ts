/**
 * Password hashing with scrypt (node:crypto) and the password rule: at least 10 characters, at most 128, and
 * not one of the 10,000 most common passwords (`lists/common-passwords.txt`, whose place the catalog names),
 * compared case-insensitively.
 *
 * A stored hash describes itself — `scrypt$N$r$p$saltB64$hashB64` — so the cost can be raised later and old
 * hashes still verify. Passwords are NFC-normalised first, so the same password typed through different input
 * methods hashes the same.
 */
import fs from 'node:fs';
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { Issue } from '../domain/errors.js';

const COST = { N: 16384, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const KEY_BYTES = 32;

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 128;

/** The issue codes of the password rule (a password that is there but not acceptable). */
export const PASSWORD_RULE_CODES: ReadonlySet<string> = new Set(['PASSWORD.TOO_SHORT', 'PASSWORD.TOO_LONG', 'PASSWORD.COMMON']);

/** The passwords the rule refuses, in the form they are compared in. */
export type CommonPasswords = ReadonlySet<string>;

const lists = new Map<string, CommonPasswords>();

/** The list in `file` (one password a line), read once per file however many identities use it. */
export function readCommonPasswords(file: string): CommonPasswords {
  let list = lists.get(file);
  if (!list) {
    list = commonPasswordsOf(fs.readFileSync(file, 'utf8'));
    lists.set(file, list);
  }
  return list;
}

/** A list's text (one password a line) as the rule compares it. */
function commonPasswordsOf(text: string): CommonPasswords {
  return new Set(
    text
      .split('\n')
      .map((line) => comparable(line.trim()))
      .filter((line) => line !== ''),
  );
}

/** Case-insensitive, whatever the input method: NFC, then lower case. */
const comparable = (password: string) => password.normalize('NFC').toLowerCase();

/** Whether `password` is on the list of common passwords, in any case. */
export function isCommonPassword(password: string, common: CommonPasswords): boolean {
  return common.has(comparable(password));
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, KEY_BYTES, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/**
 * Whether `password` matches `stored`. Compares in constant time; a malformed or unsupported stored string is
 * simply no match (never an exception), as is a cost outside the bounds below (a tampered row cannot make the
 * server spend unbounded memory).
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseStoredHash(stored);
  if (!parsed || typeof password !== 'string') return false;
  const key = await derive(password, parsed.salt, parsed.hash.length, parsed.cost);
  return timingSafeEqual(key, parsed.hash);
}

/**
 * The rule's problems with `password` (none when it is acceptable), located at `path`. Every password set or
 * changed goes through here: registration, `addUser` (API and CLI), and any later change of password.
 */
export function checkPassword(password: unknown, common: CommonPasswords, path = '/password'): Issue[] {
  if (typeof password !== 'string') return [{ path, code: 'PASSWORD.REQUIRED', message: 'a password is required' }];
  const length = Array.from(password).length;
  if (length < PASSWORD_MIN_LENGTH) {
    return [{ path, code: 'PASSWORD.TOO_SHORT', message: `the password must have at least ${PASSWORD_MIN_LENGTH} characters` }];
  }
  if (length > PASSWORD_MAX_LENGTH) {
    return [{ path, code: 'PASSWORD.TOO_LONG', message: `the password must have at most ${PASSWORD_MAX_LENGTH} characters` }];
  }
  if (isCommonPassword(password, common)) {
    return [{ path, code: 'PASSWORD.COMMON', message: 'the password is one of the most common passwords; choose one that is harder to guess' }];
  }
  return [];
}

interface Cost {
  N: number;
  r: number;
  p: number;
}

function derive(password: string, salt: Buffer, keyLength: number, cost: Cost): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; leave room above that rather than rely on the 32 MiB default.
  const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r + 1024 * 1024 };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

function parseStoredHash(stored: unknown): { cost: Cost; salt: Buffer; hash: Buffer } | undefined {
  if (typeof stored !== 'string') return undefined;
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map((s) => (/^[0-9]{1,8}$/.test(s) ? Number(s) : NaN)) as [number, number, number];
  const powerOfTwo = N >= 2 && (N & (N - 1)) === 0;
  if (!powerOfTwo || N > 2 ** 20 || !(r >= 1 && r <= 16) || !(p >= 1 && p <= 16) || 128 * N * r > 256 * 1024 * 1024) return undefined;
  const [salt, hash] = [parts[4]!, parts[5]!];
  const saltBytes = Buffer.from(salt, 'base64');
  const hashBytes = Buffer.from(hash, 'base64');
  // Canonical base64 only, and a whole key: a truncated hash would still match as a prefix of the derived key.
  if (saltBytes.toString('base64') !== salt || hashBytes.toString('base64') !== hash) return undefined;
  if (saltBytes.length < SALT_BYTES || hashBytes.length < KEY_BYTES || hashBytes.length > 64) return undefined;
  return { cost: { N, r, p }, salt: saltBytes, hash: hashBytes };
}
