/**
 * Use cases on applications: submit, list (own or queue), read, act, claim and release a task, rate.
 * Each decides access through the policy first, then hands the work to the engine.
 */
import { OnevisitError, isOnevisitError } from '../domain/errors.js';
import type { ApplicationStatus } from '../domain/vocabulary.js';
import type { WarningLevel } from '../domain/calendar.js';
import { type ActorRef, type EventRequest, type MaterialClaim, type TaskKind, type TaskParty } from '../definitions/index.js';
import { actorFor, applicationAccess, requireCapability, visibilityOf, type ApplicationAccess, type Subject } from '../identity/policy.js';
import type { ApplicationView, Engine, Tracking } from '../runtime/index.js';
import { warningLevelAt } from '../runtime/tracking.js';
import { ratingFigures } from '../runtime/figures.js';
import type { ApplicationQueries, QueueItemRow, TaskSummaryRow } from '../store/applicationQueries.js';
import { checkInput } from './input.js';
import { requireApplicationReader } from '../identity/policy.js';
import { getByPointer } from '../domain/pointer.js';
import type { FileService } from '../files/index.js';
import type { ServiceDefinition } from '../domain/definition.js';

export interface ApplicationsDeps {
  engine: Engine;
  queries: ApplicationQueries;
  files: Pick<FileService, 'content'>;
  /** Throws CERTIFICATE.GLYPH_MISSING when a character of `text` cannot be drawn on a certificate. */
  drawable?: (text: string, path: string) => void;
  /** The name on the applicant's account (the holder of certificates a definition gives no holder). */
  accountName?: (userId: string) => Promise<string | undefined>;
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
  claimedAt: string | null;
}

/** One open task in a clerk's queue: the task, who holds it, and the application it belongs to. */
export interface QueueItem extends ApplicationSummary, TaskEntry {}

export interface TimelineEntry {
  seq: number;
  type: string;
  actor: string;
  at: string;
  matter?: string;
  comment?: string;
  items?: string[];
}

/** What a person is shown of an application: the view, cut to what they may see, and its timeline. */
export interface ApplicationDetail extends ApplicationView {
  access: ApplicationAccess['kind'];
  timeline: TimelineEntry[];
  /** What is open now and who holds it. */
  tasks: TaskEntry[];
  rating?: { score: number; comment: string | null; ratedAt: string };
}

interface SubmitBody {
  serviceId: string;
  version?: number;
  form: Record<string, unknown>;
  materials?: MaterialClaim[];
}

interface Filters {
  status?: ApplicationStatus;
  warning?: WarningLevel;
  department?: string;
  kind?: TaskKind;
  party?: TaskParty;
  /** `me`: the tasks I hold; `nobody`: those nobody holds. */
  claimed?: 'me' | 'nobody';
  limit?: number;
  offset?: number;
}

export function createApplicationUseCases({ engine, queries, files, drawable, accountName, now }: ApplicationsDeps) {
  async function open(subject: Subject, id: string) {
    // Before the lookup: an admin's refusal is the same for an id that exists and one that does not.
    requireApplicationReader(subject);
    const { view, compiled } = await engine.inspect(id);
    const access = applicationAccess(subject, { id, applicantId: view.applicantId, compiled });
    return { view, compiled, access };
  }

  async function detail(subject: Subject, id: string): Promise<ApplicationDetail> {
    const { view, compiled, access } = await open(subject, id);
    const [events, tasks, rating] = await Promise.all([engine.events(id), queries.tasksOf(id), queries.ratingOf(id)]);
    const visible = visibilityOf(access, compiled);
    return {
      ...view,
      form: visible.form(view.form),
      materials: Object.fromEntries(Object.entries(view.materials).filter(([materialId]) => visible.material(materialId))),
      owed: view.owed.filter((materialId) => visible.material(materialId)),
      access: access.kind,
      timeline: events.map((e) => timelineEntry(e.seq, e.type, e.actor, e.at, e.payload, visible.entryDetails(typeof e.payload.matter === 'string' ? e.payload.matter : undefined, e.type))),
      tasks: tasks.map(taskEntry),
      ...(rating ? { rating } : {}),
    };
  }

  return {
    async submit(subject: Subject, body: unknown): Promise<ApplicationDetail> {
      requireCapability(subject, 'application.submit');
      const request = checkInput<SubmitBody>('SubmitApplication', body);
      if (drawable) await checkDrawable(subject, request);
      const view = await engine.submit({
        serviceId: request.serviceId,
        ...(request.version !== undefined ? { version: request.version } : {}),
        applicant: { kind: 'applicant', id: subject.userId },
        form: request.form,
        materials: request.materials ?? [],
      });
      // A new application: its timeline is its submission; nobody has claimed or rated it yet.
      return { ...view, access: 'owner', timeline: [{ seq: 1, type: 'SUBMIT', actor: 'applicant', at: view.createdAt }], tasks: await taskEntries(view.id) };
    },

    /** A citizen's own applications, newest first; a clerk's queue of open tasks, nearest deadline first. */
    async list(subject: Subject, query: unknown): Promise<ApplicationSummary[] | QueueItem[]> {
      const { department, claimed, ...filters } = checkInput<Filters>('ApplicationFilters', coerceQuery(query));
      const at = now();
      if (subject.role === 'citizen') {
        return (await queries.listForApplicant(subject.userId, { ...filters, now: at })).map((row) => summaryOf(row.id, row, row.tracking, at));
      }
      requireCapability(subject, 'application.queue');
      if (department !== undefined && !subject.departments.includes(department)) {
        throw new OnevisitError('AUTH.FORBIDDEN', `you are not a clerk of ${department}`);
      }
      const rows = await queries.queue({
        ...filters,
        departments: department !== undefined ? [department] : subject.departments,
        ...(claimed ? { claimedBy: claimed === 'me' ? subject.userId : null } : {}),
        now: at,
      });
      return rows.map((row) => queueItem(row, at));
    },

    get: detail,

    /** Applies one event. A clerk's event takes the task's claim first; another clerk's claim refuses it. */
    async act(subject: Subject, id: string, body: unknown, expectedVersion?: number): Promise<ApplicationDetail> {
      const request = checkInput<EventRequest>('Event', body, 'EVENT.INVALID');
      let actor: ActorRef;
      try {
        // A clerk's decision takes the task's claim in the engine's transaction; another clerk's claim refuses it.
        const { access, compiled } = await open(subject, id);
        actor = actorFor(subject, access);
        // A supplement's form replaces the form: what its certificates would print is checked as at submission.
        if (drawable && request.type === 'SUPPLEMENT' && request.data?.form !== undefined) drawableForm(compiled.definition, request.data.form, '/data/form');
      } catch (error) {
        // Anyone may object during a public notice (公示): the objection is the public's, not the applicant's.
        if (!(subject.role === 'citizen' && request.type === 'OBJECTION' && isOnevisitError(error, 'APPLICATION.NOT_FOUND'))) throw error;
        const { view } = await engine.inspect(id);
        if (view.status !== 'in_notice') throw error;
        actor = { kind: 'citizen', id: subject.userId };
      }
      await engine.send(id, request, actor, expectedVersion !== undefined ? { expectedVersion } : {});
      if (actor.kind === 'citizen') return { ...(await engine.get(id)), form: {}, materials: {}, access: 'owner', timeline: [], tasks: [] };
      return detail(subject, id);
    },

    /** Takes an open task of the clerk's departments: the named matter's, or the one such task there is. */
    async claim(subject: Subject, id: string, body: unknown): Promise<ApplicationDetail> {
      const { matter } = checkInput<{ matter?: string }>('Claim', body ?? {});
      const { access } = await open(subject, id);
      if (access.kind === 'owner') throw new OnevisitError('AUTH.FORBIDDEN', 'only clerks claim tasks');
      const task = await clerkTask(subject, id, matter);
      const holder = await queries.claim(id, task.task, subject.userId, now().toISOString());
      if (holder === undefined) throw new OnevisitError('TRANSITION.NOT_ALLOWED', `${task.task} is no longer open`);
      if (holder !== subject.userId) throw new OnevisitError('TASK.CLAIMED', `another clerk has claimed ${task.task}`, { details: { task: task.task } });
      return detail(subject, id);
    },

    async release(subject: Subject, id: string, body: unknown): Promise<ApplicationDetail> {
      const { matter } = checkInput<{ matter?: string }>('Claim', body ?? {});
      const { access } = await open(subject, id);
      if (access.kind === 'owner') throw new OnevisitError('AUTH.FORBIDDEN', 'only clerks release tasks');
      const held = (await queries.tasksOf(id)).filter((t) => t.claimedBy === subject.userId && (matter === undefined || t.matter === matter));
      if (held.length !== 1 || !(await queries.release(id, held[0]!.task, subject.userId))) {
        throw new OnevisitError('TASK.NOT_CLAIMED', held.length > 1 ? 'you hold several tasks here: name the matter' : `you hold no task${matter ? ` of matter ${matter}` : ''} here`);
      }
      return detail(subject, id);
    },

    /** The uploaded file behind one material: for the applicant and every clerk who may see the application. */
    async materialFile(subject: Subject, id: string, materialId: string) {
      const { view, compiled, access } = await open(subject, id);
      // A material the reader may not see is, to them, not there.
      const record = visibilityOf(access, compiled).material(materialId) ? view.materials[materialId] : undefined;
      if (!record?.fileId) throw new OnevisitError('FILE.NOT_FOUND', `material ${materialId} of this application is not an uploaded file`);
      return files.content(record.fileId, view.applicantId);
    },

    async rate(subject: Subject, id: string, body: unknown): Promise<ApplicationDetail> {
      const rating = checkInput<{ score: number; comment?: string }>('Rating', body);
      const { view, access } = await open(subject, id);
      if (access.kind !== 'owner') throw new OnevisitError('AUTH.FORBIDDEN', 'only the applicant rates the service');
      if (!['completed', 'rejected'].includes(view.status)) throw new OnevisitError('RATING.NOT_ALLOWED', 'an application is rated once it is completed or rejected');
      const at = now().toISOString();
      if (!(await queries.rate(id, rating.score, rating.comment, at, ratingFigures(view.serviceId, rating.score, at)))) {
        throw new OnevisitError('RATING.NOT_ALLOWED', 'the application has been rated already');
      }
      return detail(subject, id);
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

  /**
   * Checks every text of `form` (found at `at` in the request) that a certificate of the definition would print:
   * its fields, and a holder's id and name taken from the form. Answers whether a certificate is held by the
   * applicant (whose account name it then prints).
   */
  function drawableForm(definition: ServiceDefinition, form: unknown, at: string): boolean {
    let applicantHolds = false;
    for (const step of definition.steps) {
      if (step.kind !== 'review') continue;
      for (const matter of step.matters) {
        const certificate = matter.certificate;
        if (!certificate) continue;
        const holder = certificate.holder;
        if (!holder) applicantHolds = true;
        const holderPointers = !holder ? [] : 'id' in holder ? [holder.id, holder.name] : [holder.name, ...(holder.existing !== undefined ? [holder.existing] : [])];
        for (const pointer of [...Object.values(certificate.fields), ...holderPointers]) {
          for (const [text, where] of strings(getByPointer(form, pointer), pointer)) drawable!(text, `${at}${where}`);
        }
      }
    }
    return applicantHolds;
  }

  async function taskEntries(id: string): Promise<TaskEntry[]> {
    return (await queries.tasksOf(id)).map(taskEntry);
  }

  /** The clerk task a claim means: the named matter's, or the one clerk task of the subject's departments. */
  async function clerkTask(subject: Subject, id: string, matter: string | undefined): Promise<TaskSummaryRow> {
    const open = (await queries.tasksOf(id)).filter((t) => t.party === 'clerk' && (matter === undefined ? true : t.matter === matter));
    const mine = open.filter((t) => subject.departments.includes(t.department));
    if (mine.length === 1) return mine[0]!;
    if (mine.length > 1) throw new OnevisitError('EVENT.INVALID', 'several of your tasks are open here: name the matter', { errors: [{ path: '/matter', code: 'EVENT.REQUIRED', message: `one of ${mine.map((t) => t.matter).join(', ')}` }] });
    if (open.length > 0) throw new OnevisitError('AUTH.FORBIDDEN', `the task belongs to ${open.map((t) => t.department).join(', ')}`);
    throw new OnevisitError('TRANSITION.NOT_ALLOWED', matter ? `matter ${matter} has no open task now` : 'there is no open task to claim now');
  }
}

export type ApplicationUseCases = ReturnType<typeof createApplicationUseCases>;

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

function queueItem(row: QueueItemRow, at: Date): QueueItem {
  return { ...summaryOf(row.applicationId, row, row, at), ...taskEntry(row) };
}

function taskEntry(t: TaskSummaryRow): TaskEntry {
  return { task: t.task, kind: t.kind, party: t.party, department: t.department, matter: t.matter, openedAt: t.openedAt, claimedBy: t.claimedBy, claimedAt: t.claimedAt };
}

/** One event as the reader is shown it: its comment and items only when the policy lets them see its details. */
function timelineEntry(seq: number, type: string, actor: { kind: string; id: string }, at: string, payload: Record<string, unknown>, details: boolean): TimelineEntry {
  return {
    seq,
    type,
    actor: actor.kind,
    at,
    ...(typeof payload.matter === 'string' ? { matter: payload.matter } : {}),
    ...(details && typeof payload.comment === 'string' ? { comment: payload.comment } : {}),
    ...(details && Array.isArray(payload.items) ? { items: payload.items as string[] } : {}),
  };
}

/** The strings in a form value, each with its pointer (lists and objects of strings included). */
function strings(value: unknown, at: string): [string, string][] {
  if (typeof value === 'string') return [[value, at]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${at}/${i}`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`));
  return [];
}

/** Query strings arrive as text; numbers are turned into numbers before the schema check. */
function coerceQuery(query: unknown): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    result[key] = (key === 'limit' || key === 'offset') && typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value;
  }
  return result;
}
