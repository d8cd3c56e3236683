/**
 * The queryable side of an application, derived from its snapshot at each commit: the promised-days
 * clock and the instants its warning turns blue, yellow and red (the open tasks are `tasks.ts`).
 *
 * The instants are stored, not the level: the level at any moment is a comparison with them, so the
 * queue's SQL filter, the detail view and the metrics agree to the millisecond without a refresh job.
 * While the clock is paused or stopped there are no instants and the level stays where it was.
 */
import type { AnyMachineSnapshot } from 'xstate';
import type { WarningLevel, WorkingCalendar } from '../domain/calendar.js';
import type { ClockMode } from '../domain/vocabulary.js';
import { clockOf, type ApplicationContext, type CompiledService } from '../definitions/index.js';
import { advanceDeadline, parseClockRecord, warningAt, warningThresholdsOf, type Deadline } from './deadline.js';
import type { Tracking } from './ports.js';

export function trackingOf(
  previous: Tracking | undefined,
  fromMode: ClockMode,
  next: AnyMachineSnapshot,
  compiled: CompiledService,
  at: string,
  calendar: WorkingCalendar,
  sentBack: boolean,
): Tracking {
  const definition = compiled.definition;
  const toMode = clockOf(next);
  const extensionDays = (next.context as ApplicationContext).extensionDays;
  // Most events (a matter approved while others are pending) move neither the clock nor its terms.
  if (previous && fromMode === toMode && extensionDays === previous.extensionDays) return { ...previous, sentBack };
  const state = advanceDeadline(
    previous ? { clock: parseClockRecord(JSON.parse(previous.clock)), deadline: deadlineFields(previous), level: previous.warningLevel } : undefined,
    fromMode,
    toMode,
    at,
    { promisedDays: definition.promisedDays, extensionDays, thresholds: warningThresholdsOf(definition) },
    calendar,
  );
  return {
    clock: JSON.stringify(state.clock),
    dueAt: state.deadline.dueAt ?? null,
    blueAt: state.deadline.blueAt ?? null,
    yellowAt: state.deadline.yellowAt ?? null,
    warningLevel: state.level,
    extensionDays,
    sentBack,
  };
}

function deadlineFields(t: Pick<Tracking, 'dueAt' | 'blueAt' | 'yellowAt'>): Deadline {
  return { ...(t.dueAt ? { dueAt: t.dueAt } : {}), ...(t.blueAt ? { blueAt: t.blueAt } : {}), ...(t.yellowAt ? { yellowAt: t.yellowAt } : {}) };
}

/** The warning level at `now`: a comparison with the stored instants, or the level frozen when the clock stopped. */
export function warningLevelAt(tracking: Pick<Tracking, 'dueAt' | 'blueAt' | 'yellowAt' | 'warningLevel'>, now: Date): WarningLevel {
  // Instants are stored only while the clock runs; otherwise the level is the one it stopped at.
  return tracking.dueAt ? warningAt(deadlineFields(tracking), 'running', now) : tracking.warningLevel;
}
