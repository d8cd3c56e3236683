/**
 * Counter intake (/work/intake/…): the window clerk enters an application for the person at the counter. A start page
 * takes the applicant's name, resident id number and the service; then the citizen's journey on an intake draft (the
 * clerk's): the same question pages from the service's JSON Schema (the form renderer and section logic of
 * web/form and the journey models of applyJourney.ts, the apply views), the materials as scans, check your answers,
 * the applicant's signed confirmation, and a printable receipt with the number and check code. Who may do this is the
 * policy's (`application.intake`, and `requireCounterIntake` per service, asked by the use case).
 */
import type { Request, Response, Router } from 'express';
import multer from 'multer';
import { OnevisitError, isOnevisitError } from '../../domain/errors.js';
import { UPLOAD_LIMIT_BYTES } from '../../domain/uploads.js';
import { chinaDate } from '../../domain/time.js';
import { compileDefinition, involvedDepartments, type CompiledService, type MaterialClaim } from '../../definitions/index.js';
import type { ServiceDefinition } from '../../domain/definition.js';
import type { Principal } from '../../identity/index.js';
import type { IntakeDraft } from '../../application/intake.js';
import { contextOf } from '../context.js';
import { MESSAGES } from '../messages/index.js';
import type { PageKit } from '../kit.js';
import type { Posted } from '../form/components.js';
import { applyListAction, readSection, sectionPage, sectionsOf, type Section } from '../form/sections.js';
import { flatten, sectionErrors, type FieldError } from '../form/validate.js';
import { fieldId, type Schema } from '../form/schema.js';
import { applicableClaims, materialModels, materialsStatus, sectionStates, summaryRows, type MaterialModel, type TaskStatus } from './applyJourney.js';

interface Service {
  definition: ServiceDefinition;
  compiled: CompiledService;
  form: Schema;
}

const compiledByHash = new Map<string, CompiledService>();

export function intakePages(router: Router, kit: PageKit): void {
  const { services } = kit;
  const upload = multer({ storage: multer.memoryStorage(), defParamCharset: 'utf8', limits: { fileSize: UPLOAD_LIMIT_BYTES, files: 1, fields: 5, parts: 6 } });
  const clerk = (res: Response): Principal => kit.signedIn(res, 'application.intake');

  async function serviceOf(id: string): Promise<Service> {
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

  async function journey(req: Request, res: Response) {
    const principal = clerk(res);
    const draft = await services.intake.getDraft(principal, String(req.params.draftId));
    const service = await serviceOf(draft.serviceId);
    const base = `/work/intake/${encodeURIComponent(draft.id)}`;
    return { principal, draft, service, base, form: draft.form, claims: draft.materials };
  }
  type Journey = Awaited<ReturnType<typeof journey>>;

  const save = (j: Journey, form: Record<string, unknown>, materials: MaterialClaim[]) => services.intake.updateDraft(j.principal, j.draft.id, { serviceId: j.draft.serviceId, form, materials });
  const serviceModel = (res: Response, j: Journey) => ({ id: j.draft.serviceId, title: contextOf(res).l(j.service.definition.title) });

  // ── The start: who is at the counter, and for what ──────────────────────────────────────────────────────────────

  async function renderStart(res: Response, principal: Principal, values: Record<string, string> = {}, errors: FieldError[] = [], status = 200) {
    const page = contextOf(res);
    const catalog = await services.catalog.list();
    // Only the services this clerk's window takes in (none: the counter is not theirs, the forbidden page).
    const enterable = new Set(await services.intake.enterable(principal, catalog.map((s) => s.id)));
    const drafts = await services.intake.listDrafts(principal);
    kit.render(res, 'intake/start.njk', {
      values,
      errors,
      services: catalog.filter((s) => enterable.has(s.id)).map((s) => ({ value: s.id, text: page.l(s.title), selected: values.serviceId === s.id })),
      drafts: drafts.map((d) => ({
        href: `/work/intake/${encodeURIComponent(d.id)}`,
        text: page.t('intake.draftItem', { name: d.applicant.name, idNumber: d.applicant.idNumberMasked, service: page.l(catalog.find((c) => c.id === d.serviceId)?.title) || d.serviceId }),
        updatedAt: chinaDate(d.updatedAt),
      })),
    }, status);
  }

  router.get('/work/intake', async (_req: Request, res: Response) => renderStart(res, clerk(res)));

  router.post('/work/intake', async (req: Request, res: Response) => {
    kit.checkCsrf(req, res);
    const principal = clerk(res);
    const { t } = contextOf(res);
    const body = req.body as Record<string, unknown>;
    const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string).trim() : '');
    // The id number typed is given back only to the page it was typed on, when it has to be corrected.
    const values = { name: text('name'), idNumber: text('idNumber'), serviceId: text('serviceId') };
    const errors: FieldError[] = [];
    if (!values.name) errors.push({ field: 'name', text: t('intake.start.nameRequired') });
    if (values.idNumber.length !== 18) errors.push({ field: 'idNumber', text: t('intake.start.idNumberInvalid') });
    if (!values.serviceId) errors.push({ field: 'serviceId', text: t('intake.start.serviceRequired') });
    if (errors.length > 0) return renderStart(res, principal, values, errors, 400);
    let draft: IntakeDraft;
    try {
      draft = await services.intake.startDraft(principal, { applicant: { name: values.name, idNumber: values.idNumber }, serviceId: values.serviceId });
    } catch (error) {
      if (!isOnevisitError(error)) throw error;
      const refused: FieldError[] | undefined =
        error.code === 'INPUT.INVALID' ? error.errors.map((issue) => ({ field: /idNumber/.test(issue.path) ? 'idNumber' : /name/.test(issue.path) ? 'name' : 'serviceId', text: /idNumber/.test(issue.path) ? t('intake.start.idNumberInvalid') : /name/.test(issue.path) ? t('intake.start.nameRequired') : t('intake.start.serviceRequired') }))
        : error.code === 'AUTH.FORBIDDEN' ? [{ field: 'serviceId', text: t('intake.start.notYourWindow') }]
        : error.code === 'SERVICE.NOT_FOUND' ? [{ field: 'serviceId', text: t('intake.start.serviceRequired') }]
        : undefined;
      if (!refused) throw error;
      return renderStart(res, principal, values, refused, error.code === 'AUTH.FORBIDDEN' ? 403 : 400);
    }
    res.redirect(303, `/work/intake/${encodeURIComponent(draft.id)}`);
  });

  // ── The journey on the intake draft ─────────────────────────────────────────────────────────────────────────────

  async function materialsOf(res: Response, j: Journey, form = j.form, claims: readonly MaterialClaim[] = j.claims): Promise<MaterialModel[]> {
    const page = contextOf(res);
    const reference = services.reference();
    const wallet = j.service.definition.materials.some((m) => m.satisfiedBy) ? await services.intake.walletForDraft(j.principal, j.draft.id) : [];
    const names = new Map<string, string>();
    for (const claim of claims) {
      if (!claim.fileId) continue;
      try {
        names.set(claim.fileId, (await services.files.get(j.principal, claim.fileId)).originalName);
      } catch (error) {
        if (!isOnevisitError(error, 'FILE.NOT_FOUND')) throw error;
      }
    }
    return materialModels({
      definition: j.service.definition,
      applies: (m) => j.service.compiled.applies(`material:${m.id}`, form),
      claims,
      fromWallet: (type) => {
        const found = wallet.find((c) => c.type === type);
        return found ? { id: found.id, title: page.l(reference.certificateTypes.find((c) => c.id === type)?.title) || type, issuedAt: chinaDate(found.issuedAt) } : undefined;
      },
      fileName: (id) => names.get(id),
      deferredUntil: (days) => chinaDate(services.time.calendar().addWorkingDays(services.time.now(), days)),
      locale: page.locale,
    });
  }

  router.get('/work/intake/:draftId', async (req: Request, res: Response) => {
    const j = await journey(req, res);
    const page = contextOf(res);
    const sections = sectionStates(j.service.form, j.form, page.locale, page.t);
    const materials = await materialsOf(res, j);
    const materialStatus = materialsStatus(materials, j.claims);
    const ready = sections.every((s) => s.status === 'completed' || s.status === 'optional') && materialStatus === 'completed';
    const item = (title: string, href: string | undefined, status: TaskStatus, hint?: string) => ({ title, href, status, hint });
    kit.render(res, 'intake/taskList.njk', {
      service: serviceModel(res, j),
      applicant: j.draft.applicant,
      base: j.base,
      groups: [
        { heading: page.t('apply.tasks.form'), items: sections.map((s) => item(s.title, `${j.base}/section/${encodeURIComponent(s.key)}`, s.status, s.required ? undefined : page.t('form.optionalTask'))) },
        { heading: page.t('apply.tasks.materials'), items: [item(page.t('apply.materials.title'), `${j.base}/materials`, materialStatus)] },
        {
          heading: page.t('apply.tasks.submit'),
          items: [item(page.t('apply.check.title'), ready ? `${j.base}/check` : undefined, ready ? 'notStarted' : 'cannotStart'), item(page.t('intake.confirm.title'), ready ? `${j.base}/declaration` : undefined, ready ? 'notStarted' : 'cannotStart')],
        },
      ],
      completed: sections.filter((s) => s.status === 'completed').length + (materialStatus === 'completed' ? 1 : 0),
      total: sections.length + 1,
    });
  });

  router.post('/work/intake/:draftId/delete', async (req: Request, res: Response) => {
    kit.checkCsrf(req, res);
    const j = await journey(req, res);
    await services.intake.removeDraft(j.principal, j.draft.id);
    res.redirect(303, '/work/intake');
  });

  function sectionOf(j: Journey, form: Record<string, unknown>, key: string, res: Response): Section {
    const section = sectionsOf(j.service.form, form, contextOf(res).locale).find((s) => s.key === key);
    if (!section) throw new OnevisitError('ROUTE.NOT_FOUND', `no section ${key} asked now`);
    return section;
  }

  function renderSection(res: Response, j: Journey, form: Record<string, unknown>, section: Section, errors: FieldError[] = [], status = 200) {
    const page = contextOf(res);
    const model = sectionPage(j.service.form, form, section, { locale: page.locale, t: page.t });
    kit.render(res, 'apply/section.njk', {
      service: serviceModel(res, j),
      page: { ...model, fields: attachErrors(model.fields, errors) },
      action: `${j.base}/section/${encodeURIComponent(section.key)}`,
      back: j.base,
      errors,
    }, status);
  }

  router.get('/work/intake/:draftId/section/:key', async (req: Request, res: Response) => {
    const j = await journey(req, res);
    renderSection(res, j, j.form, sectionOf(j, j.form, String(req.params.key), res));
  });

  router.post('/work/intake/:draftId/section/:key', async (req: Request, res: Response) => {
    kit.checkCsrf(req, res);
    const j = await journey(req, res);
    const page = contextOf(res);
    const section = sectionOf(j, j.form, String(req.params.key), res);
    const body = req.body as Posted;
    const action = typeof body._action === 'string' ? body._action : 'save';
    let form = readSection(j.service.form, j.form, section.key, body);
    const listed = action.startsWith('add:') || action.startsWith('remove:') ? applyListAction(j.service.form, form, action) : undefined;
    if (listed) form = listed;
    const here = `${j.base}/section/${encodeURIComponent(section.key)}`;
    try {
      await save(j, form, j.claims);
    } catch (error) {
      if (!isOnevisitError(error) || !['INPUT.INVALID', 'CERTIFICATE.GLYPH_MISSING'].includes(error.code)) throw error;
      const issues = error.errors.length > 0 ? error.errors : [{ path: '/form', code: error.code, message: '' }];
      return renderSection(res, j, form, section, issues.map((issue) => ({ field: fieldId(issue.path.replace(/^\/form/, '') || '/'), text: page.t('issue.fallback') })), 422);
    }
    if (listed) return res.redirect(303, `${here}#${fieldId(action.startsWith('add:') ? action.slice(4).replace(/:\d+$/, '') : action.slice(7).replace(/\/\d+$/, ''))}`);
    if (action === 'later') return res.redirect(303, j.base);
    const fields = sectionPage(j.service.form, form, section, { locale: page.locale, t: page.t }).fields;
    const errors = sectionErrors(j.service.form, form, section.key, fields, page.t);
    if (errors.length > 0) return renderSection(res, j, form, section, errors, 422);
    const sections = sectionsOf(j.service.form, form, page.locale);
    const next = sections[sections.findIndex((s) => s.key === section.key) + 1];
    res.redirect(303, next ? `${j.base}/section/${encodeURIComponent(next.key)}` : j.base);
  });

  async function renderMaterials(res: Response, j: Journey, errors: FieldError[] = [], status = 200) {
    kit.render(res, 'apply/materials.njk', { service: serviceModel(res, j), materials: await materialsOf(res, j), base: j.base, limitMb: UPLOAD_LIMIT_BYTES / 1024 / 1024, errors }, status);
  }

  router.get('/work/intake/:draftId/materials', async (req: Request, res: Response) => renderMaterials(res, await journey(req, res)));

  router.post('/work/intake/:draftId/materials/:materialId/upload', (req: Request, res: Response, next) => {
    upload.single('file')(req, res, (error?: unknown) => {
      if (!error) return next();
      kit.checkCsrf(req, res);
      const code = (error as { code?: string }).code === 'LIMIT_FILE_SIZE' ? 'FILE.TOO_LARGE' : 'FILE.MISSING';
      void journey(req, res).then((j) => renderMaterials(res, j, [{ field: `file-${String(req.params.materialId)}`, text: contextOf(res).t(`problem.${code}`) }], 400), next);
    });
  }, async (req: Request, res: Response) => {
    kit.checkCsrf(req, res);
    const j = await journey(req, res);
    const materialId = String(req.params.materialId);
    const material = j.service.definition.materials.find((m) => m.id === materialId);
    if (!material) throw new OnevisitError('ROUTE.NOT_FOUND', `no material ${materialId}`);
    const { t } = contextOf(res);
    const field = `file-${materialId}`;
    if (!req.file || req.file.size === 0) return renderMaterials(res, j, [{ field, text: t('problem.FILE.MISSING') }], 400);
    let record;
    try {
      // The scan is the clerk's upload until the submission makes it the applicant's.
      record = await services.files.upload(j.principal, { data: req.file.buffer, originalName: req.file.originalname, declaredType: req.file.mimetype });
    } catch (error) {
      if (isOnevisitError(error) && error.code.startsWith('FILE.')) return renderMaterials(res, j, [{ field, text: t(`problem.${error.code}`) }], 400);
      throw error;
    }
    if (material.mediaTypes && !material.mediaTypes.includes(record.mediaType)) {
      return renderMaterials(res, j, [{ field, text: t('apply.materials.wrongType', { formats: material.mediaTypes.map((m) => m.split('/')[1]!.toUpperCase().replace('JPEG', 'JPG')).join(' / ') }) }], 400);
    }
    await save(j, j.form, [...j.claims.filter((c) => c.materialId !== materialId), { materialId, fileId: record.fileId }]);
    res.redirect(303, `${j.base}/materials#material-${materialId}`);
  });

  router.post('/work/intake/:draftId/materials/:materialId', async (req: Request, res: Response) => {
    kit.checkCsrf(req, res);
    const j = await journey(req, res);
    const materialId = String(req.params.materialId);
    const material = j.service.definition.materials.find((m) => m.id === materialId);
    if (!material) throw new OnevisitError('ROUTE.NOT_FOUND', `no material ${materialId}`);
    const body = req.body as Record<string, unknown>;
    const others = j.claims.filter((c) => c.materialId !== materialId);
    let claims: MaterialClaim[];
    if (body._action === 'remove') claims = others;
    else if (material.commitment) {
      if (body.commit !== 'yes') return renderMaterials(res, j, [{ field: `commit-${materialId}`, text: contextOf(res).t('apply.materials.commitRequired') }], 400);
      claims = [...others, { materialId, commitment: true }];
    } else throw new OnevisitError('ROUTE.NOT_FOUND', `nothing to do for material ${materialId}`);
    await save(j, j.form, claims);
    res.redirect(303, `${j.base}/materials#material-${materialId}`);
  });

  router.get('/work/intake/:draftId/check', async (req: Request, res: Response) => {
    const j = await journey(req, res);
    const page = contextOf(res);
    const sections = sectionStates(j.service.form, j.form, page.locale, page.t).map((s) => ({
      title: s.title,
      href: `${j.base}/section/${encodeURIComponent(s.key)}`,
      rows: summaryRows(s.fields, (f) => `${j.base}/section/${encodeURIComponent(s.key)}#${f.id}`, page.t),
    }));
    kit.render(res, 'apply/check.njk', { service: serviceModel(res, j), sections, materials: await materialsOf(res, j), base: j.base });
  });

  function renderConfirm(res: Response, j: Journey, errors: FieldError[] = [], problems: string[] = [], status = 200) {
    kit.render(res, 'intake/confirm.njk', { service: serviceModel(res, j), applicant: j.draft.applicant, base: j.base, errors, problems }, status);
  }

  router.get('/work/intake/:draftId/declaration', async (req: Request, res: Response) => renderConfirm(res, await journey(req, res)));

  router.post('/work/intake/:draftId/declaration', async (req: Request, res: Response) => {
    kit.checkCsrf(req, res);
    const j = await journey(req, res);
    const page = contextOf(res);
    if ((req.body as Record<string, unknown>).signed !== 'yes') return renderConfirm(res, j, [{ field: 'signed', text: page.t('intake.confirm.required') }], [], 400);
    // A condition may have turned since a material was given: only those that apply are sent.
    const materials = await materialsOf(res, j);
    const claims = applicableClaims(j.claims, materials);
    if (claims.length !== j.claims.length) await save(j, j.form, claims);
    let entered;
    try {
      entered = await services.intake.enter(j.principal, { draftId: j.draft.id });
    } catch (error) {
      if (isOnevisitError(error, 'APPLICANT.MISMATCH')) return renderConfirm(res, j, [], [page.t('intake.mismatch')], 409);
      if (isOnevisitError(error) && ['FORM.INVALID', 'MATERIALS.INVALID', 'CERTIFICATE.GLYPH_MISSING'].includes(error.code)) {
        const problems = error.errors.map((issue) => (MESSAGES[page.locale][`issue.${issue.code}`] !== undefined ? page.t(`issue.${issue.code}`, { material: '' }) : page.t('issue.fallback')));
        return renderConfirm(res, j, [], problems.length > 0 ? problems : [page.t(`problem.${error.code}`)], 422);
      }
      throw error;
    }
    const reference = services.reference();
    const departments = [...involvedDepartments({ definition: j.service.definition })].map((id) => page.l(reference.departments.find((d) => d.id === id)?.title) || id);
    kit.render(res, 'intake/receipt.njk', {
      service: serviceModel(res, j),
      applicant: entered.applicant,
      number: entered.number,
      checkCode: entered.checkCode,
      submittedAt: chinaDate(entered.createdAt),
      enteredBy: j.principal.name,
      promisedDays: j.service.definition.promisedDays,
      departments,
      owed: materials.filter((m) => entered.owed.includes(m.id)),
    }, 201);
  });
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
