/**
 * The issue registry: every code an issue (`{path, code, message}` in an error's `errors`) can carry, what it
 * means and the error codes it comes under. The error's code says what was refused; the issue's says what is
 * wrong at its path. Two kinds:
 * - schema-rule codes `<SUBJECT>.<RULE>`: a JSON Schema rule broken by what was checked (definitions/ajv.ts maps
 *   ajv's keywords to rules), registered for the rules each subject's schemas can report;
 * - the product's own checks (`OwnIssueCodes`).
 * docs/errors.md is generated from here (`npm run docs:errors`); a test keeps them in step.
 */
import type { ErrorCode } from './errorCodes.js';
import { MAX_JSON_DEPTH } from './jsonLimits.js';

export interface IssueCodeInfo {
  /** One sentence for API users. */
  readonly meaning: string;
  /** The error codes whose `errors` it comes in; empty when only the `onevisit` command reports it. */
  readonly under: readonly ErrorCode[];
}

/** The JSON Schema rules: the second part of a schema-rule code. */
export const SchemaRules = {
  TYPE: 'a value has the wrong JSON type',
  REQUIRED: 'a required value is missing (or blank)',
  ADDITIONAL_PROPERTIES: 'a property the schema does not know is present',
  ENUM: 'a value is not one of the values allowed',
  CONST: 'a value is not the one value allowed',
  FORMAT: 'a text is not written in the format required (a date, an instant, a URI, a resident id number, a version number…)',
  PATTERN: 'a text does not match the pattern required (such as an id of lower-case letters, digits and hyphens)',
  MIN_LENGTH: 'a text is shorter than allowed',
  MAX_LENGTH: 'a text is longer than allowed',
  MINIMUM: 'a number is below the minimum',
  MAXIMUM: 'a number is above the maximum',
  EXCLUSIVE_MINIMUM: 'a number is not above the exclusive minimum',
  EXCLUSIVE_MAXIMUM: 'a number is not below the exclusive maximum',
  MULTIPLE_OF: 'a number is not a multiple of the step required',
  MIN_ITEMS: 'a list has fewer items than required',
  MAX_ITEMS: 'a list has more items than allowed',
  UNIQUE_ITEMS: 'a list holds the same item twice',
  MIN_PROPERTIES: 'an object has fewer properties than required',
  MAX_PROPERTIES: 'an object has more properties than allowed',
  ONE_OF: 'a value fits none, or more than one, of the alternatives',
  ANY_OF: 'a value fits none of the alternatives',
  NOT: 'a value fits a schema it must not fit',
  FALSE_SCHEMA: 'a value is present where the schema allows none',
  DEPENDENCIES: 'a property is present without the properties or the shape it depends on',
  DEPENDENT_REQUIRED: 'a property is present without the properties it requires',
  PROPERTY_NAMES: 'a property name is not one the schema allows',
  CONTAINS: 'a list holds too few or too many items of the kind required',
  ITEMS: 'a list has more items than the schema describes',
  UNEVALUATED_PROPERTIES: 'a property that no part of the schema describes is present',
  UNEVALUATED_ITEMS: 'a list item that no part of the schema describes is present',
  FORMAT_MINIMUM: 'a formatted value (a date, a time…) is before the minimum',
  FORMAT_MAXIMUM: 'a formatted value (a date, a time…) is after the maximum',
  FORMAT_EXCLUSIVE_MINIMUM: 'a formatted value (a date, a time…) is not after the exclusive minimum',
  FORMAT_EXCLUSIVE_MAXIMUM: 'a formatted value (a date, a time…) is not before the exclusive maximum',
  RULE: 'a value breaks a schema rule that has no code of its own',
} as const;
export type SchemaRule = keyof typeof SchemaRules;

const everyRule = Object.keys(SchemaRules) as SchemaRule[];

/**
 * What a JSON Schema checks (the first part of a schema-rule code), the errors that carry its issues, and the
 * rules its schemas can report — a test walks the product's schemas to keep `rules` complete. A form schema is the
 * service's own, so any rule.
 */
export const SchemaSubjects = {
  SCHEMA: {
    checks: 'a service definition or a catalog file',
    under: ['DEFINITION.INVALID', 'CONFIG.INVALID'],
    rules: ['TYPE', 'REQUIRED', 'ADDITIONAL_PROPERTIES', 'ENUM', 'CONST', 'PATTERN', 'MIN_LENGTH', 'MAX_LENGTH', 'MINIMUM', 'MAXIMUM', 'EXCLUSIVE_MINIMUM', 'EXCLUSIVE_MAXIMUM', 'MULTIPLE_OF', 'MIN_ITEMS', 'UNIQUE_ITEMS', 'MIN_PROPERTIES', 'ONE_OF', 'PROPERTY_NAMES', 'RULE'],
  },
  TEMPLATE: {
    checks: 'a certificate template',
    under: ['TEMPLATE.INVALID'],
    rules: ['TYPE', 'REQUIRED', 'ADDITIONAL_PROPERTIES', 'ENUM', 'PATTERN', 'MIN_LENGTH', 'MAX_LENGTH', 'MINIMUM', 'MAXIMUM', 'MIN_ITEMS', 'MAX_ITEMS', 'MIN_PROPERTIES', 'ONE_OF', 'RULE'],
  },
  REFERENCE: {
    checks: 'a department or a certificate type an admin saves',
    under: ['REFERENCE.INVALID'],
    rules: ['TYPE', 'REQUIRED', 'ADDITIONAL_PROPERTIES', 'ENUM', 'PATTERN', 'MIN_LENGTH', 'MAX_LENGTH', 'RULE'],
  },
  FORM: {
    checks: 'an application form',
    under: ['FORM.INVALID'],
    rules: everyRule,
  },
  EVENT: {
    checks: 'an event',
    under: ['EVENT.INVALID'],
    rules: ['TYPE', 'REQUIRED', 'ADDITIONAL_PROPERTIES', 'ENUM', 'CONST', 'PATTERN', 'MIN_LENGTH', 'MAX_LENGTH', 'MAX_ITEMS', 'ONE_OF', 'RULE'],
  },
  INPUT: {
    checks: 'a request',
    under: ['INPUT.INVALID', 'EVENT.INVALID'],
    rules: ['TYPE', 'REQUIRED', 'ADDITIONAL_PROPERTIES', 'ENUM', 'CONST', 'FORMAT', 'PATTERN', 'MIN_LENGTH', 'MAX_LENGTH', 'MINIMUM', 'MAXIMUM', 'MAX_ITEMS', 'ONE_OF', 'ANY_OF', 'RULE'],
  },
} as const satisfies Record<string, { checks: string; under: readonly ErrorCode[]; rules: readonly SchemaRule[] }>;
export type SchemaSubject = keyof typeof SchemaSubjects;

type SchemaIssueCode = { [S in SchemaSubject]: `${S}.${(typeof SchemaSubjects)[S]['rules'][number]}` }[SchemaSubject];

const DEFINITION = ['DEFINITION.INVALID'] as const;
const CALENDAR = ['CALENDAR.INVALID', 'CONFIG.INVALID'] as const;
const ACCOUNT = ['INPUT.INVALID'] as const;
const MATERIALS = ['MATERIALS.INVALID'] as const;

/** The product's own checks, by where they are made. None repeats a schema-rule code. */
const OwnIssueCodes = {
  // A request, before and beside its schema (http/safeJson.ts, http/app.ts, application/).
  'INPUT.RESERVED_KEY': { meaning: 'A property is named __proto__, constructor or prototype, which are not accepted.', under: ['INPUT.INVALID'] },
  'INPUT.NUMBER_RANGE': { meaning: 'A number is beyond the range of a JSON number (a double), such as 1e999.', under: ['INPUT.INVALID'] },
  'INPUT.UNICODE': { meaning: 'A string holds a lone surrogate (half of a UTF-16 pair), which is not Unicode text.', under: ['INPUT.INVALID'] },
  'INPUT.NUL_CHARACTER': { meaning: 'A text or the URL holds a NUL character (U+0000).', under: ['INPUT.INVALID'] },
  'INPUT.TOO_DEEP': { meaning: `A value nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep.`, under: ['INPUT.INVALID'] },
  'INPUT.RANGE': { meaning: 'A value does not fit with another one, such as a period that ends before it begins.', under: ['INPUT.INVALID'] },
  'INPUT.TOO_LARGE': { meaning: 'A value is larger than accepted, such as the form of a draft.', under: ['INPUT.INVALID'] },
  'INPUT.UNPRINTABLE': { meaning: 'A text or a property name holds a control character, which is not text one can type or print.', under: ['INPUT.INVALID'] },
  'EVENT.RANGE': { meaning: 'A number in the event is out of its range, such as an extension of other than 1 to 365 working days.', under: ['EVENT.INVALID'] },
  'CLOCK.INVALID': { meaning: "An application's stored deadline clock is malformed.", under: ['INPUT.INVALID'] },
  'CERTIFICATE.NO_RECORD': { meaning: 'The uploaded PDF carries no signed onevisit certificate record.', under: ['INPUT.INVALID'] },

  // A service definition as a whole (definitions/validate.ts, definitions/parse.ts, the command line).
  'DEFINITION.NOT_OBJECT': { meaning: 'A service definition is not a JSON object.', under: DEFINITION },
  'DEFINITION.TOO_DEEP': { meaning: `A service definition nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep.`, under: DEFINITION },
  'DEFINITION.NUMBER_RANGE': { meaning: 'A service definition holds a number beyond the range of a JSON number (a double).', under: DEFINITION },
  'DEFINITION.UNICODE': { meaning: 'A service definition holds a lone surrogate, which is not Unicode text.', under: DEFINITION },
  'DEFINITION.TOO_LARGE': { meaning: 'A service definition file is larger than the size accepted.', under: [] },
  'JSON.MALFORMED': { meaning: 'A file is not valid JSON.', under: ['TEMPLATE.INVALID'] },
  'FILE.UNREADABLE': { meaning: 'A file named on the command line cannot be read.', under: [] },

  // What a definition's schema cannot say (definitions/check.ts).
  'WARNING.ORDER': { meaning: 'The yellow warning threshold does not come after the blue one.', under: DEFINITION },
  'ID.DUPLICATE': { meaning: 'Two materials, steps or matters of the service have the same id.', under: DEFINITION },
  'ID.RESERVED': { meaning: 'A step id is the name of a final state (completed, rejected, withdrawn, terminated, owed).', under: DEFINITION },
  'STEP.ORDER': { meaning: 'The steps are out of order: the intake comes first and once, the issue step last.', under: DEFINITION },
  'STEP.UNREACHABLE': { meaning: "A step's condition holds for no form.", under: DEFINITION },
  'MATTER.UNREACHABLE': { meaning: "A matter's condition holds for no form.", under: DEFINITION },
  'MATERIAL.UNREACHABLE': { meaning: "A material's condition holds for no form.", under: DEFINITION },
  'MATTER.UNKNOWN': { meaning: 'A material names a matter the service does not have.', under: DEFINITION },
  'MATERIAL.DEFER_TOO_LONG': { meaning: 'A deferred material would be owed later than the service promises to finish.', under: DEFINITION },
  'MATERIAL.NOT_DEFERRABLE': { meaning: 'A material that cannot be owed is given a deferral: it is not deferrable, or it is optional.', under: DEFINITION },
  'MATERIAL.NOT_COMMITMENT': { meaning: 'What only a commitment (告知承诺) has, such as a post-check, is asked of a material that is not one.', under: ['DEFINITION.INVALID', 'INPUT.INVALID'] },
  'COMMITMENT.NO_POST_CHECK': { meaning: 'A material that a commitment may replace names no department to check it afterwards (postCheck).', under: DEFINITION },
  'DEPARTMENT.UNKNOWN': { meaning: 'Names a department the catalog does not have.', under: ['DEFINITION.INVALID', 'INPUT.INVALID'] },
  'CERTIFICATE_TYPE.UNKNOWN': { meaning: 'Names a certificate type the catalog does not have.', under: DEFINITION },
  'TEMPLATE.UNKNOWN': { meaning: 'Names a certificate template that does not exist.', under: DEFINITION },
  'CERTIFICATE.FIELD_NOT_SHOWN': { meaning: 'A certificate field the definition fills is one its template does not show: it would be signed but never printed.', under: DEFINITION },
  'CERTIFICATE.NO_ISSUE_STEP': { meaning: 'A matter declares a certificate but no step issues it.', under: DEFINITION },
  'ISSUE.NO_CERTIFICATE': { meaning: 'The issue step has nothing to issue: no matter declares a certificate.', under: DEFINITION },
  'POINTER.UNRESOLVED': { meaning: 'A JSON Pointer names no field of the form.', under: DEFINITION },
  'CONDITION.INVALID': { meaning: 'A condition is not a valid JSON Schema.', under: DEFINITION },
  'CONDITION.UNKNOWN_FIELD': { meaning: 'A condition tests a field the form does not have.', under: DEFINITION },
  'FORM.INVALID_SCHEMA': { meaning: 'The form is not a valid JSON Schema.', under: DEFINITION },
  'FORM.EXAMPLE_INVALID': { meaning: 'An example of the form does not fit the form.', under: DEFINITION },

  // What a certificate template's schema cannot say (certificates/templates.ts).
  'TEMPLATE.ID_MISMATCH': { meaning: "A template's id is not its name: its file's, or the address an admin saves it at.", under: ['TEMPLATE.INVALID'] },
  'REFERENCE.UNKNOWN_DEPARTMENT': { meaning: "A certificate type's issuer is not a department, nor `external` (issued outside onevisit).", under: ['REFERENCE.INVALID', 'CONFIG.INVALID'] },
  'REFERENCE.ID_MISMATCH': { meaning: 'A department or certificate type carries another id than the one in the address it is saved at.', under: ['REFERENCE.INVALID'] },
  'TEMPLATE.FIELD_IN_USE': { meaning: 'A template no longer shows a field the latest version of a published service fills on the certificates drawn with it.', under: ['TEMPLATE.INVALID'] },
  'TEMPLATE.DUPLICATE_ITEM': { meaning: 'A template shows the same field or record value twice.', under: ['TEMPLATE.INVALID'] },

  // The materials of an application (runtime/materials.ts).
  'MATERIAL.UNKNOWN': { meaning: 'Names a material the service does not ask for.', under: MATERIALS },
  'MATERIAL.DUPLICATE': { meaning: 'The same material is given twice.', under: MATERIALS },
  'MATERIAL.NOT_APPLICABLE': { meaning: 'A material is given that does not apply to this application: its condition does not hold for the form.', under: MATERIALS },
  'MATERIAL.UNVERIFIED': {
    meaning: "What is given for a material cannot be taken: a file or certificate that is not the applicant's or not what the material asks for, or a commitment where none is allowed.",
    under: MATERIALS,
  },
  'MATERIAL.MISSING': { meaning: 'A required material that applies to this application is not given.', under: MATERIALS },

  // Accounts (identity/newUser.ts, identity/passwords.ts, identity/identity.ts).
  'USERNAME.REQUIRED': { meaning: 'No username is given.', under: ACCOUNT },
  'USERNAME.INVALID': { meaning: "A username is not 3–64 letters, digits, '.', '_' or '-' starting with a letter or digit.", under: ACCOUNT },
  'PASSWORD.REQUIRED': { meaning: 'No password is given.', under: ACCOUNT },
  'PASSWORD.TOO_SHORT': { meaning: 'The password is shorter than the password rule allows.', under: ['PASSWORD.WEAK', 'INPUT.INVALID'] },
  'PASSWORD.TOO_LONG': { meaning: 'The password is longer than the password rule allows.', under: ['PASSWORD.WEAK', 'INPUT.INVALID'] },
  'PASSWORD.COMMON': { meaning: 'The password is one of the most common passwords.', under: ['PASSWORD.WEAK', 'INPUT.INVALID'] },
  'ROLE.UNKNOWN': { meaning: 'The role is not citizen, clerk or admin.', under: ACCOUNT },
  'DEPARTMENTS.INVALID': { meaning: "An account's departments are not a list.", under: ACCOUNT },
  'DEPARTMENT.INVALID': { meaning: "An account's department is not a department id.", under: ACCOUNT },
  'DEPARTMENTS.REQUIRED': { meaning: 'A clerk account names no department.', under: ACCOUNT },
  'DEPARTMENTS.NOT_ALLOWED': { meaning: 'A citizen account names departments; a citizen belongs to none.', under: ACCOUNT },
  'NAME.REQUIRED': { meaning: "A citizen account lacks the holder's name.", under: ACCOUNT },
  'NAME.INVALID': { meaning: 'A name is blank, too long or holds control characters.', under: ACCOUNT },
  'ID_NUMBER.REQUIRED': { meaning: "A citizen account lacks the holder's resident id number.", under: ACCOUNT },
  'ID_NUMBER.INVALID': { meaning: 'A resident id number is not a valid one (18 characters, a real birth date, its check character).', under: ACCOUNT },
  'ID_NUMBER.TAKEN': { meaning: 'An account with this resident id number exists already.', under: ['USER.EXISTS'] },

  // Working-day calendars (domain/calendar.ts, store/calendarStore.ts, application/admin.ts).
  'CALENDAR.TYPE': { meaning: 'A value of the calendar data has the wrong type.', under: CALENDAR },
  'CALENDAR.REQUIRED': { meaning: 'A value the calendar data needs is missing.', under: CALENDAR },
  'CALENDAR.UNKNOWN_KEY': { meaning: 'The calendar data holds a key or a locale it does not know.', under: CALENDAR },
  'CALENDAR.DATE': { meaning: 'A date is not a real day written YYYY-MM-DD.', under: CALENDAR },
  'CALENDAR.YEAR_MISMATCH': { meaning: "A date is not in the calendar's year.", under: CALENDAR },
  'CALENDAR.WEEKDAY': { meaning: 'A weekend day is not an ISO weekday 1 (Monday) to 7 (Sunday), or every day is a weekend day.', under: CALENDAR },
  'CALENDAR.DUPLICATE': { meaning: 'A date, a weekday or a year is given twice.', under: CALENDAR },
  'CALENDAR.CONFLICT': { meaning: 'Two parts of the calendars contradict each other: a day both a holiday and a make-up working day, or years of different regions.', under: CALENDAR },
  'CALENDAR.NOT_WEEKEND': { meaning: 'A make-up working day is not on a weekend day.', under: CALENDAR },
  'CALENDAR.YEAR': { meaning: 'The calendar data is of another year than the one in the address.', under: ['CALENDAR.INVALID'] },
} as const satisfies Record<string, IssueCodeInfo> & { [K in SchemaIssueCode]?: never };

function schemaRuleCodes(): Record<SchemaIssueCode, IssueCodeInfo> {
  const codes: Record<string, IssueCodeInfo> = {};
  for (const [subject, { checks, under, rules }] of Object.entries(SchemaSubjects)) {
    for (const rule of rules) codes[`${subject}.${rule}`] = { meaning: `In ${checks}, ${SchemaRules[rule]}.`, under };
  }
  return codes as Record<SchemaIssueCode, IssueCodeInfo>;
}

export const IssueCodes: Readonly<Record<SchemaIssueCode | keyof typeof OwnIssueCodes, IssueCodeInfo>> = { ...schemaRuleCodes(), ...OwnIssueCodes };
export type IssueCode = keyof typeof IssueCodes;

export function isIssueCode(code: string): code is IssueCode {
  return Object.hasOwn(IssueCodes, code);
}

/** The code for breaking `rule` in `subject`: `<SUBJECT>.<RULE>` where its schemas can report it, else `<SUBJECT>.RULE`. */
export function schemaIssueCode(subject: SchemaSubject, rule: SchemaRule): IssueCode {
  const code = `${subject}.${rule}`;
  return isIssueCode(code) ? code : `${subject}.RULE`;
}
