/** The closed vocabularies of the product. Each is a const object with a derived union. */

export const StepKinds = {
  intake: 'intake',
  review: 'review',
  inspection: 'inspection',
  payment: 'payment',
  notice: 'notice',
  issue: 'issue',
} as const;
export type StepKind = (typeof StepKinds)[keyof typeof StepKinds];

/** Who sends an event. `applicant` is the application's owner; `citizen` any other signed-in person. */
export const ActorKinds = {
  applicant: 'applicant',
  citizen: 'citizen',
  clerk: 'clerk',
  scheduler: 'scheduler',
  system: 'system',
} as const;
export type ActorKind = (typeof ActorKinds)[keyof typeof ActorKinds];

export const EventTypes = {
  ACCEPT: 'ACCEPT',
  REQUEST_SUPPLEMENT: 'REQUEST_SUPPLEMENT',
  REJECT: 'REJECT',
  SUPPLEMENT: 'SUPPLEMENT',
  WITHDRAW: 'WITHDRAW',
  APPROVE: 'APPROVE',
  RETURN: 'RETURN',
  SCHEDULE: 'SCHEDULE',
  PASS: 'PASS',
  FAIL: 'FAIL',
  PAY: 'PAY',
  WAIVE: 'WAIVE',
  OBJECTION: 'OBJECTION',
  NOTICE_ELAPSED: 'NOTICE_ELAPSED',
  UPHOLD: 'UPHOLD',
  DISMISS: 'DISMISS',
  PROVIDE_MATERIALS: 'PROVIDE_MATERIALS',
  EXTEND: 'EXTEND',
  TERMINATE: 'TERMINATE',
  CERTIFICATES_ISSUED: 'CERTIFICATES_ISSUED',
} as const;
export type EventType = (typeof EventTypes)[keyof typeof EventTypes];

/** The coarse status every application shows people, beside its exact state. */
export const ApplicationStatuses = {
  submitted: 'submitted',
  supplement_requested: 'supplement_requested',
  in_review: 'in_review',
  in_inspection: 'in_inspection',
  awaiting_payment: 'awaiting_payment',
  in_notice: 'in_notice',
  issuing: 'issuing',
  completed: 'completed',
  rejected: 'rejected',
  withdrawn: 'withdrawn',
  terminated: 'terminated',
} as const;
export type ApplicationStatus = (typeof ApplicationStatuses)[keyof typeof ApplicationStatuses];

export const FinalStates = ['completed', 'rejected', 'withdrawn', 'terminated'] as const;
export type FinalState = (typeof FinalStates)[number];

/** The statuses of applications in progress: every status but the final ones. */
export const OpenStatuses: readonly ApplicationStatus[] = Object.values(ApplicationStatuses).filter((s) => !(FinalStates as readonly string[]).includes(s));

/** What the promised-days clock does in a state. */
export const ClockModes = { idle: 'idle', running: 'running', paused: 'paused', stopped: 'stopped' } as const;
export type ClockMode = (typeof ClockModes)[keyof typeof ClockModes];

export const MatterDecisions = {
  approved: 'approved',
  rejected: 'rejected',
  skipped: 'skipped',
} as const;
export type MatterDecision = (typeof MatterDecisions)[keyof typeof MatterDecisions];

export const WarningLevels = { none: 'none', blue: 'blue', yellow: 'yellow', red: 'red' } as const;
export type WarningLevel = (typeof WarningLevels)[keyof typeof WarningLevels];

/** The life events (for enterprises, the stages of a business) the public catalog files services under. */
export const LifeEvents = ['birth', 'education', 'employment', 'talent', 'marriage', 'housing', 'health', 'retirement', 'business-start', 'business-operation', 'business-closure'] as const;
export type LifeEvent = (typeof LifeEvents)[number];

/**
 * The stages a clerk's queue is cut into: intake tasks to accept; supplements (the applicant's turn, or answered
 * and back with the window or the department that returned a matter); the departments' own work (matters,
 * inspections, notices, post-checks).
 */
export const QueueStages = { accept: 'accept', supplements: 'supplements', review: 'review' } as const;
export type QueueStage = (typeof QueueStages)[keyof typeof QueueStages];

/** How a queue is ordered: the nearest deadline first, or the latest submission first. */
export const QueueSorts = { due: 'due', submitted: 'submitted' } as const;
export type QueueSort = (typeof QueueSorts)[keyof typeof QueueSorts];
