/**
 * Errors as RFC 9457 problem details. This is the only place where error codes meet HTTP statuses;
 * the table covers every code of the registry (checked by the compiler and by a test).
 */
import { ErrorCodes, OnevisitError, isOnevisitError, type ErrorCode, type Issue } from '../domain/errors.js';

export const ErrorStatuses = {
  'DEFINITION.INVALID': 422,
  'DEFINITION.NOT_FOUND': 404,
  'DEFINITION.MISMATCH': 500,
  'SERVICE.NOT_FOUND': 404,
  'APPLICATION.NOT_FOUND': 404,
  'APPLICATION.CONFLICT': 409,
  'APPLICATION.CORRUPT': 500,
  'FORM.INVALID': 422,
  'MATERIALS.INVALID': 422,
  'EVENT.INVALID': 400,
  'TRANSITION.NOT_ALLOWED': 409,
  'INPUT.INVALID': 400,
  'CONFIG.INVALID': 500,
  'REQUEST.MALFORMED': 400,
  'REQUEST.TOO_LARGE': 413,
  'REQUEST.TOO_DEEP': 400,
  'ROUTE.NOT_FOUND': 404,
  'METHOD.NOT_ALLOWED': 405,
  'AUTH.REQUIRED': 401,
  'AUTH.INVALID_CREDENTIALS': 401,
  'AUTH.FORBIDDEN': 403,
  'AUTH.CSRF': 403,
  'AUTH.RATE_LIMITED': 429,
  'USER.EXISTS': 409,
  'USER.NOT_FOUND': 404,
  'USER.OWN_ACCOUNT': 409,
  'PASSWORD.WEAK': 422,
  'FILE.MISSING': 400,
  'FILE.TOO_LARGE': 413,
  'FILE.TYPE_UNSUPPORTED': 415,
  'FILE.NOT_FOUND': 404,
  'TASK.CLAIMED': 409,
  'TASK.NOT_CLAIMED': 409,
  'RATING.NOT_ALLOWED': 409,
  'CALENDAR.INVALID': 422,
  'CERTIFICATE.NOT_FOUND': 404,
  'CERTIFICATE.GLYPH_MISSING': 422,
  'CERTIFICATE.NOT_ALLOWED': 409,
  'TEMPLATE.INVALID': 422,
  'TEMPLATE.NOT_FOUND': 500,
  'REFERENCE.INVALID': 422,
  'REFERENCE.NOT_FOUND': 404,
  'KEYS.INVALID': 500,
  'EFFECT.NOT_FOUND': 404,
  'EFFECT.NOT_FAILED': 409,
  'PROGRESS.NOT_FOUND': 404,
  'DRAFT.NOT_FOUND': 404,
  'DRAFT.LIMIT_REACHED': 409,
  'APPLICANT.MISMATCH': 409,
} as const satisfies Record<ErrorCode, number>;

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode | 'INTERNAL';
  detail: string;
  errors?: Issue[];
  [extension: string]: unknown;
}

export const PROBLEM_TYPE_BASE = 'https://onevisit.example/problems/';

export function problemOf(error: OnevisitError): Problem {
  const status = ErrorStatuses[error.code];
  return {
    // Extension members first: they can never replace a standard member.
    ...(status < 500 ? error.details : {}),
    type: `${PROBLEM_TYPE_BASE}${error.code.toLowerCase().replace('.', '/')}`,
    title: ErrorCodes[error.code],
    status,
    code: error.code,
    // A 5xx says what happened in general terms; its particulars go to the log, not to the client.
    detail: status >= 500 ? ErrorCodes[error.code] : error.message,
    ...(error.errors.length > 0 ? { errors: [...error.errors] } : {}),
  };
}

export const INTERNAL_PROBLEM: Problem = {
  type: `${PROBLEM_TYPE_BASE}internal`,
  title: 'Internal error',
  status: 500,
  code: 'INTERNAL',
  detail: 'Something went wrong on our side; it has been logged.',
};

/** Maps what body-parser and multer throw to our codes; anything unknown is internal. */
export function asOnevisitError(error: unknown): OnevisitError | undefined {
  if (isOnevisitError(error)) return error;
  const e = error as { type?: string; status?: number; code?: string; message?: string } | null;
  if (!e || typeof e !== 'object') return undefined;
  if (e.type === 'entity.parse.failed') return new OnevisitError('REQUEST.MALFORMED', 'the request body is not valid JSON');
  if (e.type === 'entity.too.large') return new OnevisitError('REQUEST.TOO_LARGE', 'the request body is larger than the limit');
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') return new OnevisitError('REQUEST.MALFORMED', 'the request body encoding is not supported');
  if (e.code === 'LIMIT_FILE_SIZE') return new OnevisitError('FILE.TOO_LARGE', 'the file is larger than the limit');
  if (typeof e.code === 'string' && e.code.startsWith('LIMIT_')) return new OnevisitError('INPUT.INVALID', `the upload is malformed: ${e.message ?? e.code}`);
  if (e.message === 'Multipart: Boundary not found' || e.message === 'Unexpected end of form' || e.message === 'Malformed part header') {
    return new OnevisitError('INPUT.INVALID', 'the multipart body is malformed');
  }
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) return new OnevisitError('INPUT.INVALID', e.message ?? 'the request is invalid');
  return undefined;
}

/**
 * What reading a multipart upload (multer, and busboy under it) failed with, as ours. It reads nothing but the
 * request body, so whatever it cannot take — a part without a field name, a part cut short, framing it cannot
 * follow — is the client's malformed upload; only the size limit has a code of its own.
 */
export function uploadError(error: unknown): OnevisitError {
  const known = asOnevisitError(error);
  if (known) return known;
  const message = error instanceof Error ? error.message : String(error);
  return new OnevisitError('INPUT.INVALID', `the upload is malformed: ${message.slice(0, 200)}`);
}
