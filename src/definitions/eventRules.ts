/**
 * Who may send which event (DESIGN §4, the step table). The actor kind is checked against this table;
 * for clerks, the department responsible for the event in the current step is checked too.
 */
import { OnevisitError } from '../domain/errors.js';
import type { ActorKind, EventType } from '../domain/vocabulary.js';
import type { CompiledService } from './compile.js';
import { activeStep } from './describe.js';
import type { ActorRef, StateValue } from './machineTypes.js';

export const EventActors = {
  ACCEPT: ['clerk'],
  REQUEST_SUPPLEMENT: ['clerk'],
  REJECT: ['clerk'],
  SUPPLEMENT: ['applicant'],
  WITHDRAW: ['applicant'],
  APPROVE: ['clerk'],
  RETURN: ['clerk'],
  SCHEDULE: ['clerk'],
  PASS: ['clerk'],
  FAIL: ['clerk'],
  PAY: ['applicant', 'clerk'],
  WAIVE: ['clerk'],
  OBJECTION: ['applicant', 'citizen', 'clerk'],
  NOTICE_ELAPSED: ['scheduler'],
  UPHOLD: ['clerk'],
  DISMISS: ['clerk'],
  PROVIDE_MATERIALS: ['applicant'],
  EXTEND: ['clerk'],
  TERMINATE: ['scheduler'],
  CERTIFICATES_ISSUED: ['system'],
} as const satisfies Record<EventType, readonly ActorKind[]>;

/** Events a review step routes to one of its matters: they must name it. */
export const MATTER_EVENTS: ReadonlySet<EventType> = new Set(['APPROVE', 'REJECT', 'RETURN']);

export function isEventType(type: string): type is EventType {
  return Object.prototype.hasOwnProperty.call(EventActors, type);
}

/**
 * The department whose clerks act on `type` in the state `value`, or undefined when no department
 * is involved (the applicant's and the system's events).
 */
export function responsibleDepartment(compiled: CompiledService, value: StateValue, type: EventType, matter?: string): string | undefined {
  const step = activeStep(compiled, value);
  if (!step) return undefined;
  switch (step.kind) {
    case 'intake':
      return step.window;
    case 'review':
      if (type === 'EXTEND') return windowOf(compiled);
      return step.matters.find((m) => m.id === matter)?.department;
    case 'inspection':
    case 'payment':
    case 'notice':
      return type === 'EXTEND' ? windowOf(compiled) : step.department;
    case 'issue':
      return undefined;
  }
}

/** The department of the service's intake window. */
export function windowOf(compiled: Pick<CompiledService, 'definition'>): string | undefined {
  const intake = compiled.definition.steps[0];
  return intake?.kind === 'intake' ? intake.window : undefined;
}

/** Throws ACTOR.FORBIDDEN unless this kind of actor sends `type` at all. */
export function authorizeActorKind(type: EventType, actor: ActorRef): void {
  const allowed: readonly ActorKind[] = EventActors[type];
  if (!allowed.includes(actor.kind)) {
    throw new OnevisitError('ACTOR.FORBIDDEN', `${type} is sent by ${allowed.join(' or ')}, not by ${actor.kind}`);
  }
}

/** Throws ACTOR.FORBIDDEN unless a clerk sending `type` in this state belongs to the department responsible for it. */
export function authorizeDepartment(compiled: CompiledService, value: StateValue, type: EventType, actor: ActorRef, matter?: string): void {
  if (actor.kind !== 'clerk' || type === 'OBJECTION') return;
  const department = responsibleDepartment(compiled, value, type, matter);
  if (department === undefined) return;
  if (!(actor.departments ?? []).includes(department)) {
    throw new OnevisitError('ACTOR.FORBIDDEN', `${type} here is for clerks of ${department}`);
  }
}
