/** Request bodies may not use property names that reach into prototypes, wherever they are nested. */
import { formatPointer } from '../domain/pointer.js';

const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);

/** The JSON Pointer of the first reserved key in `value`, or undefined. */
export function forbiddenKeyPath(value: unknown, path: string[] = []): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  for (const key of Object.keys(value)) {
    if (RESERVED.has(key)) return formatPointer([...path, key]);
    const found = forbiddenKeyPath((value as Record<string, unknown>)[key], [...path, key]);
    if (found !== undefined) return found;
  }
  return undefined;
}
