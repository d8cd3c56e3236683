/**
 * Check codes (查询码): the short secret printed on an application's receipt beside its number, with which anyone
 * holding the receipt looks up its progress without signing in (GET /progress).
 *
 * A code is 6 characters drawn uniformly (node:crypto) from 31 that cannot be mistaken for one another on paper or
 * over the phone (no 0/O, 1/I/L): 31^6 ≈ 8.9 × 10^8 codes, about 29.7 bits. It is given out once, in the answer to
 * the submission, and stored only as SHA-256 over a random per-row salt and the code.
 *
 * What that gives, and what it does not: a read of the table, a backup or a log shows no code, and two equal codes do
 * not look equal. It does not stop someone holding the database from trying every code of a row offline (29.7 bits
 * is seconds of work); that is why the code opens nothing but a progress summary with nothing personal in it. Online,
 * the rate limits (http/api.ts) bound the guesses: 10 wrong tries per client address in 15 minutes, and 30 wrong
 * tries on one number in a day from all addresses together, so one application's code survives any number of
 * addresses with odds of about 1 in 3 × 10^7 per day.
 *
 * A wrong code, an unknown number and a malformed one cost the same: the hash is computed and compared (in constant
 * time) whether or not there was a row, against a stand-in when there was none.
 */
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** The alphabet: digits 2–9 and upper-case letters without I, L, O. */
export const CHECK_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const CHECK_CODE_LENGTH = 6;

/** A check code as the database keeps it: the salt and SHA-256(salt ‖ code), both base64url. */
export interface StoredCheckCode {
  salt: string;
  hash: string;
}

/** A fresh code, and what to store of it. The code itself leaves the server once, in the submission's answer. */
export function newCheckCode(): { code: string; stored: StoredCheckCode } {
  let code = '';
  for (let i = 0; i < CHECK_CODE_LENGTH; i++) code += CHECK_CODE_ALPHABET[randomInt(CHECK_CODE_ALPHABET.length)];
  const salt = randomBytes(16).toString('base64url');
  return { code, stored: { salt, hash: hashCheckCode(code, salt) } };
}

/** What a person typed, as the code compares: upper case, without spaces or hyphens (`ab3-k7q` is `AB3K7Q`). */
export function normalizeCheckCode(typed: string): string {
  return typed.replace(/[\s-]/g, '').toUpperCase();
}

function hashCheckCode(code: string, salt: string): string {
  return createHash('sha256').update(`${salt}:${code}`, 'utf8').digest('base64url');
}

/** Compared against when there is no stored code, so that a miss costs what a wrong code costs. */
const STAND_IN: StoredCheckCode = { salt: randomBytes(16).toString('base64url'), hash: randomBytes(32).toString('base64url') };

/**
 * Whether `typed` is the code stored as `stored`. With `stored` undefined (no such number, a malformed one, or an
 * application from before check codes) the same hash and comparison are done, against a stand-in, and the answer is
 * false.
 */
export function checkCodeMatches(typed: string, stored: StoredCheckCode | undefined): boolean {
  const against = stored ?? STAND_IN;
  const actual = Buffer.from(hashCheckCode(normalizeCheckCode(typed), against.salt), 'utf8');
  const expected = Buffer.from(against.hash, 'utf8');
  // Both are SHA-256 in base64url (43 characters): the length check tells nothing.
  const equal = actual.length === expected.length && timingSafeEqual(actual, expected);
  return equal && stored !== undefined;
}
