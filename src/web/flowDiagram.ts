/**
 * The flow of a service drawn as SVG on the server, so it shows without scripts: the steps left to right, a review
 * step's matters stacked side by side (they run in parallel). Every text is escaped; the picture carries a title
 * and the page lists the same steps as text beside it.
 */
import type { FlowStep } from './guide.js';

const BOX_H = 40;
const GAP = 36;
const PAD = 12;
const FONT = 14;

/** Approximate rendered width: CJK and full-width characters are one em, others about half. */
function textWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += /[\u1100-\uffff]/.test(ch) ? FONT : FONT * 0.56;
  return w;
}

const NO_LINE_START = /^[、，。：；！？）》」』】〕,.;:!?)\]]/;

/** Lines of at most `max` wide: broken between words where the text has spaces, else between characters (CJK). */
function wrap(text: string, max: number): string[] {
  const units = text.includes(' ') ? text.split(/(?<= )/) : [...text];
  const lines: string[] = [];
  let line = '';
  for (const unit of units) {
    // A line never starts with closing punctuation (、，。）》」 and the like): it stays on the line before.
    if (textWidth(line + unit) > max && line !== '' && !NO_LINE_START.test(unit)) {
      lines.push(line.trimEnd());
      line = '';
    }
    line += unit;
  }
  if (line) lines.push(line.trimEnd());
  return lines.slice(0, 4);
}

export function flowSvg(steps: readonly FlowStep[], title: string): string {
  const maxText = 176;
  let x = 8;
  const parts: string[] = [];
  const columnHeights: number[] = [];
  const boxes = steps.map((step) => {
    const items = step.parallel.length > 0 ? step.parallel : [step.title];
    const width = Math.min(maxText, Math.max(...items.map(textWidth))) + 2 * PAD;
    const rows = items.map((item) => wrap(item, maxText));
    const heights = rows.map((r) => Math.max(BOX_H, r.length * (FONT + 4) + 2 * PAD - 4));
    const height = heights.reduce((a, b) => a + b, 0) + (items.length - 1) * 10 + (step.parallel.length > 0 ? FONT + 16 : 0);
    const box = { x, width, rows, heights, height, step };
    x += width + GAP;
    columnHeights.push(height);
    return box;
  });
  const total = Math.max(...columnHeights) + 16;
  const mid = total / 2;
  for (const [i, box] of boxes.entries()) {
    let y = mid - box.height / 2;
    if (box.step.parallel.length > 0) {
      parts.push(`<rect x="${box.x - 6}" y="${y - 6}" width="${box.width + 12}" height="${box.height + 12}" rx="6" fill="#f3f2f1" stroke="#b1b4b6" stroke-dasharray="4 3"/>`);
      parts.push(`<text x="${box.x + box.width / 2}" y="${y + FONT + 2}" text-anchor="middle" font-size="${FONT - 1}" fill="#484949">${escapeXml(box.step.title)}</text>`);
      y += FONT + 16;
    }
    for (const [j, lines] of box.rows.entries()) {
      const h = box.heights[j]!;
      parts.push(`<rect x="${box.x}" y="${y}" width="${box.width}" height="${h}" rx="4" fill="#ffffff" stroke="#1d5fa8" stroke-width="2"/>`);
      const first = y + h / 2 - ((lines.length - 1) * (FONT + 4)) / 2 + FONT / 2 - 2;
      for (const [k, line] of lines.entries()) {
        parts.push(`<text x="${box.x + box.width / 2}" y="${first + k * (FONT + 4)}" text-anchor="middle" font-size="${FONT}" fill="#0b0c0c">${escapeXml(line)}</text>`);
      }
      y += h + 10;
    }
    if (i < boxes.length - 1) {
      const from = box.x + box.width + (box.step.parallel.length > 0 ? 6 : 0);
      const to = boxes[i + 1]!.x - (boxes[i + 1]!.step.parallel.length > 0 ? 6 : 0);
      parts.push(`<line x1="${from + 2}" y1="${mid}" x2="${to - 8}" y2="${mid}" stroke="#505a5f" stroke-width="2"/>`);
      parts.push(`<path d="M ${to - 2} ${mid} l -9 -5 v 10 z" fill="#505a5f"/>`);
    }
  }
  const width = x - GAP + 16;
  return `<svg class="ov-flow" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${Math.ceil(width)} ${Math.ceil(total)}" width="${Math.ceil(width)}" height="${Math.ceil(total)}" role="img" aria-labelledby="flow-title" font-family="Noto Sans SC, Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif"><title id="flow-title">${escapeXml(title)}</title>${parts.join('')}</svg>`;
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}
