/**
 * The admin dashboard's model: the figures of `admin.metrics` (the same as GET /api/v1/metrics) as summary rows,
 * charts drawn on the server and the tables beside them, which carry exactly the API's numbers.
 */
import type { AdminUseCases } from '../../application/admin.js';
import type { Department } from '../../definitions/index.js';
import type { I18nText } from '../../domain/i18n.js';
import { barChartSvg } from '../charts.js';
import type { Translate } from '../messages/index.js';

export type Metrics = Awaited<ReturnType<AdminUseCases['metrics']>>;

const DAY_MS = 86_400_000;
/** A period longer than this is drawn with the days that have figures only. */
const MAX_FILLED_DAYS = 92;

/** A rate as people read it: a percentage with one decimal, or a dash when nothing was counted. */
export function formatRate(rate: number | null): string {
  return rate === null ? '—' : `${(rate * 100).toFixed(1)}%`;
}

export function formatAverage(value: number | null): string {
  return value === null ? '—' : value.toFixed(2);
}

/** Every day of the period (when it is short enough), with the days that have figures. */
function daysOf(metrics: Metrics): Metrics['perDay'] {
  const { from, to } = metrics.period;
  if (!from || !to) return metrics.perDay;
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  if (!(end >= start) || (end - start) / DAY_MS >= MAX_FILLED_DAYS) return metrics.perDay;
  const known = new Map(metrics.perDay.map((d) => [d.day, d]));
  const days: Metrics['perDay'] = [];
  for (let ms = start; ms <= end; ms += DAY_MS) {
    const day = new Date(ms).toISOString().slice(0, 10);
    days.push(known.get(day) ?? { day, submitted: 0, completed: 0 });
  }
  return days;
}

export function dashboardModel(metrics: Metrics, t: Translate, l: (text: I18nText | undefined) => string, departments: readonly Department[], serviceTitles: Map<string, string>) {
  const period = metrics.period.from || metrics.period.to
    ? t('admin.dashboard.periodOf', { from: metrics.period.from ?? '…', to: metrics.period.to ?? '…' })
    : t('admin.dashboard.allTime');
  const days = daysOf(metrics);
  const perDayChart = barChartSvg({
    id: 'chart-per-day',
    title: t('admin.dashboard.perDayTitle', { period }),
    description: t('admin.dashboard.perDayDescription', { submitted: metrics.submitted, completed: metrics.finished.completed }),
    categories: days.map((d) => d.day.slice(5)),
    series: [
      { name: t('admin.dashboard.submitted'), values: days.map((d) => d.submitted), colour: '#1d70b8' },
      { name: t('admin.dashboard.completed'), values: days.map((d) => d.completed), colour: '#00703c', hatched: true },
    ],
  });

  const departmentTitle = (id: string) => l(departments.find((d) => d.id === id)?.title) || id;
  const departmentRows = Object.entries(metrics.warningsByDepartment)
    .map(([id, w]) => ({ id, title: departmentTitle(id), none: w.none ?? 0, blue: w.blue ?? 0, yellow: w.yellow ?? 0, red: w.red ?? 0, open: (w.none ?? 0) + (w.blue ?? 0) + (w.yellow ?? 0) + (w.red ?? 0) }))
    .sort((a, b) => a.id.localeCompare(b.id));
  const departmentChart = barChartSvg({
    id: 'chart-departments',
    title: t('admin.dashboard.departmentsTitle'),
    description: t('admin.dashboard.departmentsDescription', { red: metrics.warnings.red ?? 0, yellow: metrics.warnings.yellow ?? 0, blue: metrics.warnings.blue ?? 0 }),
    categories: departmentRows.map((d) => d.title),
    stacked: true,
    series: [
      { name: t('warning.none'), values: departmentRows.map((d) => d.none), colour: '#b1b4b6' },
      { name: t('warning.blue'), values: departmentRows.map((d) => d.blue), colour: '#1d70b8' },
      { name: t('warning.yellow'), values: departmentRows.map((d) => d.yellow), colour: '#ffdd00', hatched: true },
      { name: t('warning.red'), values: departmentRows.map((d) => d.red), colour: '#d4351c' },
    ],
  });

  return {
    period,
    summary: [
      { key: 'submitted', label: t('admin.dashboard.submitted'), value: String(metrics.submitted) },
      { key: 'completed', label: t('admin.dashboard.completed'), value: String(metrics.finished.completed) },
      { key: 'oneVisitRate', label: t('admin.dashboard.oneVisitRate'), value: formatRate(metrics.oneVisitRate), hint: t('admin.dashboard.oneVisitHint') },
      { key: 'noSubmitRate', label: t('admin.dashboard.noSubmitRate'), value: formatRate(metrics.noSubmitRate), hint: t('admin.dashboard.noSubmitHint', { noSubmit: metrics.materials.noSubmit, total: metrics.materials.total }) },
      { key: 'onTimeRate', label: t('admin.dashboard.onTimeRate'), value: formatRate(metrics.onTimeRate), hint: t('admin.dashboard.onTimeHint') },
      { key: 'inProgress', label: t('admin.dashboard.inProgress'), value: String(metrics.inProgress) },
    ],
    finished: [
      { key: 'completed', label: t('admin.dashboard.completed'), value: metrics.finished.completed },
      { key: 'rejected', label: t('admin.dashboard.rejected'), value: metrics.finished.rejected },
      { key: 'withdrawn', label: t('admin.dashboard.withdrawn'), value: metrics.finished.withdrawn },
      { key: 'terminated', label: t('admin.dashboard.terminated'), value: metrics.finished.terminated },
    ],
    ratings: [
      { key: 'count', label: t('admin.dashboard.ratingsCount'), value: String(metrics.ratings.count) },
      { key: 'average', label: t('admin.dashboard.ratingsAverage'), value: formatAverage(metrics.ratings.average) },
      { key: 'bad', label: t('admin.dashboard.ratingsBad'), value: String(metrics.ratings.bad) },
    ],
    days,
    perDayChart,
    departmentRows,
    departmentChart,
    warnings: { none: metrics.warnings.none ?? 0, blue: metrics.warnings.blue ?? 0, yellow: metrics.warnings.yellow ?? 0, red: metrics.warnings.red ?? 0 },
    services: Object.entries(metrics.byService)
      .map(([id, s]) => ({ id, title: serviceTitles.get(id) ?? id, submitted: s.submitted, completed: s.completed, oneVisitRate: formatRate(s.oneVisitRate), onTimeRate: formatRate(s.onTimeRate) }))
      .sort((a, b) => a.id.localeCompare(b.id)),
    effects: metrics.effects,
  };
}
