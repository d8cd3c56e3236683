/**
 * Which events the machine takes in the state it is in now, each with the department responsible for it there:
 * what the policy filters down to the actions open to one person (identity/policy.ts `eventsOpenTo`). Pure: the
 * same XState `can` the engine asks before it transitions, tried for every event type and, for the events a review
 * routes to one matter, for every matter of the active step.
 */
import type { AnyMachineSnapshot } from 'xstate';
import { EventTypes, type EventType } from '../domain/vocabulary.js';
import type { CompiledService } from './compile.js';
import { activeStep } from './describe.js';
import { MATTER_EVENTS, responsibleDepartment } from './eventRules.js';
import type { ApplicationContext, ApplicationEvent } from './machineTypes.js';

export interface PossibleEvent {
  type: EventType;
  /** The matter a review's event decides (or a supplement answers). */
  matter?: string;
  /** The department whose clerks send it here; absent for the applicant's, the scheduler's and the system's events. */
  department?: string;
}

/** Events routed to one matter of a review, including the applicant's answer to a returned matter. */
const PER_MATTER: ReadonlySet<EventType> = new Set([...MATTER_EVENTS, 'SUPPLEMENT']);

export function possibleEvents(compiled: CompiledService, snapshot: AnyMachineSnapshot): PossibleEvent[] {
  if (snapshot.status === 'done') return [];
  const step = activeStep(compiled, snapshot.value);
  const matters = step?.kind === 'review' ? step.matters.map((m) => m.id) : [];
  const context = snapshot.context as ApplicationContext;
  const probe = (type: EventType, matter?: string): ApplicationEvent => ({
    type,
    ...(matter !== undefined ? { matter } : {}),
    // Guards that look at what an event carries: owed materials provided, an extension's days.
    ...(type === 'PROVIDE_MATERIALS' ? { materials: context.owed.map((materialId) => ({ materialId, source: 'file' as const })) } : {}),
    ...(type === 'EXTEND' ? { data: { days: 1 } } : {}),
    actor: { kind: 'system', id: 'probe' },
    at: new Date(0).toISOString(),
  });
  const found: PossibleEvent[] = [];
  for (const type of Object.values(EventTypes)) {
    const candidates = PER_MATTER.has(type) && matters.length > 0 ? matters : [undefined];
    for (const matter of candidates) {
      if (!snapshot.can(probe(type, matter))) continue;
      const department = responsibleDepartment(compiled, snapshot.value, type, matter);
      found.push({ type, ...(matter !== undefined ? { matter } : {}), ...(department !== undefined ? { department } : {}) });
    }
  }
  return found;
}
