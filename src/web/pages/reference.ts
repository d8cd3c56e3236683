/**
 * The admin console's reference data: the departments, certificate types and certificate templates definitions
 * name, listed, added and changed (the reference use cases, as PUT /api/v1/reference does), a template written as
 * JSON with its errors placed at their lines, and its specimen PDF — in a frame for the saved one, and, for the
 * text being written, in a new window from the same form. Everything works without scripts.
 */
import type { Request, Response, Router } from 'express';
import { isOnevisitError, type Issue } from '../../domain/errors.js';
import { Locales, type I18nText } from '../../domain/i18n.js';
import { chinaDate } from '../../domain/time.js';
import { EXTERNAL_ISSUER, ReferenceKinds, type ReferenceKind } from '../../definitions/reference.js';
import type { Principal } from '../../identity/index.js';
import { contextOf, type PageContext } from '../context.js';
import type { PageKit } from '../kit.js';
import { parseText, placeIssues, pretty, type EditorIssue } from '../admin/editor.js';
import type { FieldError } from '../admin/calendar.js';
import { MESSAGES } from '../messages/index.js';

const field = (body: Record<string, unknown>, name: string): string => (typeof body[name] === 'string' ? (body[name] as string).trim() : '');

const SIMPLE_KINDS = [ReferenceKinds.department, ReferenceKinds.certificateType] as const;
type SimpleKind = (typeof SIMPLE_KINDS)[number];
/** The message prefix of each kind's pages. */
const WORDS: Record<ReferenceKind, string> = { department: 'reference.department', 'certificate-type': 'reference.certificateType', template: 'reference.template' };

/** A department or certificate type as its form holds it. */
interface EntryForm {
  id: string;
  title: Record<string, string>;
  kind?: string;
  issuer?: string;
}

export function referencePages(router: Router, kit: PageKit): void {
  const { services } = kit;
  const admin = (res: Response): Principal => kit.signedIn(res, 'reference.edit');

  router.get('/admin/reference', async (req: Request, res: Response) => {
    const principal = admin(res);
    const page = contextOf(res);
    const { departments, certificateTypes, templates } = await services.referenceData.overview(principal);
    const source = (saved: { editedBy: string | null; updatedAt: string }) =>
      saved.editedBy === null ? page.t('reference.fromFiles') : page.t('reference.editedOn', { date: chinaDate(new Date(saved.updatedAt)) });
    const departmentTitle = (id: string) => (id === EXTERNAL_ISSUER ? page.t('reference.external') : page.l(departments.find((d) => d.entry.id === id)?.entry.title) || id);
    kit.render(res, 'admin/reference.njk', {
      saved: typeof req.query.saved === 'string' ? req.query.saved.slice(0, 200) : undefined,
      departments: departments.map((d) => ({ id: d.entry.id, title: page.l(d.entry.title), kind: d.entry.kind, source: source(d) })),
      certificateTypes: certificateTypes.map((c) => ({ id: c.entry.id, title: page.l(c.entry.title), issuer: departmentTitle(c.entry.issuer), source: source(c) })),
      templates: templates.map((tpl) => ({ id: tpl.entry.id, title: page.l(tpl.entry.title), source: source(tpl) })),
    });
  });

  // ---------------------------------------------------------------------------------------------------------------
  // Departments and certificate types: a form of fields

  async function renderEntry(res: Response, kind: SimpleKind, mode: 'new' | 'edit', values: EntryForm, errors: FieldError[] = [], status = 200) {
    const page = contextOf(res);
    const { departments } = await services.referenceData.list();
    const title = mode === 'new' ? page.t(`${WORDS[kind]}.newTitle`) : page.t(`${WORDS[kind]}.editTitle`, { name: values.title['zh-Hans'] ? page.l(values.title as I18nText) : values.id });
    kit.render(
      res,
      'admin/referenceEntry.njk',
      {
        kind,
        mode,
        pageTitle: title,
        action: mode === 'new' ? `/admin/reference/${kind}/new` : `/admin/reference/${kind}/${encodeURIComponent(values.id)}`,
        values,
        errors,
        locales: Locales.map((locale) => ({ locale, label: page.t('reference.titleIn', { language: page.t(`language.${locale}`) }) })),
        kinds: (['window', 'department', 'partner'] as const).map((k) => ({ value: k, text: page.t(`reference.kind.${k}`), checked: values.kind === k })),
        issuers: [
          { value: '', text: page.t('reference.choose') },
          ...departments.map((d) => ({ value: d.id, text: page.l(d.title), selected: values.issuer === d.id })),
          { value: EXTERNAL_ISSUER, text: page.t('reference.external'), selected: values.issuer === EXTERNAL_ISSUER },
        ],
      },
      status,
    );
  }

  const formOf = (body: Record<string, unknown>, kind: SimpleKind, id: string): EntryForm => ({
    id,
    title: Object.fromEntries(Locales.map((locale) => [locale, field(body, `title-${locale}`)])),
    ...(kind === ReferenceKinds.department ? { kind: field(body, 'kind') } : { issuer: field(body, 'issuer') }),
  });

  /** What the form says, as the API takes it: the empty translations left out, so the simplified Chinese name shows. */
  const entryOf = (kind: SimpleKind, form: EntryForm) => ({
    id: form.id,
    title: Object.fromEntries(Object.entries(form.title).filter(([, text]) => text !== '')),
    ...(kind === ReferenceKinds.department ? { kind: form.kind } : { issuer: form.issuer }),
  });

  for (const kind of SIMPLE_KINDS) {
    router.get(`/admin/reference/${kind}/new`, async (_req: Request, res: Response) => {
      admin(res);
      await renderEntry(res, kind, 'new', { id: '', title: {} });
    });
    router.get(`/admin/reference/${kind}/:id`, async (req: Request, res: Response) => {
      const principal = admin(res);
      const { body } = await services.referenceData.entry(principal, kind, String(req.params.id));
      const entry = body as { id: string; title: I18nText; kind?: string; issuer?: string };
      await renderEntry(res, kind, 'edit', { id: entry.id, title: { ...entry.title }, ...(entry.kind ? { kind: entry.kind } : {}), ...(entry.issuer ? { issuer: entry.issuer } : {}) });
    });

    const save = (mode: 'new' | 'edit') => async (req: Request, res: Response) => {
      kit.checkCsrf(req, res);
      const principal = admin(res);
      const body = req.body as Record<string, unknown>;
      const id = mode === 'new' ? field(body, 'id') : String(req.params.id);
      const form = formOf(body, kind, id);
      if (mode === 'new' && (await taken(principal, kind, id))) return renderEntry(res, kind, mode, form, [{ field: 'id', text: contextOf(res).t('reference.issue.idTaken') }], 409);
      try {
        await services.referenceData.save(principal, kind, id, entryOf(kind, form));
      } catch (error) {
        if (!isOnevisitError(error, 'REFERENCE.INVALID')) throw error;
        return renderEntry(res, kind, mode, form, entryErrors((error.errors ?? []) as Issue[], contextOf(res)), 422);
      }
      res.redirect(303, `/admin/reference?saved=${encodeURIComponent(form.title['zh-Hans'] || id)}`);
    };
    router.post(`/admin/reference/${kind}/new`, save('new'));
    router.post(`/admin/reference/${kind}/:id`, save('edit'));
  }

  /** Whether an entry of this kind has the id already (a new one must not replace it). */
  async function taken(principal: Principal, kind: ReferenceKind, id: string): Promise<boolean> {
    if (id === '') return false;
    try {
      await services.referenceData.entry(principal, kind, id);
      return true;
    } catch (error) {
      if (isOnevisitError(error, 'REFERENCE.NOT_FOUND')) return false;
      throw error;
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Templates: JSON, with a specimen

  function renderTemplate(res: Response, mode: 'new' | 'edit', model: { id: string; text: string; issues?: EditorIssue[]; name?: string }, status = 200) {
    const page = contextOf(res);
    const issues = model.issues ?? [];
    kit.render(
      res,
      'admin/referenceTemplate.njk',
      {
        mode,
        pageTitle: mode === 'new' ? page.t('reference.template.newTitle') : page.t('reference.template.editTitle', { name: model.name ?? model.id }),
        action: mode === 'new' ? '/admin/reference/template/new' : `/admin/reference/template/${encodeURIComponent(model.id)}`,
        id: model.id,
        name: model.name ?? model.id,
        text: model.text,
        issues,
        // The error summary links to the text (each issue names its path and line there).
        errors: issues.length > 0 ? [{ field: 'template', text: page.t('reference.problemCount', { count: issues.length }) }] : [],
        specimen: mode === 'edit' && issues.length === 0 ? `/admin/reference/template/${encodeURIComponent(model.id)}/specimen.pdf?locale=${page.locale}` : undefined,
      },
      status,
    );
  }

  router.get('/admin/reference/template/new', (_req: Request, res: Response) => {
    admin(res);
    renderTemplate(res, 'new', { id: '', text: pretty(starterTemplate()) });
  });
  router.get('/admin/reference/template/:id', async (req: Request, res: Response) => {
    const principal = admin(res);
    const { body } = await services.referenceData.entry(principal, ReferenceKinds.template, String(req.params.id));
    const template = body as { id: string; title: I18nText };
    renderTemplate(res, 'edit', { id: template.id, text: pretty(template), name: contextOf(res).l(template.title) });
  });
  router.get('/admin/reference/template/:id/specimen.pdf', async (req: Request, res: Response) => {
    const principal = admin(res);
    sendPdf(res, await services.referenceData.specimen(principal, { id: String(req.params.id) }, { locale: contextOf(res).locale }));
  });

  /** The template's text as posted, parsed; its errors placed at their lines, worded in the page's language. */
  const parsedTemplate = (text: string, page: PageContext) => {
    const parsed = parseText(text);
    return parsed.ok ? { ok: true as const, value: parsed.value } : { ok: false as const, issues: templateIssues(text, parsed.issues, page) };
  };

  router.post('/admin/reference/template/specimen', async (req: Request, res: Response) => {
    kit.checkCsrf(req, res);
    const principal = admin(res);
    const page = contextOf(res);
    const body = req.body as Record<string, unknown>;
    const text = typeof body.template === 'string' ? body.template : '';
    const mode = body.mode === 'edit' ? 'edit' : 'new';
    const id = field(body, 'id');
    const parsed = parsedTemplate(text, page);
    try {
      if (!parsed.ok) return renderTemplate(res, mode, { id, text, issues: parsed.issues }, 400);
      sendPdf(res, await services.referenceData.specimen(principal, { body: parsed.value }, { locale: page.locale }));
    } catch (error) {
      if (!isOnevisitError(error, 'TEMPLATE.INVALID') && !isOnevisitError(error, 'CERTIFICATE.GLYPH_MISSING')) throw error;
      renderTemplate(res, mode, { id, text, issues: templateIssues(text, errorIssues(error), page) }, 422);
    }
  });

  const saveTemplate = (mode: 'new' | 'edit') => async (req: Request, res: Response) => {
    kit.checkCsrf(req, res);
    const principal = admin(res);
    const page = contextOf(res);
    const body = req.body as Record<string, unknown>;
    const text = typeof body.template === 'string' ? body.template : '';
    const parsed = parsedTemplate(text, page);
    if (!parsed.ok) return renderTemplate(res, mode, { id: String(req.params.id ?? ''), text, issues: parsed.issues }, 400);
    const value = parsed.value as { id?: unknown; title?: I18nText };
    // A new template is saved under the id it carries; a saved one under its own (a changed id is an error).
    const id = mode === 'new' ? (typeof value.id === 'string' ? value.id : '') : String(req.params.id);
    if (mode === 'new' && (await taken(principal, ReferenceKinds.template, id))) {
      return renderTemplate(res, mode, { id, text, issues: [{ path: '/id', code: 'REFERENCE.ID_TAKEN', text: page.t('reference.issue.idTaken'), detail: id }] }, 409);
    }
    try {
      await services.referenceData.save(principal, ReferenceKinds.template, id, parsed.value);
    } catch (error) {
      if (!isOnevisitError(error, 'TEMPLATE.INVALID')) throw error;
      return renderTemplate(res, mode, { id, text, issues: templateIssues(text, errorIssues(error), page) }, 422);
    }
    res.redirect(303, `/admin/reference?saved=${encodeURIComponent((value.title && page.l(value.title)) || id)}`);
  };
  router.post('/admin/reference/template/new', saveTemplate('new'));
  router.post('/admin/reference/template/:id', saveTemplate('edit'));
}

function sendPdf(res: Response, pdf: Buffer): void {
  res.type('application/pdf').set('Content-Disposition', 'inline; filename="specimen.pdf"').set('Cache-Control', 'no-store').send(pdf);
}

const errorIssues = (error: { errors?: readonly Issue[] }): Issue[] => [...(error.errors ?? [])];

/**
 * A template's issues at their lines, worded for admins: a schema rule as the definition editor words it, the
 * template's own checks in this area's words.
 */
function templateIssues(text: string, issues: readonly Issue[], page: PageContext): EditorIssue[] {
  return placeIssues(text, issues, page.locale).map((issue) => {
    const own = `reference.issue.${issue.code}`;
    const rule = /^TEMPLATE\.(.+)$/.exec(issue.code)?.[1];
    const table = MESSAGES[page.locale];
    const wording = table[own] ?? (rule && table[`admin.issue.SCHEMA.${rule}`]) ?? (issue.code === 'JSON.MALFORMED' ? issue.text : page.t('reference.issue.fallback'));
    return { ...issue, text: wording };
  });
}

/** A department's or certificate type's problems at their fields. */
function entryErrors(issues: readonly Issue[], page: PageContext): FieldError[] {
  const errors: FieldError[] = [];
  const add = (at: string, key: string) => {
    if (!errors.some((e) => e.field === at)) errors.push({ field: at, text: page.t(key) });
  };
  for (const issue of issues) {
    const [, name, locale] = issue.path.split('/');
    if (name === 'id') add('id', 'reference.issue.id');
    else if (name === 'title') add(`title-${locale && (Locales as readonly string[]).includes(locale) ? locale : 'zh-Hans'}`, issue.code.endsWith('MAX_LENGTH') ? 'reference.issue.titleLength' : 'reference.issue.title');
    else if (name === 'kind') add('kind', 'reference.issue.kind');
    else if (name === 'issuer') add('issuer', 'reference.issue.issuer');
    // A missing property is reported on the object: the field it names.
    else if (issue.code.endsWith('REQUIRED')) {
      const missing = /'(\w+)'/.exec(issue.message)?.[1] ?? '';
      add(missing === 'title' ? 'title-zh-Hans' : ['id', 'kind', 'issuer'].includes(missing) ? missing : 'id', missing === 'title' ? 'reference.issue.title' : `reference.issue.${['kind', 'issuer'].includes(missing) ? missing : 'id'}`);
    } else add('id', 'reference.issue.id');
  }
  return errors;
}

/** What a new template starts from: the smallest one that draws. */
function starterTemplate() {
  return {
    id: 'new-certificate',
    title: { 'zh-Hans': '新证照', 'zh-Hant': '新證照', en: 'New certificate' },
    page: { size: 'A4', orientation: 'portrait' },
    border: 'single',
    fields: [
      { record: 'holderName', label: { 'zh-Hans': '持证人', 'zh-Hant': '持證人', en: 'Holder' } },
      { record: 'issuedAt', label: { 'zh-Hans': '发证日期', 'zh-Hant': '發證日期', en: 'Date of issue' }, format: 'date' },
    ],
    authority: { label: { 'zh-Hans': '发证机关', 'zh-Hant': '發證機關', en: 'Issued by' } },
    seal: { diameter: 100, star: true },
    qr: { position: 'bottom-left', size: 84, caption: { 'zh-Hans': '扫码核验', 'zh-Hant': '掃碼核驗', en: 'Scan to verify' } },
  };
}
