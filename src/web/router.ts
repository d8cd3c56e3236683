/**
 * The web service centre: server-rendered pages for anyone, citizens, clerks and admins, on the same use cases as
 * the API. Pages hold no business logic: they read the request, call a use case, and render. Who may open what is
 * the policy's (the use cases ask it), so a page can never show more than the API would.
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { OnevisitError, isOnevisitError } from '../domain/errors.js';
import { requireCapability } from '../identity/policy.js';
import { buildContext, contextOf } from './context.js';
import { ANONYMOUS_CSRF_COOKIE, formToken, isAnonymousToken, newAnonymousToken, tokensMatch } from './csrf.js';
import { LANGUAGE_COOKIE, isLocale, pageLocale } from './locale.js';
import { createRenderer, assetsDir } from './render.js';
import { CsrfRefused, parseCookies, safeReturn, wantsPage, type PageKit, type WebOptions } from './kit.js';
import { publicPages } from './pages/public.js';
import { applyPages } from './pages/apply.js';
import { workPages } from './pages/work.js';
import { intakePages } from './pages/intake.js';
import { portalPages } from './pages/portal.js';
import { adminPages } from './pages/admin.js';
import { referencePages } from './pages/reference.js';
import type { WebServices } from './services.js';

export type { WebServices } from './services.js';
export type { WebOptions, PageKit } from './kit.js';


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
    signedIn(res, capability) {
      const principal = options.sessionOf(res).principal;
      if (!principal) throw new OnevisitError('AUTH.REQUIRED', 'sign in first');
      if (capability) requireCapability(principal, capability);
      return principal;
    },
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
  applyPages(router, kit);
  portalPages(router, kit);
  adminPages(router, kit);
  referencePages(router, kit);
  intakePages(router, kit);
  workPages(router, kit);

  // An unknown address is a page for browsers; a client that asks for JSON, or any address under /api/ (another
  // version, a typo), gets the API's problem+json.
  router.use((req: Request, res: Response) => {
    if (!wantsPage(req)) throw new OnevisitError('ROUTE.NOT_FOUND', `no resource at ${req.method} ${req.path}`);
    kit.render(res, 'error.njk', { kind: 'notFound' }, 404);
  });
  router.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    // Not a browser (it asks for JSON): the app's problem+json answer.
    if (res.headersSent || res.locals.page === undefined || !wantsPage(req)) return next(error);
    if (error instanceof CsrfRefused) return kit.render(res, 'error.njk', { kind: 'csrf' }, 403);
    if (isOnevisitError(error, 'AUTH.REQUIRED')) return res.redirect(303, `/sign-in?return=${encodeURIComponent(req.originalUrl)}`);
    if (isOnevisitError(error, 'AUTH.FORBIDDEN')) return kit.render(res, 'error.njk', { kind: 'forbidden' }, 403);
    if (isOnevisitError(error, 'AUTH.RATE_LIMITED')) return kit.render(res, 'error.njk', { kind: 'rateLimited' }, 429);
    if (isOnevisitError(error) && /NOT_FOUND$/.test(error.code)) return kit.render(res, 'error.njk', { kind: 'notFound' }, 404);
    next(error);
  });
  return router;
}

