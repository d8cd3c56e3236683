/**
 * Where a JSON Pointer lands in a JSON text: the offsets of the value it names, or of its nearest ancestor that
 * exists (an error about a missing property points at the object that lacks it). Used by the admin editor on the
 * server (the line of each error, without scripts) and in the browser (the editor's cursor jumps there): the
 * script bundles this file. Pure, no dependencies.
 */

export interface TextSpan {
  from: number;
  to: number;
  /** 1-based line of `from`. */
  line: number;
  /** The pointer of the value found: the one asked for, or the ancestor it fell back to. */
  pointer: string;
}

class Malformed extends Error {}

/** RFC 6901: `/a~1b/0` → ['a/b', '0']. */
export function pointerTokens(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

const escapeToken = (token: string) => token.replace(/~/g, '~0').replace(/\//g, '~1');

export function locatePointer(text: string, pointer: string): TextSpan | undefined {
  const want = pointerTokens(pointer);
  let i = 0;
  let best: { from: number; to: number; depth: number } | undefined;

  const space = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const string = (): string => {
    if (text[i] !== '"') throw new Malformed();
    const start = i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) throw new Malformed();
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      throw new Malformed();
    }
  };
  // Walks one value; `depth` is how many tokens of `want` the path to it matches (-1 once it left the path).
  const value = (depth: number): void => {
    space();
    const from = i;
    const onPath = depth >= 0;
    const ch = text[i];
    if (ch === '{') {
      i++;
      space();
      if (text[i] === '}') i++;
      else {
        for (;;) {
          space();
          const key = string();
          space();
          if (text[i++] !== ':') throw new Malformed();
          value(onPath && depth < want.length && want[depth] === key ? depth + 1 : -1);
          space();
          if (text[i] === ',') i++;
          else if (text[i] === '}') {
            i++;
            break;
          } else throw new Malformed();
        }
      }
    } else if (ch === '[') {
      i++;
      space();
      if (text[i] === ']') i++;
      else {
        for (let index = 0; ; index++) {
          value(onPath && depth < want.length && want[depth] === String(index) ? depth + 1 : -1);
          space();
          if (text[i] === ',') i++;
          else if (text[i] === ']') {
            i++;
            break;
          } else throw new Malformed();
        }
      }
    } else if (ch === '"') string();
    else {
      const match = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
      if (!match) throw new Malformed();
      i += match[0].length;
    }
    if (onPath && (!best || depth >= best.depth)) best = { from, to: i, depth };
  };

  try {
    value(0);
  } catch (error) {
    if (error instanceof Malformed) return undefined;
    throw error;
  }
  if (!best) return undefined;
  const line = text.slice(0, best.from).split('\n').length;
  return { from: best.from, to: best.to, line, pointer: want.slice(0, best.depth).map((t) => `/${escapeToken(t)}`).join('') };
}

/** The 1-based line of an offset. */
export function lineOfOffset(text: string, offset: number): number {
  return text.slice(0, Math.max(0, Math.min(offset, text.length))).split('\n').length;
}
