/**
 * Use cases on applications: submit, list (own or queue), read, act, claim and release a task, rate.
 * Each decides access through the policy first, then hands the work to the engine.
 */
import { OnevisitError } from '../domain/errors.js';
import { maskResidentId } from '../domain/ids.js';
import type { ApplicationStatus, EventType, QueueSort, QueueStage } from '../domain/vocabulary.js';
import type { WarningLevel } from '../domain/calendar.js';
import { type EventRequest, type MaterialClaim, type TaskKind, type TaskParty } from '../definitions/index.js';
import {
  actorFor,
  allows,
  applicationAccess,
  claimableTasks,
  draftKeeper,
  eventAccess,
  eventsOpenTo,
  heldTasks,
  listScope,
  requireApplicationReader,
  requireCapability,
  visibilityOf,
  type ApplicationAccess,
  type ApplicationAction,
  type Subject,
  type WalkInFacts,
} from '../identity/policy.js';
import { newCheckCode } from '../identity/checkCode.js';
import type { ApplicationView, Engine, Tracking } from '../runtime/index.js';
import { warningLevelAt } from '../runtime/tracking.js';
import { ratingFigures } from '../runtime/figures.js';
import type { ApplicationQueries, QueueItemRow, TaskSummaryRow } from '../store/applicationQueries.js';
import type { DraftStore } from '../store/draftStore.js';
import { checkInput } from './input.js';
import { claimAudit, ratingAudit, releaseAudit } from './workAudit.js';
import { checkDrawableForm } from './drawableForm.js';
import type { FileService } from '../files/index.js';
import type { ServiceDefinition } from '../domain/definition.js';
import { enteredByOf } from '../runtime/enteredBy.js';

export interface ApplicationsDeps {
  engine: Engine;
  queries: ApplicationQueries;
  files: Pick<FileService, 'content'>;
  /** Throws CERTIFICATE.GLYPH_MISSING when a character of `text` cannot be drawn on a certificate. */
  drawable?: (text: string, path: string) => void;
  /** The name on the applicant's account (the holder of certificates a definition gives no holder). */
  accountName?: (userId: string) => Promise<string | undefined>;
  /**
   * Who an application is for (its applicant id: an account, or the counter's record of a person): their name, full
   * resident id number (masked here before anyone is shown it) and whether an online account holds the application.
   */
  applicantOf?: (applicantId: string) => Promise<{ name: string; idNumber: string | null; hasAccount: boolean } | undefined>;
  /** Drafts, for a submission made from one (`{draftId}`). */
  drafts?: Pick<DraftStore, 'get'>;
  /** The counter's record of the person with this resident id number (counter intake), if any. */
  walkInOf?: (idNumber: string) => Promise<WalkInFacts | undefined>;
  /**
   * The last instant the first of the `owed` deferred (容缺) materials may follow: the earliest of their
   * deferred-materials timers', while the application waits for them.
   */
  owedBy?: (applicationId: string, owed: readonly string[]) => Promise<string | undefined>;
  now: () => Date;
}

export interface ApplicationSummary {
  id: string;
  number: string;
  serviceId: string;
  serviceVersion: number;
  status: ApplicationStatus;
  dueAt: string | null;
  warning: WarningLevel;
  createdAt: string;
  updatedAt: string;
}

/** An open task of an application and who holds it. */
export interface TaskEntry {
  task: string;
  kind: TaskKind;
  party: TaskParty;
  department: string;
  matter: string | null;
  openedAt: string;
  claimedBy: string | null;
  /** The name of the clerk who holds it. */
  claimedByName: string | null;
  claimedAt: string | null;
  /** The task went back to the applicant since it opened (a supplement asked, the matter returned): a clerk's again, it is their answer. */
  returned: boolean;
}

/** One open task in a clerk's queue: the task, who holds it, and the application it belongs to. */
export interface QueueItem extends ApplicationSummary, TaskEntry {
  /** Whether the application was ever sent back to the applicant, at any of its tasks (the one-visit figure's). */
  sentBack: boolean;
}

/** An event the reader may send now (the policy's cut of what the machine takes in this state). */
export interface OpenAction {
  type: EventType;
  matter?: string;
}

export interface TimelineEntry {
  seq: number;
  type: string;
  actor: string;
  at: string;
  /** Entered at a counter (窗口代录): the clerk who entered the submission for the applicant. */
  enteredBy?: { id: string; name: string | null };
  matter?: string;
  comment?: string;
  items?: string[];
}

/** Who an application is for, as the readers the policy shows them are shown them (its receipt names them so). */
export interface ApplicantShown {
  name: string;
  /** The resident id number masked (first 6, last 4), never the full one; null for an account without one. */
  idNumberMasked: string | null;
  /**
   * Whether an online account holds the application: it was made online, or entered at a counter for a person whose
   * id number has (or has since got) an account. Without one, the person registers with that number to follow it online.
   */
  hasAccount: boolean;
}

/** What a person is shown of an application: the view, cut to what they may see, and its timeline. */
export interface ApplicationDetail extends ApplicationView {
  access: ApplicationAccess['kind'];
  /** Who it is for: for the applicant and the window, never a reviewer. */
  applicant?: ApplicantShown;
  timeline: TimelineEntry[];
  /** What is open now and who holds it. */
  tasks: TaskEntry[];
  /** The events this reader may send now; a task another clerk holds still offers its events (acting answers TASK.CLAIMED). */
  actions: OpenAction[];
  /** The applicant's rating (好差评), once given. */
  rating?: { score: number; comment: string | null; ratedAt: string };
  /** Whether this reader may rate the service now: the rule `rate` enforces (theirs to rate, decided, not rated yet). */
  mayRate: boolean;
  /** While materials are owed after acceptance: the last instant they may follow (the application ends after it). */
  owedBy?: string;
}

/**
 * What the public is shown of an application it acts on (an objection during the notice): what the notice
 * publishes, nothing of the case — no applicant, form, materials, matters, timeline or tasks.
 */
export interface NoticeDetail extends Pick<ApplicationView, 'id' | 'number' | 'serviceId' | 'serviceVersion' | 'status' | 'state' | 'version' | 'warning' | 'createdAt' | 'updatedAt'> {
  access: 'public';
  form: Record<string, never>;
  timeline: [];
}

/** The answer to a submission: the application, and the check code for its receipt — given this once, stored only as a hash. */
export interface SubmittedApplication extends ApplicationDetail {
  checkCode: string;
}

interface SubmitBody {
  serviceId: string;
  version?: number;
  form: Record<string, unknown>;
  materials?: MaterialClaim[];
  draftId?: string;
}

interface Filters {
  status?: ApplicationStatus;
  warning?: WarningLevel;
  department?: string;
  kind?: TaskKind;
  party?: TaskParty;
  /** `me`: the tasks I hold; `nobody`: those nobody holds. */
  claimed?: 'me' | 'nobody';
  stage?: QueueStage;
  serviceId?: string;
  sort?: QueueSort;
  limit?: number;
  offset?: number;
}

/**
 * The subject with what the policy decides their applications by: the counter's record of a person with their
 * resident id number, when there is one (applications entered for them before they had an account).
 */
export async function asApplicant(subject: Subject, walkInOf: ApplicationsDeps['walkInOf']): Promise<Subject> {
  const walkIn = subject.idNumber !== undefined && walkInOf ? await walkInOf(subject.idNumber) : undefined;
  return walkIn ? { ...subject, walkIn } : subject;
}

export function createApplicationUseCases({ engine, queries, files, drawable, accountName, applicantOf, drafts, walkInOf, owedBy, now }: ApplicationsDeps) {

  /** The application and how the subject stands to it, for `action`: the policy's answer, or its refusal. */
  async function open(subject: Subject, id: string, action: ApplicationAction = 'read') {
    // Before the lookup: an admin's refusal is the same for an id that exists and one that does not.
    requireApplicationReader(subject);
    const inspected = await engine.inspect(id);
    const { view, compiled } = inspected;
    const access = applicationAccess(await asApplicant(subject, walkInOf), { id, applicantId: view.applicantId, compiled }, action);
    return { ...inspected, access };
  }

  /** The application as the policy lets a reader standing so see it: every answer carrying its contents is made here. */
  async function detail(subject: Subject, access: ApplicationAccess, { view, compiled, possibleEvents }: Awaited<ReturnType<Engine['inspect']>>): Promise<ApplicationDetail | NoticeDetail> {
    const visible = visibilityOf(access, compiled);
    if (!visible.case) return noticeOf(view);
    const id = view.id;
    const owed = view.owed.filter((materialId) => visible.material(materialId));
    const [events, tasks, rating, due, applicant] = await Promise.all([
      engine.events(id),
      queries.tasksOf(id),
      queries.ratingOf(id),
      owed.length > 0 ? owedBy?.(id, view.owed) : undefined,
      visible.applicant ? applicantOf?.(view.applicantId) : undefined,
    ]);
    const enterers = await enterersOf(events.map((e) => e.payload));
    return {
      ...view,
      form: visible.form(view.form),
      materials: Object.fromEntries(Object.entries(view.materials).filter(([materialId]) => visible.material(materialId))),
      owed,
      access: access.kind,
      ...(applicant ? { applicant: { name: applicant.name, idNumberMasked: applicant.idNumber === null ? null : maskResidentId(applicant.idNumber), hasAccount: applicant.hasAccount } } : {}),
      timeline: events.map((e) => timelineEntry(e.seq, e.type, e.actor, e.at, e.payload, visible.entryDetails(typeof e.payload.matter === 'string' ? e.payload.matter : undefined, e.type), enterers)),
      tasks: tasks.map(taskEntry),
      actions: eventsOpenTo(actorFor(subject, access), possibleEvents()).map(({ type, matter }) => ({ type, ...(matter !== undefined ? { matter } : {}) })),
      ...(rating ? { rating } : {}),
      mayRate: allows(access.kind, 'rate') && ratable(view.status) && !rating,
      ...(due ? { owedBy: due } : {}),
    };
  }

  return {
    /**
     * Submits the body, or the draft it names (`{draftId}`). A draft named is deleted in the submission's
     * transaction: a draft submitted twice at once makes one application, the other answer is DRAFT.NOT_FOUND.
     */
    async submit(subject: Subject, body: unknown): Promise<SubmittedApplication> {
      requireCapability(subject, 'application.submit');
      const checked = checkInput<SubmitBody>('SubmitApplication', body);
      const draft = checked.draftId !== undefined ? { id: checked.draftId, ownerId: draftKeeper(subject) } : undefined;
      const request = draft && checked.form === undefined ? await draftContent(draft.id, draft.ownerId) : checked;
      if (drawable) await checkDrawable(subject, request);
      const { code, stored } = newCheckCode();
      const view = await engine.submit({
        serviceId: request.serviceId,
        ...(request.version !== undefined ? { version: request.version } : {}),
        applicant: { kind: 'applicant', id: subject.userId },
        form: request.form,
        materials: request.materials ?? [],
        alongside: { checkCode: stored, ...(draft ? { consumesDraft: draft } : {}) },
      });
      // A new application: its timeline is its submission; nobody has claimed or rated it yet, nor may until it is decided.
      return { ...view, access: 'owner', checkCode: code, timeline: [{ seq: 1, type: 'SUBMIT', actor: 'applicant', at: view.createdAt }], tasks: await taskEntries(view.id), actions: [{ type: 'WITHDRAW' }], mayRate: false };
    },

    /** A citizen's own applications, newest first; a clerk's queue of open tasks, nearest deadline first. */
    async list(subject: Subject, query: unknown): Promise<ApplicationSummary[] | QueueItem[]> {
      const { department, claimed, ...filters } = checkInput<Filters>('ApplicationFilters', coerceQuery(query));
      const at = now();
      const scope = listScope(await asApplicant(subject, walkInOf), department);
      if (scope.kind === 'own') {
        return (await queries.listForApplicant(scope.applicantIds, { ...filters, now: at })).map((row) => summaryOf(row.id, row, row.tracking, at));
      }
      const rows = await queries.queue({
        ...filters,
        departments: scope.departments,
        ...(claimed ? { claimedBy: claimed === 'me' ? subject.userId : null } : {}),
        now: at,
      });
      return rows.map((row) => queueItem(row, at));
    },

    async get(subject: Subject, id: string): Promise<ApplicationDetail | NoticeDetail> {
      const opened = await open(subject, id);
      return detail(subject, opened.access, opened);
    },

    /** Applies one event. A clerk's event takes the task's claim first; another clerk's claim refuses it. */
    async act(subject: Subject, id: string, body: unknown, expectedVersion?: number): Promise<ApplicationDetail | NoticeDetail> {
      const request = checkInput<EventRequest>('Event', body, 'EVENT.INVALID');
      // Before the lookup: an admin's refusal is the same for an id that exists and one that does not.
      requireApplicationReader(subject);
      const { view, compiled } = await engine.inspect(id);
      // The applicant, a clerk of the application, or during a public notice (公示) the public objecting.
      const access = eventAccess(await asApplicant(subject, walkInOf), { id, applicantId: view.applicantId, compiled }, view.status, request.type);
      // A supplement's form replaces the form: what its certificates would print is checked as at submission.
      if (drawable && request.type === 'SUPPLEMENT' && request.data?.form !== undefined) drawableForm(compiled.definition, request.data.form, '/data/form');
      // A clerk's decision takes the task's claim in the engine's transaction; another clerk's claim refuses it.
      await engine.send(id, request, actorFor(subject, access), expectedVersion !== undefined ? { expectedVersion } : {});
      return detail(subject, access, await engine.inspect(id));
    },

    /** Takes an open task of the clerk's departments: the named matter's, or the one such task there is. */
    async claim(subject: Subject, id: string, body: unknown): Promise<ApplicationDetail | NoticeDetail> {
      const { matter } = checkInput<{ matter?: string }>('Claim', body ?? {});
      const { access } = await open(subject, id, 'claim');
      const task = await clerkTask(subject, id, matter);
      const at = now();
      const holder = await queries.claim(id, task.task, subject.userId, at.toISOString(), claimAudit(subject, id, task, at));
      if (holder === undefined) throw new OnevisitError('TRANSITION.NOT_ALLOWED', `${task.task} is no longer open`);
      if (holder !== subject.userId) throw new OnevisitError('TASK.CLAIMED', `another clerk has claimed ${task.task}`, { details: { task: task.task } });
      return detail(subject, access, await engine.inspect(id));
    },

    async release(subject: Subject, id: string, body: unknown): Promise<ApplicationDetail | NoticeDetail> {
      const { matter } = checkInput<{ matter?: string }>('Claim', body ?? {});
      const { access } = await open(subject, id, 'release');
      const held = heldTasks(subject, await queries.tasksOf(id)).filter((t) => matter === undefined || t.matter === matter);
      if (held.length !== 1 || !(await queries.release(id, held[0]!.task, subject.userId, releaseAudit(subject, id, held[0]!, now())))) {
        throw new OnevisitError('TASK.NOT_CLAIMED', held.length > 1 ? 'you hold several tasks here: name the matter' : `you hold no task${matter ? ` of matter ${matter}` : ''} here`);
      }
      return detail(subject, access, await engine.inspect(id));
    },

    /** The uploaded file behind one material: for the applicant and every clerk who may see the application. */
    async materialFile(subject: Subject, id: string, materialId: string) {
      const { view, compiled, access } = await open(subject, id, 'material');
      // A material the reader may not see is, to them, not there.
      const record = visibilityOf(access, compiled).material(materialId) ? view.materials[materialId] : undefined;
      if (!record?.fileId) throw new OnevisitError('FILE.NOT_FOUND', `material ${materialId} of this application is not an uploaded file`);
      return files.content(record.fileId, view.applicantId);
    },

    async rate(subject: Subject, id: string, body: unknown): Promise<ApplicationDetail | NoticeDetail> {
      const rating = checkInput<{ score: number; comment?: string }>('Rating', body);
      const { view, access } = await open(subject, id, 'rate');
      if (!ratable(view.status)) throw new OnevisitError('RATING.NOT_ALLOWED', 'an application is rated once it is completed or rejected');
      const ratedAt = now();
      const at = ratedAt.toISOString();
      if (!(await queries.rate(id, rating.score, rating.comment, at, ratingFigures(view.serviceId, rating.score, at), ratingAudit(subject, id, rating.score, rating.comment, ratedAt)))) {
        throw new OnevisitError('RATING.NOT_ALLOWED', 'the application has been rated already');
      }
      return detail(subject, access, await engine.inspect(id));
    },
  };

  /**
   * Everything the service's certificates would print (their fields, their holder) must be drawable: a
   * character no certificate font has is refused now, naming it, rather than failing when issuing.
   */
  async function checkDrawable(subject: Subject, request: SubmitBody): Promise<void> {
    const compiled = await engine.service(request.serviceId, request.version);
    const applicantHolds = drawableForm(compiled.definition, request.form, '/form');
    const name = applicantHolds && accountName ? await accountName(subject.userId) : undefined;
    if (name) drawable!(name, '/account/name');
  }

  /** A draft's content as a submission body, checked as one (it was saved partial). */
  async function draftContent(id: string, ownerId: string): Promise<SubmitBody> {
    const draft = await drafts?.get(id, ownerId);
    if (!draft) throw new OnevisitError('DRAFT.NOT_FOUND');
    return checkInput<SubmitBody>('SubmitApplication', { serviceId: draft.serviceId, form: draft.form, materials: draft.materials });
  }

  function drawableForm(definition: ServiceDefinition, form: unknown, at: string): boolean {
    return checkDrawableForm(drawable!, definition, form, at);
  }

  /** The names of the clerks who entered submissions at a counter, by id (a timeline names them). */
  async function enterersOf(payloads: readonly Record<string, unknown>[]): Promise<Map<string, string | null>> {
    const ids = [...new Set(payloads.flatMap((p) => { const by = enteredByOf(p); return by ? [by.id] : []; }))];
    return new Map(await Promise.all(ids.map(async (clerkId) => [clerkId, (await accountName?.(clerkId)) ?? null] as const)));
  }

  async function taskEntries(id: string): Promise<TaskEntry[]> {
    return (await queries.tasksOf(id)).map(taskEntry);
  }

  /** The clerk task a claim means: the named matter's, or the one task of the subject's departments (the policy's). */
  async function clerkTask(subject: Subject, id: string, matter: string | undefined): Promise<TaskSummaryRow> {
    const mine = claimableTasks(subject, (await queries.tasksOf(id)).filter((t) => matter === undefined || t.matter === matter));
    if (mine.length === 1) return mine[0]!;
    if (mine.length > 1) throw new OnevisitError('EVENT.INVALID', 'several of your tasks are open here: name the matter', { errors: [{ path: '/matter', code: 'EVENT.REQUIRED', message: `one of ${mine.map((t) => t.matter).join(', ')}` }] });
    throw new OnevisitError('TRANSITION.NOT_ALLOWED', matter ? `matter ${matter} has no open task now` : 'there is no open task to claim now');
  }
}

export type ApplicationUseCases = ReturnType<typeof createApplicationUseCases>;

/** The statuses in which the service is rated (好差评): once the application is decided, granted or refused. */
const RATABLE: readonly ApplicationStatus[] = ['completed', 'rejected'];

function ratable(status: ApplicationStatus): boolean {
  return RATABLE.includes(status);
}

type SummarySource = Pick<ApplicationSummary, 'number' | 'serviceId' | 'serviceVersion' | 'status' | 'createdAt' | 'updatedAt'>;

function summaryOf(id: string, row: SummarySource, tracking: Pick<Tracking, 'dueAt' | 'blueAt' | 'yellowAt' | 'warningLevel'>, at: Date): ApplicationSummary {
  return {
    id,
    number: row.number,
    serviceId: row.serviceId,
    serviceVersion: row.serviceVersion,
    status: row.status,
    dueAt: tracking.dueAt,
    warning: warningLevelAt(tracking, at),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function noticeOf(view: ApplicationView): NoticeDetail {
  const { id, number, serviceId, serviceVersion, status, state, version, warning, createdAt, updatedAt } = view;
  return { id, number, serviceId, serviceVersion, status, state, version, warning, createdAt, updatedAt, access: 'public', form: {}, timeline: [] };
}

function queueItem(row: QueueItemRow, at: Date): QueueItem {
  return { ...summaryOf(row.applicationId, row, row, at), ...taskEntry(row), sentBack: row.sentBack };
}

function taskEntry(t: TaskSummaryRow): TaskEntry {
  return { task: t.task, kind: t.kind, party: t.party, department: t.department, matter: t.matter, openedAt: t.openedAt, claimedBy: t.claimedBy, claimedByName: t.claimedByName, claimedAt: t.claimedAt, returned: t.returned };
}

/** One event as the reader is shown it: its comment and items only when the policy lets them see its details. */
function timelineEntry(seq: number, type: string, actor: { kind: string; id: string }, at: string, payload: Record<string, unknown>, details: boolean, enterers: ReadonlyMap<string, string | null>): TimelineEntry {
  const enteredBy = details ? enteredByOf(payload) : undefined;
  return {
    seq,
    type,
    actor: actor.kind,
    at,
    ...(enteredBy ? { enteredBy: { id: enteredBy.id, name: enterers.get(enteredBy.id) ?? null } } : {}),
    ...(typeof payload.matter === 'string' ? { matter: payload.matter } : {}),
    ...(details && typeof payload.comment === 'string' ? { comment: payload.comment } : {}),
    ...(details && Array.isArray(payload.items) ? { items: payload.items as string[] } : {}),
  };
}


/** Query strings arrive as text; numbers are turned into numbers before the schema check. */
function coerceQuery(query: unknown): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    result[key] = (key === 'limit' || key === 'offset') && typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value;
  }
  return result;
}
