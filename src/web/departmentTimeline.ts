/**
 * An application's timeline per department, as its applicant reads it: for each department with a part (the
 * window first, then the reviewing departments, then those of later steps), where each of its parts stands — the
 * intake, each matter, each step — and the events that concern it, with the comments the reader may see (the use
 * case has already cut them to what the policy shows). Pure: built from the detail and its definition.
 */
import type { ApplicationDetail, TaskEntry, TimelineEntry } from '../application/applications.js';
import type { TaskKind } from '../definitions/index.js';
import type { StepDefinition, ServiceDefinition } from '../domain/definition.js';
import type { I18nText } from '../domain/i18n.js';
import { FinalStates } from '../domain/vocabulary.js';

/** Where a part stands, in words of the page (`portal.part.<state>`); `awaiting…` wait on the applicant, named by what they owe. */
export type PartState = 'notStarted' | 'inProgress' | 'awaitingSupplement' | 'awaitingPayment' | 'accepted' | 'approved' | 'rejected' | 'skipped' | 'done' | 'stopped';

export interface TimelinePart {
  kind: StepDefinition['kind'];
  /** The matter's or the step's title; absent for a step the definition gives none (the page names its kind). */
  title?: I18nText;
  state: PartState;
  at: string | null;
}

export interface TimelineEvent extends TimelineEntry {
  matterTitle?: I18nText;
}

export interface DepartmentTimeline {
  department: string;
  parts: TimelinePart[];
  events: TimelineEvent[];
}

type Detail = Pick<ApplicationDetail, 'status' | 'timeline' | 'tasks' | 'matters' | 'decisions'>;

/** The events of each kind of step; the rest (submission, intake, withdrawal, extension, materials owed) are the window's. */
const STEP_EVENTS: Record<'inspection' | 'payment' | 'notice', readonly string[]> = {
  inspection: ['SCHEDULE', 'PASS', 'FAIL'],
  payment: ['PAY', 'WAIVE'],
  notice: ['OBJECTION', 'NOTICE_ELAPSED', 'UPHOLD', 'DISMISS'],
};
const STEP_OUTCOMES: Record<string, PartState> = { PASS: 'approved', FAIL: 'rejected', PAY: 'done', WAIVE: 'done', NOTICE_ELAPSED: 'done', DISMISS: 'done', UPHOLD: 'rejected' };
const ACTIVE_STATUS: Record<'inspection' | 'payment' | 'notice', string> = { inspection: 'in_inspection', payment: 'awaiting_payment', notice: 'in_notice' };
/** What the applicant's open task asks of them: a correction, or a fee paid. */
const AWAITING: Partial<Record<TaskKind, PartState>> = { supplement: 'awaitingSupplement', payment: 'awaitingPayment' };

export function departmentTimelines(detail: Detail, definition: ServiceDefinition): DepartmentTimeline[] {
  const ended = (FinalStates as readonly string[]).includes(detail.status) && detail.status !== 'completed';
  const sections = new Map<string, DepartmentTimeline>();
  const section = (department: string) => {
    if (!sections.has(department)) sections.set(department, { department, parts: [], events: [] });
    return sections.get(department)!;
  };
  const matters = definition.steps.flatMap((s) => (s.kind === 'review' ? s.matters : []));
  const window = definition.steps.find((s): s is Extract<StepDefinition, { kind: 'intake' }> => s.kind === 'intake');
  const accepted = detail.timeline.find((e) => e.type === 'ACCEPT');

  for (const step of definition.steps) {
    if (step.kind === 'intake') section(step.window).parts.push(intakePart(step, detail, ended));
    if (step.kind === 'review') {
      for (const matter of step.matters) {
        const last = lastOf(detail.timeline, (e) => e.matter === matter.id);
        const decision = detail.decisions[matter.id];
        const current = detail.matters[matter.id];
        const state: PartState = decision
          ? decision
          : current === 'returned'
            ? 'awaitingSupplement'
            : current === 'pending'
              ? 'inProgress'
              : ended && (last || accepted)
                ? 'stopped'
                : 'notStarted';
        const at = state === 'notStarted' || state === 'skipped' ? null : (last?.at ?? accepted?.at ?? null);
        section(matter.department).parts.push({ kind: 'review', title: matter.title, state, at });
      }
    }
    if (step.kind === 'inspection' || step.kind === 'payment' || step.kind === 'notice') {
      const mine = detail.timeline.filter((e) => STEP_EVENTS[step.kind].includes(e.type));
      const outcome = lastOf(mine, (e) => STEP_OUTCOMES[e.type] !== undefined);
      const active = detail.status === ACTIVE_STATUS[step.kind];
      const state: PartState = outcome ? STEP_OUTCOMES[outcome.type]! : active ? (awaiting(detail, (t) => t.kind === step.kind) ?? 'inProgress') : ended && mine.length ? 'stopped' : 'notStarted';
      section(step.department).parts.push({ kind: step.kind, ...(step.title ? { title: step.title } : {}), state, at: outcome?.at ?? mine.at(-1)?.at ?? null });
    }
  }

  for (const entry of detail.timeline) {
    const matter = entry.matter ? matters.find((m) => m.id === entry.matter) : undefined;
    const step = definition.steps.find((s) => (s.kind === 'inspection' || s.kind === 'payment' || s.kind === 'notice') && STEP_EVENTS[s.kind].includes(entry.type));
    const department = matter?.department ?? (step && 'department' in step ? step.department : window?.window);
    if (department === undefined) continue;
    section(department).events.push({ ...entry, ...(matter ? { matterTitle: matter.title } : {}) });
  }
  return [...sections.values()];
}

function intakePart(step: Extract<StepDefinition, { kind: 'intake' }>, detail: Detail, ended: boolean): TimelinePart {
  const intake = detail.timeline.filter((e) => e.matter === undefined && ['SUBMIT', 'ACCEPT', 'REQUEST_SUPPLEMENT', 'SUPPLEMENT', 'REJECT', 'WITHDRAW'].includes(e.type));
  const title = { kind: 'intake' as const, ...(step.title ? { title: step.title } : {}) };
  const accepted = intake.find((e) => e.type === 'ACCEPT');
  const last = intake.at(-1);
  if (accepted) return { ...title, state: 'accepted', at: accepted.at };
  if (ended) return { ...title, state: last?.type === 'REJECT' ? 'rejected' : 'stopped', at: last?.at ?? null };
  return { ...title, state: awaiting(detail, (t) => t.kind === 'supplement' && t.matter === null) ?? 'inProgress', at: last?.at ?? null };
}

/** What a part waits for from the applicant, if one of their open tasks is this part's. */
function awaiting(detail: Detail, ofPart: (task: TaskEntry) => boolean): PartState | undefined {
  const task = detail.tasks.find((t) => t.party === 'applicant' && ofPart(t));
  return task && AWAITING[task.kind];
}

function lastOf<T>(list: readonly T[], match: (item: T) => boolean): T | undefined {
  for (let i = list.length - 1; i >= 0; i--) if (match(list[i]!)) return list[i];
  return undefined;
}
