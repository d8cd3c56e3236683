/**
 * Which department an event belongs to in a state: a pure description of the
 * workflow. Who may send it — which kinds of actor, and a clerk only as the responsible department's — is the
 * authorization policy's (identity/policy.ts, asked by the engine through its `EventSenders` port).
 */
import { EventTypes, type EventType } from '../domain/vocabulary.js';
import type { CompiledService } from './compile.js';
import { activeStep } from './describe.js';
import type { StateValue } from './machineTypes.js';

/** Events a review step routes to one of its matters: they must name it. */
export const MATTER_EVENTS: ReadonlySet<EventType> = new Set(['APPROVE', 'REJECT', 'RETURN']);

export function isEventType(type: string): type is EventType {
  return Object.prototype.hasOwnProperty.call(EventTypes, type);
}

/**
 * The department whose clerks act on `type` in the state `value`, or undefined when no department
 * is involved (the applicant's and the system's events).
 */
export function responsibleDepartment(compiled: CompiledService, value: StateValue, type: EventType, matter?: string): string | undefined {
  // The promised time is the window's to extend, in whatever state: while materials are owed too.
  if (type === 'EXTEND') return windowOf(compiled);
  const step = activeStep(compiled, value);
  if (!step) return undefined;
  switch (step.kind) {
    case 'intake':
      return step.window;
    case 'review':
      return step.matters.find((m) => m.id === matter)?.department;
    case 'inspection':
    case 'payment':
    case 'notice':
      return step.department;
    case 'issue':
      return undefined;
  }
}

/** The department of the service's intake window. */
export function windowOf(compiled: Pick<CompiledService, 'definition'>): string | undefined {
  const intake = compiled.definition.steps[0];
  return intake?.kind === 'intake' ? intake.window : undefined;
}
