/**
 * The dashboard's figures, kept as per-day, per-service counters in the transaction of the transition that
 * changes them, so that reading them costs the same whatever the history: figures never load history.
 *
 * - `submitted`: on the day an application is submitted;
 * - `completed`, `rejected`, `withdrawn`, `terminated`: on the day it reaches that final state;
 * - `one_visit`: completed without ever being sent back (no supplement request, no return);
 * - `on_time`: completed while its warning level was not red;
 * - `materials`, `no_submit`: on the day a material is given (at submission, or later: a supplement, a deferred
 *   one), and whether a certificate satisfied it (免提交: from the wallet or cited) rather than a file or a
 *   commitment;
 * - `ratings`, `rating_sum`, `rating_bad` (1–2): on the day of the rating.
 */
import type { WarningLevel } from '../domain/calendar.js';
import { chinaDate } from '../domain/time.js';
import { FinalStates, type ApplicationStatus, type FinalState } from '../domain/vocabulary.js';
import type { MaterialRecord } from '../definitions/index.js';
import type { FigureDelta, FigureName } from './ports.js';

const FINAL: ReadonlySet<ApplicationStatus> = new Set(FinalStates);

export function submissionFigures(serviceId: string, materials: Record<string, MaterialRecord>, at: string): FigureDelta[] {
  return deltas(chinaDate(at), serviceId, { submitted: 1, ...materialFigures(Object.values(materials)) });
}

/**
 * What a transition adds: the materials it brought (those `after` holds and `before` did not) and, when it
 * reaches a final state, the outcome.
 */
export function transitionFigures(
  serviceId: string,
  from: ApplicationStatus,
  to: ApplicationStatus,
  outcome: { sentBack: boolean; levelAtEnd: WarningLevel },
  materials: { before: Record<string, MaterialRecord>; after: Record<string, MaterialRecord> },
  at: string,
): FigureDelta[] {
  const figures: Partial<Record<FigureName, number>> = materialFigures(Object.values(materials.after).filter((m) => !(m.materialId in materials.before)));
  if (!FINAL.has(from) && FINAL.has(to)) {
    figures[to as FinalState] = 1;
    if (to === 'completed') {
      if (!outcome.sentBack) figures.one_visit = 1;
      if (outcome.levelAtEnd !== 'red') figures.on_time = 1;
    }
  }
  return deltas(chinaDate(at), serviceId, figures);
}

function materialFigures(given: readonly MaterialRecord[]): Partial<Record<FigureName, number>> {
  return { materials: given.length, no_submit: given.filter((m) => m.source === 'certificate').length };
}

export function ratingFigures(serviceId: string, score: number, at: string): FigureDelta[] {
  return deltas(chinaDate(at), serviceId, { ratings: 1, rating_sum: score, ...(score <= 2 ? { rating_bad: 1 } : {}) });
}

/** Sorted by name: every transaction takes the figure rows' locks in the same order. */
function deltas(day: string, serviceId: string, figures: Partial<Record<FigureName, number>>): FigureDelta[] {
  return (Object.entries(figures) as [FigureName, number][])
    .filter(([, value]) => value !== 0)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, value]) => ({ day, serviceId, name, value }));
}
