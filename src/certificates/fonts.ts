/**
 * The certificate fonts: Noto Sans SC and TC, regular and bold, opened once per process and shared by every
 * document (pdfkit takes the fontkit object itself, so nothing is parsed again per document). Text is split
 * per character onto the first face that has the glyph; a character no face has is refused, never drawn as a box.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as fontkit from 'fontkit';
import type { Font } from 'fontkit';
import { OnevisitError } from '../domain/errors.js';
import type { Locale } from '../domain/i18n.js';

/** One font file, with the name a document registers it under and a cache of its advances (in em). */
export interface Face {
  readonly key: string;
  readonly font: Font;
  /** Ascender in em: how far the baseline sits below the top of a line pdfkit draws at y. */
  readonly ascent: number;
  /** Advance in em for a code point, or -1 when the face has no glyph for it (cached, shared by all documents). */
  advance(codePoint: number): number;
}

export interface FontSet {
  readonly faces: readonly Face[];
  /** Faces to try, in order, for a locale and weight: zh-Hant prefers TC, everything else SC. */
  chain(locale: Locale, weight: 'regular' | 'bold'): readonly Face[];
}

const FILES = {
  'sc-regular': ['@expo-google-fonts/noto-sans-sc', '400Regular/NotoSansSC_400Regular.ttf'],
  'sc-bold': ['@expo-google-fonts/noto-sans-sc', '700Bold/NotoSansSC_700Bold.ttf'],
  'tc-regular': ['@expo-google-fonts/noto-sans-tc', '400Regular/NotoSansTC_400Regular.ttf'],
  'tc-bold': ['@expo-google-fonts/noto-sans-tc', '700Bold/NotoSansTC_700Bold.ttf'],
} as const;
type FaceKey = keyof typeof FILES;

const opened = new Map<string, Font>();
let openCount = 0;

/** How many font files this process has parsed: stays at four however many documents are rendered. */
export function fontFilesOpened(): number {
  return openCount;
}

/**
 * The four faces, from `fontsDir` (holding the files under their npm names, e.g. NotoSansSC_400Regular.ttf)
 * or from the npm packages. Each file is opened at most once per process.
 */
export function loadFontSet(fontsDir?: string): FontSet {
  const require = createRequire(import.meta.url);
  const faces = new Map<FaceKey, Face>();
  for (const [key, [pkg, file]] of Object.entries(FILES) as [FaceKey, (typeof FILES)[FaceKey]][]) {
    const location = fontsDir ? path.join(fontsDir, path.basename(file)) : require.resolve(`${pkg}/${file}`);
    faces.set(key, makeFace(key, openFont(location)));
  }
  const face = (key: FaceKey) => faces.get(key)!;
  const chains = {
    hans: { regular: [face('sc-regular'), face('tc-regular')], bold: [face('sc-bold'), face('tc-bold'), face('sc-regular'), face('tc-regular')] },
    hant: { regular: [face('tc-regular'), face('sc-regular')], bold: [face('tc-bold'), face('sc-bold'), face('tc-regular'), face('sc-regular')] },
  };
  return {
    faces: [...faces.values()],
    chain: (locale, weight) => chains[locale === 'zh-Hant' ? 'hant' : 'hans'][weight],
  };
}

function openFont(file: string): Font {
  const cached = opened.get(file);
  if (cached) return cached;
  const font = fontkit.openSync(file);
  if (!('hasGlyphForCodePoint' in font)) throw new Error(`${file} is a font collection; the certificate fonts must be single fonts`);
  openCount += 1;
  opened.set(file, font);
  return font;
}

function makeFace(key: string, font: Font): Face {
  const advances = new Map<number, number>();
  return {
    key,
    font,
    ascent: font.ascent / font.unitsPerEm,
    advance(codePoint) {
      let advance = advances.get(codePoint);
      if (advance === undefined) {
        advance = font.hasGlyphForCodePoint(codePoint) ? font.glyphForCodePoint(codePoint).advanceWidth / font.unitsPerEm : -1;
        advances.set(codePoint, advance);
      }
      return advance;
    },
  };
}

/** A drawable character (a code point, plus any variation selector after it) on the face that draws it. */
export interface Glyph {
  readonly text: string;
  readonly face: Face;
  /** Advance in em. */
  readonly advance: number;
}

/** What could not be drawn, said the way people search for it (U+20000). */
export function codePointName(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}

const isVariationSelector = (cp: number) => (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef);
const DEFAULT_IGNORABLE = /^\p{Default_Ignorable_Code_Point}$/u;

/**
 * The text as glyphs, each on the first face of `chain` that has it. Line feeds are kept as '\n' glyphs
 * (no face) for the line breaker; tabs read as spaces; invisible format characters no face has are dropped.
 * Throws CERTIFICATE.GLYPH_MISSING naming the character, its code point and `field` for anything else.
 */
export function shape(text: string, chain: readonly Face[], field: string): Glyph[] {
  const glyphs: Glyph[] = [];
  const primary = chain[0]!;
  for (const char of text.replace(/\r\n?/g, '\n').replace(/\t/g, ' ')) {
    const cp = char.codePointAt(0)!;
    if (cp === 0x0a) {
      glyphs.push({ text: '\n', face: primary, advance: 0 });
      continue;
    }
    const last = glyphs[glyphs.length - 1];
    if (isVariationSelector(cp) && last && last.text !== '\n') {
      // fontkit reads the selector with its base character from the same face.
      glyphs[glyphs.length - 1] = { ...last, text: last.text + char };
      continue;
    }
    const face = chain.find((f) => f.advance(cp) >= 0);
    if (face) {
      glyphs.push({ text: char, face, advance: face.advance(cp) });
      continue;
    }
    if (DEFAULT_IGNORABLE.test(char)) continue;
    throw new OnevisitError(
      'CERTIFICATE.GLYPH_MISSING',
      `The character "${char}" (${codePointName(cp)}) in ${field} cannot be drawn by any certificate font`,
      { details: { character: char, codePoint: codePointName(cp), field } },
    );
  }
  return glyphs;
}

/**
 * A check that certificate fonts can draw a text (Simplified first, then Traditional), throwing
 * CERTIFICATE.GLYPH_MISSING as `shape` does; the fonts are opened on first use.
 */
export function createGlyphCheck(fontsDir?: string): (text: string, field: string) => void {
  let chain: readonly Face[] | undefined;
  return (text, field) => {
    chain ??= loadFontSet(fontsDir).chain('zh-Hans', 'regular');
    shape(text, chain, field);
  };
}
