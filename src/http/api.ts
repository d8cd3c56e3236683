/** The routes of `/api/v1` (docs/api.md). Each reads the request, calls one use case and shapes the answer. */
import { Router, type Request, type Response } from 'express';
import multer from 'multer';
import { OnevisitError } from '../domain/errors.js';
import { UPLOAD_LIMIT_BYTES } from '../domain/uploads.js';
import type { FileRecord } from '../files/index.js';
import { checkInput } from '../application/input.js';
import type { HttpServices } from './services.js';
import { SESSION_COOKIE, authOf, principalOf } from './auth.js';
import { openApiDocument } from './openapi.js';
import type { Limiters, ProgressAttempt } from './limits.js';
import { problemOf, uploadError } from './problem.js';

interface LoginBody {
  username: string;
  password: string;
}

export { REGISTRATION_ATTEMPTS } from './limits.js';

/**
 * The one answer to a well-formed registration, whatever happened: whether an account was created is not told
 * here (that would reveal which usernames and id numbers have accounts), only to the owner (see identity.register).
 */
export const REGISTRATION_ACCEPTED = {
  status: 'accepted',
  message:
    'If the username was free and the resident id number had no account yet, the account is ready: sign in with this username and password. ' +
    'Otherwise nothing was created, and the holder of an account with this id number is told at their next sign-in. If you cannot sign in, register again with another username, or ask at a service centre.',
} as const;

export function apiRouter(services: HttpServices & { limiters: Limiters }): Router {
  const { identity, applications, catalog, admin, files, certificates, effects, progress, drafts, intake, referenceData } = services;
  const router = Router();
  const upload = multer({ storage: multer.memoryStorage(), defParamCharset: 'utf8', limits: { fileSize: UPLOAD_LIMIT_BYTES, files: 1, fields: 10, parts: 12 } });
  // The one file of field "file"; whatever multer cannot read is a malformed upload (400), never a 500.
  const uploadFile = (req: Request, res: Response, next: (error?: unknown) => void) => upload.single('file')(req, res, (error?: unknown) => next(error === undefined ? undefined : uploadError(error)));

  const { login: loginLimiter, registration: registrationLimiter, progress: progressLimiters } = services.limiters;

  router.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument(catalog.definitionSchema));
  });

  // Accounts and sessions
  // The body is checked first: the limiter keys on the username, and a malformed body is no sign-in attempt.
  const loginBody = (req: Request, res: Response, next: () => void) => {
    res.locals.login = checkInput<LoginBody>('Login', req.body);
    next();
  };
  router.post('/auth/login', loginBody, loginLimiter, async (_req, res) => {
    const { username, password } = res.locals.login as LoginBody;
    const result = await identity.login(username, password);
    res.cookie(SESSION_COOKIE, result.token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: services.options?.secureCookies ?? false,
      path: '/',
      expires: new Date(result.expiresAt),
    });
    res.json(result);
  });
  router.post('/auth/logout', async (_req, res) => {
    const token = authOf(res).token;
    if (token) await identity.logout(token);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });
  router.post('/auth/register', registrationLimiter, async (req, res) => {
    const body = checkInput<{ username: string; password: string; name: string; idNumber: string }>('Register', req.body);
    // The outcome stays on the server: the answer is the same whether or not an account was created.
    await identity.register(body);
    res.status(202).json(REGISTRATION_ACCEPTED);
  });
  router.get('/auth/me', async (_req, res) => {
    const principal = principalOf(res);
    res.json(await identity.findUser(principal.userId));
  });

  // The catalog
  router.get('/services', async (_req, res) => {
    res.json(await catalog.list());
  });
  router.get('/services/:id', async (req, res) => {
    res.json(await catalog.get(req.params.id!));
  });

  // Progress lookup (办件查询), for anyone with the receipt. The query is checked first: the number limiter keys on
  // it, and a malformed query is no lookup. No answer is kept by a cache, the refusals neither.
  const progressQuery = (req: Request, res: Response, next: () => void) => {
    res.set('Cache-Control', 'no-store');
    res.locals.progress = checkInput<ProgressAttempt & { code: string }>('ProgressQuery', req.query);
    next();
  };
  router.get('/progress', progressQuery, ...progressLimiters, async (_req, res) => {
    res.json(await progress.lookup(res.locals.progress));
  });

  // Applications
  router.post('/applications', async (req, res) => {
    const detail = await applications.submit(principalOf(res), req.body);
    // The answer carries the receipt's check code, given this once: no cache keeps it.
    res.status(201).location(`/api/v1/applications/${detail.id}`).set('ETag', etag(detail.version)).set('Cache-Control', 'no-store').json(detail);
  });
  router.get('/applications', async (req, res) => {
    res.json(await applications.list(principalOf(res), req.query));
  });
  router.get('/applications/:id', async (req, res) => {
    const detail = await applications.get(principalOf(res), req.params.id!);
    res.set('ETag', etag(detail.version)).json(detail);
  });
  router.post('/applications/:id/events', async (req, res) => {
    const detail = await applications.act(principalOf(res), req.params.id!, req.body, ifMatch(req));
    res.set('ETag', etag(detail.version)).json(detail);
  });
  router.post('/applications/:id/claim', async (req, res) => {
    res.json(await applications.claim(principalOf(res), req.params.id!, req.body));
  });
  router.post('/applications/:id/release', async (req, res) => {
    res.json(await applications.release(principalOf(res), req.params.id!, req.body));
  });
  router.get('/applications/:id/materials/:materialId', async (req, res) => {
    const { record, stream } = await applications.materialFile(principalOf(res), req.params.id!, req.params.materialId!);
    sendFile(res, record, stream);
  });
  router.post('/applications/:id/rating', async (req, res) => {
    res.status(201).json(await applications.rate(principalOf(res), req.params.id!, req.body));
  });
  router.post('/applications/:id/check-code', async (req, res) => {
    const { checkCode } = await progress.reissueCheckCode(principalOf(res), req.params.id!);
    // The reprinted receipt's new check code, given this once: no cache keeps it.
    res.status(201).set('Cache-Control', 'no-store').json({ checkCode });
  });

  // Counter intake (窗口代录): window clerks enter applications for the people at their counter
  router.post('/intake/applications', async (req, res) => {
    const entered = await intake.enter(principalOf(res), req.body);
    // The answer carries the receipt's check code, given this once: no cache keeps it.
    res.status(201).location(`/api/v1/applications/${entered.id}`).set('ETag', etag(entered.version)).set('Cache-Control', 'no-store').json(entered);
  });
  router.get('/intake/drafts', async (_req, res) => {
    res.json(await intake.listDrafts(principalOf(res)));
  });
  router.post('/intake/drafts', async (req, res) => {
    const draft = await intake.startDraft(principalOf(res), req.body);
    res.status(201).location(`/api/v1/intake/drafts/${draft.id}`).json(draft);
  });
  router.get('/intake/drafts/:id', async (req, res) => {
    res.json(await intake.getDraft(principalOf(res), req.params.id!));
  });
  router.put('/intake/drafts/:id', async (req, res) => {
    res.json(await intake.updateDraft(principalOf(res), req.params.id!, req.body));
  });
  router.delete('/intake/drafts/:id', async (req, res) => {
    await intake.removeDraft(principalOf(res), req.params.id!);
    res.status(204).end();
  });

  // Drafts (the keeper's own)
  router.get('/drafts', async (_req, res) => {
    res.json(await drafts.list(principalOf(res)));
  });
  router.post('/drafts', async (req, res) => {
    const draft = await drafts.create(principalOf(res), req.body);
    res.status(201).location(`/api/v1/drafts/${draft.id}`).json(draft);
  });
  router.get('/drafts/:id', async (req, res) => {
    res.json(await drafts.get(principalOf(res), req.params.id!));
  });
  router.put('/drafts/:id', async (req, res) => {
    res.json(await drafts.update(principalOf(res), req.params.id!, req.body));
  });
  router.delete('/drafts/:id', async (req, res) => {
    await drafts.remove(principalOf(res), req.params.id!);
    res.status(204).end();
  });

  // Files
  router.post('/files', (req, res, next) => {
    // Before multer reads the body: whoever may not upload is refused without sending the bytes anywhere.
    files.requireUploader(principalOf(res));
    if (!req.is('multipart/form-data')) throw new OnevisitError('FILE.MISSING', 'upload the file as multipart/form-data in the field "file"');
    next();
  }, uploadFile, async (req, res) => {
    if (!req.file) throw new OnevisitError('FILE.MISSING', 'upload the file in the multipart field "file"');
    const record = await files.upload(principalOf(res), { data: req.file.buffer, originalName: req.file.originalname, declaredType: req.file.mimetype });
    res.status(201).location(`/api/v1/files/${record.fileId}`).json(record);
  });
  router.get('/files/:id', async (req, res) => {
    res.json(await files.get(principalOf(res), req.params.id!));
  });
  router.get('/files/:id/content', async (req, res) => {
    const { record, stream } = await files.content(principalOf(res), req.params.id!);
    sendFile(res, record, stream);
  });

  // Certificates
  router.get('/certificates', async (_req, res) => {
    res.json(await certificates.wallet(principalOf(res)));
  });
  router.post('/certificates/verify', (req, res, next) => {
    if (req.is('multipart/form-data')) return uploadFile(req, res, next);
    next();
  }, async (req, res) => {
    if (req.is('multipart/form-data') && !req.file) throw new OnevisitError('FILE.MISSING', 'upload the certificate PDF in the multipart field "file"');
    res.json(await certificates.verify(req.body, req.file?.buffer));
  });
  router.get('/certificates/:id', async (req, res) => {
    res.json(await certificates.get(principalOf(res), req.params.id!));
  });
  router.get('/certificates/:id/pdf', async (req, res) => {
    const { certificate, pdf } = await certificates.pdf(principalOf(res), req.params.id!);
    res.type('application/pdf').set('Content-Disposition', `inline; filename="${certificate.type}-${certificate.id}.pdf"`).send(pdf);
  });
  router.post('/certificates/:id/revoke', async (req, res) => {
    res.json(await certificates.revoke(principalOf(res), req.params.id!, req.body));
  });
  router.post('/certificates/:id/reissue', async (req, res) => {
    res.status(201).json(await certificates.reissue(principalOf(res), req.params.id!));
  });
  router.post('/applications/:id/materials/:materialId/refute', async (req, res) => {
    res.json(await certificates.refuteCommitment(principalOf(res), req.params.id!, req.params.materialId!, req.body));
  });
  router.post('/applications/:id/materials/:materialId/confirm', async (req, res) => {
    res.json(await certificates.confirmCommitment(principalOf(res), req.params.id!, req.params.materialId!));
  });

  // Definitions (admins)
  router.post('/definitions/validate', async (req, res) => {
    res.json(await catalog.validate(principalOf(res), req.body));
  });
  router.post('/definitions', async (req, res) => {
    const published = await catalog.publish(principalOf(res), req.body);
    res.status(201).location(`/api/v1/services/${published.id}`).json(published);
  });
  router.get('/definitions/:id/versions', async (req, res) => {
    res.json(await catalog.versions(principalOf(res), req.params.id!));
  });

  // Administration
  router.get('/users', async (_req, res) => {
    res.json(await admin.listUsers(principalOf(res)));
  });
  router.post('/users', async (req, res) => {
    res.status(201).json(await admin.addUser(principalOf(res), req.body));
  });
  router.post('/users/:id/disable', async (req, res) => {
    res.json(await admin.disableUser(principalOf(res), req.params.id!));
  });
  router.post('/users/:id/enable', async (req, res) => {
    res.json(await admin.enableUser(principalOf(res), req.params.id!));
  });
  // Reference data: departments, certificate types and templates
  router.get('/reference', async (_req, res) => {
    res.json(await referenceData.list());
  });
  router.get('/reference/template/:id/specimen', async (req, res) => {
    sendSpecimen(res, await referenceData.specimen(principalOf(res), { id: req.params.id! }, req.query));
  });
  router.post('/reference/template/specimen', async (req, res) => {
    sendSpecimen(res, await referenceData.specimen(principalOf(res), { body: req.body }, req.query));
  });
  router.get('/reference/:kind/:id', async (req, res) => {
    res.json(await referenceData.entry(principalOf(res), req.params.kind!, req.params.id!));
  });
  router.put('/reference/:kind/:id', async (req, res) => {
    res.json(await referenceData.save(principalOf(res), req.params.kind!, req.params.id!, req.body));
  });
  router.get('/calendar/:year', async (req, res) => {
    res.json(await admin.calendar(principalOf(res), req.params.year!));
  });
  router.put('/calendar/:year', async (req, res) => {
    res.json(await admin.saveCalendar(principalOf(res), req.params.year!, req.body));
  });
  router.get('/metrics', async (req, res) => {
    res.json(await admin.metrics(principalOf(res), req.query));
  });
  router.get('/effects', async (req, res) => {
    res.json(await effects.list(principalOf(res), req.query));
  });
  router.post('/effects/:id/retry', async (req, res) => {
    res.json(await effects.retry(principalOf(res), req.params.id!));
  });
  router.get('/audit', async (req, res) => {
    res.json(await services.audit.list(principalOf(res), req.query));
  });

  router.use((req: Request, _res: Response) => {
    throw new OnevisitError('ROUTE.NOT_FOUND', `no resource at ${req.method} /api/v1${req.path}`);
  });
  return router;
}

function sendFile(res: Response, record: FileRecord, stream: NodeJS.ReadableStream): void {
  res.type(record.mediaType).set('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(record.originalName)}`);
  stream.pipe(res);
}

function sendSpecimen(res: Response, pdf: Buffer): void {
  res.type('application/pdf').set('Content-Disposition', 'inline; filename="specimen.pdf"').set('Cache-Control', 'no-store').send(pdf);
}

function etag(version: number): string {
  return `"${version}"`;
}

/** `If-Match: "3"` (or W/"3", or 3): the version the client saw. */
function ifMatch(req: Request): number | undefined {
  const header = req.get('if-match');
  if (header === undefined) return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  if (!match) throw new OnevisitError('INPUT.INVALID', 'If-Match carries the version the client saw, e.g. "3"', { errors: [{ path: '/headers/if-match', code: 'INPUT.FORMAT', message: 'must be a version number' }] });
  return Number(match[1]);
}
