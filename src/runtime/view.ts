/** An application as people and the API see it, derived from its row and snapshot. */
import type { AnyMachineSnapshot } from 'xstate';
import type { ApplicationStatus, ClockMode, MatterDecision } from '../domain/vocabulary.js';
import { clockOf, matterStates, openTasks, stateLabel, statusOf, type ApplicationContext, type CompiledService, type MaterialRecord, type MatterState, type StateValue } from '../definitions/index.js';
import type { ApplicationRow } from './ports.js';
import type { WarningLevel } from '../domain/calendar.js';
import { warningLevelAt } from './tracking.js';

export interface ApplicationView {
  id: string;
  number: string;
  serviceId: string;
  serviceVersion: number;
  applicantId: string;
  status: ApplicationStatus;
  /** The exact state, as a dotted label (`review.{license.approved,tax.pending}`). */
  state: string;
  stateValue: StateValue;
  clock: ClockMode;
  version: number;
  form: Record<string, unknown>;
  materials: Record<string, MaterialRecord>;
  owed: string[];
  decisions: Record<string, MatterDecision>;
  /** The matters of the active review step and where each stands. */
  matters: Record<string, MatterState>;
  extensionDays: number;
  /** The promised-days deadline (absent before acceptance and while paused) and the warning level now. */
  dueAt: string | null;
  warning: WarningLevel;
  /** Departments whose clerks can act now (the applicant's turns aside). */
  openDepartments: string[];
  createdAt: string;
  updatedAt: string;
}

export function toView(row: ApplicationRow, snapshot: AnyMachineSnapshot, compiled: CompiledService, now: Date): ApplicationView {
  const context = snapshot.context as ApplicationContext;
  return {
    id: row.id,
    number: row.number,
    serviceId: row.serviceId,
    serviceVersion: row.serviceVersion,
    applicantId: row.applicantId,
    status: statusOf(snapshot),
    state: stateLabel(snapshot.value),
    stateValue: snapshot.value,
    clock: clockOf(snapshot),
    version: row.version,
    form: context.form,
    materials: context.materials,
    owed: context.owed,
    decisions: context.decisions,
    matters: matterStates(compiled, snapshot.value),
    extensionDays: context.extensionDays,
    dueAt: row.tracking.dueAt,
    warning: warningLevelAt(row.tracking, now),
    openDepartments: [...new Set(openTasks(compiled, snapshot).filter((t) => t.party === 'clerk').map((t) => t.department))],
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
