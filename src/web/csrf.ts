/**
 * CSRF tokens for the pages' forms (a hidden `_csrf` field). Signed in, the token is derived from the session
 * (identity/tokens.ts: nothing stored); before sign-in — the sign-in, registration, progress and verification
 * forms — it is a random value in an HttpOnly, SameSite cookie that the form must repeat (double submit).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { csrfTokenFor } from '../identity/tokens.js';

export const ANONYMOUS_CSRF_COOKIE = 'onevisit_csrf';
const SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function newAnonymousToken(): string {
  return randomBytes(32).toString('base64url');
}

export function isAnonymousToken(value: unknown): value is string {
  return typeof value === 'string' && SHAPE.test(value);
}

/** The token a page's forms carry: the session's when signed in, else the anonymous cookie's. */
export function formToken(session: string | undefined, anonymous: string): string {
  return session ? csrfTokenFor(session) : anonymous;
}

export function tokensMatch(expected: string, presented: unknown): boolean {
  if (typeof presented !== 'string') return false;
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(presented, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
