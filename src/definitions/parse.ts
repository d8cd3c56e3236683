import type { Issue, IssueCode } from '../domain/errors.js';

/** Definitions are small documents; anything larger is refused before it is parsed. */
export const MAX_DEFINITION_BYTES = 1024 * 1024;

export type ParseResult = { ok: true; value: unknown } | { ok: false; errors: Issue[] };

/** Text → JSON value, with a clear error for oversized or malformed input instead of an exception. */
export function parseDefinitionText(text: string, maxBytes = MAX_DEFINITION_BYTES): ParseResult {
  const size = Buffer.byteLength(text, 'utf8');
  if (size > maxBytes) {
    return fail('DEFINITION.TOO_LARGE', `the definition is ${size} bytes; at most ${maxBytes} are accepted`);
  }
  try {
    return { ok: true, value: JSON.parse(text.replace(/^\uFEFF/, '')) };
  } catch (error) {
    return fail('JSON.MALFORMED', `not valid JSON: ${(error as Error).message}`);
  }
}

function fail(code: IssueCode, message: string): ParseResult {
  return { ok: false, errors: [{ path: '', code, message }] };
}
