/**
 * The one error registry (DESIGN §6). Every error the product raises has a code from here with a title;
 * the HTTP layer alone maps codes to statuses, and a test keeps registry, mapping and API document in step.
 */
export const ErrorCodes = {
  'DEFINITION.INVALID': 'The service definition is invalid',
  'DEFINITION.NOT_FOUND': 'No such service definition',
  'DEFINITION.MISMATCH': 'The application was started on another definition',
  'SERVICE.NOT_FOUND': 'No such service',
  'APPLICATION.NOT_FOUND': 'No such application',
  'APPLICATION.CONFLICT': 'The application was changed by someone else',
  'APPLICATION.CORRUPT': 'The stored application does not match its event log',
  'FORM.INVALID': 'The form is invalid',
  'MATERIALS.INVALID': 'The materials do not meet the service requirements',
  'EVENT.INVALID': 'The event is malformed',
  'TRANSITION.NOT_ALLOWED': 'The event is not allowed in the current state',
  'ACTOR.FORBIDDEN': 'This actor may not send this event',
  'INPUT.INVALID': 'The input is invalid',
  'CONFIG.INVALID': 'The configuration is invalid',
  'REQUEST.MALFORMED': 'The request body is not valid JSON',
  'REQUEST.TOO_LARGE': 'The request body is too large',
  'REQUEST.TOO_DEEP': 'The request body nests too deeply',
  'ROUTE.NOT_FOUND': 'No such resource',
  'METHOD.NOT_ALLOWED': 'The method is not allowed on this resource',
  'AUTH.REQUIRED': 'Sign-in is required',
  'AUTH.INVALID_CREDENTIALS': 'The username or password is wrong',
  'AUTH.FORBIDDEN': 'You may not do this',
  'AUTH.CSRF': 'The request lacks a valid CSRF token',
  'AUTH.RATE_LIMITED': 'Too many attempts; try again later',
  'USER.EXISTS': 'The username is taken',
  'USER.NOT_FOUND': 'No such user',
  'USER.OWN_ACCOUNT': 'An admin cannot disable their own account',
  'PASSWORD.WEAK': 'The password does not meet the password rule',
  'FILE.MISSING': 'No file was uploaded',
  'FILE.TOO_LARGE': 'The file is too large',
  'FILE.TYPE_UNSUPPORTED': 'The file is not a PDF, JPEG or PNG',
  'FILE.NOT_FOUND': 'No such file',
  'TASK.CLAIMED': 'Another clerk has claimed this task',
  'TASK.NOT_CLAIMED': 'You have not claimed this task',
  'RATING.NOT_ALLOWED': 'The application cannot be rated now',
  'CALENDAR.INVALID': 'The calendar is invalid',
  'CERTIFICATE.NOT_FOUND': 'No such certificate',
  'CERTIFICATE.GLYPH_MISSING': 'A character cannot be drawn by any certificate font',
  'CERTIFICATE.NOT_ALLOWED': 'The certificate cannot be changed in its current status',
  'TEMPLATE.INVALID': 'The certificate template is invalid',
  'TEMPLATE.NOT_FOUND': 'No such certificate template',
  'KEYS.INVALID': 'The signing keys cannot be used',
  'EFFECT.NOT_FOUND': 'No such effect',
  'EFFECT.NOT_FAILED': 'The effect has not failed',
} as const;
export type ErrorCode = keyof typeof ErrorCodes;

/** One problem inside a larger input: where (JSON Pointer), what (a code) and a sentence for people. */
export interface Issue {
  path: string;
  code: string;
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
