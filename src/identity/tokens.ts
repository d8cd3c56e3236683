/**
 * Session tokens: opaque bearer tokens of 32 random bytes (base64url). The database keeps only their SHA-256,
 * so reading it gives nobody a session.
 *
 * A cookie-authenticated write must also carry the CSRF token in `X-CSRF-Token`. It is derived from the session
 * token — sha256(token + ':csrf'), base64url — so the server checks it without storing anything, and only a
 * party that already knows the session token (never another site: the cookie is HttpOnly) can compute it.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const TOKEN_BYTES = 32;
/** 32 bytes in unpadded base64url. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function newSessionToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** Whether `value` looks like a token this module issued (so garbage never reaches the database). */
export function isSessionTokenShape(value: unknown): value is string {
  return typeof value === 'string' && TOKEN_SHAPE.test(value);
}

/** The form a token is stored and looked up in: SHA-256, hex (64 characters). */
export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function csrfTokenFor(sessionToken: string): string {
  return createHash('sha256').update(`${sessionToken}:csrf`, 'utf8').digest('base64url');
}

/** Whether `presented` is the CSRF token of `sessionToken`; compared in constant time. */
export function csrfTokenMatches(sessionToken: string, presented: unknown): boolean {
  if (typeof presented !== 'string') return false;
  const expected = Buffer.from(csrfTokenFor(sessionToken), 'utf8');
  const actual = Buffer.from(presented, 'utf8');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
