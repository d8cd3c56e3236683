/**
 * What JSON the product takes from outside. Nesting: every document it accepts — a service definition, a form, a
 * calendar, a certificate record — nests 10 levels at most; 64 leaves room and keeps every recursive step that
 * follows (schema checks, canonical JSON, structured clones) far from the stack's end. Numbers: only those JSON can
 * carry — `1e999` parses to Infinity, which nothing can store, sign or write back. Strings: well-formed Unicode, as
 * I-JSON (RFC 7493) requires — a lone surrogate (`"\ud800"`) has no UTF-8 form, and canonical JSON (RFC 8785)
 * refuses it. Every check here takes linear time and recurses into nothing, so it can run first on anything
 * untrusted.
 */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * Whether a JSON text (UTF-8 bytes or a string) opens more than `max` arrays and objects inside each other,
 * counting `[` and `{` outside strings in one pass. The text need not be valid JSON: it is not parsed.
 */
export function jsonTextTooDeep(text: string | Uint8Array, max: number = MAX_JSON_DEPTH): boolean {
  const length = text.length;
  const at: (i: number) => number = typeof text === 'string' ? (i) => text.charCodeAt(i) : (i) => text[i]!;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < length; i++) {
    const c = at(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (++depth > max) return true;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) depth--;
  }
  return false;
}

/** Where a parsed value is not JSON the product takes: JSON Pointer tokens to the place, and why. */
export interface JsonFlaw {
  path: string[];
  /**
   * `depth`: more than `maxDepth` levels (a cycle too); `number`: not finite; `string`: a string or property name
   * with a lone surrogate; `nul`: one with U+0000 (when `forbidNul`); `key`: one of `reservedKeys`.
   */
  kind: 'depth' | 'number' | 'string' | 'nul' | 'key';
}

/** A UTF-16 code unit of a surrogate pair on its own. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * The first flaw of `value`, depth first (an object's own keys before its children), or undefined. Walks with its
 * own stack, never deeper than `maxDepth + 1`, in time linear in the size of the value's JSON text.
 */
export function jsonFlaw(value: unknown, options: { maxDepth?: number; reservedKeys?: ReadonlySet<string>; forbidNul?: boolean } = {}): JsonFlaw | undefined {
  const maxDepth = options.maxDepth ?? MAX_JSON_DEPTH;
  const textFlaw = (text: string): JsonFlaw['kind'] | undefined => (LONE_SURROGATE.test(text) ? 'string' : options.forbidNul && text.includes('\u0000') ? 'nul' : undefined);
  const pending: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  while (pending.length > 0) {
    const { value: current, path } = pending.pop()!;
    if (typeof current === 'number') {
      if (!Number.isFinite(current)) return { path, kind: 'number' };
      continue;
    }
    if (typeof current === 'string') {
      const kind = textFlaw(current);
      if (kind) return { path, kind };
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (path.length + 1 > maxDepth) return { path, kind: 'depth' };
    const keys = Object.keys(current);
    for (const key of keys) {
      if (options.reservedKeys?.has(key)) return { path: [...path, key], kind: 'key' };
      const kind = textFlaw(key);
      if (kind) return { path: [...path, key], kind };
    }
    for (let i = keys.length - 1; i >= 0; i--) pending.push({ value: (current as Record<string, unknown>)[keys[i]!], path: [...path, keys[i]!] });
  }
  return undefined;
}
