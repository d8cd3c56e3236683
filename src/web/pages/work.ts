/**
 * The clerk workbench (window clerks and department reviewers): the queue in tabs, and one application as this clerk
 * may see it, with only the actions open to them now. What a clerk sees and may send is the use case's answer (the
 * policy cuts the detail and lists the open actions); these handlers read the request, call it, and render.
 */
import type { Request, Response, Router } from 'express';
import { OnevisitError, isOnevisitError } from '../../domain/errors.js';
import type { ServiceDefinition } from '../../domain/definition.js';
import type { I18nText } from '../../domain/i18n.js';
import { chinaWallClock } from '../../domain/time.js';
import { QueueSorts, WarningLevels, type EventType, type QueueSort, type QueueStage, type WarningLevel } from '../../domain/vocabulary.js';
import { allows, claimableTasks, heldTasks, requireCapability } from '../../identity/policy.js';
import type { Principal } from '../../identity/index.js';
import type { ApplicationDetail, OpenAction, QueueItem, TaskEntry } from '../../application/applications.js';
import { contextOf, type PageContext } from '../context.js';
import { deadlineOf } from '../deadline.js';
import { safeReturn, type PageKit } from '../kit.js';
import { formSections, type FormSection } from '../formSummary.js';
import { itemTitle } from '../supplement.js';
import { receiptModel } from '../receipt.js';

/** The queue's tabs: three stages of the task table, and everything overdue. */
export const WORK_TABS = ['accept', 'supplements', 'review', 'overdue'] as const;
type WorkTab = (typeof WORK_TABS)[number];
const TAB_STAGE: Record<WorkTab, QueueStage | undefined> = { accept: 'accept', supplements: 'supplements', review: 'review', overdue: undefined };

const PAGE_SIZE = 25;
const MAX_PAGE = 400;

/**
 * What each event a clerk may send asks of them: nothing (a button), an optional comment, a reason (required), the
 * items to supplement (ticked, the notice generated from them), or a number of working days.
 */
type ActionForm = 'button' | 'comment' | 'reason' | 'items' | 'days';
const ACTION_FORMS: Partial<Record<EventType, ActionForm>> = {
  ACCEPT: 'button',
  REQUEST_SUPPLEMENT: 'items',
  REJECT: 'reason',
  APPROVE: 'comment',
  RETURN: 'items',
  SCHEDULE: 'reason',
  PASS: 'comment',
  FAIL: 'reason',
  PAY: 'button',
  WAIVE: 'reason',
  OBJECTION: 'reason',
  UPHOLD: 'reason',
  DISMISS: 'comment',
  EXTEND: 'days',
};

/** Conflicts shown above the fresh state of the application, as a message (409). */
const CONFLICTS = ['APPLICATION.CONFLICT', 'TASK.CLAIMED', 'TRANSITION.NOT_ALLOWED', 'TASK.NOT_CLAIMED'] as const;
/** Notices a redirect may name (`?msg=`): only these are shown. */
const NOTICES = ['claimed', 'released', 'done', 'TASK.CLAIMED', 'TRANSITION.NOT_ALLOWED', 'TASK.NOT_CLAIMED'] as const;

export function workPages(router: Router, kit: PageKit): void {
  const { services } = kit;

  /** The signed-in clerk, or the policy's refusal (signing in first; a citizen or admin has no queue). */
  function clerk(res: Response): Principal {
    return kit.signedIn(res, 'application.queue');
  }

  const titles = titleCache(services.definitionOf);

  // ── The queue ────────────────────────────────────────────────────────────────────────────────────────────────
  router.get('/work', async (req: Request, res: Response) => {
    const principal = clerk(res);
    const page = contextOf(res);
    const q = req.query as Record<string, unknown>;
    const tab: WorkTab = (WORK_TABS as readonly string[]).includes(String(q.tab)) ? (q.tab as WorkTab) : await defaultTab(principal);
    const warning = tab === 'overdue' ? 'red' : oneOf(q.warning, Object.values(WarningLevels));
    const claimed = oneOf(q.claimed, ['me', 'nobody'] as const);
    const sort: QueueSort = oneOf(q.sort, Object.values(QueueSorts)) ?? 'due';
    const catalog = await services.catalog.list();
    const serviceId = oneOf(q.service, catalog.map((s) => s.id));
    const pageNumber = Math.min(MAX_PAGE, Math.max(1, Number.parseInt(String(q.page ?? '1'), 10) || 1));
    const stage = TAB_STAGE[tab];
    const rows = (await services.applications.list(principal, {
      ...(stage ? { stage } : {}),
      ...(warning ? { warning } : {}),
      ...(claimed ? { claimed } : {}),
      ...(serviceId ? { serviceId } : {}),
      sort,
      // One more than a page: whether there is a next one, without counting.
      limit: String(PAGE_SIZE + 1),
      offset: String((pageNumber - 1) * PAGE_SIZE),
    })) as QueueItem[];
    const shown = rows.slice(0, PAGE_SIZE);
    const filters = { tab, warning: tab === 'overdue' ? undefined : warning, claimed, sort: sort === 'due' ? undefined : sort, service: serviceId };
    const here = queueHref(filters, pageNumber);
    kit.render(res, 'work/queue.njk', {
      tab,
      tabs: WORK_TABS.map((id) => ({ id, href: queueHref({ ...filters, tab: id, warning: id === 'overdue' ? undefined : filters.warning }, 1), current: id === tab })),
      filters: { warning: warning ?? '', claimed: claimed ?? '', sort, service: serviceId ?? '' },
      services: catalog.map((s) => ({ value: s.id, text: page.l(s.title) })),
      rows: await Promise.all(shown.map(async (row) => queueRow(row, principal, page, await titles(row.serviceId, row.serviceVersion)))),
      here,
      previous: pageNumber > 1 ? queueHref(filters, pageNumber - 1) : undefined,
      next: rows.length > PAGE_SIZE && pageNumber < MAX_PAGE ? queueHref(filters, pageNumber + 1) : undefined,
      pageNumber,
      notice: noticeOf(q.msg),
    });
  });

  /** A window clerk starts where applications arrive; a reviewer where their matters wait. */
  async function defaultTab(principal: Principal): Promise<WorkTab> {
    for (const s of await services.catalog.list()) {
      const intake = (await services.definitionOf(s.id, s.version)).steps[0];
      if (intake?.kind === 'intake' && principal.departments.includes(intake.window)) return 'accept';
    }
    return 'review';
  }

  function queueRow(row: QueueItem, principal: Principal, page: PageContext, service: ServiceTitles) {
    const deadline = deadlineOf(row.dueAt, row.warning, services.time);
    return {
      id: row.id,
      number: row.number,
      href: `/work/applications/${encodeURIComponent(row.id)}`,
      service: page.l(service.title),
      task: row.matter ? page.l(service.matters[row.matter]) : page.t(`work.kind.${row.kind}`),
      kind: page.t(`work.kind.${row.kind}`),
      department: departmentTitle(row.department, page),
      submitted: row.createdAt,
      deadline,
      waiting: row.party === 'applicant' ? 'applicant' : row.returned ? 'answered' : undefined,
      holder: holderOf(row, principal, page),
      matter: row.matter,
      canClaim: row.party === 'clerk' && row.claimedBy === null,
      canRelease: row.claimedBy === principal.userId,
    };
  }

  function departmentTitle(id: string, page: PageContext): string {
    const department = services.reference().departments.find((d) => d.id === id);
    return department ? page.l(department.title) : id;
  }

  // ── Claim and release ────────────────────────────────────────────────────────────────────────────────────────
  for (const verb of ['claim', 'release'] as const) {
    router.post(`/work/applications/:id/${verb}`, async (req: Request, res: Response) => {
      kit.checkCsrf(req, res);
      const principal = clerk(res);
      const id = String(req.params.id);
      const body = req.body as Record<string, unknown>;
      const matter = typeof body.matter === 'string' && body.matter !== '' ? body.matter : undefined;
      const back = safeReturn(body.return, `/work/applications/${encodeURIComponent(id)}`);
      let msg: string = verb === 'claim' ? 'claimed' : 'released';
      try {
        await services.applications[verb](principal, id, matter ? { matter } : {});
      } catch (error) {
        const code = conflictCode(error);
        if (!code) throw error;
        msg = code;
      }
      res.redirect(303, withParam(back, 'msg', msg));
    });
  }

  function model(detail: ApplicationDetail, definition: ServiceDefinition, principal: Principal, page: PageContext) {
    return applicationModel(detail, definition, principal, page, { deadline: deadlineOf(detail.dueAt, detail.warning, services.time), department: (id) => departmentTitle(id, page) });
  }

  // ── One application ──────────────────────────────────────────────────────────────────────────────────────────
  async function detailOf(principal: Principal, id: string): Promise<ApplicationDetail> {
    const detail = await services.applications.get(principal, id);
    // A clerk always stands to an application by a department; the public's view is never theirs.
    if (detail.access === 'public') throw new OnevisitError('AUTH.FORBIDDEN', 'clerks read applications by their departments');
    return detail as ApplicationDetail;
  }

  async function renderApplication(res: Response, principal: Principal, detail: ApplicationDetail, extra: { problem?: string; notice?: string } = {}, status = 200) {
    const page = contextOf(res);
    const definition = await services.definitionOf(detail.serviceId, detail.serviceVersion);
    kit.render(res, 'work/application.njk', { app: model(detail, definition, principal, page), ...extra }, status);
  }

  router.get('/work/applications/:id', async (req: Request, res: Response) => {
    const principal = clerk(res);
    const detail = await detailOf(principal, String(req.params.id));
    await renderApplication(res, principal, detail, noticeOf(req.query.msg) ? { notice: noticeOf(req.query.msg)! } : {});
  });

  router.get('/work/applications/:id/materials/:material', async (req: Request, res: Response) => {
    const principal = clerk(res);
    const { record, stream } = await services.applications.materialFile(principal, String(req.params.id), String(req.params.material));
    // Only what a browser shows without running anything of it is shown inline; the type was sniffed on upload.
    const inline = ['application/pdf', 'image/png', 'image/jpeg'].includes(record.mediaType);
    res.type(record.mediaType).set('Content-Disposition', `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(record.originalName)}`).set('Cache-Control', 'private, no-store');
    stream.pipe(res);
  });

  /** A decision that asks for something (a reason, days): its own page, carrying the version the clerk decided on. */
  router.get('/work/applications/:id/decide', async (req: Request, res: Response) => {
    const principal = clerk(res);
    const detail = await detailOf(principal, String(req.params.id));
    const action = openAction(detail, req.query.type, req.query.matter);
    if (!action || !['reason', 'days'].includes(ACTION_FORMS[action.type] ?? '')) return renderApplication(res, principal, detail, { problem: 'TRANSITION.NOT_ALLOWED' }, 409);
    await renderDecision(res, principal, detail, action, versionOf(req.query.v) ?? detail.version, {});
  });

  async function renderDecision(res: Response, principal: Principal, detail: ApplicationDetail, action: OpenAction, version: number, values: { comment?: string; days?: string }, errors: { field: string; text: string }[] = [], status = 200) {
    const page = contextOf(res);
    const definition = await services.definitionOf(detail.serviceId, detail.serviceVersion);
    const app = model(detail, definition, principal, page);
    kit.render(res, 'work/decide.njk', { app, action: app.actions.find((a) => a.type === action.type && a.matter === (action.matter ?? '')), version, values, errors }, status);
  }

  /** Request supplement (intake) or return a matter: tick what is missing or insufficient; the notice is made from the ticks. */
  router.get('/work/applications/:id/supplement', async (req: Request, res: Response) => {
    const principal = clerk(res);
    const detail = await detailOf(principal, String(req.params.id));
    const action = openAction(detail, req.query.type ?? 'REQUEST_SUPPLEMENT', req.query.matter);
    if (!action || ACTION_FORMS[action.type] !== 'items') return renderApplication(res, principal, detail, { problem: 'TRANSITION.NOT_ALLOWED' }, 409);
    await renderSupplement(res, principal, detail, action, versionOf(req.query.v) ?? detail.version, { items: [], note: '' });
  });

  async function renderSupplement(res: Response, principal: Principal, detail: ApplicationDetail, action: OpenAction, version: number, values: { items: string[]; note: string; notice?: string }, errors: { field: string; text: string }[] = [], status = 200) {
    const page = contextOf(res);
    const definition = await services.definitionOf(detail.serviceId, detail.serviceVersion);
    const app = model(detail, definition, principal, page);
    const view = values.notice !== undefined ? 'work/supplementPreview.njk' : 'work/supplement.njk';
    kit.render(res, view, { app, action: app.actions.find((a) => a.type === action.type && a.matter === (action.matter ?? '')), version, values, errors, choices: supplementChoices(app, values.items, page) }, status);
  }

  /** A posted action's start: the CSRF token checked, the clerk, the fresh detail, and the action named if it is open now. */
  async function postedAction(req: Request, res: Response) {
    kit.checkCsrf(req, res);
    const principal = clerk(res);
    const detail = await detailOf(principal, String(req.params.id));
    const body = req.body as Record<string, unknown>;
    return { principal, page: contextOf(res), detail, body, action: openAction(detail, body.type, body.matter) };
  }

  router.post('/work/applications/:id/supplement', async (req: Request, res: Response) => {
    const { principal, page, detail, body, action } = await postedAction(req, res);
    if (!action || ACTION_FORMS[action.type] !== 'items') return renderApplication(res, principal, detail, { problem: 'TRANSITION.NOT_ALLOWED' }, 409);
    const version = versionOf(body.version) ?? detail.version;
    const definition = await services.definitionOf(detail.serviceId, detail.serviceVersion);
    const app = model(detail, definition, principal, page);
    const allowed = new Set(supplementChoices(app, [], page).flatMap((group) => group.items.map((i) => i.value)));
    const items = [...new Set(listOf(body.items))].filter((i) => allowed.has(i));
    const note = text(body.note, 1000);
    if (items.length === 0) {
      return renderSupplement(res, principal, detail, action, version, { items, note }, [{ field: 'items', text: page.t('work.supplement.required') }], 422);
    }
    if (body.send !== 'yes') {
      // The notice, generated from the ticked items, shown (and editable) before it is sent.
      return renderSupplement(res, principal, detail, action, version, { items, note, notice: supplementNotice(items, note, app, page) });
    }
    const notice = text(body.notice, 2000);
    if (notice === '') {
      return renderSupplement(res, principal, detail, action, version, { items, note, notice }, [{ field: 'notice', text: page.t('work.supplement.noticeRequired') }], 422);
    }
    await sendEvent(res, principal, detail, { type: action.type, ...(action.matter ? { matter: action.matter } : {}), items, comment: notice }, version);
  });

  router.post('/work/applications/:id/events', async (req: Request, res: Response) => {
    const { principal, page, detail, body, action } = await postedAction(req, res);
    const form = action ? ACTION_FORMS[action.type] : undefined;
    const version = versionOf(body.version) ?? detail.version;
    // Not open to this clerk now (decided meanwhile, or never theirs): the fresh state says why.
    if (!action || !form || form === 'items') {
      const problem = version !== detail.version ? 'APPLICATION.CONFLICT' : 'TRANSITION.NOT_ALLOWED';
      return renderApplication(res, principal, detail, { problem }, 409);
    }
    const comment = text(body.comment, 2000);
    const days = text(body.days, 3);
    if (form === 'reason' && comment === '') {
      return renderDecision(res, principal, detail, action, version, { comment, days }, [{ field: 'comment', text: page.t('work.decide.reasonRequired') }], 422);
    }
    if (form === 'days' && !(/^\d{1,3}$/.test(days) && Number(days) >= 1 && Number(days) <= 365)) {
      return renderDecision(res, principal, detail, action, version, { comment, days }, [{ field: 'days', text: page.t('work.decide.daysInvalid') }], 422);
    }
    await sendEvent(res, principal, detail, {
      type: action.type,
      ...(action.matter ? { matter: action.matter } : {}),
      ...(comment ? { comment } : {}),
      ...(form === 'days' ? { data: { days: Number(days) } } : {}),
    }, version);
  });

  /** The receipt printed again for the applicant (the window's): a new check code, which replaces the old one. */
  router.post('/work/applications/:id/receipt', async (req: Request, res: Response) => {
    kit.checkCsrf(req, res);
    const principal = clerk(res);
    const detail = await detailOf(principal, String(req.params.id));
    const { checkCode } = await services.progress.reissueCheckCode(principal, detail.id);
    const definition = await services.definitionOf(detail.serviceId, detail.serviceVersion);
    const enteredBy = detail.timeline.find((e) => e.type === 'SUBMIT')?.enteredBy?.name;
    kit.render(res, 'intake/receipt.njk', {
      audience: 'clerk',
      reprint: true,
      back: `/work/applications/${encodeURIComponent(detail.id)}`,
      ...receiptModel({ ...detail, checkCode }, definition, contextOf(res), services.reference().departments),
      ...(detail.applicant ? { applicant: detail.applicant } : {}),
      ...(enteredBy ? { enteredBy } : {}),
    });
  });

  /** Sends the event on the version the page showed; a conflict is shown as a message above the fresh state. */
  async function sendEvent(res: Response, principal: Principal, detail: ApplicationDetail, event: Record<string, unknown>, version: number) {
    try {
      await services.applications.act(principal, detail.id, event, version);
    } catch (error) {
      const code = conflictCode(error);
      if (!code) throw error;
      return renderApplication(res, principal, await detailOf(principal, detail.id), { problem: code }, 409);
    }
    res.redirect(303, `/work/applications/${encodeURIComponent(detail.id)}?msg=done`);
  }
}

// ── Models ─────────────────────────────────────────────────────────────────────────────────────────────────────

interface ServiceTitles {
  title: I18nText;
  matters: Record<string, I18nText>;
}

/** Service and matter titles per published version (the definitions are compiled once and cached by the engine). */
function titleCache(definitionOf: (serviceId: string, version: number) => Promise<ServiceDefinition>) {
  const known = new Map<string, ServiceTitles>();
  return async (serviceId: string, version: number): Promise<ServiceTitles> => {
    const key = `${serviceId}@${version}`;
    const hit = known.get(key);
    if (hit) return hit;
    const definition = await definitionOf(serviceId, version);
    const titles = { title: definition.title, matters: Object.fromEntries(definition.steps.flatMap((s) => (s.kind === 'review' ? s.matters : [])).map((m) => [m.id, m.title])) };
    if (known.size > 500) known.clear();
    known.set(key, titles);
    return titles;
  };
}

function holderOf(task: Pick<TaskEntry, 'claimedBy' | 'claimedByName' | 'party'>, principal: Principal, page: PageContext): { kind: 'me' | 'other' | 'nobody' | 'applicant'; text: string } {
  if (task.claimedBy === principal.userId) return { kind: 'me', text: page.t('work.holder.me') };
  if (task.claimedBy) return { kind: 'other', text: page.t('work.holder.other', { name: task.claimedByName ?? '' }) };
  if (task.party === 'applicant') return { kind: 'applicant', text: page.t('work.holder.applicant') };
  return { kind: 'nobody', text: page.t('work.holder.nobody') };
}

type AppModel = ReturnType<typeof applicationModel>;

/** Everything the application page shows, from the detail the policy cut and the definition's titles. */
function applicationModel(detail: ApplicationDetail, definition: ServiceDefinition, principal: Principal, page: PageContext, shown: { deadline: ReturnType<typeof deadlineOf>; department: (id: string) => string }) {
  const { t, l } = page;
  const matters = definition.steps.flatMap((s) => (s.kind === 'review' ? s.matters : []));
  const matterTitle = (id: string | undefined) => (id ? l(matters.find((m) => m.id === id)?.title) || id : '');
  const materialDefs = new Map(definition.materials.map((m) => [m.id, m]));
  const base = `/work/applications/${encodeURIComponent(detail.id)}`;
  const sections: FormSection[] = formSections(definition.form, detail.form, page);
  const materialIds = [...new Set([...Object.keys(detail.materials), ...detail.owed])];
  const materials = materialIds.map((id) => {
    const record = detail.materials[id];
    const def = materialDefs.get(id);
    const mediaTypes = def?.mediaTypes ?? [];
    const preview = record?.fileId ? (mediaTypes.length > 0 && mediaTypes.every((m) => m.startsWith('image/')) ? 'image' : 'frame') : undefined;
    return {
      id,
      title: def ? l(def.title) : id,
      source: record ? (record.source === 'certificate' ? (record.fromWallet ? 'wallet' : 'certificate') : record.source) : 'owed',
      href: record?.fileId ? `${base}/materials/${encodeURIComponent(id)}` : undefined,
      preview,
    };
  });
  const claimable = safeClaimable(principal, detail.tasks);
  const reviewer = detail.access === 'reviewer';
  const myDepartments = new Set(principal.departments);
  // A reviewer is shown their departments' work; the window, the whole application's.
  const tasks = detail.tasks.filter((task) => !reviewer || myDepartments.has(task.department)).map((task) => ({
    title: task.matter ? matterTitle(task.matter) : t(`work.kind.${task.kind}`),
    kind: t(`work.kind.${task.kind}`),
    department: shown.department(task.department),
    holder: holderOf(task, principal, page),
    matter: task.matter ?? '',
    canClaim: task.claimedBy === null && claimable.includes(task),
    canRelease: heldTasks(principal, [task]).length === 1,
  }));
  const actions = detail.actions
    .filter((a) => ACTION_FORMS[a.type] !== undefined)
    .map((a) => {
      const form = ACTION_FORMS[a.type]!;
      const query = `type=${a.type}${a.matter ? `&matter=${encodeURIComponent(a.matter)}` : ''}&v=${detail.version}`;
      return {
        type: a.type,
        matter: a.matter ?? '',
        matterTitle: matterTitle(a.matter),
        form,
        label: t(`work.action.${a.type}`),
        key: `${a.type}${a.matter ? `-${a.matter}` : ''}`,
        href: form === 'items' ? `${base}/supplement?${query}` : form === 'reason' || form === 'days' ? `${base}/decide?${query}` : undefined,
      };
    });
  return {
    id: detail.id,
    href: base,
    number: detail.number,
    version: detail.version,
    service: l(definition.title),
    status: detail.status,
    statusText: t(`status.${detail.status}`),
    access: detail.access,
    deadline: shown.deadline,
    submitted: detail.createdAt,
    sections,
    materials,
    matters: Object.entries(detail.matters)
      .filter(([id]) => !reviewer || myDepartments.has(matters.find((m) => m.id === id)?.department ?? ''))
      .map(([id, state]) => ({ id, title: matterTitle(id), state: t(`work.matter.${state}`) })),
    tasks,
    actions,
    timeline: [...detail.timeline].reverse().map((e) => ({
      at: e.at,
      when: chinaWallClock(e.at).toISOString().slice(0, 16).replace('T', ' '),
      event: t(`work.event.${e.type}`),
      actor: t(`work.actor.${e.actor}`),
      matter: matterTitle(e.matter),
      comment: e.comment,
      items: (e.items ?? []).map((i) => {
        const title = itemTitle(i, definition);
        return typeof title === 'string' ? title : l(title);
      }),
    })),
    matterTitle,
    canReprint: allows(detail.access, 'reprint'),
  };
}

/** The items a supplement may ask for: the materials and the form's fields this clerk sees, grouped as the page shows them. */
function supplementChoices(app: AppModel, ticked: readonly string[], page: PageContext) {
  const checked = new Set(ticked);
  const groups = [
    { title: page.t('work.supplement.materials'), items: app.materials.map((m) => ({ value: m.id, text: m.title, checked: checked.has(m.id) })) },
    ...app.sections.map((s) => ({ title: s.title, items: s.rows.map((r) => ({ value: r.pointer, text: r.label, checked: checked.has(r.pointer) })) })),
  ];
  return groups.filter((g) => g.items.length > 0);
}

/** The supplement notice made from the ticked items (by their titles), in the clerk's language, with their note. */
function supplementNotice(items: readonly string[], note: string, app: AppModel, page: PageContext): string {
  const byValue = new Map(supplementChoices(app, [], page).flatMap((g) => g.items.map((i) => [i.value, i.text] as const)));
  const materials = items.filter((i) => !i.startsWith('/')).map((i) => byValue.get(i) ?? i);
  const fields = items.filter((i) => i.startsWith('/')).map((i) => byValue.get(i) ?? i);
  const lines = [page.t('work.notice.intro', { number: app.number, service: app.service })];
  let n = 0;
  if (materials.length > 0) {
    lines.push(page.t('work.notice.materials'));
    for (const m of materials) lines.push(`${++n}. ${m}`);
  }
  if (fields.length > 0) {
    lines.push(page.t('work.notice.fields'));
    for (const f of fields) lines.push(`${++n}. ${f}`);
  }
  if (note) lines.push(note);
  lines.push(page.t('work.notice.outro'));
  return lines.join('\n');
}

function safeClaimable(principal: Principal, tasks: readonly TaskEntry[]): TaskEntry[] {
  try {
    return claimableTasks(principal, tasks);
  } catch (error) {
    if (isOnevisitError(error, 'AUTH.FORBIDDEN')) return [];
    throw error;
  }
}

/** The open action the form names, when it is open to this clerk now. */
function openAction(detail: ApplicationDetail, type: unknown, matter: unknown): OpenAction | undefined {
  const m = typeof matter === 'string' && matter !== '' ? matter : undefined;
  return detail.actions.find((a) => a.type === type && a.matter === m);
}

function conflictCode(error: unknown): (typeof CONFLICTS)[number] | undefined {
  return CONFLICTS.find((code) => isOnevisitError(error, code));
}

function noticeOf(value: unknown): string | undefined {
  return (NOTICES as readonly string[]).includes(String(value)) ? String(value) : undefined;
}

function queueHref(filters: { tab: WorkTab; warning?: WarningLevel | undefined; claimed?: string | undefined; sort?: string | undefined; service?: string | undefined }, pageNumber: number): string {
  const params = new URLSearchParams({ tab: filters.tab });
  if (filters.warning) params.set('warning', filters.warning);
  if (filters.service) params.set('service', filters.service);
  if (filters.claimed) params.set('claimed', filters.claimed);
  if (filters.sort) params.set('sort', filters.sort);
  if (pageNumber > 1) params.set('page', String(pageNumber));
  return `/work?${params.toString()}`;
}

function withParam(href: string, name: string, value: string): string {
  const [path, query = ''] = href.split('?', 2) as [string, string?];
  const params = new URLSearchParams(query);
  params.set(name, value);
  return `${path}?${params.toString()}`;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[]): T | undefined {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : undefined;
}

function versionOf(value: unknown): number | undefined {
  return typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : undefined;
}

function text(value: unknown, max: number): string {
  return typeof value === 'string' ? value.trim().slice(0, max) : '';
}

function listOf(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.filter((v): v is string => typeof v === 'string').slice(0, 100);
}

