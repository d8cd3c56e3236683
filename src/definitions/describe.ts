/** What a snapshot means to people: its coarse status, the clock, the active step and its open tasks. */
import type { AnyMachineSnapshot } from 'xstate';
import type { StepDefinition } from '../domain/definition.js';
import { stepId } from '../domain/definition.js';
import type { ApplicationStatus, ClockMode } from '../domain/vocabulary.js';
import type { CompiledService } from './compile.js';
import type { StateValue } from './machineTypes.js';

/** When several states are active (parallel review), the one most in need of someone's action wins. */
const STATUS_PRIORITY: readonly ApplicationStatus[] = [
  'supplement_requested', 'submitted', 'in_review', 'in_inspection', 'awaiting_payment', 'in_notice', 'issuing',
  'completed', 'rejected', 'withdrawn', 'terminated',
];
const CLOCK_PRIORITY: readonly ClockMode[] = ['paused', 'running', 'idle', 'stopped'];

export function statusOf(snapshot: AnyMachineSnapshot): ApplicationStatus {
  const status = STATUS_PRIORITY.find((s) => snapshot.hasTag(`status:${s}`));
  if (!status) throw new Error(`state ${JSON.stringify(snapshot.value)} carries no status`);
  return status;
}

export function clockOf(snapshot: AnyMachineSnapshot): ClockMode {
  return CLOCK_PRIORITY.find((mode) => snapshot.hasTag(`clock:${mode}`)) ?? 'stopped';
}

/** The top-level state name: a step id, `owed`, or a final state. */
export function topState(value: StateValue): string {
  return typeof value === 'string' ? value : Object.keys(value)[0]!;
}

export function activeStep(compiled: CompiledService, value: StateValue): StepDefinition | undefined {
  const top = topState(value);
  return compiled.definition.steps.find((step) => stepId(step) === top);
}

export type MatterState = 'pending' | 'returned' | 'approved' | 'rejected' | 'skipped';

/** The state of each matter of the active review step, when a review step is active. */
export function matterStates(compiled: CompiledService, value: StateValue): Record<string, MatterState> {
  const step = activeStep(compiled, value);
  if (step?.kind !== 'review' || typeof value === 'string') return {};
  const regions = value[stepId(step)];
  if (!regions || typeof regions !== 'object') return {};
  const result: Record<string, MatterState> = {};
  for (const matter of step.matters) {
    const region = regions[matter.id];
    if (typeof region === 'string') result[matter.id] = (region === 'check' ? 'pending' : region) as MatterState;
  }
  return result;
}

/** The state value as one dotted line per active leaf, for people and logs: `review.tax.pending`. */
export function stateLabel(value: StateValue): string {
  if (typeof value === 'string') return value;
  return Object.entries(value)
    .map(([key, child]) => (typeof child === 'string' ? `${key}.${child}` : `${key}.{${stateLabel(child)}}`))
    .join(',');
}

/** What kind of work an open task is; `supplement` and `materials` wait for the applicant. */
export const TaskKinds = {
  intake: 'intake',
  supplement: 'supplement',
  review: 'review',
  inspection: 'inspection',
  payment: 'payment',
  notice: 'notice',
  materials: 'materials',
  /** 告知承诺核查: a commitment checked afterwards, by the department the definition names, after completion. */
  postcheck: 'postcheck',
} as const;
export type TaskKind = (typeof TaskKinds)[keyof typeof TaskKinds];

/** Who acts on a task: a clerk of its department, or the applicant (the department waits for them). */
export type TaskParty = 'clerk' | 'applicant';

/**
 * A piece of open work: the intake check, one matter, a step, or materials the applicant owes. The key (`task`)
 * stays the same while the work goes back and forth (a matter returned to the applicant and answered is still
 * `matter:<id>`), so a clerk's claim survives the round trip.
 */
export interface OpenTask {
  /** `intake`, `matter:<id>`, `step:<id>` or `materials`; the unit clerks claim. */
  task: string;
  kind: TaskKind;
  party: TaskParty;
  /** The department that does the work, or waits for the applicant's answer. */
  department: string;
  matter?: string;
}

/**
 * What is open in this state. The intake task waits while the applicant owes a supplement; in a review, the
 * other departments go on with their matters while one matter is back with the applicant; deferred (容缺)
 * materials still owed after acceptance are a task of the window's, waiting for the applicant.
 */
export function openTasks(compiled: CompiledService, snapshot: AnyMachineSnapshot): OpenTask[] {
  if (snapshot.status === 'done') return [];
  const status = statusOf(snapshot);
  const step = activeStep(compiled, snapshot.value);
  const tasks: OpenTask[] = [];
  switch (step?.kind) {
    case 'intake':
      if (status === 'submitted') tasks.push({ task: 'intake', kind: 'intake', party: 'clerk', department: step.window });
      if (status === 'supplement_requested') tasks.push({ task: 'intake', kind: 'supplement', party: 'applicant', department: step.window });
      break;
    case 'review': {
      const states = matterStates(compiled, snapshot.value);
      for (const m of step.matters) {
        if (states[m.id] === 'pending') tasks.push({ task: `matter:${m.id}`, kind: 'review', party: 'clerk', department: m.department, matter: m.id });
        if (states[m.id] === 'returned') tasks.push({ task: `matter:${m.id}`, kind: 'supplement', party: 'applicant', department: m.department, matter: m.id });
      }
      break;
    }
    case 'inspection':
    case 'notice':
      tasks.push({ task: `step:${stepId(step)}`, kind: step.kind, party: 'clerk', department: step.department });
      break;
    case 'payment':
      tasks.push({ task: `step:${stepId(step)}`, kind: 'payment', party: 'applicant', department: step.department });
      break;
    default:
      break;
  }
  const owed = (snapshot.context as { owed?: string[] }).owed ?? [];
  const window = compiled.definition.steps[0];
  if (owed.length > 0 && step?.kind !== 'intake' && window?.kind === 'intake') {
    tasks.push({ task: 'materials', kind: 'materials', party: 'applicant', department: window.window });
  }
  return tasks;
}

/** The task a clerk's event works on, for claims: intake, the named matter, or the active step. */
export function taskOfEvent(compiled: CompiledService, value: StateValue, matter?: string): string | undefined {
  const step = activeStep(compiled, value);
  switch (step?.kind) {
    case 'intake':
      return 'intake';
    case 'review':
      return matter === undefined ? undefined : `matter:${matter}`;
    case 'inspection':
    case 'payment':
    case 'notice':
      return `step:${stepId(step)}`;
    default:
      return undefined;
  }
}

/** Every department with a part in the service: the window, the matters' and the steps' departments. */
export function involvedDepartments(compiled: Pick<CompiledService, 'definition'>): Set<string> {
  const departments = new Set<string>();
  for (const step of compiled.definition.steps) {
    if (step.kind === 'intake') departments.add(step.window);
    else if (step.kind === 'review') for (const m of step.matters) departments.add(m.department);
    else if (step.kind !== 'issue') departments.add(step.department);
  }
  return departments;
}
