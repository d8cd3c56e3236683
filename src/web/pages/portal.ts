/**
 * The citizen's portal after submission: their applications with the deadline, one application with
 * its timeline per department, the materials given and the certificates produced, the supplement notice answered in
 * place, withdrawal, the rating (好差评), and the wallet with each certificate's PDF, QR code and share link.
 * Every read and every action goes through the use cases the API calls, so the policy decides as it does there.
 */
import type { Request, Response, Router } from 'express';
import multer from 'multer';
import type { ApplicationDetail, ApplicationSummary, NoticeDetail } from '../../application/applications.js';
import type { MaterialClaim } from '../../definitions/index.js';
import type { ServiceDefinition } from '../../domain/definition.js';
import { OnevisitError, isOnevisitError } from '../../domain/errors.js';
import type { I18nText } from '../../domain/i18n.js';
import { UPLOAD_LIMIT_BYTES } from '../../domain/uploads.js';
import { FinalStates } from '../../domain/vocabulary.js';
import { chinaWallClock } from '../../domain/time.js';
import { requireCapability, type Subject } from '../../identity/policy.js';
import { contextOf, type PageContext } from '../context.js';
import { deadlineOf } from '../deadline.js';
import { departmentTimelines } from '../departmentTimeline.js';
import { MESSAGES } from '../messages/index.js';
import { qrSvg } from '../qrCode.js';
import { fieldId, itemTitle, readSupplement, supplementRequests, type PostedFile, type SupplementRequest } from '../supplement.js';
import type { PageKit } from '../kit.js';

/** The most files one supplement answer carries, and form fields (every requested field, the token, the version). */
const SUPPLEMENT_FILES = 20;
const SUPPLEMENT_FIELDS = 300;

/** The conflicts an action may meet when the application moved on meanwhile: shown above the fresh state, never a crash. */
const CONFLICTS = ['APPLICATION.CONFLICT', 'TRANSITION.NOT_ALLOWED', 'TASK.CLAIMED'] as const;

/** Whether the applicant may withdraw now: the engine's open actions for them, as the detail carries them. */
const mayWithdraw = (detail: { actions: readonly { type: string }[] }): boolean => detail.actions.some((a) => a.type === 'WITHDRAW');
const RATABLE: readonly string[] = ['completed', 'rejected'];

export function portalPages(router: Router, kit: PageKit): void {
  const { services } = kit;
  const upload = multer({ storage: multer.memoryStorage(), defParamCharset: 'utf8', limits: { fileSize: UPLOAD_LIMIT_BYTES, files: SUPPLEMENT_FILES, fields: SUPPLEMENT_FIELDS, parts: SUPPLEMENT_FILES + SUPPLEMENT_FIELDS } });

  /** The signed-in citizen: AUTH.REQUIRED (to sign-in) without a session, AUTH.FORBIDDEN for roles without a portal. */
  function citizen(res: Response): Subject {
    return kit.signedIn(res, 'application.submit');
  }

  const definitions = new Map<string, Promise<ServiceDefinition>>();
  /** The definition an application was made under (its own version), cached: published versions never change. */
  function definitionOf(serviceId: string, version: number): Promise<ServiceDefinition> {
    const key = `${serviceId}@${version}`;
    if (!definitions.has(key)) {
      const loading = services.catalog.get(serviceId, version) as Promise<ServiceDefinition>;
      loading.catch(() => definitions.delete(key));
      definitions.set(key, loading);
    }
    return definitions.get(key)!;
  }

  /** The application as its owner sees it: anyone else is told it does not exist, as the API's refusal does. */
  async function ownApplication(subject: Subject, id: string): Promise<ApplicationDetail> {
    const detail = await services.applications.get(subject, id);
    if (!isOwnerDetail(detail)) throw new OnevisitError('APPLICATION.NOT_FOUND', `no application ${id} of yours`);
    return detail;
  }

  // ── My applications ─────────────────────────────────────────────────────────────────────────────────────────
  router.get('/my/applications', async (_req: Request, res: Response) => {
    const subject = citizen(res);
    const page = contextOf(res);
    const [summaries, catalog, drafts] = await Promise.all([
      services.applications.list(subject, {}) as Promise<ApplicationSummary[]>,
      services.catalog.list(),
      services.drafts.list(subject),
    ]);
    const titleOf = (serviceId: string) => catalog.find((s) => s.id === serviceId)?.title ?? { 'zh-Hans': serviceId };
    const applications = [...summaries]
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .map((a) => ({
        id: a.id,
        number: a.number,
        serviceTitle: titleOf(a.serviceId),
        status: a.status,
        createdAt: a.createdAt,
        deadline: deadlineOf(a.dueAt, a.warning, services.time),
        final: (FinalStates as readonly string[]).includes(a.status),
      }));
    const draftRows = drafts.map((d) => ({ id: d.id, serviceId: d.serviceId, serviceTitle: titleOf(d.serviceId), updatedAt: d.updatedAt }));
    kit.render(res, 'portal/applications.njk', { applications, drafts: draftRows, locale: page.locale });
  });

  // ── One application ─────────────────────────────────────────────────────────────────────────────────────────
  router.get('/my/applications/:id', async (req: Request, res: Response) => {
    const subject = citizen(res);
    const detail = await ownApplication(subject, String(req.params.id));
    const done = typeof req.query.done === 'string' && ['supplement', 'withdrawn', 'rated'].includes(req.query.done) ? req.query.done : undefined;
    kit.render(res, 'portal/application.njk', { ...(await detailModel(subject, detail, contextOf(res))), ...(done ? { done } : {}) });
  });

  /** The detail page again, with a message above it (a conflict) or errors at the supplement's fields. */
  async function renderDetail(res: Response, subject: Subject, id: string, extra: { conflict?: string; errors?: { field: string; text: string }[] }, status: number) {
    const detail = await ownApplication(subject, id);
    kit.render(res, 'portal/application.njk', { ...(await detailModel(subject, detail, contextOf(res))), ...extra }, status);
  }

  async function detailModel(subject: Subject, detail: ApplicationDetail, page: PageContext) {
    const definition = await definitionOf(detail.serviceId, detail.serviceVersion);
    const reference = services.reference();
    const departmentTitle = (id: string): I18nText => reference.departments.find((d) => d.id === id)?.title ?? { 'zh-Hans': id };
    const materialTitle = (id: string): I18nText => definition.materials.find((m) => m.id === id)?.title ?? { 'zh-Hans': id };
    const certificateTypeTitle = (id: string): I18nText => reference.certificateTypes.find((c) => c.id === id)?.title ?? { 'zh-Hans': id };
    const [materials, wallet] = await Promise.all([materialRows(subject, detail, materialTitle, certificateTypeTitle), services.certificates.wallet(subject)]);
    const requests = detail.status === 'supplement_requested' ? supplementRequests(detail, definition) : [];
    const certificates = wallet
      .filter((c) => c.applicationId === detail.id)
      .map((c) => ({ id: c.id, title: certificateTypeTitle(c.type), holderName: c.holderName, issuer: departmentTitle(c.issuer), standing: c.standing }));
    const label = (item: string) => {
      const title = itemTitle(item, definition);
      return typeof title === 'string' ? title : page.l(title);
    };
    const timelines = departmentTimelines(detail, definition).map((s) => ({
      ...s,
      title: departmentTitle(s.department),
      events: s.events.map((e) => ({ ...e, time: chinaWallClock(e.at).toISOString().slice(11, 16), itemLabels: (e.items ?? []).map(label) })),
    }));
    return {
      application: {
        id: detail.id,
        number: detail.number,
        status: detail.status,
        version: detail.version,
        serviceTitle: definition.title,
        serviceId: detail.serviceId,
        createdAt: detail.createdAt,
        clock: detail.clock,
        promisedDays: definition.promisedDays + detail.extensionDays,
        deadline: deadlineOf(detail.dueAt, detail.warning, services.time),
        rating: detail.rating,
      },
      timelines,
      materials,
      owed: detail.owed.map((m) => materialTitle(m)),
      certificates,
      requests: requests.map((r) => ({ ...r, departmentTitle: departmentTitle(r.department) })),
      canWithdraw: mayWithdraw(detail),
      canRate: RATABLE.includes(detail.status) && !detail.rating,
    };
  }

  /** The materials the citizen gave: uploaded files by name, certificates taken from the wallet, commitments. */
  async function materialRows(subject: Subject, detail: ApplicationDetail, materialTitle: (id: string) => I18nText, typeTitle: (id: string) => I18nText) {
    const definition = await definitionOf(detail.serviceId, detail.serviceVersion);
    return Promise.all(
      Object.values(detail.materials).map(async (m) => {
        const row = { materialId: m.materialId, title: materialTitle(m.materialId), source: m.source, fromWallet: m.fromWallet === true };
        if (m.source === 'file' && m.fileId) {
          const file = await services.files.get(subject, m.fileId).catch(() => undefined);
          return { ...row, fileName: file?.originalName || m.materialId, size: file?.size, href: `/api/v1/applications/${encodeURIComponent(detail.id)}/materials/${encodeURIComponent(m.materialId)}` };
        }
        if (m.source === 'certificate') {
          const type = definition.materials.find((d) => d.id === m.materialId)?.satisfiedBy;
          return { ...row, certificateId: m.certificateId, certificateTitle: type ? typeTitle(type) : undefined };
        }
        return row;
      }),
    );
  }

  // ── The supplement, answered in place ───────────────────────────────────────────────────────────────────────
  router.post(
    '/my/applications/:id/supplement',
    (req: Request, res: Response, next) => {
      citizen(res);
      upload.any()(req, res, (error?: unknown) => {
        if (!error) return next();
        kit.checkCsrf(req, res);
        const code = error instanceof multer.MulterError && error.code === 'LIMIT_FILE_SIZE' ? 'FILE.TOO_LARGE' : 'INPUT.INVALID';
        void renderDetail(res, citizen(res), String(req.params.id), { conflict: problemText(contextOf(res), code) }, 400).catch(next);
      });
    },
    async (req: Request, res: Response) => {
      kit.checkCsrf(req, res);
      const subject = citizen(res);
      const id = String(req.params.id);
      const page = contextOf(res);
      const body = req.body as Record<string, unknown>;
      const detail = await ownApplication(subject, id);
      const expected = Number(body.version);
      if (detail.status !== 'supplement_requested' || detail.version !== expected) {
        return renderDetail(res, subject, id, { conflict: problemText(page, detail.status !== 'supplement_requested' ? 'TRANSITION.NOT_ALLOWED' : 'APPLICATION.CONFLICT') }, 409);
      }
      const definition = await definitionOf(detail.serviceId, detail.serviceVersion);
      const requests = supplementRequests(detail, definition);
      const answer = readSupplement(requests, detail.form, body, (req.files as PostedFile[] | undefined) ?? []);
      if (answer.errors.length > 0) {
        const errors = answer.errors.map((e) => ({ field: e.field, text: page.t(`portal.supplement.${e.kind}`, { item: typeof e.label === 'string' ? e.label : page.l(e.label) }) }));
        return renderDetail(res, subject, id, { errors }, 422);
      }
      // Files first, as the applicant's own (the type is sniffed, the size capped); a refused file is named at its input.
      const claims = new Map<SupplementRequest, MaterialClaim[]>();
      for (const request of requests) {
        const given: MaterialClaim[] = [];
        for (const { materialId, file } of answer.files.get(request) ?? []) {
          try {
            const record = await services.files.upload(subject, { data: file.buffer, originalName: file.originalname, declaredType: file.mimetype });
            given.push({ materialId, fileId: record.fileId });
          } catch (error) {
            if (isOnevisitError(error) && error.code.startsWith('FILE.')) {
              return renderDetail(res, subject, id, { errors: [{ field: file.fieldname, text: problemText(page, error.code) }] }, 422);
            }
            throw error;
          }
        }
        claims.set(request, given);
      }
      const comment = typeof body.comment === 'string' ? body.comment.trim().slice(0, 2000) : '';
      try {
        let version = expected;
        // One SUPPLEMENT per open request: the window's carries the corrected form; a returned matter names itself.
        for (const request of requests) {
          const materials = claims.get(request) ?? [];
          const event = {
            type: 'SUPPLEMENT' as const,
            ...(request.matter !== undefined ? { matter: request.matter } : {}),
            ...(comment ? { comment } : {}),
            ...(materials.length ? { materials } : {}),
            ...(request.matter === undefined && answer.form ? { data: { form: answer.form } } : {}),
          };
          version = (await services.applications.act(subject, id, event, version)).version;
        }
      } catch (error) {
        if (isConflict(error)) return renderDetail(res, subject, id, { conflict: problemText(page, error.code) }, 409);
        if (isOnevisitError(error) && ['FORM.INVALID', 'EVENT.INVALID', 'INPUT.INVALID', 'MATERIAL.INVALID'].includes(error.code)) {
          const errors = (error.errors.length ? error.errors : [{ path: '', code: error.code, message: error.message }]).map((issue) => ({
            field: issue.path.startsWith('/data/form/') ? fieldId(issue.path.slice('/data/form'.length)) : 'supplement-note',
            text: issueText(page, issue.code, error.code, issue.path.startsWith('/data/form/') ? itemTitle(issue.path.slice('/data/form'.length), definition) : ''),
          }));
          return renderDetail(res, subject, id, { errors }, 422);
        }
        if (isOnevisitError(error) && error.code.startsWith('FILE.')) return renderDetail(res, subject, id, { errors: [{ field: 'supplement-note', text: problemText(page, error.code) }] }, 422);
        throw error;
      }
      res.redirect(303, `/my/applications/${encodeURIComponent(id)}?done=supplement`);
    },
  );

  // ── Withdraw ────────────────────────────────────────────────────────────────────────────────────────────────
  router.get('/my/applications/:id/withdraw', async (req: Request, res: Response) => {
    const subject = citizen(res);
    const detail = await ownApplication(subject, String(req.params.id));
    const definition = await definitionOf(detail.serviceId, detail.serviceVersion);
    if (!mayWithdraw(detail)) return res.redirect(303, `/my/applications/${encodeURIComponent(detail.id)}`);
    kit.render(res, 'portal/withdraw.njk', { application: { id: detail.id, number: detail.number, version: detail.version, serviceTitle: definition.title, status: detail.status } });
  });
  router.post('/my/applications/:id/withdraw', async (req: Request, res: Response) => {
    kit.checkCsrf(req, res);
    const subject = citizen(res);
    const id = String(req.params.id);
    const body = req.body as Record<string, unknown>;
    const version = Number(body.version);
    const comment = typeof body.reason === 'string' ? body.reason.trim().slice(0, 2000) : '';
    try {
      await services.applications.act(subject, id, { type: 'WITHDRAW', ...(comment ? { comment } : {}) }, Number.isInteger(version) ? version : undefined);
    } catch (error) {
      if (isConflict(error)) return renderDetail(res, subject, id, { conflict: problemText(contextOf(res), error.code) }, 409);
      throw error;
    }
    res.redirect(303, `/my/applications/${encodeURIComponent(id)}?done=withdrawn`);
  });

  // ── Rate (好差评) ───────────────────────────────────────────────────────────────────────────────────────────
  router.get('/my/applications/:id/rate', async (req: Request, res: Response) => {
    const subject = citizen(res);
    const detail = await ownApplication(subject, String(req.params.id));
    if (!RATABLE.includes(detail.status) || detail.rating) return res.redirect(303, `/my/applications/${encodeURIComponent(detail.id)}`);
    kit.render(res, 'portal/rate.njk', await rateModel(detail, {}));
  });
  router.post('/my/applications/:id/rate', async (req: Request, res: Response) => {
    kit.checkCsrf(req, res);
    const subject = citizen(res);
    const id = String(req.params.id);
    const page = contextOf(res);
    const body = req.body as Record<string, unknown>;
    const score = typeof body.score === 'string' && /^[1-5]$/.test(body.score) ? Number(body.score) : undefined;
    const comment = typeof body.comment === 'string' ? body.comment.trim() : '';
    const detail = await ownApplication(subject, id);
    const errors = [];
    if (score === undefined) errors.push({ field: 'score', text: page.t('portal.rate.required') });
    if (comment.length > 2000) errors.push({ field: 'comment', text: page.t('portal.rate.tooLong') });
    if (errors.length) return kit.render(res, 'portal/rate.njk', await rateModel(detail, { errors, comment }), 422);
    try {
      await services.applications.rate(subject, id, { score, ...(comment ? { comment } : {}) });
    } catch (error) {
      if (isOnevisitError(error, 'RATING.NOT_ALLOWED') || isConflict(error)) return renderDetail(res, subject, id, { conflict: page.t('portal.rate.notAllowed') }, 409);
      throw error;
    }
    res.redirect(303, `/my/applications/${encodeURIComponent(id)}?done=rated`);
  });

  async function rateModel(detail: ApplicationDetail, extra: { errors?: { field: string; text: string }[]; comment?: string }) {
    const definition = await definitionOf(detail.serviceId, detail.serviceVersion);
    return { application: { id: detail.id, number: detail.number, serviceTitle: definition.title, status: detail.status }, comment: '', ...extra };
  }

  // ── The wallet (证照夹) ─────────────────────────────────────────────────────────────────────────────────────
  router.get('/my/wallet', async (_req: Request, res: Response) => {
    const subject = citizen(res);
    const page = contextOf(res);
    const reference = services.reference();
    const wallet = await services.certificates.wallet(subject);
    const certificates = await Promise.all(
      wallet.map(async (c) => {
        const title = reference.certificateTypes.find((x) => x.id === c.type)?.title ?? { 'zh-Hans': c.type };
        const verifyUrl = services.verifyUrl(c.id);
        return {
          id: c.id,
          title,
          holderName: c.holderName,
          holderId: c.holderId,
          issuer: reference.departments.find((d) => d.id === c.issuer)?.title ?? { 'zh-Hans': c.issuer },
          issuedAt: c.issuedAt,
          validUntil: c.validUntil,
          standing: c.standing,
          verifyUrl,
          qr: await qrSvg(verifyUrl, page.t('portal.wallet.qrLabel', { title: page.l(title) })),
        };
      }),
    );
    kit.render(res, 'portal/wallet.njk', { certificates });
  });
  router.get('/my/wallet/:id/pdf', async (req: Request, res: Response) => {
    const subject = citizen(res);
    const { certificate, pdf } = await services.certificates.pdf(subject, String(req.params.id));
    res
      .status(200)
      .type('application/pdf')
      .set('Content-Disposition', `inline; filename="${certificate.id}.pdf"`)
      .set('Cache-Control', 'private, no-store')
      .set('X-Content-Type-Options', 'nosniff')
      .send(pdf);
  });
}

function isOwnerDetail(detail: ApplicationDetail | NoticeDetail): detail is ApplicationDetail {
  return detail.access === 'owner';
}

function isConflict(error: unknown): error is OnevisitError {
  return isOnevisitError(error) && (CONFLICTS as readonly string[]).includes(error.code);
}

/** A refusal in the page's words: the registry's code when it has a message, else the general one. */
function problemText(page: PageContext, code: string): string {
  return MESSAGES[page.locale][`problem.${code}`] !== undefined ? page.t(`problem.${code}`) : page.t('problem.fallback');
}

/** One problem at a field, naming it by its title: its issue code's message when there is one, else its error's. */
function issueText(page: PageContext, issueCode: string, errorCode: string, field: I18nText | string): string {
  const name = typeof field === 'string' ? field : page.l(field);
  return MESSAGES[page.locale][`issue.${issueCode}`] !== undefined ? page.t(`issue.${issueCode}`, { field: name }) : problemText(page, errorCode);
}

