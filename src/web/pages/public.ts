/** The pages anyone may open: catalog, guide, one-time notice, verification, sign-in, registration, statements. */
import type { Request, Response, Router } from 'express';
import multer from 'multer';
import { OnevisitError, isOnevisitError } from '../../domain/errors.js';
import { UPLOAD_LIMIT_BYTES } from '../../domain/uploads.js';
import { LifeEvents } from '../../domain/vocabulary.js';
import { chinaDate } from '../../domain/time.js';
import { may } from '../../identity/policy.js';
import { contextOf } from '../context.js';
import { flowSvg } from '../flowDiagram.js';
import { guideOf } from '../guide.js';
import { safeReturn, wantsPage, type PageKit } from '../kit.js';


export interface FieldError {
  field: string;
  text: string;
}

export function publicPages(router: Router, kit: PageKit): void {
  const { services, options } = kit;
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: UPLOAD_LIMIT_BYTES, files: 1, fields: 5, parts: 6 } });

  router.get('/', async (req: Request, res: Response) => {
    const { t, l } = contextOf(res);
    const query = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 100) : '';
    const all = await services.catalog.list();
    const cards = all.map((s) => ({
      id: s.id,
      title: l(s.title),
      summary: l(s.summary),
      promisedDays: s.promisedDays,
      departments: s.departments.length,
      applicant: s.applicant,
      lifeEvent: s.lifeEvent,
    }));
    const needle = query.toLowerCase();
    const matches = query
      ? cards.filter((c) => [c.title, c.summary, c.lifeEvent ? t(`lifeEvent.${c.lifeEvent}`) : ''].some((text) => text.toLowerCase().includes(needle)))
      : cards;
    const groups = [...LifeEvents, 'other' as const]
      .map((event) => ({ event, title: t(`lifeEvent.${event}`), services: matches.filter((c) => (c.lifeEvent ?? 'other') === event) }))
      .filter((g) => g.services.length > 0);
    kit.render(res, 'public/catalog.njk', { query, groups, count: matches.length });
  });

  router.get('/services/:id', async (req: Request, res: Response) => {
    const page = contextOf(res);
    const service = await services.catalog.get(String(req.params.id));
    const guide = guideOf(service, services.reference(), page.locale, page.t);
    const flow = flowSvg(guide.flow, page.t('guide.flowDescription', { steps: guide.steps.join(' → ') }));
    kit.render(res, 'public/guide.njk', { guide, flow, canApply: ((p) => p === undefined || may(p, 'application.submit'))(kit.principal(res)) });
  });

  router.get('/services/:id/notice', async (req: Request, res: Response) => {
    const page = contextOf(res);
    const service = await services.catalog.get(String(req.params.id));
    const guide = guideOf(service, services.reference(), page.locale, page.t);
    kit.render(res, 'public/notice.njk', { guide, today: chinaDate(new Date()) });
  });

  // Certificate verification: the QR code's link, or an uploaded PDF (at most the upload cap, as the API takes it).
  const renderVerify = (res: Response, errors?: { field: string; text: string }[]) =>
    kit.render(res, 'public/verify.njk', { limitMb: UPLOAD_LIMIT_BYTES / 1024 / 1024, ...(errors ? { errors } : {}) }, errors ? 400 : 200);
  router.get('/verify', (_req: Request, res: Response) => renderVerify(res));
  router.post('/verify', (req: Request, res: Response, next) => {
    upload.single('file')(req, res, (error?: unknown) => {
      if (error) {
        kit.checkCsrf(req, res);
        return renderVerify(res, [{ field: 'file', text: contextOf(res).t('problem.FILE.TOO_LARGE') }]);
      }
      next();
    });
  }, async (req: Request, res: Response) => {
    kit.checkCsrf(req, res);
    const { t } = contextOf(res);
    if (!req.file) return renderVerify(res, [{ field: 'file', text: t('verify.required.file') }]);
    try {
      const result = await services.certificates.verify({}, req.file.buffer);
      return kit.render(res, 'public/verifyResult.njk', resultModel(result.status, result.certificate?.id ?? '', result.certificate));
    } catch (error) {
      if (isOnevisitError(error, 'INPUT.INVALID')) return kit.render(res, 'public/verifyResult.njk', { status: 'tampered', id: '' });
      throw error;
    }
  });
  router.get('/verify/:id', async (req: Request, res: Response) => {
    const id = String(req.params.id);
    const result = await services.certificates.verifyPage(id);
    // A client that does not take a page is told of an unknown certificate as problem+json, as every refusal.
    if (result.status === 'unknown' && !wantsPage(req)) throw new OnevisitError('CERTIFICATE.NOT_FOUND', `no certificate ${id}`);
    const model = resultModel(result.status, id, result.certificate);
    kit.render(res, 'public/verifyResult.njk', model, result.status === 'unknown' ? 404 : 200);
  });

  function resultModel(status: string, id: string, c?: { type: string; issuer: string; holderNameMasked?: string; issuedAt: string; validUntil: string | null }) {
    if (!c) return { status, id };
    const titles = services.describeCertificate(c.type, c.issuer);
    const reference = services.reference();
    return {
      status,
      id,
      certificate: {
        typeTitle: reference.certificateTypes.find((x) => x.id === c.type)?.title ?? { 'zh-Hans': titles.typeTitle },
        issuerTitle: reference.departments.find((x) => x.id === c.issuer)?.title ?? { 'zh-Hans': titles.issuerTitle },
        holderNameMasked: c.holderNameMasked ?? '',
        issuedAt: c.issuedAt,
        validUntil: c.validUntil,
      },
    };
  }

  // Sign in and out
  router.get('/sign-in', (req: Request, res: Response) => kit.render(res, 'public/signIn.njk', { returnTo: safeReturn(req.query.return, '') }));
  router.post('/sign-in', async (req: Request, res: Response) => {
    kit.checkCsrf(req, res);
    const { t, locale } = contextOf(res);
    const body = req.body as Record<string, unknown>;
    const username = typeof body.username === 'string' ? body.username.trim() : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const returnTo = safeReturn(body.return, '');
    const errors: FieldError[] = [];
    if (!username) errors.push({ field: 'username', text: t('signIn.required.username') });
    if (!password) errors.push({ field: 'password', text: t('signIn.required.password') });
    if (errors.length > 0) return kit.render(res, 'public/signIn.njk', { errors, username, returnTo }, 400);
    res.locals.login = { username: username.slice(0, 64), password };
    await runMiddleware(options.loginLimiter, req, res);
    try {
      const result = await services.identity.login(username.slice(0, 64), password.slice(0, 256));
      res.cookie(options.sessionCookie, result.token, { httpOnly: true, sameSite: 'strict', secure: options.secureCookies, path: '/', expires: new Date(result.expiresAt) });
      const home = returnTo || roleHome(result.user.role);
      if (result.notices.length > 0) {
        return kit.render(res, 'public/notices.njk', { notices: result.notices.map((n) => ({ count: n.count, lastAt: n.lastAt.slice(0, 16).replace('T', ' '), code: n.code })), next: home, locale });
      }
      res.redirect(303, home);
    } catch (error) {
      if (isOnevisitError(error, 'AUTH.INVALID_CREDENTIALS') || isOnevisitError(error, 'INPUT.INVALID')) {
        return kit.render(res, 'public/signIn.njk', { errors: [{ field: 'username', text: t('signIn.failed') }], username, returnTo }, 401);
      }
      throw error;
    }
  });
  router.post('/sign-out', async (req: Request, res: Response) => {
    kit.checkCsrf(req, res);
    const token = options.sessionOf(res).token;
    if (token) await services.identity.logout(token);
    res.clearCookie(options.sessionCookie, { path: '/' });
    res.redirect(303, '/');
  });

  // Registration: the same answer whatever happened (see the API's /auth/register).
  router.get('/register', (_req: Request, res: Response) => kit.render(res, 'public/register.njk', { values: {} }));
  router.post('/register', async (req: Request, res: Response) => {
    kit.checkCsrf(req, res);
    const { t } = contextOf(res);
    const body = req.body as Record<string, unknown>;
    const values = Object.fromEntries(['name', 'idNumber', 'username'].map((k) => [k, typeof body[k] === 'string' ? (body[k] as string).trim() : '']));
    const password = typeof body.password === 'string' ? body.password : '';
    await runMiddleware(options.registrationLimiter, req, res);
    try {
      await services.identity.register({ username: values.username!, password, name: values.name!, idNumber: values.idNumber!.toUpperCase() });
      kit.render(res, 'public/registered.njk');
    } catch (error) {
      if (isOnevisitError(error, 'INPUT.INVALID') || isOnevisitError(error, 'PASSWORD.WEAK')) {
        const errors = registrationErrors(error.errors, error.code, t);
        return kit.render(res, 'public/register.njk', { errors, values }, 422);
      }
      throw error;
    }
  });

  // 办件查询: by the number and check code on the receipt, without signing in. Posted, so the code stays out of
  // addresses and history; a wrong pair says nothing about whether the number exists.
  router.get('/progress', (_req: Request, res: Response) => kit.render(res, 'public/progress.njk', { values: {} }));
  router.post('/progress', async (req: Request, res: Response) => {
    kit.checkCsrf(req, res);
    const { t } = contextOf(res);
    const body = req.body as Record<string, unknown>;
    const values = { number: typeof body.number === 'string' ? body.number.trim().toUpperCase().slice(0, 40) : '', code: typeof body.code === 'string' ? body.code.trim().toUpperCase().slice(0, 20) : '' };
    const errors: FieldError[] = [];
    if (!values.number) errors.push({ field: 'number', text: t('progress.required.number') });
    if (!values.code) errors.push({ field: 'code', text: t('progress.required.code') });
    if (errors.length > 0) return kit.render(res, 'public/progress.njk', { values, errors }, 400);
    res.locals.progress = { number: values.number };
    for (const limiter of options.progressLimiters) await runMiddleware(limiter, req, res);
    try {
      const progress = await services.progress.lookup({ number: values.number, code: values.code });
      const d = progress.deadline;
      const dueText = d.dueAt
        ? `${chinaDate(d.dueAt)}${d.workingDaysLeft !== null && d.workingDaysLeft >= 0 ? ` · ${t('progress.daysLeft', { days: d.workingDaysLeft })}` : ''}`
        : t('common.workingDays', { days: d.promisedDays + d.extensionDays });
      kit.render(res, 'public/progressResult.njk', { progress, dueText });
    } catch (error) {
      if (isOnevisitError(error) && (error.code === 'PROGRESS.NOT_FOUND' || error.code === 'INPUT.INVALID')) {
        return kit.render(res, 'public/progress.njk', { values, errors: [{ field: 'number', text: t('progress.notFound') }] }, 404);
      }
      throw error;
    }
  });

  router.get('/accessibility', (_req: Request, res: Response) => kit.render(res, 'public/statement.njk', { statement: 'accessibility' }));
  router.get('/privacy', (_req: Request, res: Response) => kit.render(res, 'public/statement.njk', { statement: 'privacy' }));
}

const REGISTER_FIELDS = ['name', 'idNumber', 'username', 'password'] as const;

function registrationErrors(issues: readonly { path: string; code: string }[], code: string, t: (key: string) => string): FieldError[] {
  const errors: FieldError[] = [];
  for (const field of REGISTER_FIELDS) {
    const issue = issues.find((i) => i.path === `/${field}` || i.path.startsWith(`/${field}/`));
    if (issue || (field === 'password' && code === 'PASSWORD.WEAK')) errors.push({ field, text: t(`register.invalid.${field}`) });
  }
  if (errors.length === 0) errors.push({ field: 'name', text: t('problem.INPUT.INVALID') });
  return errors;
}

export function roleHome(role: string): string {
  return role === 'clerk' ? '/work' : role === 'admin' ? '/admin' : '/my/applications';
}

/** Runs an express middleware (a limiter) inside a page handler; its refusal is thrown. */
export function runMiddleware(middleware: (req: Request, res: Response, next: (error?: unknown) => void) => unknown, req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    void middleware(req, res, (error?: unknown) => (error ? reject(error) : resolve()));
  });
}
