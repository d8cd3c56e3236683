/** RFC 6901 JSON Pointers: the addresses of definition errors and of form fields. */

export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`not a JSON Pointer: ${pointer}`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function formatPointer(tokens: readonly (string | number)[]): string {
  return tokens.map((t) => '/' + String(t).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

export function joinPointer(base: string, ...tokens: (string | number)[]): string {
  return base + formatPointer(tokens);
}

const own = (value: object, key: string) => Object.prototype.hasOwnProperty.call(value, key);

/** The value at `pointer` in `document`, or undefined when any token is missing. */
export function getByPointer(document: unknown, pointer: string): unknown {
  let current: unknown = document;
  for (const token of parsePointer(pointer)) {
    if (Array.isArray(current)) {
      if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
      current = current[Number(token)];
    } else if (current !== null && typeof current === 'object' && own(current, token)) {
      current = (current as Record<string, unknown>)[token];
    } else {
      return undefined;
    }
  }
  return current;
}

/**
 * A copy of `document` holding only the values at `pointers` (with their ancestors' shape):
 * what a department is allowed to see of a form.
 */
export function pickByPointers(document: unknown, pointers: readonly string[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const pointer of pointers) {
    const value = getByPointer(document, pointer);
    if (value === undefined) continue;
    const tokens = parsePointer(pointer);
    if (tokens.includes('__proto__')) continue;
    let target: Record<string, unknown> = result;
    for (const token of tokens.slice(0, -1)) {
      const next = target[token];
      if (next === null || typeof next !== 'object') target[token] = {};
      target = target[token] as Record<string, unknown>;
    }
    const last = tokens[tokens.length - 1];
    if (last !== undefined) target[last] = structuredClone(value);
  }
  return result;
}
