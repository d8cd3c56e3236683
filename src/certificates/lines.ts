/**
 * Line breaking for certificate text: Chinese may break between any two characters, Latin words stay whole,
 * closing punctuation never starts a line and opening punctuation never ends one. Widths are in em, so one
 * breaking serves every font size (multiply by the size).
 */
import type { Face, Glyph } from './fonts.js';

/** A stretch of one line drawn with one face. */
export interface Run {
  readonly face: Face;
  readonly text: string;
  /** Width in em. */
  readonly width: number;
}

export interface Line {
  readonly runs: readonly Run[];
  /** Width in em. */
  readonly width: number;
}

const WIDE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef]/u;
const CLOSING = new Set([...'，。、；：？！）》」』】〕〉,.;:?!)]}%”’·…—']);
const OPENING = new Set([...'（《「『【〔〈([{“‘']);

function canBreakBefore(glyphs: readonly Glyph[], i: number): boolean {
  const prev = glyphs[i - 1]!.text;
  const cur = glyphs[i]!.text;
  if (CLOSING.has(cur[0]!) || OPENING.has(prev[0]!)) return false;
  return prev === ' ' || WIDE.test(prev) || WIDE.test(cur) || OPENING.has(cur[0]!);
}

/** Breaks glyphs into lines no wider than `maxWidth` em (a word longer than a line is cut). */
export function breakLines(glyphs: readonly Glyph[], maxWidth: number): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start <= glyphs.length) {
    // Leading spaces of a wrapped line are not drawn.
    while (start < glyphs.length && glyphs[start]!.text === ' ' && lines.length > 0 && glyphs[start - 1]?.text !== '\n') start++;
    let width = 0;
    let lastBreak = -1;
    let end = start;
    for (; end < glyphs.length; end++) {
      const glyph = glyphs[end]!;
      if (glyph.text === '\n') break;
      if (end > start && canBreakBefore(glyphs, end)) lastBreak = end;
      if (width + glyph.advance > maxWidth + 1e-9 && end > start) {
        end = lastBreak > start ? lastBreak : end;
        break;
      }
      width += glyph.advance;
    }
    lines.push(toLine(glyphs.slice(start, end)));
    if (end >= glyphs.length) break;
    start = glyphs[end]!.text === '\n' ? end + 1 : end;
    if (start === glyphs.length && glyphs[end]!.text === '\n') {
      lines.push({ runs: [], width: 0 });
      break;
    }
  }
  return lines;
}

/** The glyphs as runs of one face each, trailing spaces dropped. */
export function toLine(glyphs: readonly Glyph[]): Line {
  let count = glyphs.length;
  while (count > 0 && glyphs[count - 1]!.text === ' ') count--;
  const runs: Run[] = [];
  let width = 0;
  for (let i = 0; i < count; i++) {
    const glyph = glyphs[i]!;
    const last = runs[runs.length - 1];
    if (last && last.face === glyph.face) runs[runs.length - 1] = { face: last.face, text: last.text + glyph.text, width: last.width + glyph.advance };
    else runs.push({ face: glyph.face, text: glyph.text, width: glyph.advance });
    width += glyph.advance;
  }
  return { runs, width };
}
