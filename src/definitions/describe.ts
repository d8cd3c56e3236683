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
