/**
 * The dashboard's numbers, from every application's status and tracking:
 * - one-visit rate: completed applications never sent back for a supplement or a return;
 * - on-time rate: completed applications whose warning never reached red;
 * - warning counts of the applications in progress, overall and by the department holding the work;
 * - no-submit rate: materials satisfied by a certificate (from the wallet or cited) rather than a file or a
 *   commitment, of all materials given;
 * - ratings: count, average, and how many were bad (1–2, each opens a follow-up).
 */
import type { WarningLevel } from '../domain/calendar.js';
import type { ApplicationStatus } from '../domain/vocabulary.js';
import { warningLevelAt } from '../runtime/tracking.js';
import type { Tracking } from '../runtime/ports.js';

type WarningCounts = Record<WarningLevel, number>;

export interface MetricsData {
  rows: { id: string; serviceId: string; status: ApplicationStatus; tracking: Tracking; materialSources: string[] }[];
  returned: ReadonlySet<string>;
  scores: number[];
}

const FINAL: ReadonlySet<ApplicationStatus> = new Set(['completed', 'rejected', 'withdrawn', 'terminated']);

export function computeMetrics(data: MetricsData, now: Date) {
  const byStatus: Partial<Record<ApplicationStatus, number>> = {};
  const warnings = emptyCounts();
  const byDepartment: Record<string, WarningCounts> = {};
  const byService: Record<string, { total: number; completed: number }> = {};
  let completed = 0;
  let oneVisit = 0;
  let onTime = 0;
  let materials = 0;
  let noSubmit = 0;
  for (const row of data.rows) {
    materials += row.materialSources.length;
    noSubmit += row.materialSources.filter((s) => s === 'certificate').length;
    byStatus[row.status] = (byStatus[row.status] ?? 0) + 1;
    const service = (byService[row.serviceId] ??= { total: 0, completed: 0 });
    service.total++;
    const level = warningLevelAt(row.tracking, now);
    if (row.status === 'completed') {
      completed++;
      service.completed++;
      if (!data.returned.has(row.id)) oneVisit++;
      if (level !== 'red') onTime++;
    }
    if (FINAL.has(row.status)) continue;
    warnings[level]++;
    for (const department of row.tracking.openDepartments.split('|').filter(Boolean)) (byDepartment[department] ??= emptyCounts())[level]++;
  }
  const ratingSum = data.scores.reduce((a, b) => a + b, 0);
  return {
    at: now.toISOString(),
    applications: data.rows.length,
    byStatus,
    byService,
    oneVisitRate: completed ? oneVisit / completed : null,
    onTimeRate: completed ? onTime / completed : null,
    noSubmitRate: materials ? noSubmit / materials : null,
    materials: { total: materials, noSubmit },
    warnings,
    warningsByDepartment: byDepartment,
    ratings: { count: data.scores.length, average: data.scores.length ? ratingSum / data.scores.length : null, bad: data.scores.filter((s) => s <= 2).length },
  };
}

function emptyCounts(): WarningCounts {
  return { none: 0, blue: 0, yellow: 0, red: 0 };
}
