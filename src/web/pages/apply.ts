/**
 * The citizen's application journey (/apply/:serviceId/…): a task list of the form's sections, the materials,
 * check your answers and the declaration; each section a question page rendered from the service's JSON Schema
 * and checked on the server; every save kept as the citizen's draft of that service (the latest one is resumed);
 * submission from the draft, and the confirmation with the number and the check code (shown this once).
 */
import type { Request, Response, Router } from 'express';
import multer from 'multer';
import { OnevisitError, isOnevisitError } from '../../domain/errors.js';
import { UPLOAD_LIMIT_BYTES } from '../../domain/uploads.js';
import { chinaDate } from '../../domain/time.js';
import { compileDefinition, involvedDepartments, type CompiledService, type MaterialClaim } from '../../definitions/index.js';
import type { ServiceDefinition } from '../../domain/definition.js';
import type { Principal } from '../../identity/index.js';
import type { Draft } from '../../application/drafts.js';
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

/** Compiled once per published hash: the conditions the materials are decided by. */
const compiledByHash = new Map<string, CompiledService>();

export function applyPages(router: Router, kit: PageKit): void {
  const { services } = kit;
  const upload = multer({ storage: multer.memoryStorage(), defParamCharset: 'utf8', limits: { fileSize: UPLOAD_LIMIT_BYTES, files: 1, fields: 5, parts: 6 } });

  /** The signed-in citizen (the policy's: whoever may apply), or the sign-in page, or the forbidden page. */
  function citizen(res: Response): Principal {
    return kit.signedIn(res, 'application.submit');
  }

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

  /** The citizen's latest draft of the service, if any (the one the pages resume). */
  async function latestDraft(principal: Principal, serviceId: string): Promise<Draft | undefined> {
    const latest = (await services.drafts.list(principal)).find((d) => d.serviceId === serviceId);
    return latest ? services.drafts.get(principal, latest.id) : undefined;
  }

  async function save(principal: Principal, serviceId: string, draft: Draft | undefined, form: Record<string, unknown>, materials: MaterialClaim[]): Promise<Draft> {
    const body = { serviceId, form, materials };
    return draft ? services.drafts.update(principal, draft.id, body) : services.drafts.create(principal, body);
  }

  async function journey(req: Request, res: Response) {
    const principal = citizen(res);
    const serviceId = String(req.params.serviceId);
    const service = await serviceOf(serviceId);
    const draft = await latestDraft(principal, serviceId);
    return { principal, serviceId, service, draft, form: draft?.form ?? {}, claims: draft?.materials ?? [] };
  }

  router.get('/apply/:serviceId', async (req: Request, res: Response) => {
    const j = await journey(req, res);
    const page = contextOf(res);
    const sections = sectionStates(j.service.form, j.form, page.locale, page.t);
    const materials = await materials_(res, j.principal, j.service, j.form, j.claims);
    const materialStatus = materialsStatus(materials, j.claims);
    const ready = sections.every((s) => s.status === 'completed' || s.status === 'optional') && materialStatus === 'completed';
    const base = `/apply/${encodeURIComponent(j.serviceId)}`;
    const item = (title: string, href: string | undefined, status: TaskStatus, hint?: string) => ({ title, href, status, hint });
    const others = (await services.drafts.list(j.principal)).filter((d) => d.id !== j.draft?.id);
    const catalog = await services.catalog.list();
    kit.render(res, 'apply/taskList.njk', {
      service: { id: j.serviceId, title: page.l(j.service.definition.title) },
      draft: j.draft,
      groups: [
        { heading: page.t('apply.tasks.form'), items: sections.map((s) => item(s.title, `${base}/section/${encodeURIComponent(s.key)}`, s.status, s.required ? undefined : page.t('form.optionalTask'))) },
        { heading: page.t('apply.tasks.materials'), items: [item(page.t('apply.materials.title'), `${base}/materials`, materialStatus)] },
        {
          heading: page.t('apply.tasks.submit'),
          items: [item(page.t('apply.check.title'), ready ? `${base}/check` : undefined, ready ? 'notStarted' : 'cannotStart'), item(page.t('apply.declaration.title'), ready ? `${base}/declaration` : undefined, ready ? 'notStarted' : 'cannotStart')],
        },
      ],
      completed: sections.filter((s) => s.status === 'completed').length + (materialStatus === 'completed' ? 1 : 0),
      total: sections.length + 1,
      otherDrafts: others.map((d) => ({ href: `/apply/${encodeURIComponent(d.serviceId)}`, title: page.l(catalog.find((c) => c.id === d.serviceId)?.title) || d.serviceId, updatedAt: chinaDate(d.updatedAt) })),
    });
  });

  router.post('/apply/:serviceId/delete', async (req: Request, res: Response) => {
    kit.checkCsrf(req, res);
    const j = await journey(req, res);
    if (j.draft) await services.drafts.remove(j.principal, j.draft.id);
    res.redirect(303, `/apply/${encodeURIComponent(j.serviceId)}`);
  });

  function sectionOf(service: Service, form: Record<string, unknown>, key: string, res: Response): Section {
    const section = sectionsOf(service.form, form, contextOf(res).locale).find((s) => s.key === key);
    if (!section) throw new OnevisitError('ROUTE.NOT_FOUND', `no section ${key} asked now`);
    return section;
  }

  function renderSection(res: Response, service: Service, serviceId: string, form: Record<string, unknown>, section: Section, errors: FieldError[] = [], status = 200) {
    const page = contextOf(res);
    const model = sectionPage(service.form, form, section, { locale: page.locale, t: page.t });
    const withErrors = attachErrors(model.fields, errors);
    kit.render(res, 'apply/section.njk', {
      service: { id: serviceId, title: page.l(service.definition.title) },
      page: { ...model, fields: withErrors },
      action: `/apply/${encodeURIComponent(serviceId)}/section/${encodeURIComponent(section.key)}`,
      back: `/apply/${encodeURIComponent(serviceId)}`,
      errors,
    }, status);
  }

  router.get('/apply/:serviceId/section/:key', async (req: Request, res: Response) => {
    const j = await journey(req, res);
    const section = sectionOf(j.service, j.form, String(req.params.key), res);
    renderSection(res, j.service, j.serviceId, j.form, section);
  });

  router.post('/apply/:serviceId/section/:key', async (req: Request, res: Response) => {
    kit.checkCsrf(req, res);
    const j = await journey(req, res);
    const page = contextOf(res);
    const section = sectionOf(j.service, j.form, String(req.params.key), res);
    const body = req.body as Posted;
    const action = typeof body._action === 'string' ? body._action : 'save';
    let form = readSection(j.service.form, j.form, section.key, body);
    const listed = action.startsWith('add:') || action.startsWith('remove:') ? applyListAction(j.service.form, form, action) : undefined;
    if (listed) form = listed;
    const here = `/apply/${encodeURIComponent(j.serviceId)}/section/${encodeURIComponent(section.key)}`;
    try {
      await save(j.principal, j.serviceId, j.draft, form, j.claims);
    } catch (error) {
      const errors = draftErrors(error, res);
      if (!errors) throw error;
      return renderSection(res, j.service, j.serviceId, form, section, errors, 422);
    }
    if (listed) return res.redirect(303, `${here}#${fieldId(action.startsWith('add:') ? action.slice(4).replace(/:\d+$/, '') : action.slice(7).replace(/\/\d+$/, ''))}`);
    if (action === 'later') return res.redirect(303, `/apply/${encodeURIComponent(j.serviceId)}`);
    const fields = sectionPage(j.service.form, form, section, { locale: page.locale, t: page.t }).fields;
    const errors = sectionErrors(j.service.form, form, section.key, fields, page.t);
    if (errors.length > 0) return renderSection(res, j.service, j.serviceId, form, section, errors, 422);
    const sections = sectionsOf(j.service.form, form, page.locale);
    const next = sections[sections.findIndex((s) => s.key === section.key) + 1];
    res.redirect(303, next ? `/apply/${encodeURIComponent(j.serviceId)}/section/${encodeURIComponent(next.key)}` : `/apply/${encodeURIComponent(j.serviceId)}`);
  });

  /** Problems the draft store refuses a form for (a character no certificate prints, a control character), at their fields. */
  function draftErrors(error: unknown, res: Response): FieldError[] | undefined {
    const { t } = contextOf(res);
    if (!isOnevisitError(error) || !['INPUT.INVALID', 'CERTIFICATE.GLYPH_MISSING'].includes(error.code)) return undefined;
    const issues = error.errors.length > 0 ? error.errors : [{ path: '/form', code: error.code, message: '' }];
    return issues.map((issue) => ({ field: fieldId(issue.path.replace(/^\/form/, '') || '/'), text: issueText(res, issue.code) }));
  }

  async function materials_(res: Response, principal: Principal, service: Service, form: Record<string, unknown>, claims: readonly MaterialClaim[]): Promise<MaterialModel[]> {
    const page = contextOf(res);
    const reference = services.reference();
    const wallet = service.definition.materials.some((m) => m.satisfiedBy) ? await services.certificates.wallet(principal) : [];
    const names = new Map<string, string>();
    for (const claim of claims) {
      if (!claim.fileId) continue;
      try {
        names.set(claim.fileId, (await services.files.get(principal, claim.fileId)).originalName);
      } catch (error) {
        if (!isOnevisitError(error, 'FILE.NOT_FOUND')) throw error;
      }
    }
    return materialModels({
      definition: service.definition,
      applies: (m) => service.compiled.applies(`material:${m.id}`, form),
      claims,
      fromWallet: (type) => {
        const found = wallet.find((c) => c.type === type && c.standing === 'valid');
        return found ? { id: found.id, title: page.l(reference.certificateTypes.find((c) => c.id === type)?.title) || type, issuedAt: chinaDate(found.issuedAt) } : undefined;
      },
      fileName: (id) => names.get(id),
      deferredUntil: (days) => chinaDate(services.time.calendar().addWorkingDays(services.time.now(), days)),
      locale: page.locale,
    });
  }

  async function renderMaterials(res: Response, j: Awaited<ReturnType<typeof journey>>, errors: FieldError[] = [], status = 200) {
    const page = contextOf(res);
    kit.render(res, 'apply/materials.njk', {
      service: { id: j.serviceId, title: page.l(j.service.definition.title) },
      materials: await materials_(res, j.principal, j.service, j.form, j.claims),
      base: `/apply/${encodeURIComponent(j.serviceId)}`,
      limitMb: UPLOAD_LIMIT_BYTES / 1024 / 1024,
      errors,
    }, status);
  }

  router.get('/apply/:serviceId/materials', async (req: Request, res: Response) => renderMaterials(res, await journey(req, res)));

  router.post('/apply/:serviceId/materials/:materialId/upload', (req: Request, res: Response, next) => {
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
      record = await services.files.upload(j.principal, { data: req.file.buffer, originalName: req.file.originalname, declaredType: req.file.mimetype });
    } catch (error) {
      if (isOnevisitError(error) && error.code.startsWith('FILE.')) return renderMaterials(res, j, [{ field, text: t(`problem.${error.code}`) }], 400);
      throw error;
    }
    if (material.mediaTypes && !material.mediaTypes.includes(record.mediaType)) {
      return renderMaterials(res, j, [{ field, text: t('apply.materials.wrongType', { formats: material.mediaTypes.map((m) => m.split('/')[1]!.toUpperCase().replace('JPEG', 'JPG')).join(' / ') }) }], 400);
    }
    const claims = [...j.claims.filter((c) => c.materialId !== materialId), { materialId, fileId: record.fileId }];
    await save(j.principal, j.serviceId, j.draft, j.form, claims);
    res.redirect(303, `/apply/${encodeURIComponent(j.serviceId)}/materials#material-${materialId}`);
  });

  router.post('/apply/:serviceId/materials/:materialId', async (req: Request, res: Response) => {
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
    await save(j.principal, j.serviceId, j.draft, j.form, claims);
    res.redirect(303, `/apply/${encodeURIComponent(j.serviceId)}/materials#material-${materialId}`);
  });

  async function answers(res: Response, j: Awaited<ReturnType<typeof journey>>) {
    const page = contextOf(res);
    const base = `/apply/${encodeURIComponent(j.serviceId)}`;
    const sections = sectionStates(j.service.form, j.form, page.locale, page.t).map((s) => ({
      title: s.title,
      href: `${base}/section/${encodeURIComponent(s.key)}`,
      rows: summaryRows(s.fields, (f) => `${base}/section/${encodeURIComponent(s.key)}#${f.id}`, page.t),
    }));
    const materials = await materials_(res, j.principal, j.service, j.form, j.claims);
    return { sections, materials, base };
  }

  router.get('/apply/:serviceId/check', async (req: Request, res: Response) => {
    const j = await journey(req, res);
    const page = contextOf(res);
    kit.render(res, 'apply/check.njk', { service: { id: j.serviceId, title: page.l(j.service.definition.title) }, ...(await answers(res, j)) });
  });

  function renderDeclaration(res: Response, j: Awaited<ReturnType<typeof journey>>, errors: FieldError[] = [], problems: string[] = [], status = 200) {
    const page = contextOf(res);
    kit.render(res, 'apply/declaration.njk', { service: { id: j.serviceId, title: page.l(j.service.definition.title) }, base: `/apply/${encodeURIComponent(j.serviceId)}`, errors, problems }, status);
  }

  router.get('/apply/:serviceId/declaration', async (req: Request, res: Response) => renderDeclaration(res, await journey(req, res)));

  router.post('/apply/:serviceId/declaration', async (req: Request, res: Response) => {
    kit.checkCsrf(req, res);
    const j = await journey(req, res);
    const page = contextOf(res);
    if ((req.body as Record<string, unknown>).declare !== 'yes') return renderDeclaration(res, j, [{ field: 'declare', text: page.t('apply.declaration.required') }], [], 400);
    if (!j.draft) return res.redirect(303, `/apply/${encodeURIComponent(j.serviceId)}`);
    // A condition may have turned since a material was given: only those that apply are sent.
    const materials = await materials_(res, j.principal, j.service, j.form, j.claims);
    const claims = applicableClaims(j.claims, materials);
    if (claims.length !== j.claims.length) await save(j.principal, j.serviceId, j.draft, j.form, claims);
    let submitted;
    try {
      submitted = await services.applications.submit(j.principal, { draftId: j.draft.id });
    } catch (error) {
      if (isOnevisitError(error) && ['FORM.INVALID', 'MATERIALS.INVALID', 'CERTIFICATE.GLYPH_MISSING'].includes(error.code)) {
        const problems = error.errors.map((issue) => issueText(res, issue.code, materialTitle(j.service.definition, issue.message, page.l)));
        return renderDeclaration(res, j, [], problems.length > 0 ? problems : [page.t(`problem.${error.code}`)], 422);
      }
      throw error;
    }
    const reference = services.reference();
    const departments = [...involvedDepartments({ definition: j.service.definition })].map((id) => page.l(reference.departments.find((d) => d.id === id)?.title) || id);
    kit.render(res, 'apply/confirmation.njk', {
      service: { id: j.serviceId, title: page.l(j.service.definition.title) },
      number: submitted.number,
      checkCode: submitted.checkCode,
      submittedAt: chinaDate(submitted.createdAt),
      promisedDays: j.service.definition.promisedDays,
      departments,
      owed: materials.filter((m) => submitted.owed.includes(m.id)),
    }, 201);
  });
}

/** An issue's code worded for the citizen (`issue.<CODE>`), or the general sentence for a code without one. */
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
