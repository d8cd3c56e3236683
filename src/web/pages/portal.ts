/**
 * The citizen's portal after submission: their applications with the deadline, one application with
 * its timeline per department, the materials given and the certificates produced, the supplement notice answered in
 * place, the deferred materials (容缺后补) sent once accepted, a fee paid outside onevisit recorded by its reference,
 * the receipt printed again with a new check code, withdrawal, the rating (好差评), and the wallet with each
 * certificate's PDF, QR code and share link.
 * Every read and every action goes through the use cases the API calls, so the policy decides as it does there.
 */
import type { Request, Response, Router } from 'express';
import multer from 'multer';
import type { ApplicationDetail, ApplicationSummary, NoticeDetail } from '../../application/applications.js';
import { topState, type MaterialClaim } from '../../definitions/index.js';
import { stepId, type ServiceDefinition } from '../../domain/definition.js';
import { OnevisitError, isOnevisitError, type ErrorCode } from '../../domain/errors.js';
import type { I18nText } from '../../domain/i18n.js';
import { UPLOAD_LIMIT_BYTES } from '../../domain/uploads.js';
import { FinalStates, type EventType } from '../../domain/vocabulary.js';
import { chinaWallClock } from '../../domain/time.js';
import { allows, requireCapability, type Subject } from '../../identity/policy.js';
import { contextOf, type PageContext } from '../context.js';
import { deadlineOf } from '../deadline.js';
import { departmentTimelines } from '../departmentTimeline.js';
import { MESSAGES } from '../messages/index.js';
import { qrSvg } from '../qrCode.js';
import { receiptModel } from '../receipt.js';
import { fieldId, itemTitle, readSupplement, supplementRequests, type PostedFile, type SupplementRequest } from '../supplement.js';
import type { PageKit } from '../kit.js';
import { uploadTypes } from './applyJourney.js';

/** The most files one supplement answer carries, and form fields (every requested field, the token, the version). */
const SUPPLEMENT_FILES = 20;
const SUPPLEMENT_FIELDS = 300;

/** The conflicts an action may meet when the application moved on meanwhile: shown above the fresh state, never a crash. */
const CONFLICTS = ['APPLICATION.CONFLICT', 'TRANSITION.NOT_ALLOWED', 'TASK.CLAIMED'] as const;

/** Whether the applicant may send `type` now: the engine's open actions for them, as the detail carries them. */
/** The refusals of a supplement whose issues are shown at the notice's inputs. */
const ANSWERED_AT_FIELDS = ['FORM.INVALID', 'EVENT.INVALID', 'INPUT.INVALID', 'MATERIALS.INVALID'] as const satisfies readonly ErrorCode[];
const offers = (detail: { actions: readonly { type: string }[] }, type: EventType): boolean => detail.actions.some((a) => a.type === type);
/** The longest payment reference recorded (a bank's serial number, an e-payment slip's number). */
const PAYMENT_REFERENCE_MAX = 100;
/** The file input of an owed material. */
const owedInput = (materialId: string) => `owed-${materialId}`;

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
    const done = typeof req.query.done === 'string' && ['supplement', 'materials', 'paid', 'withdrawn', 'rated'].includes(req.query.done) ? req.query.done : undefined;
    kit.render(res, 'portal/application.njk', { ...(await detailModel(subject, detail, contextOf(res))), ...(done ? { done } : {}) });
  });

  /** The detail page again, with a message above it (a conflict) or errors at the fields of its forms. */
  async function renderDetail(res: Response, subject: Subject, id: string, extra: { conflict?: string; errors?: { field: string; text: string }[]; values?: Record<string, string> }, status: number) {
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
    const requests = detail.status === 'supplement_requested' ? supplementRequests(detail, definition, page.locale) : [];
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
      // Owed since acceptance: each with what its upload takes, sent together as the applicant's PROVIDE_MATERIALS.
      owedUploads: offers(detail, 'PROVIDE_MATERIALS') ? detail.owed.map((id) => owedUpload(definition, id)) : [],
      owedBy: detail.owedBy,
      limitMb: UPLOAD_LIMIT_BYTES / 1024 / 1024,
      payment: offers(detail, 'PAY') ? paymentOf(definition, detail, page, departmentTitle) : undefined,
      certificates,
      requests: requests.map((r) => ({ ...r, departmentTitle: departmentTitle(r.department) })),
      canWithdraw: offers(detail, 'WITHDRAW'),
      canReprint: allows(detail.access, 'reprint'),
      canRate: detail.mayRate,
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

  /**
   * The multipart body of a form with files (the citizen asked first, so nobody else's bytes are read). A body multer
   * refuses is the page again: a file too large at its input, anything else above the page.
   */
  function multipart(req: Request, res: Response, next: (error?: unknown) => void): void {
    citizen(res);
    upload.any()(req, res, (error?: unknown) => {
      if (!error) return next();
      kit.checkCsrf(req, res);
      const page = contextOf(res);
      const tooLarge = error instanceof multer.MulterError && error.code === 'LIMIT_FILE_SIZE';
      const shown = tooLarge && error.field ? { errors: [{ field: error.field, text: problemText(page, 'FILE.TOO_LARGE') }] } : { conflict: problemText(page, tooLarge ? 'FILE.TOO_LARGE' : 'INPUT.INVALID') };
      void renderDetail(res, citizen(res), String(req.params.id), shown, 400).catch(next);
    });
  }

  /**
   * Uploads the posted files as the applicant's own, through the file use case the API uses (the type is sniffed,
   * the size capped): the claims, or the refusal of the first file refused, named at its input.
   */
  async function uploadClaims(subject: Subject, page: PageContext, given: readonly { materialId: string; file: PostedFile }[]): Promise<{ claims: MaterialClaim[] } | { error: { field: string; text: string } }> {
    const claims: MaterialClaim[] = [];
    for (const { materialId, file } of given) {
      try {
        const record = await services.files.upload(subject, { data: file.buffer, originalName: file.originalname, declaredType: file.mimetype });
        claims.push({ materialId, fileId: record.fileId });
      } catch (error) {
        if (isOnevisitError(error) && error.code.startsWith('FILE.')) return { error: { field: file.fieldname, text: problemText(page, error.code) } };
        throw error;
      }
    }
    return { claims };
  }

  // ── The supplement, answered in place ───────────────────────────────────────────────────────────────────────
  router.post(
    '/my/applications/:id/supplement',
    multipart,
    async (req: Request, res: Response) => {
      const posted = await postedEvent(req, res, 'SUPPLEMENT');
      if (!posted) return;
      const { subject, id, page, body, detail, expected } = posted;
      const definition = await definitionOf(detail.serviceId, detail.serviceVersion);
      const requests = supplementRequests(detail, definition, page.locale);
      const answer = readSupplement(requests, detail.form, body, (req.files as PostedFile[] | undefined) ?? []);
      if (answer.errors.length > 0) {
        const errors = answer.errors.map((e) => ({ field: e.field, text: page.t(`portal.supplement.${e.kind}`, { item: typeof e.label === 'string' ? e.label : page.l(e.label) }) }));
        return renderDetail(res, subject, id, { errors }, 422);
      }
      // Files first, as the applicant's own; a refused file is named at its input.
      const claims = new Map<SupplementRequest, MaterialClaim[]>();
      for (const request of requests) {
        const uploaded = await uploadClaims(subject, page, answer.files.get(request) ?? []);
        if ('error' in uploaded) return renderDetail(res, subject, id, { errors: [uploaded.error] }, 422);
        claims.set(request, uploaded.claims);
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
        if (isOnevisitError(error) && (ANSWERED_AT_FIELDS as readonly string[]).includes(error.code)) {
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

  /**
   * A posted form that sends the applicant's `type`: the CSRF token checked, the citizen, the fresh detail and the
   * version the page showed; or, when the event is not open to them now or the page is stale, the page again with the
   * conflict above it (409) and nothing to do.
   */
  async function postedEvent(req: Request, res: Response, type: EventType) {
    kit.checkCsrf(req, res);
    const subject = citizen(res);
    const id = String(req.params.id);
    const page = contextOf(res);
    const body = req.body as Record<string, unknown>;
    const detail = await ownApplication(subject, id);
    const expected = Number(body.version);
    if (!offers(detail, type) || detail.version !== expected) {
      await renderDetail(res, subject, id, { conflict: problemText(page, offers(detail, type) ? 'APPLICATION.CONFLICT' : 'TRANSITION.NOT_ALLOWED') }, 409);
      return undefined;
    }
    return { subject, id, page, body, detail, expected };
  }

  // ── Deferred materials (容缺后补), sent once accepted ─────────────────────────────────────────────────────────────
  router.post('/my/applications/:id/materials', multipart, async (req: Request, res: Response) => {
    const posted = await postedEvent(req, res, 'PROVIDE_MATERIALS');
    if (!posted) return;
    const { subject, id, page, detail, expected } = posted;
    // What is owed may follow one at a time: the files chosen now are sent, the rest stays owed.
    const files = (req.files as PostedFile[] | undefined) ?? [];
    const given = detail.owed.flatMap((materialId) => {
      const file = files.find((f) => f.fieldname === owedInput(materialId) && f.size > 0);
      return file ? [{ materialId, file }] : [];
    });
    if (given.length === 0) return renderDetail(res, subject, id, { errors: [{ field: owedInput(detail.owed[0]!), text: page.t('portal.owed.required') }] }, 422);
    const uploaded = await uploadClaims(subject, page, given);
    if ('error' in uploaded) return renderDetail(res, subject, id, { errors: [uploaded.error] }, 422);
    try {
      await services.applications.act(subject, id, { type: 'PROVIDE_MATERIALS', materials: uploaded.claims }, expected);
    } catch (error) {
      if (isConflict(error)) return renderDetail(res, subject, id, { conflict: problemText(page, error.code) }, 409);
      if (isOnevisitError(error, 'MATERIALS.INVALID')) {
        const definition = await definitionOf(detail.serviceId, detail.serviceVersion);
        // Each problem at the input of the claim it names (`/materials/<index>…`).
        const errors = error.errors.map((issue) => {
          const claim = uploaded.claims[Number(/^\/materials\/(\d+)/.exec(issue.path)?.[1])] ?? uploaded.claims[0]!;
          return { field: owedInput(claim.materialId), text: issueText(page, issue.code, error.code, itemTitle(claim.materialId, definition)) };
        });
        return renderDetail(res, subject, id, { errors }, 422);
      }
      throw error;
    }
    res.redirect(303, `/my/applications/${encodeURIComponent(id)}?done=materials`);
  });

  // ── A fee (缴费), paid outside onevisit and recorded here by its reference ──────────────────────────────────────
  router.post('/my/applications/:id/pay', async (req: Request, res: Response) => {
    const posted = await postedEvent(req, res, 'PAY');
    if (!posted) return;
    const { subject, id, page, body, expected } = posted;
    const reference = typeof body.reference === 'string' ? body.reference.trim() : '';
    if (reference === '' || reference.length > PAYMENT_REFERENCE_MAX) {
      const text = page.t(reference === '' ? 'portal.pay.referenceRequired' : 'portal.pay.referenceTooLong', { max: PAYMENT_REFERENCE_MAX });
      return renderDetail(res, subject, id, { errors: [{ field: 'payment-reference', text }], values: { reference } }, 422);
    }
    try {
      // The reference is the event's comment: the department's clerk reads it on the timeline to match the payment.
      await services.applications.act(subject, id, { type: 'PAY', comment: reference }, expected);
    } catch (error) {
      if (isConflict(error)) return renderDetail(res, subject, id, { conflict: problemText(page, error.code) }, 409);
      throw error;
    }
    res.redirect(303, `/my/applications/${encodeURIComponent(id)}?done=paid`);
  });

  // ── The receipt printed again, with a new check code ────────────────────────────────────────────────────────────
  router.post('/my/applications/:id/receipt', async (req: Request, res: Response) => {
    kit.checkCsrf(req, res);
    const subject = citizen(res);
    const detail = await ownApplication(subject, String(req.params.id));
    const { checkCode } = await services.progress.reissueCheckCode(subject, detail.id);
    const definition = await definitionOf(detail.serviceId, detail.serviceVersion);
    kit.render(res, 'apply/confirmation.njk', { audience: 'citizen', reprint: true, ...receiptModel({ ...detail, checkCode }, definition, contextOf(res), services.reference().departments) });
  });

  // ── Withdraw ────────────────────────────────────────────────────────────────────────────────────────────────
  router.get('/my/applications/:id/withdraw', async (req: Request, res: Response) => {
    const subject = citizen(res);
    const detail = await ownApplication(subject, String(req.params.id));
    const definition = await definitionOf(detail.serviceId, detail.serviceVersion);
    if (!offers(detail, 'WITHDRAW')) return res.redirect(303, `/my/applications/${encodeURIComponent(detail.id)}`);
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
    if (!detail.mayRate) return res.redirect(303, `/my/applications/${encodeURIComponent(detail.id)}`);
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

/** The fee of the payment step the application waits in: how much, to which department, in the page's words. */
function paymentOf(definition: ServiceDefinition, detail: ApplicationDetail, page: PageContext, departmentTitle: (id: string) => I18nText) {
  const step = definition.steps.find((s) => s.kind === 'payment' && stepId(s) === topState(detail.stateValue));
  if (step?.kind !== 'payment') return undefined;
  return {
    title: step.title,
    amount: new Intl.NumberFormat(page.locale, { style: 'currency', currency: 'CNY' }).format(step.amount),
    department: departmentTitle(step.department),
    maxLength: PAYMENT_REFERENCE_MAX,
  };
}

/** An owed material's upload: what it is, and what the file may be, shown before it is chosen. */
function owedUpload(definition: ServiceDefinition, materialId: string) {
  const material = definition.materials.find((m) => m.id === materialId);
  return {
    materialId,
    inputId: owedInput(materialId),
    title: material?.title ?? { 'zh-Hans': materialId },
    ...(material?.description ? { description: material.description } : {}),
    ...uploadTypes(material ?? {}),
  };
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
  return MESSAGES[page.locale][`issue.${issueCode}`] !== undefined ? page.t(`issue.${issueCode}`, { field: name, material: name }) : problemText(page, errorCode);
}

