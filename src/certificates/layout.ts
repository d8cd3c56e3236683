/**
 * Where everything on a certificate goes. Pure geometry: shaped text and the template in, a display list out
 * (lines at positions on pages, the QR code's square, the seal's circle). Points, y down, as pdfkit's page space.
 *
 * Top to bottom: a header line, the title (beside a top QR code), the rows of the body in one or two columns,
 * then a band with the issuing authority under its seal (and a bottom QR code), and the small print. The body
 * takes the largest size from `fontSize` down to `minFontSize` at which it fits; past that it continues on
 * further pages, splitting long rows.
 */
import type { Locale } from '../domain/i18n.js';
import type { Glyph } from './fonts.js';
import { breakLines, type Line } from './lines.js';
import type { CertificateTemplate, TemplateColor } from './templates.js';

/** Every text of a page, shaped. */
export interface ShapedPage {
  title: Glyph[];
  subtitle?: Glyph[] | undefined;
  header: Glyph[][];
  rows: { label: Glyph[]; value: Glyph[]; span: 'full' | 'half' }[];
  authority: Glyph[][];
  qrCaption?: Glyph[] | undefined;
  footer: Glyph[][];
  /** Line height in em of the body face. */
  lineHeight: number;
}

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface PlacedLine {
  page: number;
  line: Line;
  /** Top left of the line box. */
  x: number;
  y: number;
  size: number;
  color: TemplateColor;
  /** Extra space after each character (spaced-out titles). */
  spacing: number;
}

export interface PagePlan {
  pages: number;
  frame: Box;
  border: 'none' | 'single' | 'double';
  colors: Record<TemplateColor, string>;
  /** Whether the frame is filled with colors.background. */
  background: boolean;
  lines: PlacedLine[];
  /** On the first page. */
  qr: { x: number; y: number; size: number };
  /** On the last page. */
  seal?: { cx: number; cy: number; diameter: number; star: boolean } | undefined;
}

const PAPER = { A4: [595.28, 841.89], A5: [419.53, 595.28] } as const;
const COLORS: Record<TemplateColor, string> = { text: '#1a1a1a', label: '#4d4d4d', accent: '#8b1a1a', seal: '#d7000f', background: '#ffffff' };
const FOOTER_SIZE = 6.5;
/** Room kept at the right of the small print for the page number. */
const PAGE_NUMBER_ROOM = 40;
const COLUMN_GAP = 28;
const LABEL_GAP = 10;

/** A body row broken into lines at one size: one cell per column (a full-width row has one cell). */
interface LaidRow {
  cells: { labelX: number; valueX: number; label: Line[]; value: Line[] }[];
  lines: number;
}

/** A slice of a row's lines on a page. */
interface Placement {
  page: number;
  y: number;
  row: LaidRow;
  from: number;
  to: number;
}

/** The page plan; `pageNumber` shapes "n / m" when the body runs over more than one page. */
export function planPages(shaped: ShapedPage, template: CertificateTemplate, locale: Locale, pageNumber: (page: number, pages: number) => Line): PagePlan {
  const layout = template.layout ?? {};
  const fontSize = layout.fontSize ?? 12;
  const minFontSize = Math.min(fontSize, layout.minFontSize ?? Math.max(6, fontSize * 0.7));
  const lh = shaped.lineHeight;
  const [short, long] = PAPER[template.page.size];
  const [width, height] = template.page.orientation === 'landscape' ? [long, short] : [short, long];
  const margin = template.page.margin ?? 28;
  const border = template.border ?? 'double';
  const frame: Box = { x: margin, y: margin, w: width - 2 * margin, h: height - 2 * margin };
  const pad = border === 'none' ? 0 : border === 'double' ? 18 : 14;
  const area: Box = { x: frame.x + pad, y: frame.y + pad, w: frame.w - 2 * pad, h: frame.h - 2 * pad };
  const right = area.x + area.w;
  const bottom = area.y + area.h;
  const lines: PlacedLine[] = [];
  const put = (page: number, line: Line, x: number, y: number, size: number, color: TemplateColor, spacing = 0) =>
    lines.push({ page, line, x, y, size, color, spacing });

  // Top: the header line, the QR code when it is at the top, the title and subtitle beside it.
  let y = area.y;
  const headerSize = Math.max(minFontSize, fontSize * 0.8);
  const header = headerLayout(shaped.header, area.w / headerSize);
  for (const item of header) {
    put(0, item.line, item.align === 'right' ? right - item.line.width * headerSize : area.x, y + item.row * headerSize * lh, headerSize, 'label');
  }
  const headerRows = header.reduce((n, item) => Math.max(n, item.row + 1), 0);
  if (headerRows > 0) y += headerRows * headerSize * lh + 4;

  const qr = template.qr;
  const qrAtTop = qr.position.startsWith('top');
  const qrX = qr.position.endsWith('left') ? area.x : right - qr.size;
  const captionSize = Math.max(6, Math.min(9, qr.size * 0.1));
  const captionLines = shaped.qrCaption ? breakLines(shaped.qrCaption, (qr.size + 16) / captionSize) : [];
  const qrBlock = qr.size + (captionLines.length > 0 ? 2 + captionLines.length * captionSize * lh : 0);

  const titleWidth = qrAtTop ? area.w - 2 * (qr.size + 12) : area.w;
  const title = titleLayout(shaped.title, layout.titleSize ?? 28, titleWidth, locale);
  const subtitleSize = Math.max(9, title.size * 0.4);
  const subtitleLines = shaped.subtitle ? breakLines(shaped.subtitle, titleWidth / subtitleSize) : [];
  const titleBlock = title.lines.length * title.size * lh + subtitleLines.length * subtitleSize * lh;
  const titleTop = y + (qrAtTop ? Math.max(0, (qrBlock - titleBlock) / 2) : 0);
  title.lines.forEach((line, i) => {
    const lineWidth = line.width * title.size + title.spacing * Math.max(0, glyphCount(line) - 1);
    put(0, line, area.x + (area.w - lineWidth) / 2, titleTop + i * title.size * lh, title.size, 'accent', title.spacing);
  });
  subtitleLines.forEach((line, i) => {
    const top = titleTop + title.lines.length * title.size * lh + i * subtitleSize * lh;
    put(0, line, area.x + (area.w - line.width * subtitleSize) / 2, top, subtitleSize, 'label');
  });
  const bodyTop = Math.max(titleTop + titleBlock, qrAtTop ? y + qrBlock : 0) + Math.max(8, fontSize);

  // Bottom: the small print, above it the band with the authority under its seal and a bottom QR code.
  const footerLines = shaped.footer.flatMap((glyphs) => breakLines(glyphs, (area.w - PAGE_NUMBER_ROOM) / FOOTER_SIZE));
  const footerTop = bottom - footerLines.length * FOOTER_SIZE * lh;
  const authorityLines = shaped.authority.flatMap((glyphs) => breakLines(glyphs, (area.w * 0.45) / fontSize));
  const authorityHeight = authorityLines.length * fontSize * lh;
  const authorityWidth = Math.max(0, ...authorityLines.map((l) => l.width)) * fontSize;
  const sealDiameter = template.seal ? (template.seal.diameter ?? 100) : 0;
  const band = Math.max(sealDiameter, authorityHeight, qrAtTop ? 0 : qrBlock);
  const bandTop = footerTop - 6 - band;

  const qrY = qrAtTop ? y : bandTop + (band - qrBlock) / 2;
  captionLines.forEach((line, i) => put(0, line, qrX + (qr.size - line.width * captionSize) / 2, qrY + qr.size + 2 + i * captionSize * lh, captionSize, 'label'));

  // Body.
  let size = fontSize;
  let placements: Placement[];
  for (;;) {
    const rows = layRows(shaped.rows, area, layout.columns ?? 1, layout.labelWidth ?? 84, size);
    placements = placeRows(rows, bodyTop, area.y, bandTop - 8, size * lh, layout.rowGap ?? 8);
    if (placements.every((p) => p.page === 0) || size <= minFontSize) break;
    size = Math.max(minFontSize, size - 0.5);
  }
  for (const placed of placements) {
    for (const cell of placed.row.cells) {
      for (let i = placed.from; i < placed.to; i++) {
        const top = placed.y + (i - placed.from) * size * lh;
        const label = cell.label[i];
        const value = cell.value[i];
        if (label) put(placed.page, label, cell.labelX, top, size, 'label');
        if (value) put(placed.page, value, cell.valueX, top, size, 'text');
      }
    }
  }
  const pages = Math.max(1, ...placements.map((p) => p.page + 1));

  const last = pages - 1;
  const authorityTop = bandTop + (band - authorityHeight) / 2;
  authorityLines.forEach((line, i) => put(last, line, right - line.width * fontSize, authorityTop + i * fontSize * lh, fontSize, 'text'));
  for (let page = 0; page < pages; page++) {
    footerLines.forEach((line, i) => put(page, line, area.x, footerTop + i * FOOTER_SIZE * lh, FOOTER_SIZE, 'label'));
    if (pages > 1) {
      const number = pageNumber(page, pages);
      put(page, number, right - number.width * FOOTER_SIZE, bottom - FOOTER_SIZE * lh, FOOTER_SIZE, 'label');
    }
  }

  return {
    pages,
    frame,
    border,
    colors: { ...COLORS, ...template.colors },
    background: template.colors?.background !== undefined,
    lines,
    qr: { x: qrX, y: qrY, size: qr.size },
    seal: template.seal && {
      // Centred on the authority's lines, as stamped over them, and inside the frame.
      cx: Math.min(right - sealDiameter / 2, right - authorityWidth / 2),
      cy: bandTop + band / 2,
      diameter: sealDiameter,
      star: template.seal.star ?? true,
    },
  };
}

function glyphCount(line: Line): number {
  return line.runs.reduce((n, run) => n + [...run.text].length, 0);
}

/** The header items: first at the left, second at the right of the same line when both fit, else one per line. */
function headerLayout(items: readonly Glyph[][], widthEm: number): { line: Line; row: number; align: 'left' | 'right' }[] {
  const lines = items.map((glyphs) => breakLines(glyphs, widthEm));
  const [left, second] = lines;
  if (left && second && left.length === 1 && second.length === 1 && left[0]!.width + second[0]!.width + 2 <= widthEm) {
    return [
      { line: left[0]!, row: 0, align: 'left' },
      { line: second[0]!, row: 0, align: 'right' },
    ];
  }
  return lines.flat().map((line, row) => ({ line, row, align: 'left' as const }));
}

/** The title at the largest size (down to 12 pt) that takes at most two lines; short Chinese titles are spaced out. */
function titleLayout(glyphs: readonly Glyph[], wanted: number, width: number, locale: Locale): { lines: Line[]; size: number; spacing: number } {
  let size = wanted;
  let lines = breakLines(glyphs, width / size);
  while (lines.length > 2 && size > 12) {
    size -= 1;
    lines = breakLines(glyphs, width / size);
  }
  if (lines.length === 2) {
    // Balanced: the narrowest measure that still takes two lines, so no single character dangles below.
    const total = lines[0]!.width + lines[1]!.width;
    for (let measure = total / 2; measure < width / size; measure += 0.5) {
      const balanced = breakLines(glyphs, measure);
      if (balanced.length === 2) {
        lines = balanced;
        break;
      }
    }
  }
  const only = lines.length === 1 ? lines[0]! : undefined;
  let spacing = 0;
  if (only && locale !== 'en' && glyphs.length <= 8) {
    spacing = size * 0.3;
    if (only.width * size + spacing * (glyphs.length - 1) > width) spacing = 0;
  }
  return { lines, size, spacing };
}

/** Rows into cells: one per row with one column or span full; with two columns, half rows pair up left to right. */
function layRows(rows: ShapedPage['rows'], area: Box, columns: 1 | 2, labelWidth: number, size: number): LaidRow[] {
  const laid: LaidRow[] = [];
  const cellWidth = (area.w - COLUMN_GAP * (columns - 1)) / columns;
  const cell = (row: ShapedPage['rows'][number], x: number, w: number) => {
    const labelW = Math.min(labelWidth, w * 0.45);
    const valueW = w - labelW - LABEL_GAP;
    return { labelX: x, valueX: x + labelW + LABEL_GAP, label: breakLines(row.label, labelW / size), value: breakLines(row.value, valueW / size) };
  };
  const push = (cells: LaidRow['cells']) => laid.push({ cells, lines: Math.max(...cells.map((c) => Math.max(c.label.length, c.value.length))) });
  let pending: ShapedPage['rows'] = [];
  const flush = () => {
    if (pending.length > 0) push(pending.map((row, i) => cell(row, area.x + i * (cellWidth + COLUMN_GAP), cellWidth)));
    pending = [];
  };
  for (const row of rows) {
    if (columns === 1 || row.span === 'full') {
      flush();
      push([cell(row, area.x, area.w)]);
    } else {
      pending.push(row);
      if (pending.length === columns) flush();
    }
  }
  flush();
  return laid;
}

/**
 * Rows down the body from `firstTop` on the first page and `top` on the next ones. A row that does not fit moves
 * to the next page; a long one (more than three lines) is split there instead.
 */
function placeRows(rows: readonly LaidRow[], firstTop: number, top: number, bottom: number, lineHeight: number, gap: number): Placement[] {
  const placements: Placement[] = [];
  let page = 0;
  let y = firstTop;
  for (const row of rows) {
    let from = 0;
    while (from < row.lines) {
      const fit = Math.floor((bottom - y + 1e-6) / lineHeight);
      const need = row.lines - from;
      if (fit >= need) {
        placements.push({ page, y, row, from, to: row.lines });
        y += need * lineHeight + gap;
        break;
      }
      // A page never stays empty (even a body shorter than a line takes one), and short rows are not split.
      const atTop = y === (page === 0 ? firstTop : top);
      const take = atTop ? Math.max(1, fit) : need > 3 && fit >= 2 ? fit : 0;
      if (take > 0) {
        placements.push({ page, y, row, from, to: from + take });
        from += take;
      }
      page += 1;
      y = top;
    }
  }
  return placements;
}
