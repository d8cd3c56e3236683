/**
 * Counter intake (窗口代录) in the event log: a submission a clerk entered for the applicant carries the clerk in its
 * payload (`enteredBy`); the event's actor stays the applicant, whose application it is.
 */
import type { ActorRef } from '../definitions/index.js';

/** The clerk a submission's event records as having entered it at a counter, if any. */
export function enteredByOf(payload: Record<string, unknown>): ActorRef | undefined {
  const by = payload.enteredBy as { kind?: unknown; id?: unknown } | undefined;
  return by && by.kind === 'clerk' && typeof by.id === 'string' ? { kind: by.kind, id: by.id } : undefined;
}
