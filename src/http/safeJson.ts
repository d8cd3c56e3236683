/**
 * What a JSON body must be before anything reads it: UTF-8, nested no deeper than MAX_JSON_DEPTH (checked on the
 * raw bytes, in one pass, before they are parsed), free of property names that reach into prototypes, and holding
 * only numbers JSON can carry and well-formed strings (I-JSON, RFC 7493) without U+0000.
 */
import { jsonFlaw, jsonTextTooDeep, MAX_JSON_DEPTH } from '../domain/jsonLimits.js';
import { OnevisitError, type Issue } from '../domain/errors.js';
import { formatPointer } from '../domain/pointer.js';

const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * express.json's `verify` hook: runs on the raw body before it is parsed. Refuses a body in another charset (RFC
 * 8259 JSON is UTF-8, and the depth count reads UTF-8 bytes) and one nested too deep (REQUEST.TOO_DEEP).
 */
export function checkRawJson(_req: unknown, _res: unknown, body: Buffer, encoding: string | null): void {
  if (encoding !== null && encoding.toLowerCase() !== 'utf-8') throw new OnevisitError('REQUEST.MALFORMED', 'a JSON body is encoded in UTF-8');
  if (jsonTextTooDeep(body, MAX_JSON_DEPTH)) {
    throw new OnevisitError('REQUEST.TOO_DEEP', `the request body nests arrays and objects more than ${MAX_JSON_DEPTH} deep`, { details: { maxDepth: MAX_JSON_DEPTH } });
  }
}

/**
 * What is wrong with a parsed body, as the issue to refuse it with, or undefined: a property name that reaches into
 * prototypes, a number JSON cannot carry (`1e999` parses to Infinity), a string that is not Unicode (a lone
 * surrogate, `"\ud800"`) or holds U+0000. One walk, no recursion.
 */
export function bodyIssue(value: unknown): Issue | undefined {
  const flaw = jsonFlaw(value, { reservedKeys: RESERVED, forbidNul: true });
  if (!flaw) return undefined;
  const path = formatPointer(flaw.path);
  if (flaw.kind === 'key') return { path, code: 'INPUT.RESERVED_KEY', message: 'reserved property names (__proto__, constructor, prototype) are not accepted' };
  if (flaw.kind === 'number') return { path, code: 'INPUT.NUMBER_RANGE', message: 'a number beyond the range of JSON numbers (a double) is not accepted' };
  if (flaw.kind === 'string') return { path, code: 'INPUT.UNICODE', message: 'a lone surrogate (half of a UTF-16 pair) is not Unicode text and is not accepted' };
  // As in URLs: no text of ours holds U+0000, and PostgreSQL cannot store one in a text column (a 500).
  if (flaw.kind === 'nul') return { path, code: 'INPUT.NUL_CHARACTER', message: 'a NUL character (U+0000) is not accepted in text' };
  return { path, code: 'INPUT.TOO_DEEP', message: `nests more than ${MAX_JSON_DEPTH} deep` };
}
