/**
 * The express app, built from its services; only the entry point listens. Every error leaves as
 * problem+json; handlers hold no business logic (that is the application layer's).
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { Store } from 'express-rate-limit';
import type { Logger } from 'pino';
import { OnevisitError } from '../domain/errors.js';
import type { Identity } from '../identity/index.js';
import type { FileService } from '../files/index.js';
import type { ApplicationUseCases } from '../application/applications.js';
import type { CatalogUseCases } from '../application/catalog.js';
import type { AdminUseCases } from '../application/admin.js';
import type { EffectUseCases } from '../application/effects.js';
import type { AuditUseCases } from '../application/audit.js';
import { authenticate } from './auth.js';
import { apiRouter } from './api.js';
import { bodyIssue, checkRawJson } from './safeJson.js';
import { INTERNAL_PROBLEM, asOnevisitError, problemOf, type Problem } from './problem.js';
import { requestLogger, requestPath } from './logging.js';
import type { CertificateUseCases } from '../application/certificates.js';
import { verifyPage } from '../web/verifyPage.js';

export interface HttpServices {
  identity: Identity;
  applications: ApplicationUseCases;
  catalog: CatalogUseCases;
  admin: AdminUseCases;
  files: FileService;
  certificates: CertificateUseCases;
  /** The outbox for admins: failed effects, and their retry. */
  effects: EffectUseCases;
  audit: AuditUseCases;
  /** The public keys, as a JWKS, for offline checkers. */
  keys: () => object;
  /** Titles for the public verify page. */
  describeCertificate: (type: string, issuer: string) => { typeTitle: string; issuerTitle: string };
  logger: Logger;
  options?: HttpOptions;
  /** Where the sign-in limiter counts (a store in the database, shared by instances); default this process's memory. */
  loginLimitStore?: Store;
  /** Where the registration limiter counts (another store of its own: express-rate-limit takes one per limiter). */
  registrationLimitStore?: Store;
}

export interface HttpOptions {
  /** Send the session cookie only over HTTPS (on behind TLS; off for local http). */
  secureCookies?: boolean;
  /** Sign-in attempts per client address and username in 15 minutes. */
  loginAttempts?: number;
  /** Registrations per client address in an hour (default 20). */
  registrationAttempts?: number;
  /** Largest JSON body, bytes. */
  jsonLimit?: number;
  /**
   * Which proxies' X-Forwarded-For is believed (express's `trust proxy`: a hop count, `loopback`, a list of
   * addresses or subnets); default none, so a client cannot choose the address it is counted under.
   */
  trustProxy?: false | number | string | readonly string[];
}

export const JSON_LIMIT_BYTES = 1024 * 1024;

export function createApp(services: HttpServices) {
  const app = express();
  app.disable('x-powered-by');
  // X-Forwarded-For is believed only from the proxies configured; by default the client is the connection's peer.
  app.set('trust proxy', services.options?.trustProxy ?? false);
  app.set('query parser', 'simple');
  app.use(requestLogger(services.logger));
  app.use(helmet());
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
  app.use('/api/v1', apiRouter(services));
  app.get('/.well-known/onevisit-keys.json', (_req: Request, res: Response) => {
    res.set('Cache-Control', 'public, max-age=300').json(services.keys());
  });
  app.get('/verify/:id', async (req: Request, res: Response) => {
    const id = String(req.params.id);
    const result = await services.certificates.verifyPage(id);
    const c = result.certificate;
    res
      .status(result.status === 'unknown' ? 404 : 200)
      .type('html')
      .set('Cache-Control', 'no-store')
      .send(
        verifyPage({
          id,
          status: result.status,
          ...(c ? { certificate: { ...services.describeCertificate(c.type, c.issuer), holderNameMasked: c.holderNameMasked, issuedAt: c.issuedAt, validUntil: c.validUntil } } : {}),
        }),
      );
  });
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
