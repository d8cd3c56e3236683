/**
 * The dashboard's numbers. Everything about a period comes from the per-day figures (src/runtime/figures.ts),
 * everything about now from the open applications and the task table, so the cost does not grow with history:
 * - one-visit rate: of the applications completed in the period, those never sent back (supplement or return);
 * - on-time rate: of those completed in the period, those whose warning was not red when they completed;
 * - no-submit rate: of the materials of the applications finished in the period, those a certificate satisfied
 *   (from the wallet or cited) rather than a file or a commitment;
 * - ratings given in the period: count, average, bad ones (1–2);
 * - now: applications in progress by status and warning level, open tasks per department, effects that wait
 *   or gave up.
 */
import type { WarningLevel } from '../domain/calendar.js';
import type { ApplicationStatus } from '../domain/vocabulary.js';
import type { FigureName } from '../runtime/ports.js';

type Figures = Partial<Record<FigureName, number>>;

export interface MetricsData {
  period: { from: string | null; to: string | null };
  figures: { totals: Figures; byService: Record<string, Figures>; byDay: Record<string, Figures> };
  inProgress: { byStatus: Partial<Record<ApplicationStatus, number>>; warnings: Record<WarningLevel, number> };
  departments: Record<string, { warnings: Record<WarningLevel, number>; clerk: number; applicant: number; claimed: number }>;
  effects: { pending: number; failed: number };
}

export function computeMetrics(data: MetricsData, now: Date) {
  const f = (figures: Figures, name: FigureName) => figures[name] ?? 0;
  const t = data.figures.totals;
  const completed = f(t, 'completed');
  const ratio = (part: number, whole: number) => (whole ? part / whole : null);
  const ratings = f(t, 'ratings');
  return {
    at: now.toISOString(),
    period: data.period,
    submitted: f(t, 'submitted'),
    finished: { completed, rejected: f(t, 'rejected'), withdrawn: f(t, 'withdrawn'), terminated: f(t, 'terminated') },
    oneVisitRate: ratio(f(t, 'one_visit'), completed),
    onTimeRate: ratio(f(t, 'on_time'), completed),
    noSubmitRate: ratio(f(t, 'no_submit'), f(t, 'materials')),
    materials: { total: f(t, 'materials'), noSubmit: f(t, 'no_submit') },
    ratings: { count: ratings, average: ratings ? f(t, 'rating_sum') / ratings : null, bad: f(t, 'rating_bad') },
    byService: Object.fromEntries(
      Object.entries(data.figures.byService).map(([service, s]) => [service, { submitted: f(s, 'submitted'), completed: f(s, 'completed'), oneVisitRate: ratio(f(s, 'one_visit'), f(s, 'completed')), onTimeRate: ratio(f(s, 'on_time'), f(s, 'completed')) }]),
    ),
    perDay: Object.keys(data.figures.byDay)
      .sort()
      .map((day) => ({ day, submitted: f(data.figures.byDay[day]!, 'submitted'), completed: f(data.figures.byDay[day]!, 'completed') })),
    inProgress: Object.values(data.inProgress.byStatus).reduce((a, b) => a + (b ?? 0), 0),
    byStatus: data.inProgress.byStatus,
    warnings: data.inProgress.warnings,
    warningsByDepartment: Object.fromEntries(Object.entries(data.departments).map(([d, v]) => [d, v.warnings])),
    tasksByDepartment: data.departments,
    effects: data.effects,
  };
}
