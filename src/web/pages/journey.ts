/**
 * One journey, two audiences: the question pages, the materials and check your answers that the citizen's application
 * (/apply/:serviceId/…, their own draft) and the window clerk's counter intake (/work/intake/:draftId/…, an intake
 * draft entered for the applicant) both walk, up to the submission and its receipt. `journeyPages` registers those
 * routes under the area's path, with what differs given by the area (`JourneySpec`): which draft the request is on
 * and how it is kept and sent, whose wallet the materials are taken from, the policy's capability asked through
 * `kit.signedIn`, whom the pages speak to, and the last page's box and views. It hands back what the area's task list
 * builds on.
 */
import type { Request, Response, Router } from 'express';
import multer from 'multer';
import { OnevisitError, isOnevisitError } from '../../domain/errors.js';
import { UPLOAD_LIMIT_BYTES } from '../../domain/uploads.js';
import { chinaDate } from '../../domain/time.js';
import { compileDefinition, type CompiledService, type MaterialClaim } from '../../definitions/index.js';
import type { ServiceDefinition } from '../../domain/definition.js';
import type { Principal } from '../../identity/index.js';
import type { SubmittedApplication } from '../../application/applications.js';
import type { Capability } from '../../identity/policy.js';
import { contextOf } from '../context.js';
import { receiptModel } from '../receipt.js';
import { MESSAGES } from '../messages/index.js';
import type { apply } from '../messages/apply.js';
import type { intake } from '../messages/intake.js';
import type { PageKit } from '../kit.js';
import type { Posted } from '../form/components.js';
import { applyListAction, readSection, sectionPage, sectionsOf, type Section } from '../form/sections.js';
import { flatten, sectionErrors, type FieldError } from '../form/validate.js';
import { fieldId, type Schema } from '../form/schema.js';
import { applicableClaims, materialModels, materialsStatus, sectionStates, summaryRows, type MaterialModel, type TaskStatus } from './applyJourney.js';

/** Whom the pages speak to: the citizen of their own application, or the clerk entering one for the applicant. */
export type Audience = 'citizen' | 'clerk';

type Suffix<K, Area extends string> = K extends `${Area}.${infer S}` ? S : never;
/**
 * The messages worded for each audience: `apply.<x>` to the citizen ("taken from your wallet"), `intake.<x>` to the
 * clerk ("taken from the applicant's wallet"). The shared views pick them by the model's `audience` the same way
 * (`{% set say = 'intake.' if audience == 'clerk' else 'apply.' %}`).
 */
export type Worded = Suffix<keyof (typeof apply)['zh-Hans'], 'apply'> & Suffix<keyof (typeof intake)['zh-Hans'], 'intake'>;

export function worded(audience: Audience, key: Worded): string {
  return `${audience === 'clerk' ? 'intake' : 'apply'}.${key}`;
}

export interface JourneyService {
  definition: ServiceDefinition;
  compiled: CompiledService;
  form: Schema;
}

/** What one request of the journey is on. */
export interface Journey<D> {
  principal: Principal;
  serviceId: string;
  service: JourneyService;
  /** The draft the pages are on (the citizen's: the latest of the service, none before the first save). */
  draft: D;
  /** Where the journey's pages are: `/apply/<serviceId>`, `/work/intake/<draftId>`. */
  base: string;
  form: Record<string, unknown>;
  claims: readonly MaterialClaim[];
}

/** What differs between the citizen's journey and the clerk's. */
export interface JourneySpec<D, S extends SubmittedApplication> {
  /** The task list's route, with the parameter naming the journey: `/apply/:serviceId`, `/work/intake/:draftId`. */
  route: string;
  /** The policy's capability a visitor must hold, asked through `kit.signedIn` before anything is read. */
  capability: Capability;
  audience: Audience;
  /** The draft the request names, which service it is of and where its pages are. */
  open(principal: Principal, req: Request): Promise<{ serviceId: string; draft: D; base: string; form: Record<string, unknown>; claims: readonly MaterialClaim[] }>;
  /** Keeps the form and the materials as the draft (the citizen's first save creates it). */
  save(j: Journey<D>, form: Record<string, unknown>, materials: MaterialClaim[]): Promise<unknown>;
  /** The applicant's valid certificates, for the materials one satisfies (免提交), as the submission would take them. */
  wallet(j: Journey<D>): Promise<readonly { id: string; type: string; issuedAt: string }[]>;
  /** The last page (`declaration`): the citizen's declaration, the clerk's word that the applicant checked and signed. */
  finish: {
    /** Its title on the task list (a message key). */
    title: string;
    view: string;
    /** The checkbox that must be ticked (`yes`) to submit, and the message when it is not (400). */
    tick: string;
    required: string;
    /** What the view shows besides the service (the applicant). */
    model?: (j: Journey<D>) => object;
    /** How the draft is sent by its use case; none while there is no draft yet (back to the task list). */
    send(j: Journey<D>): (() => Promise<S>) | undefined;
    /** A refusal the page words itself (the applicant's name and id number do not match: 409), beside the form's and materials'. */
    refusal?: (error: unknown) => { key: string; status: number } | undefined;
    /** The confirmation or the receipt (201), and what it shows besides the number, the check code and what happens next. */
    receipt: string;
    receiptModel?: (j: Journey<D>, sent: S) => object;
  };
}

/** Compiled once per published hash: the conditions the materials are decided by. */
const compiledByHash = new Map<string, CompiledService>();

export function journeyPages<D, S extends SubmittedApplication>(router: Router, kit: PageKit, spec: JourneySpec<D, S>) {
  const { services } = kit;
  const { route, audience } = spec;
  const upload = multer({ storage: multer.memoryStorage(), defParamCharset: 'utf8', limits: { fileSize: UPLOAD_LIMIT_BYTES, files: 1, fields: 5, parts: 6 } });

  async function serviceOf(id: string): Promise<JourneyService> {
    const published = await services.catalog.get(id);
    let compiled = compiledByHash.get(published.hash);
    if (!compiled) {
      const { hash: _hash, publishedAt: _at, diagram: _diagram, ...definition } = published;
      compiled = compileDefinition(definition as ServiceDefinition);
      if (compiledByHash.size > 200) compiledByHash.clear();
      compiledByHash.set(published.hash, compiled);
    }
    return { definition: compiled.definition, compiled, form: compiled.definition.form as Schema };
  }

  /** The signed-in visitor of the capability (or the sign-in page, or the forbidden page), and their draft. */
  async function open(req: Request, res: Response): Promise<Journey<D>> {
    const principal = kit.signedIn(res, spec.capability);
    const opened = await spec.open(principal, req);
    return { principal, ...opened, service: await serviceOf(opened.serviceId) };
  }

  const serviceModel = (res: Response, j: Journey<D>) => ({ id: j.serviceId, title: contextOf(res).l(j.service.definition.title) });

  async function materialsOf(res: Response, j: Journey<D>): Promise<MaterialModel[]> {
    const page = contextOf(res);
    const reference = services.reference();
    const wallet = j.service.definition.materials.some((m) => m.satisfiedBy) ? await spec.wallet(j) : [];
    const names = new Map<string, string>();
    for (const claim of j.claims) {
      if (!claim.fileId) continue;
      try {
        names.set(claim.fileId, (await services.files.get(j.principal, claim.fileId)).originalName);
      } catch (error) {
        if (!isOnevisitError(error, 'FILE.NOT_FOUND')) throw error;
      }
    }
    return materialModels({
      definition: j.service.definition,
      applies: (m) => j.service.compiled.applies(`material:${m.id}`, j.form),
      claims: j.claims,
      fromWallet: (type) => {
        const found = wallet.find((c) => c.type === type);
        return found ? { id: found.id, title: page.l(reference.certificateTypes.find((c) => c.id === type)?.title) || type, issuedAt: chinaDate(found.issuedAt) } : undefined;
      },
      fileName: (id) => names.get(id),
      deferredUntil: (days) => chinaDate(services.time.calendar().addWorkingDays(services.time.now(), days)),
      locale: page.locale,
    });
  }

  // ── The task list's groups (the area renders them with what it adds) ──────────────────────────────────────────────

  /** The form's sections, the materials, then check your answers and the last page (the declaration, the confirmation). */
  async function tasks(res: Response, j: Journey<D>) {
    const page = contextOf(res);
    const sections = sectionStates(j.service.form, j.form, page.locale, page.t);
    const materialStatus = materialsStatus(await materialsOf(res, j), j.claims);
    const ready = sections.every((s) => s.status === 'completed' || s.status === 'optional') && materialStatus === 'completed';
    const item = (title: string, href: string | undefined, status: TaskStatus, hint?: string) => ({ title, href, status, hint });
    const last = (title: string, href: string) => item(title, ready ? href : undefined, ready ? 'notStarted' : 'cannotStart');
    return {
      groups: [
        { heading: page.t('apply.tasks.form'), items: sections.map((s) => item(s.title, `${j.base}/section/${encodeURIComponent(s.key)}`, s.status, s.required ? undefined : page.t('form.optionalTask'))) },
        { heading: page.t('apply.tasks.materials'), items: [item(page.t('apply.materials.title'), `${j.base}/materials`, materialStatus)] },
        { heading: page.t('apply.tasks.submit'), items: [last(page.t(worded(audience, 'check.title')), `${j.base}/check`), last(page.t(spec.finish.title), `${j.base}/declaration`)] },
      ],
      completed: sections.filter((s) => s.status === 'completed').length + (materialStatus === 'completed' ? 1 : 0),
      total: sections.length + 1,
    };
  }

  // ── The question pages ────────────────────────────────────────────────────────────────────────────────────────────

  function sectionOf(j: Journey<D>, form: Record<string, unknown>, key: string, res: Response): Section {
    const section = sectionsOf(j.service.form, form, contextOf(res).locale).find((s) => s.key === key);
    if (!section) throw new OnevisitError('ROUTE.NOT_FOUND', `no section ${key} asked now`);
    return section;
  }

  function renderSection(res: Response, j: Journey<D>, form: Record<string, unknown>, section: Section, errors: FieldError[] = [], status = 200) {
    const page = contextOf(res);
    const model = sectionPage(j.service.form, form, section, { locale: page.locale, t: page.t });
    kit.render(res, 'apply/section.njk', {
      audience,
      service: serviceModel(res, j),
      page: { ...model, fields: attachErrors(model.fields, errors) },
      action: `${j.base}/section/${encodeURIComponent(section.key)}`,
      back: j.base,
      errors,
    }, status);
  }

  router.get(`${route}/section/:key`, async (req: Request, res: Response) => {
    const j = await open(req, res);
    renderSection(res, j, j.form, sectionOf(j, j.form, String(req.params.key), res));
  });

  router.post(`${route}/section/:key`, async (req: Request, res: Response) => {
    kit.checkCsrf(req, res);
    const j = await open(req, res);
    const page = contextOf(res);
    const section = sectionOf(j, j.form, String(req.params.key), res);
    const body = req.body as Posted;
    const action = typeof body._action === 'string' ? body._action : 'save';
    let form = readSection(j.service.form, j.form, section.key, body);
    const listed = action.startsWith('add:') || action.startsWith('remove:') ? applyListAction(j.service.form, form, action) : undefined;
    if (listed) form = listed;
    const here = `${j.base}/section/${encodeURIComponent(section.key)}`;
    try {
      await spec.save(j, form, [...j.claims]);
    } catch (error) {
      const errors = draftErrors(error, res);
      if (!errors) throw error;
      return renderSection(res, j, form, section, errors, 422);
    }
    if (listed) return res.redirect(303, `${here}#${fieldId(action.startsWith('add:') ? action.slice(4).replace(/:\d+$/, '') : action.slice(7).replace(/\/\d+$/, ''))}`);
    if (action === 'later') return res.redirect(303, j.base);
    const fields = sectionPage(j.service.form, form, section, { locale: page.locale, t: page.t }).fields;
    const errors = sectionErrors(j.service.form, form, section.key, fields, page.t);
    // A question this answer has just opened (invoice types once invoices are needed) is asked, not reported as a
    // problem: only the questions the person was shown are; with none of those, the page again at the new one.
    const asked = new Set(flatten(sectionPage(j.service.form, j.form, section, { locale: page.locale, t: page.t }).fields).map((f) => f.id));
    const shown = errors.filter((e) => asked.has(e.field));
    if (shown.length > 0) return renderSection(res, j, form, section, shown, 422);
    if (errors.length > 0) return res.redirect(303, `${here}#${errors[0]!.field}`);
    const sections = sectionsOf(j.service.form, form, page.locale);
    const next = sections[sections.findIndex((s) => s.key === section.key) + 1];
    res.redirect(303, next ? `${j.base}/section/${encodeURIComponent(next.key)}` : j.base);
  });

  // ── The materials ─────────────────────────────────────────────────────────────────────────────────────────────────

  async function renderMaterials(res: Response, j: Journey<D>, errors: FieldError[] = [], status = 200) {
    kit.render(res, 'apply/materials.njk', { audience, service: serviceModel(res, j), materials: await materialsOf(res, j), base: j.base, limitMb: UPLOAD_LIMIT_BYTES / 1024 / 1024, errors }, status);
  }

  function materialOf(j: Journey<D>, materialId: string) {
    const material = j.service.definition.materials.find((m) => m.id === materialId);
    if (!material) throw new OnevisitError('ROUTE.NOT_FOUND', `no material ${materialId}`);
    return material;
  }

  router.get(`${route}/materials`, async (req: Request, res: Response) => renderMaterials(res, await open(req, res)));

  router.post(`${route}/materials/:materialId/upload`, (req: Request, res: Response, next) => {
    upload.single('file')(req, res, (error?: unknown) => {
      if (!error) return next();
      kit.checkCsrf(req, res);
      const code = (error as { code?: string }).code === 'LIMIT_FILE_SIZE' ? 'FILE.TOO_LARGE' : 'FILE.MISSING';
      void open(req, res).then((j) => renderMaterials(res, j, [{ field: `file-${String(req.params.materialId)}`, text: contextOf(res).t(`problem.${code}`) }], 400), next);
    });
  }, async (req: Request, res: Response) => {
    kit.checkCsrf(req, res);
    const j = await open(req, res);
    const materialId = String(req.params.materialId);
    const material = materialOf(j, materialId);
    const { t } = contextOf(res);
    const field = `file-${materialId}`;
    if (!req.file || req.file.size === 0) return renderMaterials(res, j, [{ field, text: t('problem.FILE.MISSING') }], 400);
    let record;
    try {
      // At the counter the scan is the clerk's upload until the submission makes it the applicant's.
      record = await services.files.upload(j.principal, { data: req.file.buffer, originalName: req.file.originalname, declaredType: req.file.mimetype });
    } catch (error) {
      if (isOnevisitError(error) && error.code.startsWith('FILE.')) return renderMaterials(res, j, [{ field, text: t(`problem.${error.code}`) }], 400);
      throw error;
    }
    if (material.mediaTypes && !material.mediaTypes.includes(record.mediaType)) {
      return renderMaterials(res, j, [{ field, text: t('apply.materials.wrongType', { formats: material.mediaTypes.map((m) => m.split('/')[1]!.toUpperCase().replace('JPEG', 'JPG')).join(' / ') }) }], 400);
    }
    await spec.save(j, j.form, [...j.claims.filter((c) => c.materialId !== materialId), { materialId, fileId: record.fileId }]);
    res.redirect(303, `${j.base}/materials#material-${materialId}`);
  });

  router.post(`${route}/materials/:materialId`, async (req: Request, res: Response) => {
    kit.checkCsrf(req, res);
    const j = await open(req, res);
    const materialId = String(req.params.materialId);
    const material = materialOf(j, materialId);
    const body = req.body as Record<string, unknown>;
    const others = j.claims.filter((c) => c.materialId !== materialId);
    let claims: MaterialClaim[];
    if (body._action === 'remove') claims = others;
    else if (material.commitment) {
      if (body.commit !== 'yes') return renderMaterials(res, j, [{ field: `commit-${materialId}`, text: contextOf(res).t(worded(audience, 'materials.commitRequired')) }], 400);
      claims = [...others, { materialId, commitment: true }];
    } else throw new OnevisitError('ROUTE.NOT_FOUND', `nothing to do for material ${materialId}`);
    await spec.save(j, j.form, claims);
    res.redirect(303, `${j.base}/materials#material-${materialId}`);
  });

  // ── Check your answers ────────────────────────────────────────────────────────────────────────────────────────────

  router.get(`${route}/check`, async (req: Request, res: Response) => {
    const j = await open(req, res);
    const page = contextOf(res);
    const sections = sectionStates(j.service.form, j.form, page.locale, page.t).map((s) => ({
      title: s.title,
      href: `${j.base}/section/${encodeURIComponent(s.key)}`,
      rows: summaryRows(s.fields, (f) => `${j.base}/section/${encodeURIComponent(s.key)}#${f.id}`, page.t),
    }));
    kit.render(res, 'apply/check.njk', { audience, service: serviceModel(res, j), sections, materials: await materialsOf(res, j), base: j.base });
  });

  // ── The declaration (the applicant's signed confirmation at the counter), the submission and its receipt ─────────

  const { finish } = spec;

  function renderFinish(res: Response, j: Journey<D>, errors: FieldError[] = [], problems: string[] = [], status = 200) {
    kit.render(res, finish.view, { audience, service: serviceModel(res, j), ...finish.model?.(j), base: j.base, errors, problems }, status);
  }

  router.get(`${route}/declaration`, async (req: Request, res: Response) => renderFinish(res, await open(req, res)));

  router.post(`${route}/declaration`, async (req: Request, res: Response) => {
    kit.checkCsrf(req, res);
    const j = await open(req, res);
    const page = contextOf(res);
    if ((req.body as Record<string, unknown>)[finish.tick] !== 'yes') return renderFinish(res, j, [{ field: finish.tick, text: page.t(finish.required) }], [], 400);
    const send = finish.send(j);
    if (!send) return res.redirect(303, j.base);
    // A condition may have turned since a material was given: only those that apply are sent.
    const materials = await materialsOf(res, j);
    const claims = applicableClaims(j.claims, materials);
    if (claims.length !== j.claims.length) await spec.save(j, j.form, claims);
    let sent: S;
    try {
      sent = await send();
    } catch (error) {
      const refused = finish.refusal?.(error);
      if (refused) return renderFinish(res, j, [], [page.t(refused.key)], refused.status);
      if (!isOnevisitError(error) || !['FORM.INVALID', 'MATERIALS.INVALID', 'CERTIFICATE.GLYPH_MISSING'].includes(error.code)) throw error;
      const problems = error.errors.map((issue) => issueText(res, issue.code, materialTitle(j.service.definition, issue.message, page.l)));
      return renderFinish(res, j, [], problems.length > 0 ? problems : [page.t(`problem.${error.code}`)], 422);
    }
    kit.render(res, finish.receipt, { audience, ...receiptModel(sent, j.service.definition, page, services.reference().departments), ...finish.receiptModel?.(j, sent) }, 201);
  });

  return { open, serviceModel, tasks };
}

/** Problems the draft store refuses a form for (a character no certificate prints, a control character), at their fields. */
function draftErrors(error: unknown, res: Response): FieldError[] | undefined {
  if (!isOnevisitError(error) || !['INPUT.INVALID', 'CERTIFICATE.GLYPH_MISSING'].includes(error.code)) return undefined;
  const issues = error.errors.length > 0 ? error.errors : [{ path: '/form', code: error.code, message: '' }];
  return issues.map((issue) => ({ field: fieldId(issue.path.replace(/^\/form/, '') || '/'), text: issueText(res, issue.code) }));
}

/** An issue's code worded for the page (`issue.<CODE>`), or the general sentence for a code without one. */
function issueText(res: Response, code: string, material = ''): string {
  const page = contextOf(res);
  return MESSAGES[page.locale][`issue.${code}`] !== undefined ? page.t(`issue.${code}`, { material }) : page.t('issue.fallback');
}

/** The material an issue's message names (`"id-card" …`), by its title. */
function materialTitle(definition: ServiceDefinition, message: string, l: (text: ServiceDefinition['title']) => string): string {
  const id = /"([^"]+)"/.exec(message)?.[1];
  const material = definition.materials.find((m) => m.id === id);
  return material ? l(material.title) : '';
}

/** The errors of a page set on its fields (govuk's `errorMessage`). */
function attachErrors<T extends { id: string; error?: string }>(fields: T[], errors: readonly FieldError[]): T[] {
  const byId = new Map(errors.map((e) => [e.field, e.text]));
  for (const field of flatten(fields as never) as unknown as T[]) {
    const text = byId.get(field.id);
    if (text) field.error = text;
  }
  return fields;
}
