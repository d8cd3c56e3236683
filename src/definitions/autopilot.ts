/**
 * The next event that moves an application forward on its happy path, and who sends it: what an admin's
 * `simulate` drives a definition with, and what tests use to reach any state.
 */
import type { ActorKind, EventType } from '../domain/vocabulary.js';
import type { CompiledService } from './compile.js';
import { activeStep, matterStates, topState } from './describe.js';
import type { ApplicationContext, StateValue } from './machineTypes.js';

export interface NextMove {
  type: EventType;
  matter?: string;
  /** Who sends it; `department` for a clerk's event. */
  actor: { kind: ActorKind; department?: string };
  /** Deferred materials the applicant provides with this event. */
  owedMaterials?: string[];
}

export function nextMove(compiled: CompiledService, value: StateValue, context: ApplicationContext): NextMove | undefined {
  const top = topState(value);
  if (top === 'owed') return { type: 'PROVIDE_MATERIALS', actor: { kind: 'applicant' }, owedMaterials: [...context.owed] };
  const step = activeStep(compiled, value);
  if (!step) return undefined;
  const sub = typeof value === 'string' ? undefined : value[top];
  switch (step.kind) {
    case 'intake':
      return sub === 'supplement' ? { type: 'SUPPLEMENT', actor: { kind: 'applicant' } } : { type: 'ACCEPT', actor: { kind: 'clerk', department: step.window } };
    case 'review': {
      for (const [matter, state] of Object.entries(matterStates(compiled, value))) {
        const department = step.matters.find((m) => m.id === matter)!.department;
        if (state === 'pending') return { type: 'APPROVE', matter, actor: { kind: 'clerk', department } };
        if (state === 'returned') return { type: 'SUPPLEMENT', matter, actor: { kind: 'applicant' } };
      }
      return undefined;
    }
    case 'inspection':
      return sub === 'pending'
        ? { type: 'SCHEDULE', actor: { kind: 'clerk', department: step.department } }
        : { type: 'PASS', actor: { kind: 'clerk', department: step.department } };
    case 'payment':
      return { type: 'PAY', actor: { kind: 'applicant' } };
    case 'notice':
      return sub === 'objected'
        ? { type: 'DISMISS', actor: { kind: 'clerk', department: step.department } }
        : { type: 'NOTICE_ELAPSED', actor: { kind: 'scheduler' } };
    case 'issue':
      return { type: 'CERTIFICATES_ISSUED', actor: { kind: 'system' } };
  }
}
