/**
 * The express app, built from its services; only the entry point listens. Every error leaves as
 * problem+json; handlers hold no business logic (that is the application layer's).
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { OnevisitError } from '../domain/errors.js';
import { SESSION_COOKIE, authOf, authenticate, requireCsrfHeader } from './auth.js';
import { createLimiters } from './limits.js';
import { apiRouter } from './api.js';
import { bodyIssue, checkRawJson } from './safeJson.js';
import { INTERNAL_PROBLEM, asOnevisitError, problemOf, type Problem } from './problem.js';
import { requestLogger, requestPath } from './logging.js';
import { webRouter } from '../web/router.js';
import type { HttpServices } from './services.js';

export type { HttpOptions, HttpServices } from './services.js';

export const JSON_LIMIT_BYTES = 1024 * 1024;

export function createApp(services: HttpServices) {
  const app = express();
  app.disable('x-powered-by');
  // X-Forwarded-For is believed only from the proxies configured; by default the client is the connection's peer.
  app.set('trust proxy', services.options?.trustProxy ?? false);
  app.set('query parser', 'simple');
  app.use(requestLogger(services.logger));
  const secure = services.options?.secureCookies ?? false;
  // Scripts only from this site (no inline script anywhere); PDFs and images previewed in frames of this site.
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          'script-src': ["'self'"],
          'img-src': ["'self'", 'data:', 'blob:'],
          'frame-src': ["'self'"],
          'object-src': ["'none'"],
          'upgrade-insecure-requests': secure ? [] : null,
        },
      },
    }),
  );
  // No id or filter of ours holds U+0000, and PostgreSQL cannot compare text with one (a 500): refused before any lookup.
  app.use((req: Request, _res: Response, next: NextFunction) => {
    if (req.url.includes('%00')) throw new OnevisitError('INPUT.INVALID', 'the URL holds a NUL character', { errors: [{ path: '/url', code: 'INPUT.NUL_CHARACTER', message: 'a NUL character (%00) is not accepted in a URL' }] });
    next();
  });
  // The size limit is applied while reading, the depth limit on the raw bytes before parsing: nothing after recurses further.
  app.use(express.json({ limit: services.options?.jsonLimit ?? JSON_LIMIT_BYTES, type: ['application/json', 'application/*+json'], verify: checkRawJson }));
  app.use((req: Request, _res: Response, next: NextFunction) => {
    const issue = bodyIssue(req.body);
    if (issue) throw new OnevisitError('INPUT.INVALID', `the request body is refused: ${issue.message}`, { errors: [issue] });
    next();
  });
  app.use(authenticate(services.identity));
  const limiters = createLimiters({
    ...(services.options?.loginAttempts !== undefined ? { loginAttempts: services.options.loginAttempts } : {}),
    ...(services.options?.registrationAttempts !== undefined ? { registrationAttempts: services.options.registrationAttempts } : {}),
    ...(services.loginLimitStore ? { loginStore: services.loginLimitStore } : {}),
    ...(services.registrationLimitStore ? { registrationStore: services.registrationLimitStore } : {}),
    ...(services.options?.progressAttempts !== undefined ? { progressAttempts: services.options.progressAttempts } : {}),
    ...(services.options?.progressAttemptsPerNumber !== undefined ? { progressAttemptsPerNumber: services.options.progressAttemptsPerNumber } : {}),
    ...(services.progressLimitStore ? { progressStore: services.progressLimitStore } : {}),
    ...(services.progressNumberLimitStore ? { progressNumberStore: services.progressNumberLimitStore } : {}),
  });
  app.use('/api/v1', requireCsrfHeader, apiRouter({ ...services, limiters }));
  app.get('/.well-known/onevisit-keys.json', (_req: Request, res: Response) => {
    res.set('Cache-Control', 'public, max-age=300').json(services.keys());
  });
  app.use(
    webRouter(services, {
      sessionCookie: SESSION_COOKIE,
      secureCookies: secure,
      loginLimiter: limiters.login,
      registrationLimiter: limiters.registration,
      progressLimiters: limiters.progress,
      sessionOf: (res) => authOf(res),
    }),
  );
  app.use((req: Request) => {
    throw new OnevisitError('ROUTE.NOT_FOUND', `no resource at ${req.method} ${req.path}`);
  });
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const known = asOnevisitError(error);
    const problem: Problem = known ? problemOf(known) : INTERNAL_PROBLEM;
    if (problem.status >= 500) services.logger.error({ err: error, method: req.method, path: requestPath(req) }, 'request failed');
    res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  });
  return app;
}
