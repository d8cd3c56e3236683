/**
 * Who is asking: a bearer token (API clients) or the same token in an HttpOnly cookie (the web).
 * Cookie-authenticated writes to the API must carry the session's CSRF token in `X-CSRF-Token`; a bearer token
 * cannot be sent by another site, so it needs none.
 */
import type { NextFunction, Request, Response } from 'express';
import { OnevisitError } from '../domain/errors.js';
import type { Identity, Principal } from '../identity/index.js';
import { csrfTokenMatches } from '../identity/tokens.js';

export const SESSION_COOKIE = 'onevisit_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface RequestAuth {
  principal?: Principal;
  token?: string;
  via?: 'bearer' | 'cookie';
}

/** Resolves the principal, if any, into `res.locals.auth`. Never refuses by itself. */
export function authenticate(identity: Identity) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const auth: RequestAuth = {};
    res.locals.auth = auth;
    const header = req.get('authorization');
    const bearer = header && /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const cookie = readCookie(req.get('cookie'), SESSION_COOKIE);
    const token = bearer || cookie;
    if (!token) return next();
    const principal = await identity.authenticate(token);
    if (!principal) {
      // A bad bearer token is an error; a stale cookie is simply no session.
      if (bearer) throw new OnevisitError('AUTH.REQUIRED', 'the token is unknown, expired or revoked; sign in again');
      return next();
    }
    auth.principal = principal;
    auth.token = token;
    auth.via = bearer ? 'bearer' : 'cookie';
    next();
  };
}

/**
 * For the API: a cookie-authenticated write must carry the session's CSRF token in `X-CSRF-Token`. (The pages
 * check theirs in the form's `_csrf` field instead; see web/csrf.ts.)
 */
export function requireCsrfHeader(req: Request, res: Response, next: NextFunction): void {
  const auth = authOf(res);
  if (auth.via === 'cookie' && auth.token && !SAFE_METHODS.has(req.method) && !csrfTokenMatches(auth.token, req.get('x-csrf-token'))) {
    throw new OnevisitError('AUTH.CSRF', 'a signed-in write from the browser must carry the X-CSRF-Token header');
  }
  next();
}

export function authOf(res: Response): RequestAuth {
  return res.locals.auth as RequestAuth;
}

/** The signed-in principal, or AUTH.REQUIRED. */
export function principalOf(res: Response): Principal {
  const principal = authOf(res).principal;
  if (!principal) throw new OnevisitError('AUTH.REQUIRED', 'sign in first');
  return principal;
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) {
      try {
        return decodeURIComponent(part.slice(index + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
