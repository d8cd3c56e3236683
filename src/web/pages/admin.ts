/**
 * The admin console: the dashboard, services with their versions and the definition editor,
 * accounts, and the working-day calendar. Every page asks a use case (or, for the catalog that anyone may read,
 * the policy) before it shows anything, so a citizen or clerk gets the forbidden page; every form carries the
 * CSRF token and works without scripts (the editor's script only adds live validation and the drawn diagram).
 */
import type { Request, Response, Router } from 'express';
import type { ServiceDefinition } from '../../domain/definition.js';
import { chinaDate } from '../../domain/time.js';
import { OnevisitError, isOnevisitError, type Issue } from '../../domain/errors.js';
import { Locales } from '../../domain/i18n.js';
import { requireCapability } from '../../identity/policy.js';
import type { Principal } from '../../identity/index.js';
import { contextOf } from '../context.js';
import { flowSvg } from '../flowDiagram.js';
import { guideOf } from '../guide.js';
import type { PageKit } from '../kit.js';
import { dashboardModel } from '../admin/dashboard.js';
import { formPreviews, issueTable, lineDiff, parseText, placeIssues, pretty, simulation, type EditorIssue } from '../admin/editor.js';
import { calendarFromForm, emptyYear, exceptionLines, placeCalendarIssues, yearGrid, type FieldError } from '../admin/calendar.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

const field = (body: Record<string, unknown>, name: string): string => (typeof body[name] === 'string' ? (body[name] as string) : '');
const list = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? [value] : []);

export function adminPages(router: Router, kit: PageKit): void {
  const { services } = kit;

  /** The signed-in person, or the sign-in page (AUTH.REQUIRED); what they may do is the use cases' to say. */
  const signedIn = (res: Response): Principal => kit.signedIn(res);

  // ---------------------------------------------------------------------------------------------------------------
  // Dashboard

  router.get('/admin', async (req: Request, res: Response) => {
    const principal = signedIn(res);
    const page = contextOf(res);
    const today = chinaDate(new Date());
    const given = 'from' in req.query || 'to' in req.query;
    const from = given ? (typeof req.query.from === 'string' ? req.query.from.trim() : '') : chinaDate(new Date(Date.parse(`${today}T00:00:00Z`) - 29 * DAY_MS));
    const to = given ? (typeof req.query.to === 'string' ? req.query.to.trim() : '') : today;
    const errors: FieldError[] = [];
    if (from && !DATE.test(from)) errors.push({ field: 'from', text: page.t('admin.dashboard.dateFormat') });
    if (to && !DATE.test(to)) errors.push({ field: 'to', text: page.t('admin.dashboard.dateFormat') });
    let metrics;
    if (errors.length === 0) {
      try {
        metrics = await services.admin.metrics(principal, { ...(from ? { from } : {}), ...(to ? { to } : {}) });
      } catch (error) {
        if (!isOnevisitError(error, 'INPUT.INVALID')) throw error;
        for (const issue of (error.errors ?? []) as Issue[]) {
          const at = issue.path === '/to' ? 'to' : 'from';
          errors.push({ field: at, text: page.t(issue.code === 'INPUT.RANGE' ? 'admin.dashboard.dateOrder' : 'admin.dashboard.dateFormat') });
        }
        if (errors.length === 0) errors.push({ field: 'from', text: page.t('admin.dashboard.dateFormat') });
      }
    } else {
      // Still the use case decides who may see the dashboard, before any error is shown.
      await services.admin.metrics(principal, {});
    }
    if (!metrics) return kit.render(res, 'admin/dashboard.njk', { from, to, errors }, 400);
    const titles = new Map((await services.catalog.list()).map((s) => [s.id, page.l(s.title)]));
    kit.render(res, 'admin/dashboard.njk', { from, to, errors, dashboard: dashboardModel(metrics, page.t, page.l, services.reference().departments, titles) });
  });

  // ---------------------------------------------------------------------------------------------------------------
  // Services, versions, the editor

  router.get('/admin/services', async (_req: Request, res: Response) => {
    const principal = signedIn(res);
    requireCapability(principal, 'definition.author');
    const page = contextOf(res);
    const all = await services.catalog.list();
    const rows = await Promise.all(
      all.map(async (s) => ({ id: s.id, title: page.l(s.title), version: s.version, versions: (await services.catalog.versions(principal, s.id)).length, publishedAt: s.publishedAt, departments: s.departments.length })),
    );
    kit.render(res, 'admin/services.njk', { rows });
  });

  router.get('/admin/services/new', async (_req: Request, res: Response) => {
    const principal = signedIn(res);
    requireCapability(principal, 'definition.author');
    const text = starterText();
    renderEditor(res, { mode: 'new', text, checked: await check(principal, text, contextOf(res).locale) });
  });

  router.get('/admin/services/:id', async (req: Request, res: Response) => {
    const principal = signedIn(res);
    const id = String(req.params.id);
    const versions = await services.catalog.versions(principal, id);
    const service = await services.catalog.get(id);
    const published = typeof req.query.published === 'string' && /^\d+$/.test(req.query.published) ? Number(req.query.published) : undefined;
    kit.render(res, 'admin/versions.njk', { id, title: contextOf(res).l(service.title), versions: [...versions].reverse(), latest: service.version, published });
  });

  router.get('/admin/services/:id/edit', async (req: Request, res: Response) => {
    const principal = signedIn(res);
    const id = String(req.params.id);
    await services.catalog.versions(principal, id);
    const text = pretty(await publishedDefinition(id));
    renderEditor(res, { mode: 'edit', id, text, checked: await check(principal, text, contextOf(res).locale) });
  });

  const editorPost = (mode: 'new' | 'edit') => async (req: Request, res: Response) => {
    kit.checkCsrf(req, res);
    const principal = signedIn(res);
    const id = mode === 'edit' ? String(req.params.id) : undefined;
    if (id) await services.catalog.versions(principal, id);
    else requireCapability(principal, 'definition.author');
    const body = req.body as Record<string, unknown>;
    const text = field(body, 'definition');
    const action = field(body, 'action');
    const locale = contextOf(res).locale;
    if (action === 'edit') return renderEditor(res, { mode, ...(id ? { id } : {}), text, checked: await check(principal, text, locale) });
    const checked = await check(principal, text, locale);
    if (!checked.valid || action === 'validate' || !checked.definition) {
      return renderEditor(res, { mode, ...(id ? { id } : {}), text, checked }, checked.valid ? 200 : 422);
    }
    const definition = checked.definition;
    if (action === 'publish') {
      const before = await publishedDefinition(definition.id).catch((error: unknown) => {
        if (isOnevisitError(error, 'SERVICE.NOT_FOUND')) return undefined;
        throw error;
      });
      const nextVersion = (before?.version ?? 0) + 1;
      const diff = lineDiff(before ? pretty(before) : '', pretty({ ...definition, version: before?.version ?? definition.version }));
      const unchanged = before !== undefined && diff.added === 0 && diff.removed === 0;
      return kit.render(res, 'admin/publish.njk', { mode, id, text, serviceId: definition.id, title: contextOf(res).l(definition.title), before: before?.version, nextVersion, diff, unchanged, action: editorAction(mode, id) });
    }
    if (action === 'confirm') {
      try {
        const published = await services.catalog.publish(principal, definition);
        return res.redirect(303, `/admin/services/${encodeURIComponent(published.id)}?published=${published.version}`);
      } catch (error) {
        if (!isOnevisitError(error, 'DEFINITION.INVALID')) throw error;
        return renderEditor(res, { mode, ...(id ? { id } : {}), text, checked: { valid: false, issues: placeIssues(text, (error.errors ?? []) as Issue[], locale), diagram: null } }, 422);
      }
    }
    return renderEditor(res, { mode, ...(id ? { id } : {}), text, checked });
  };
  router.post('/admin/services/new', editorPost('new'));
  router.post('/admin/services/:id/edit', editorPost('edit'));

  async function publishedDefinition(id: string): Promise<ServiceDefinition> {
    const { hash: _hash, publishedAt: _at, diagram: _diagram, ...definition } = await services.catalog.get(id);
    return definition as ServiceDefinition;
  }

  interface Checked {
    valid: boolean;
    issues: EditorIssue[];
    diagram: string | null;
    /** The definition, once it passed: it is typed only after the catalog's validator said so. */
    definition?: ServiceDefinition;
  }

  async function check(principal: Principal, text: string, locale: (typeof Locales)[number]): Promise<Checked> {
    const parsed = parseText(text);
    if (!parsed.ok) return { valid: false, issues: placeIssues(text, parsed.issues, locale), diagram: null };
    const result = await services.catalog.validate(principal, parsed.value);
    if (!result.valid) return { valid: false, issues: placeIssues(text, result.errors, locale), diagram: null };
    return { valid: true, issues: [], diagram: result.diagram, definition: parsed.value as ServiceDefinition };
  }

  function editorAction(mode: 'new' | 'edit', id?: string): string {
    return mode === 'new' ? '/admin/services/new' : `/admin/services/${encodeURIComponent(id!)}/edit`;
  }

  function renderEditor(res: Response, { mode, id, text, checked }: { mode: 'new' | 'edit'; id?: string; text: string; checked: Checked | undefined }, status = 200) {
    const page = contextOf(res);
    const definition = checked?.definition;
    let flow: string | undefined;
    if (definition) {
      const guide = guideOf(definition, services.reference(), page.locale, page.t);
      flow = flowSvg(guide.flow, page.t('guide.flowDescription', { steps: guide.steps.join(' → ') }));
    }
    const issues = checked?.issues ?? [];
    kit.render(
      res,
      'admin/editor.njk',
      {
        mode,
        id,
        text,
        action: editorAction(mode, id),
        checked: checked ? { valid: checked.valid, issues, diagram: checked.diagram } : undefined,
        errors: issues.map((issue, i) => ({ field: 'definition', anchor: `issue-${i}`, text: `${issue.path || '/'} — ${issue.text}` })),
        flow,
        simulation: definition ? simulation(definition) : undefined,
        previews: definition ? formPreviews(definition.form) : undefined,
        issueTable: issueTable(page.locale),
      },
      status,
    );
  }

  function starterText(): string {
    const departments = services.reference().departments;
    const window = departments.find((d) => d.id === 'comprehensive-window')?.id ?? departments[0]?.id ?? 'comprehensive-window';
    const reviewer = departments.find((d) => d.id !== window)?.id ?? window;
    return pretty({
      id: 'new-service',
      version: 1,
      title: { 'zh-Hans': '新事项', 'zh-Hant': '新事項', en: 'New service' },
      applicant: 'person',
      promisedDays: 5,
      warning: { blue: 0.5, yellow: 0.8 },
      form: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: { name: { type: 'string', title: '姓名', minLength: 2, maxLength: 30 } },
        examples: [{ name: '张三' }],
      },
      materials: [],
      steps: [
        { kind: 'intake', window },
        { kind: 'review', matters: [{ id: 'review', title: { 'zh-Hans': '审查', 'zh-Hant': '審查', en: 'Review' }, department: reviewer, fields: ['/name'] }] },
      ],
    });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Accounts

  async function renderUsers(res: Response, principal: Principal, extra: object = {}, status = 200) {
    const page = contextOf(res);
    const departments = services.reference().departments;
    const accounts = await services.admin.listUsers(principal);
    const rows = [...accounts]
      .sort((a, b) => a.role.localeCompare(b.role) || a.username.localeCompare(b.username))
      .map((a) => ({ ...a, self: a.id === principal.userId, departmentTitles: a.departments.map((d) => page.l(departments.find((x) => x.id === d)?.title) || d) }));
    kit.render(res, 'admin/users.njk', { rows, ...extra }, status);
  }

  router.get('/admin/users', async (req: Request, res: Response) => {
    const principal = signedIn(res);
    const done = typeof req.query.done === 'string' && ['created', 'disabled', 'enabled'].includes(req.query.done) ? req.query.done : undefined;
    const who = typeof req.query.user === 'string' ? req.query.user.slice(0, 64) : '';
    await renderUsers(res, principal, done ? { done, who } : {});
  });

  const userForm = (res: Response, values: Record<string, unknown>, errors: FieldError[] = [], status = 200) => {
    const page = contextOf(res);
    const chosen = list(values.departments);
    kit.render(res, 'admin/newUser.njk', {
      values,
      errors,
      departments: services.reference().departments.map((d) => ({ value: d.id, text: page.l(d.title), checked: chosen.includes(d.id) })),
    }, status);
  };

  router.get('/admin/users/new', async (_req: Request, res: Response) => {
    const principal = signedIn(res);
    requireCapability(principal, 'user.manage');
    userForm(res, { role: 'clerk' });
  });

  router.post('/admin/users', async (req: Request, res: Response) => {
    kit.checkCsrf(req, res);
    const principal = signedIn(res);
    requireCapability(principal, 'user.manage');
    const { t } = contextOf(res);
    const body = req.body as Record<string, unknown>;
    const values = { username: field(body, 'username').trim(), name: field(body, 'name').trim(), role: field(body, 'role'), idNumber: field(body, 'idNumber').trim(), departments: list(body.departments) };
    const input = {
      username: values.username,
      password: field(body, 'password'),
      ...(values.role ? { role: values.role } : {}),
      departments: values.departments,
      ...(values.name ? { name: values.name } : {}),
      ...(values.idNumber ? { idNumber: values.idNumber } : {}),
    };
    // Presence is asked here so that every missing answer is shown at once; the rest is the account rules'.
    const errors: FieldError[] = [];
    if (!values.username) errors.push({ field: 'username', text: t('admin.users.issue.USERNAME.REQUIRED') });
    if (!values.role) errors.push({ field: 'role', text: t('admin.users.issue.ROLE') });
    if (!input.password) errors.push({ field: 'password', text: t('admin.users.issue.PASSWORD.REQUIRED') });
    if (errors.length > 0) return userForm(res, values, errors, 400);
    try {
      const user = await services.admin.addUser(principal, input);
      return res.redirect(303, `/admin/users?done=created&user=${encodeURIComponent(user.username)}`);
    } catch (error) {
      if (isOnevisitError(error, 'USER.EXISTS')) {
        const onId = ((error.errors ?? []) as Issue[]).some((e) => e.path === '/idNumber');
        return userForm(res, values, [{ field: onId ? 'idNumber' : 'username', text: t(onId ? 'admin.users.issue.ID_TAKEN' : 'admin.users.issue.EXISTS') }], 409);
      }
      if (!isOnevisitError(error, 'INPUT.INVALID') && !isOnevisitError(error, 'PASSWORD.WEAK')) throw error;
      return userForm(res, values, userIssues((error.errors ?? []) as Issue[], t), 400);
    }
  });

  const accountAction = (action: 'disable' | 'enable') => async (req: Request, res: Response) => {
    kit.checkCsrf(req, res);
    const principal = signedIn(res);
    const id = String(req.params.id);
    try {
      const account = action === 'disable' ? await services.admin.disableUser(principal, id) : await services.admin.enableUser(principal, id);
      res.redirect(303, `/admin/users?done=${action}d&user=${encodeURIComponent(account.username)}`);
    } catch (error) {
      if (!isOnevisitError(error, 'USER.OWN_ACCOUNT')) throw error;
      await renderUsers(res, principal, { errors: [{ field: `account-${id}`, text: contextOf(res).t('admin.users.ownAccount') }] }, 409);
    }
  };
  router.post('/admin/users/:id/disable', accountAction('disable'));
  router.post('/admin/users/:id/enable', accountAction('enable'));

  // ---------------------------------------------------------------------------------------------------------------
  // The working-day calendar

  async function yearData(principal: Principal, year: number) {
    try {
      return { data: await services.admin.calendar(principal, String(year)), exists: true };
    } catch (error) {
      if (!isOnevisitError(error, 'ROUTE.NOT_FOUND')) throw error;
      const previous = await services.admin.calendar(principal, String(year - 1)).catch(() => undefined);
      return { data: emptyYear(year, previous), exists: false };
    }
  }

  function renderCalendar(res: Response, data: Parameters<typeof yearGrid>[0], exists: boolean, form: { source: string; holidays: string; workingWeekends: string }, extra: object = {}, status = 200) {
    const page = contextOf(res);
    kit.render(res, 'admin/calendar.njk', { year: data.year, exists, months: yearGrid(data, page.locale), form, ...extra }, status);
  }

  const yearOf = (value: unknown): number => (typeof value === 'string' && /^\d{4}$/.test(value) ? Number(value) : Number(chinaDate(new Date()).slice(0, 4)));

  router.get('/admin/calendar', async (req: Request, res: Response) => {
    const principal = signedIn(res);
    const { data, exists } = await yearData(principal, yearOf(req.query.year));
    renderCalendar(res, data, exists, { source: data.source, ...exceptionLines(data) }, { saved: req.query.saved === '1' });
  });

  router.post('/admin/calendar', async (req: Request, res: Response) => {
    kit.checkCsrf(req, res);
    const principal = signedIn(res);
    const { t } = contextOf(res);
    const body = req.body as Record<string, unknown>;
    const { data: base, exists } = await yearData(principal, yearOf(body.year));
    const form = { source: field(body, 'source'), holidays: field(body, 'holidays'), workingWeekends: field(body, 'workingWeekends') };
    const parsed = calendarFromForm(form, base, t);
    if (!parsed.ok) return renderCalendar(res, base, exists, form, { errors: parsed.errors }, 400);
    try {
      await services.admin.saveCalendar(principal, String(base.year), parsed.data);
    } catch (error) {
      if (!isOnevisitError(error, 'CALENDAR.INVALID')) throw error;
      return renderCalendar(res, base, exists, form, { errors: placeCalendarIssues((error.errors ?? []) as Issue[], parsed.lines, t) }, 422);
    }
    res.redirect(303, `/admin/calendar?year=${base.year}&saved=1`);
  });
}

const SCHEMA_FALLBACK: Record<string, string> = { username: 'USERNAME.INVALID', password: 'PASSWORD.TOO_LONG', name: 'NAME.INVALID', idNumber: 'ID_NUMBER.INVALID' };

/** Each problem of a new account at its field, in the page's language. */
function userIssues(issues: readonly Issue[], t: (key: string) => string): FieldError[] {
  const fields = ['username', 'password', 'role', 'departments', 'name', 'idNumber'];
  const known = new Set(['USERNAME.REQUIRED', 'USERNAME.INVALID', 'PASSWORD.REQUIRED', 'PASSWORD.TOO_SHORT', 'PASSWORD.TOO_LONG', 'PASSWORD.COMMON', 'DEPARTMENTS.REQUIRED', 'DEPARTMENTS.NOT_ALLOWED', 'DEPARTMENT.UNKNOWN', 'NAME.REQUIRED', 'NAME.INVALID', 'ID_NUMBER.REQUIRED', 'ID_NUMBER.INVALID']);
  const errors: FieldError[] = [];
  for (const issue of issues) {
    const name = issue.path.split('/')[1] ?? '';
    const at = fields.includes(name) ? name : 'username';
    // A request-schema issue (INPUT.*: too long, wrong shape) says the same as the account rule for that field.
    const code = known.has(issue.code) ? issue.code : SCHEMA_FALLBACK[at];
    const text = code ? t(`admin.users.issue.${code}`) : t(`admin.users.invalid.${at}`);
    if (!errors.some((e) => e.field === at)) errors.push({ field: at, text });
  }
  return errors.length > 0 ? errors : [{ field: 'username', text: t('admin.users.invalid.username') }];
}
