/**
 * Bar charts drawn as SVG on the server, so the dashboard shows its figures without scripts. Every text is
 * escaped here and the markup is built from those escaped parts only, so the result may be printed `| safe`.
 * A chart is a picture (`role="img"` with a `<title>` and a `<desc>`); the page puts a table with the same numbers
 * beside it, which is what assistive technology reads.
 */
import { escapeXml } from './flowDiagram.js';

export interface BarSeries {
  name: string;
  /** One value per category; negative values are drawn as 0. */
  values: readonly number[];
  /** A fill colour, e.g. `#1d70b8`. */
  colour: string;
  /** Drawn with a hatched pattern as well as its colour, so the series differ without colour too. */
  hatched?: boolean;
}

export interface BarChart {
  /** Unique on the page: the ids of the title, description and patterns derive from it. */
  id: string;
  title: string;
  description: string;
  categories: readonly string[];
  series: readonly BarSeries[];
  /** Bars of one category stacked (parts of a whole) rather than side by side. */
  stacked?: boolean;
}

const FONT = 13;
const PLOT_H = 180;
const LEFT = 44;
const TOP = 16;
const LEGEND_H = 28;
const MIN_SLOT = 12;
const MAX_SLOT = 110;
const TARGET_W = 620;

/** Category labels are shortened for the axis (the table beside the chart has them in full). */
function shortLabel(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** A round step for the value axis: 1, 2 or 5 times a power of ten, giving about four gridlines. */
function niceStep(max: number): number {
  if (max <= 4) return 1;
  const raw = max / 4;
  const power = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
}

export function barChartSvg(chart: BarChart): string {
  const id = chart.id.replace(/[^a-zA-Z0-9_-]/g, '');
  const n = chart.categories.length;
  const perSlot = chart.stacked ? 1 : chart.series.length;
  // About TARGET_W wide whatever the number of categories, so the text keeps its size when the picture is fitted.
  const slot = Math.max(MIN_SLOT, Math.min(MAX_SLOT, (TARGET_W - LEFT - 16) / Math.max(1, n)));
  const barW = Math.max(3, Math.min(28, (slot - 8) / perSlot));
  const width = LEFT + Math.max(1, n) * slot + 16;
  const rotate = slot < 48;
  // With many categories only every k-th is labelled (the table beside the chart names them all).
  const every = rotate ? Math.max(1, Math.ceil(16 / slot)) : 1;
  const labelSpace = rotate ? 64 : 34;
  const height = TOP + PLOT_H + labelSpace + LEGEND_H;
  const value = (v: number | undefined) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);
  const totals = chart.categories.map((_, i) =>
    chart.stacked ? chart.series.reduce((sum, s) => sum + value(s.values[i]), 0) : Math.max(0, ...chart.series.map((s) => value(s.values[i]))),
  );
  const step = niceStep(Math.max(0, ...totals));
  const top = Math.max(step, Math.ceil(Math.max(0, ...totals) / step) * step);
  const y = (v: number) => TOP + PLOT_H - (v / top) * PLOT_H;
  const parts: string[] = [];

  const defs = chart.series
    .map((s, k) =>
      s.hatched
        ? `<pattern id="${id}-p${k}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="${escapeXml(s.colour)}"/><line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2"/></pattern>`
        : '',
    )
    .join('');
  const fill = (k: number) => (chart.series[k]!.hatched ? `url(#${id}-p${k})` : escapeXml(chart.series[k]!.colour));

  for (let v = 0; v <= top; v += step) {
    parts.push(`<line x1="${LEFT}" y1="${y(v)}" x2="${width - 8}" y2="${y(v)}" stroke="#b1b4b6" stroke-width="1"/>`);
    parts.push(`<text x="${LEFT - 6}" y="${y(v) + 4}" text-anchor="end" font-size="${FONT - 1}" fill="#484949">${v}</text>`);
  }
  chart.categories.forEach((category, i) => {
    const groupW = chart.stacked ? barW : barW * perSlot;
    const x0 = LEFT + i * slot + (slot - groupW) / 2;
    let stackedBase = 0;
    chart.series.forEach((s, k) => {
      const v = value(s.values[i]);
      if (v === 0) return;
      if (chart.stacked) {
        const barTop = y(stackedBase + v);
        parts.push(`<rect x="${x0}" y="${barTop}" width="${barW}" height="${y(stackedBase) - barTop}" fill="${fill(k)}" stroke="#ffffff" stroke-width="1"/>`);
        stackedBase += v;
      } else {
        parts.push(`<rect x="${x0 + k * barW}" y="${y(v)}" width="${Math.max(2, barW - 1)}" height="${y(0) - y(v)}" fill="${fill(k)}"/>`);
      }
    });
    if (i % every !== 0) return;
    const cx = LEFT + i * slot + slot / 2;
    const ly = TOP + PLOT_H + 16;
    const label = escapeXml(shortLabel(category, rotate ? 10 : Math.max(2, Math.floor(slot / FONT))));
    parts.push(
      rotate
        ? `<text x="${cx}" y="${ly}" text-anchor="end" font-size="${FONT - 1}" fill="#0b0c0c" transform="rotate(-45 ${cx} ${ly})">${label}</text>`
        : `<text x="${cx}" y="${ly}" text-anchor="middle" font-size="${FONT - 1}" fill="#0b0c0c">${label}</text>`,
    );
  });
  parts.push(`<line x1="${LEFT}" y1="${y(0)}" x2="${width - 8}" y2="${y(0)}" stroke="#0b0c0c" stroke-width="1.5"/>`);

  let lx = LEFT;
  const ly = TOP + PLOT_H + labelSpace + 10;
  chart.series.forEach((s, k) => {
    parts.push(`<rect x="${lx}" y="${ly}" width="14" height="14" fill="${fill(k)}" stroke="#0b0c0c" stroke-width="0.5"/>`);
    parts.push(`<text x="${lx + 20}" y="${ly + 12}" font-size="${FONT}" fill="#0b0c0c">${escapeXml(s.name)}</text>`);
    lx += 34 + [...s.name].reduce((w, ch) => w + (/[\u1100-\uffff]/.test(ch) ? FONT : FONT * 0.6), 0);
  });
  const fullWidth = Math.max(width, lx);
  return (
    `<svg class="ov-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${Math.ceil(fullWidth)} ${height}" width="${Math.ceil(fullWidth)}" height="${height}" role="img" aria-labelledby="${id}-title ${id}-desc" font-family="Noto Sans SC, Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif">` +
    `<title id="${id}-title">${escapeXml(chart.title)}</title><desc id="${id}-desc">${escapeXml(chart.description)}</desc>` +
    (defs ? `<defs>${defs}</defs>` : '') +
    parts.join('') +
    `</svg>`
  );
}
