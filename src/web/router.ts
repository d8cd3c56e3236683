/**
 * The web service centre: server-rendered pages for anyone, citizens, clerks and admins, on the same use cases as
 * the API. Pages hold no business logic: they read the request, call a use case, and render. Who may open what is
 * the policy's (the use cases ask it), so a page can never show more than the API would.
 */
import express, { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { isOnevisitError } from '../domain/errors.js';
import type { Principal } from '../identity/index.js';
import { buildContext, contextOf } from './context.js';
import { ANONYMOUS_CSRF_COOKIE, formToken, isAnonymousToken, newAnonymousToken, tokensMatch } from './csrf.js';
import { LANGUAGE_COOKIE, isLocale, pageLocale } from './locale.js';
import { createRenderer, assetsDir, type Renderer } from './render.js';
import { publicPages } from './pages/public.js';
import type { WebServices } from './services.js';

export type { WebServices } from './services.js';

export interface WebOptions {
  /** The session cookie's name, as the API's authentication reads it. */
  sessionCookie: string;
  secureCookies: boolean;
  /** The API's limiters, shared so a page and the API count the same attempts. */
  loginLimiter: RequestHandler;
  registrationLimiter: RequestHandler;
  /** The progress lookup's limiter (wrong number and code pairs), shared with GET /api/v1/progress. */
  progressLimiter?: RequestHandler;
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
}

export class CsrfRefused extends Error {}

export function webRouter(services: WebServices, options: WebOptions): Router {
  const router = Router();
  const renderer = createRenderer({ watch: options.watchTemplates ?? false });
  const kit: PageKit = {
    services,
    options,
    renderer,
    render(res, view, model = {}, status = 200) {
      const html = renderer.render(view, { ...contextOf(res), ...model });
      res.status(status).type('html').set('Cache-Control', 'no-store').send(html);
    },
    checkCsrf(req, res) {
      const body = req.body as Record<string, unknown> | undefined;
      if (!tokensMatch(contextOf(res).csrf, body?._csrf)) throw new CsrfRefused();
    },
    principal: (res) => options.sessionOf(res).principal,
  };

  router.use('/assets', express.static(assetsDir, { maxAge: '1h', index: false, fallthrough: false }));
  router.use(express.urlencoded({ extended: false, limit: '1mb', parameterLimit: 2000 }));
  router.use((req: Request, res: Response, next: NextFunction) => {
    const cookies = parseCookies(req.get('cookie'));
    const session = options.sessionOf(res);
    let anonymous = cookies[ANONYMOUS_CSRF_COOKIE];
    if (!isAnonymousToken(anonymous)) {
      anonymous = newAnonymousToken();
      res.cookie(ANONYMOUS_CSRF_COOKIE, anonymous, { httpOnly: true, sameSite: 'lax', secure: options.secureCookies, path: '/' });
    }
    const locale = pageLocale(cookies[LANGUAGE_COOKIE], req.get('accept-language'));
    res.locals.page = buildContext(req, locale, session.principal, formToken(session.token, anonymous));
    res.set('Content-Language', locale);
    next();
  });

  router.get('/language', (req: Request, res: Response) => {
    const lang = req.query.lang;
    if (isLocale(lang)) res.cookie(LANGUAGE_COOKIE, lang, { httpOnly: true, sameSite: 'lax', secure: options.secureCookies, path: '/', maxAge: 365 * 24 * 3600 * 1000 });
    res.redirect(303, safeReturn(req.query.return));
  });

  publicPages(router, kit);

  router.use((req: Request, res: Response) => {
    kit.render(res, 'error.njk', { kind: 'notFound' }, 404);
  });
  router.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent || res.locals.page === undefined) return next(error);
    if (error instanceof CsrfRefused) return kit.render(res, 'error.njk', { kind: 'csrf' }, 403);
    if (isOnevisitError(error, 'AUTH.REQUIRED')) return res.redirect(303, `/sign-in?return=${encodeURIComponent(req.originalUrl)}`);
    if (isOnevisitError(error, 'AUTH.FORBIDDEN')) return kit.render(res, 'error.njk', { kind: 'forbidden' }, 403);
    if (isOnevisitError(error, 'AUTH.RATE_LIMITED')) return kit.render(res, 'error.njk', { kind: 'rateLimited' }, 429);
    if (isOnevisitError(error) && /NOT_FOUND$/.test(error.code)) return kit.render(res, 'error.njk', { kind: 'notFound' }, 404);
    next(error);
  });
  return router;
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
