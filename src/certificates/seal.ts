/**
 * The issuing authority's seal, drawn as vectors: a red ring, the authority's name around the upper rim, a
 * five-pointed star and an optional inscription. The characters are glyph outlines, not text, as a stamp is an
 * image: they neither join the PDF's text (copying the page reads cleanly) nor need the font subset. A seal's
 * drawing depends only on its name, inscription, size and star, so its operators are worked out once and reused.
 */
import type { Glyph } from './fonts.js';

export interface SealSpec {
  cx: number;
  cy: number;
  diameter: number;
  color: string;
  star: boolean;
  name: readonly Glyph[];
  inscription?: readonly Glyph[] | undefined;
}

/** The widest arc (radians) the name may take around the rim, and the room each character takes along it. */
const MAX_ARC = (220 * Math.PI) / 180;
const SPACING = 1.15;
/** Seals differ by issuing department: a few dozen in a city. The cache forgets the oldest past this. */
const CACHE_LIMIT = 256;
const drawn = new Map<string, string>();

export function drawSeal(doc: PDFKit.PDFDocument, seal: SealSpec): void {
  const key = JSON.stringify([
    seal.diameter,
    seal.star,
    seal.name.map((g) => [g.face.key, g.text]),
    (seal.inscription ?? []).map((g) => [g.face.key, g.text]),
  ]);
  let operators = drawn.get(key);
  if (operators === undefined) {
    operators = sealOperators(seal);
    if (drawn.size >= CACHE_LIMIT) drawn.delete(drawn.keys().next().value!);
    drawn.set(key, operators);
  }
  doc.save();
  // Stamped ink: the printed text under the seal stays legible.
  doc.opacity(0.88).fillColor(seal.color).strokeColor(seal.color);
  doc.translate(seal.cx, seal.cy);
  doc.addContent(operators);
  doc.restore();
}

const num = (value: number) => String(Math.round(value * 1000) / 1000);

/** PDF content operators for the seal centred on the origin (y down, as pdfkit's page space). */
function sealOperators(seal: SealSpec): string {
  const r = seal.diameter / 2;
  const ring = Math.max(1.2, seal.diameter * 0.035);
  const ops = [`${num(ring)} w`, circle(r - ring / 2), 'S'];
  ops.push(...nameOperators(seal.name, r));
  if (seal.star) ops.push(star(r * 0.27), 'f');
  if (seal.inscription && seal.inscription.length > 0) ops.push(...inscriptionOperators(seal.inscription, r));
  return ops.join('\n');
}

function nameOperators(name: readonly Glyph[], r: number): string[] {
  const glyphs = name.filter((g) => g.text !== ' ' && g.text !== '\n');
  const n = glyphs.length;
  if (n === 0) return [];
  const centreRadius = r * 0.7;
  let size = r * 0.3;
  if ((n * size * SPACING) / centreRadius > MAX_ARC) size = (MAX_ARC * centreRadius) / (n * SPACING);
  // Few characters still spread over a good part of the rim, as on a real seal.
  const arc = Math.min(MAX_ARC, Math.max((n * size * SPACING) / centreRadius, Math.min(n, 8) * 0.3));
  const step = arc / n;
  return glyphs.map((glyph, i) => {
    const angle = -Math.PI / 2 - arc / 2 + (i + 0.5) * step;
    return outline(glyph, centreRadius * Math.cos(angle), centreRadius * Math.sin(angle), size, angle + Math.PI / 2);
  });
}

function inscriptionOperators(glyphs: readonly Glyph[], r: number): string[] {
  let size = r * 0.17;
  const width = glyphs.reduce((sum, g) => sum + g.advance, 0);
  if (width * size > r) size = r / width;
  let x = -(width * size) / 2;
  return glyphs.map((glyph) => {
    const op = outline(glyph, x + (glyph.advance * size) / 2, r * 0.52, size, 0);
    x += glyph.advance * size;
    return op;
  });
}

/** One glyph's outline, filled, its em box centred on (x, y) and turned by `radians` clockwise. */
function outline(glyph: Glyph, x: number, y: number, size: number, radians: number): string {
  const font = glyph.face.font;
  const shape = font.glyphsForString(glyph.text)[0];
  if (!shape) return '';
  const scale = size / font.unitsPerEm;
  const os2 = font['OS/2'];
  const middle = (os2.typoAscender + os2.typoDescender) / 2;
  const [cos, sin] = [Math.cos(radians), Math.sin(radians)];
  // Page space is y down; the font's is y up: rotate, then flip, then move the em box's centre to the origin.
  const matrix = [cos * scale, sin * scale, sin * scale, -cos * scale, x, y].map(num).join(' ');
  const path = shape.path.translate(-shape.advanceWidth / 2, -middle);
  return `q ${matrix} cm\n${pathOperators(path.commands)}\nf Q`;
}

function pathOperators(commands: readonly { command: string; args: number[] }[]): string {
  const ops: string[] = [];
  let [x, y] = [0, 0];
  for (const { command, args } of commands) {
    const a = args.map(num);
    switch (command) {
      case 'moveTo':
        ops.push(`${a[0]} ${a[1]} m`);
        [x, y] = [args[0]!, args[1]!];
        break;
      case 'lineTo':
        ops.push(`${a[0]} ${a[1]} l`);
        [x, y] = [args[0]!, args[1]!];
        break;
      case 'quadraticCurveTo': {
        // PDF has only cubic curves: the quadratic's control point, two thirds of the way from each end.
        const [qx, qy, ex, ey] = args as [number, number, number, number];
        ops.push(`${num(x + (2 / 3) * (qx - x))} ${num(y + (2 / 3) * (qy - y))} ${num(ex + (2 / 3) * (qx - ex))} ${num(ey + (2 / 3) * (qy - ey))} ${num(ex)} ${num(ey)} c`);
        [x, y] = [ex, ey];
        break;
      }
      case 'bezierCurveTo':
        ops.push(`${a.join(' ')} c`);
        [x, y] = [args[4]!, args[5]!];
        break;
      case 'closePath':
        ops.push('h');
        break;
    }
  }
  return ops.join(' ');
}

function circle(radius: number): string {
  // Four cubic arcs; k places the control points of a quarter circle.
  const k = radius * 0.5522847498;
  const [r, c] = [num(radius), num(k)];
  return [
    `${r} 0 m`,
    `${r} ${c} ${c} ${r} 0 ${r} c`,
    `-${c} ${r} -${r} ${c} -${r} 0 c`,
    `-${r} -${c} -${c} -${r} 0 -${r} c`,
    `${c} -${r} ${r} -${c} ${r} 0 c`,
    'h',
  ].join(' ');
}

function star(outer: number): string {
  const inner = outer * 0.382;
  const points: string[] = [];
  for (let i = 0; i < 10; i++) {
    const radius = i % 2 === 0 ? outer : inner;
    const angle = -Math.PI / 2 + (i * Math.PI) / 5;
    points.push(`${num(radius * Math.cos(angle))} ${num(radius * Math.sin(angle))} ${i === 0 ? 'm' : 'l'}`);
  }
  return points.join(' ') + ' h';
}
