/**
 * What every page module is given (`PageKit`) and the small helpers they share; router.ts builds the kit and calls
 * each area's pages with it.
 */
import type { Request, RequestHandler, Response } from 'express';
import type { Principal } from '../identity/index.js';
import type { Capability } from '../identity/policy.js';
import type { Renderer } from './render.js';
import type { WebServices } from './services.js';

export interface WebOptions {
  /** The session cookie's name, as the API's authentication reads it. */
  sessionCookie: string;
  secureCookies: boolean;
  /** The API's limiters, shared so a page and the API count the same attempts. */
  loginLimiter: RequestHandler;
  registrationLimiter: RequestHandler;
  /** The progress lookup's limiters (wrong number and code pairs, per address and per number), shared with GET /api/v1/progress. */
  progressLimiters: readonly RequestHandler[];
  /** The session of the request, as resolved by the app's authentication (never refuses). */
  sessionOf: (res: Response) => { principal?: Principal; token?: string };
  /** Re-read templates on every render (development). */
  watchTemplates?: boolean;
}

/** Helpers every page module gets. */
export interface PageKit {
  services: WebServices;
  options: WebOptions;
  renderer: Renderer;
  /** Renders `view` with the page context and `model`, with `status` (default 200). */
  render(res: Response, view: string, model?: object, status?: number): void;
  /** Refuses a form without this page's CSRF token (call after the body is parsed). */
  checkCsrf(req: Request, res: Response): void;
  principal(res: Response): Principal | undefined;
  /**
   * The signed-in principal who holds `capability` (the policy's, as the API asks it): AUTH.REQUIRED (the sign-in
   * page, coming back here) without a session, AUTH.FORBIDDEN (the forbidden page) for a role without it.
   */
  signedIn(res: Response, capability?: Capability): Principal;
}

export class CsrfRefused extends Error {}

/** Whether a refusal is answered as a page: a browser's request (its Accept prefers HTML) outside /api/. */
export function wantsPage(req: Request): boolean {
  return !req.path.startsWith('/api/') && req.accepts(['html', 'application/problem+json', 'application/json']) === 'html';
}

/** Only a path of this site may be returned to (never `//other.site` or a scheme). */
export function safeReturn(value: unknown, fallback = '/'): string {
  return typeof value === 'string' && /^\/(?![/\\])[^\s]*$/.test(value) && value.length < 2000 ? value : fallback;
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index <= 0) continue;
    try {
      cookies[part.slice(0, index).trim()] = decodeURIComponent(part.slice(index + 1).trim());
    } catch {
      // a cookie that is not valid percent-encoding is not ours
    }
  }
  return cookies;
}
