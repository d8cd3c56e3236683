/**
 * Progress lookup (办件查询, GET /progress?number=&code=): anyone holding an application's receipt — its number and
 * check code — sees where it stands without signing in. The answer is a public summary: the status, the service,
 * each department's part (the window's intake, every matter, every further step) with its state and when it got
 * there, and the deadline. Nothing personal: no form, no names, no materials, no comments, no one's id.
 *
 * A receipt reprinted (POST /applications/:id/check-code: the applicant, or the window's clerk for them, as the
 * policy says) carries a new check code, which replaces the old one: the old one stops working.
 *
 * A wrong code, an unknown number, a malformed number and an application from before check codes all answer the one
 * PROGRESS.NOT_FOUND, after the same work (one indexed read, one hash, one constant-time comparison: see
 * identity/checkCode.ts). The rate limits that make guessing pointless are the HTTP layer's (http/api.ts).
 */
import type { WorkingCalendar, WarningLevel } from '../domain/calendar.js';
import { DAY_MS } from '../domain/calendar.js';
import type { StepDefinition } from '../domain/definition.js';
import { stepId } from '../domain/definition.js';
import type { I18nText } from '../domain/i18n.js';
import type { ApplicationStatus, ClockMode, EventType, StepKind } from '../domain/vocabulary.js';
import { FinalStates } from '../domain/vocabulary.js';
import { topState, type CompiledService } from '../definitions/index.js';
import { checkCodeMatches, newCheckCode } from '../identity/checkCode.js';
import { applicationAccess, requireApplicationReader, requireCheckCodeHolder, type Subject } from '../identity/policy.js';
import type { ApplicationView, Engine, EventRow } from '../runtime/index.js';
import type { CheckCodeStore } from '../store/checkCodeStore.js';
import { asApplicant, type ApplicationsDeps } from './applications.js';
import { checkInput } from './input.js';
import { checkCodeAudit } from './workAudit.js';

export interface ProgressDeps {
  checkCodes: CheckCodeStore;
  engine: Pick<Engine, 'inspect' | 'events'>;
  /** The counter's record of a person by resident id number: whose applications a citizen holds (as `applications.ts` asks). */
  walkInOf?: ApplicationsDeps['walkInOf'];
  /** The working-day calendar deadlines are counted on (the current one). */
  calendar: () => WorkingCalendar;
  departmentTitle: (departmentId: string) => I18nText | undefined;
  now: () => Date;
}

/**
 * Where one department's part stands. `not_started`: not reached yet; `in_progress`: with the department now;
 * `with_applicant`: waiting for the applicant (a supplement, a returned matter, a payment); `approved` / `rejected`:
 * decided (intake accepted, a matter decided, an inspection passed or failed, an objection upheld); `done`: a step
 * without a decision passed (paid, notice over); `skipped`: did not apply; `stopped`: the application ended first.
 */
export const ProgressStates = ['not_started', 'in_progress', 'with_applicant', 'approved', 'rejected', 'done', 'skipped', 'stopped'] as const;
export type ProgressState = (typeof ProgressStates)[number];

export interface ProgressStep {
  kind: Exclude<StepKind, 'issue'>;
  /** The matter, for a review step's entries. */
  matter?: string;
  /** The matter's title, or the step's (its kind's name when the definition gives it none). */
  title: I18nText;
  department: string;
  departmentTitle: I18nText;
  state: ProgressState;
  /** When it got to this state; null when it has not started, or did not apply. */
  at: string | null;
}

export interface Progress {
  number: string;
  status: ApplicationStatus;
  service: { id: string; version: number; title: I18nText };
  submittedAt: string;
  updatedAt: string;
  steps: ProgressStep[];
  deadline: {
    promisedDays: number;
    extensionDays: number;
    /** What the clock does now: `idle` before acceptance, `paused` while the applicant has the turn, `stopped` once decided. */
    clock: ClockMode;
    dueAt: string | null;
    /**
     * Working days after today up to the day the deadline falls on (accepted on a Tuesday with 3 promised days: 3;
     * on the last day: 0); negative once that day is past (−1: one working day late). Null without a running deadline.
     */
    workingDaysLeft: number | null;
    /** Whether `dueAt` has passed. */
    overdue: boolean;
    warning: WarningLevel;
  };
}

interface ProgressQuery {
  number: string;
  code: string;
}

export function createProgressUseCases({ checkCodes, engine, walkInOf, calendar, departmentTitle, now }: ProgressDeps) {
  return {
    async lookup(query: unknown): Promise<Progress> {
      const { number, code } = checkInput<ProgressQuery>('ProgressQuery', query);
      // The same work whatever the number: looked up even when malformed (it then names nothing), hashed and compared
      // even when nothing was found.
      const found = await checkCodes.findByNumber(number.trim());
      requireCheckCodeHolder(checkCodeMatches(code, found?.checkCode));
      const id = found!.applicationId;
      const { view, compiled } = await engine.inspect(id);
      return progressOf(view, compiled, await engine.events(id), calendar(), now(), (d) => departmentTitle(d) ?? { 'zh-Hans': d });
    },

    /**
     * Reprints the receipt: a new check code replaces the old one, which stops opening GET /progress, so a lost or
     * seen receipt can be made worthless. Given in this answer only and stored as a hash, with an audit row naming
     * who and which application (never the code). For whom the policy says (`reprint`): the applicant, a clerk of
     * the window; a reviewer is refused, anyone else told there is no such application.
     */
    async reissueCheckCode(subject: Subject, id: string): Promise<{ checkCode: string }> {
      // Before the lookup: an admin's refusal is the same for an id that exists and one that does not.
      requireApplicationReader(subject);
      const { view, compiled } = await engine.inspect(id);
      applicationAccess(await asApplicant(subject, walkInOf), { id, applicantId: view.applicantId, compiled }, 'reprint');
      const { code, stored } = newCheckCode();
      await checkCodes.replace(id, stored, checkCodeAudit(subject, id, now()));
      return { checkCode: code };
    },
  };
}

export type ProgressUseCases = ReturnType<typeof createProgressUseCases>;

/** The kind's name, for a step the definition gives no title. */
const KIND_TITLES: Record<Exclude<StepKind, 'issue' | 'review'>, I18nText> = {
  intake: { 'zh-Hans': '受理', 'zh-Hant': '受理', en: 'Intake' },
  inspection: { 'zh-Hans': '现场勘验', 'zh-Hant': '現場勘驗', en: 'On-site inspection' },
  payment: { 'zh-Hans': '缴费', 'zh-Hant': '繳費', en: 'Payment' },
  notice: { 'zh-Hans': '公示', 'zh-Hant': '公示', en: 'Public notice' },
};

/** The events that end an inspection, payment or notice step, and what they make of it. */
const STEP_OUTCOMES: Record<'inspection' | 'payment' | 'notice', Partial<Record<EventType, ProgressState>>> = {
  inspection: { PASS: 'approved', FAIL: 'rejected' },
  payment: { PAY: 'done', WAIVE: 'done' },
  notice: { NOTICE_ELAPSED: 'done', DISMISS: 'done', UPHOLD: 'rejected' },
};
const STEP_EVENTS: Record<'inspection' | 'payment' | 'notice', readonly EventType[]> = {
  inspection: ['SCHEDULE', 'PASS', 'FAIL'],
  payment: ['PAY', 'WAIVE'],
  notice: ['OBJECTION', 'NOTICE_ELAPSED', 'DISMISS', 'UPHOLD'],
};
const MATTER_DECISION_EVENTS: readonly string[] = ['APPROVE', 'REJECT', 'RETURN', 'SUPPLEMENT'];

/**
 * The public summary of an application, from its view, its definition and its event log. Steps before the active one
 * are past (decided, done or skipped); the active one is in progress; those after it have not started. Events of an
 * inspection, payment or notice step are found by the step's kind: exact for services with at most one step of each
 * of these kinds (every shipped service); matters are found by their id.
 */
export function progressOf(view: ApplicationView, compiled: CompiledService, events: readonly EventRow[], calendar: WorkingCalendar, now: Date, titleOf: (department: string) => I18nText): Progress {
  const definition = compiled.definition;
  const steps = definition.steps;
  const top = topState(view.stateValue);
  const ended = (FinalStates as readonly string[]).includes(view.status) && view.status !== 'completed';
  // The index of the step the application is in; every step is past once completed, or when owed materials are all it waits for.
  const activeIndex = view.status === 'completed' ? steps.length : top === 'owed' ? steps.findIndex((s) => s.kind === 'issue') : steps.findIndex((s) => stepId(s) === top);
  const withApplicant = view.status === 'supplement_requested' || view.status === 'awaiting_payment';
  const entries: ProgressStep[] = [];
  const lastOf = (match: (e: EventRow) => boolean) => [...events].reverse().find(match);
  const matterOf = (e: EventRow) => (typeof e.payload.matter === 'string' ? e.payload.matter : undefined);

  steps.forEach((step, index) => {
    const position = ended ? 'ended' : index < activeIndex ? 'past' : index === activeIndex ? 'active' : 'ahead';
    if (step.kind === 'issue') return;
    if (step.kind === 'review') {
      for (const matter of step.matters) {
        const last = lastOf((e) => matterOf(e) === matter.id && MATTER_DECISION_EVENTS.includes(e.type));
        const decision = view.decisions[matter.id];
        const current = view.matters[matter.id];
        const state: ProgressState =
          decision ?? (current === 'returned' ? 'with_applicant' : current === 'pending' ? 'in_progress' : current !== undefined ? current : position === 'ended' && last ? 'stopped' : 'not_started');
        const at = state === 'skipped' || state === 'not_started' ? null : (last?.at ?? enteredAt(events, index, steps) ?? null);
        entries.push({ kind: 'review', matter: matter.id, title: matter.title, department: matter.department, departmentTitle: titleOf(matter.department), state, at });
      }
      return;
    }
    const department = step.kind === 'intake' ? step.window : step.department;
    const { state, at } = step.kind === 'intake' ? intakeState(events, position, withApplicant, view) : stepState(step.kind, events, position, withApplicant, view);
    entries.push({ kind: step.kind, title: step.title ?? KIND_TITLES[step.kind], department, departmentTitle: titleOf(department), state, at });
  });

  const dueAt = view.dueAt;
  return {
    number: view.number,
    status: view.status,
    service: { id: definition.id, version: definition.version, title: definition.title },
    submittedAt: view.createdAt,
    updatedAt: view.updatedAt,
    steps: entries,
    deadline: {
      promisedDays: definition.promisedDays,
      extensionDays: view.extensionDays,
      clock: view.clock,
      dueAt,
      workingDaysLeft: dueAt ? workingDaysLeft(calendar, now, new Date(dueAt)) : null,
      overdue: dueAt !== null && now.getTime() > new Date(dueAt).getTime(),
      warning: view.warning,
    },
  };
}

/** Whole working days from the end of today to the end of the day the deadline's last instant falls on. */
function workingDaysLeft(calendar: WorkingCalendar, now: Date, dueAt: Date): number {
  const dueDay = calendar.dayOf(new Date(dueAt.getTime() - 1));
  return Math.round(calendar.workingMsBetween(calendar.endOfDay(calendar.dayOf(now)), calendar.endOfDay(dueDay)) / DAY_MS);
}

type Position = 'past' | 'active' | 'ahead' | 'ended';

function intakeState(events: readonly EventRow[], position: Position, withApplicant: boolean, view: ApplicationView): { state: ProgressState; at: string | null } {
  const intakeEvents = events.filter((e) => e.payload.matter === undefined && ['SUBMIT', 'ACCEPT', 'REJECT', 'REQUEST_SUPPLEMENT', 'SUPPLEMENT', 'WITHDRAW'].includes(e.type));
  const accepted = intakeEvents.find((e) => e.type === 'ACCEPT');
  if (accepted) return { state: 'approved', at: accepted.at };
  const last = intakeEvents[intakeEvents.length - 1];
  if (position === 'ended') return { state: last?.type === 'REJECT' ? 'rejected' : 'stopped', at: last?.at ?? view.updatedAt };
  return { state: withApplicant ? 'with_applicant' : 'in_progress', at: last?.at ?? view.createdAt };
}

function stepState(kind: 'inspection' | 'payment' | 'notice', events: readonly EventRow[], position: Position, withApplicant: boolean, view: ApplicationView): { state: ProgressState; at: string | null } {
  const mine = events.filter((e) => STEP_EVENTS[kind].includes(e.type as EventType));
  const last = mine[mine.length - 1];
  const outcome = [...mine].reverse().find((e) => STEP_OUTCOMES[kind][e.type as EventType] !== undefined);
  if (position === 'ahead') return { state: 'not_started', at: null };
  if (position === 'active') return { state: kind === 'payment' && withApplicant ? 'with_applicant' : 'in_progress', at: last?.at ?? view.updatedAt };
  if (outcome) return { state: STEP_OUTCOMES[kind][outcome.type as EventType]!, at: outcome.at };
  if (position === 'past') return { state: 'skipped', at: null };
  return { state: last ? 'stopped' : 'not_started', at: last?.at ?? null };
}

/** When a review step was entered: the acceptance for the first step after intake, else the last event of the step before. */
function enteredAt(events: readonly EventRow[], index: number, steps: readonly StepDefinition[]): string | undefined {
  const before = steps[index - 1];
  if (before?.kind === 'intake') return events.find((e) => e.type === 'ACCEPT')?.at;
  if (before?.kind === 'review') {
    const ids = new Set(before.matters.map((m) => m.id));
    return [...events].reverse().find((e) => typeof e.payload.matter === 'string' && ids.has(e.payload.matter) && (e.type === 'APPROVE' || e.type === 'REJECT'))?.at;
  }
  return undefined;
}
