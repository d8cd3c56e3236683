/**
 * Errors as plain data with a code: the registries (errorCodes.ts: what may be refused; issueCodes.ts: what may
 * be wrong inside), the one error class and the issue shape. Layers import these from here.
 */
import { ErrorCodes, type ErrorCode } from './errorCodes.js';
import type { IssueCode } from './issueCodes.js';

export { ErrorCodes, type ErrorCode } from './errorCodes.js';
export { IssueCodes, SchemaRules, SchemaSubjects, isIssueCode, schemaIssueCode, type IssueCode, type IssueCodeInfo, type SchemaRule, type SchemaSubject } from './issueCodes.js';

/** One problem inside a larger input: where (JSON Pointer), what (a code) and a sentence for people. */
export interface Issue {
  path: string;
  code: IssueCode;
  message: string;
}

export class OnevisitError extends Error {
  readonly code: ErrorCode;
  readonly errors: readonly Issue[];
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message?: string, options: { errors?: Issue[]; details?: Record<string, unknown> } = {}) {
    super(message ?? ErrorCodes[code]);
    this.name = 'OnevisitError';
    this.code = code;
    this.errors = options.errors ?? [];
    this.details = options.details ?? {};
  }
}

export function isOnevisitError(error: unknown, code?: ErrorCode): error is OnevisitError {
  return error instanceof OnevisitError && (code === undefined || error.code === code);
}
