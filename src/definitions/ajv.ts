import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';
import { ajvIdFormats } from '../domain/ids.js';
import { schemaIssueCode, type Issue, type SchemaRule, type SchemaSubject } from '../domain/errors.js';
import { FORM_LABELS_KEYWORD, formLabelsSchema } from './formLabels.js';

const addFormats = addFormatsPlugin as unknown as (ajv: Ajv2020) => Ajv2020;

/**
 * The one way this product builds an ajv: JSON Schema 2020-12, every error, the standard formats and
 * the Chinese identifier formats (`resident-id`, `uscc`) checked with their real checksums. Unknown
 * keywords are errors (a typo such as `requried` in a form must not pass silently); the one keyword of ours,
 * `x-i18n` (formLabels.ts), is an annotation whose shape is checked.
 */
export function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    allowUnionTypes: true,
    validateFormats: true,
  });
  addFormats(ajv);
  for (const [name, format] of Object.entries(ajvIdFormats)) ajv.addFormat(name, format);
  ajv.addKeyword({ keyword: FORM_LABELS_KEYWORD, metaSchema: formLabelsSchema });
  return ajv;
}

/**
 * The keywords ajv reports errors for (JSON Schema 2020-12 and ajv-formats' limits), each to the rule it breaks.
 * An issue's code is `<subject>.<rule>` (`FORM.REQUIRED`); a keyword not here is the subject's `<subject>.RULE`.
 */
export const KeywordRules = {
  type: 'TYPE',
  required: 'REQUIRED',
  additionalProperties: 'ADDITIONAL_PROPERTIES',
  enum: 'ENUM',
  const: 'CONST',
  format: 'FORMAT',
  pattern: 'PATTERN',
  minLength: 'MIN_LENGTH',
  maxLength: 'MAX_LENGTH',
  minimum: 'MINIMUM',
  maximum: 'MAXIMUM',
  exclusiveMinimum: 'EXCLUSIVE_MINIMUM',
  exclusiveMaximum: 'EXCLUSIVE_MAXIMUM',
  multipleOf: 'MULTIPLE_OF',
  minItems: 'MIN_ITEMS',
  maxItems: 'MAX_ITEMS',
  uniqueItems: 'UNIQUE_ITEMS',
  minProperties: 'MIN_PROPERTIES',
  maxProperties: 'MAX_PROPERTIES',
  oneOf: 'ONE_OF',
  anyOf: 'ANY_OF',
  not: 'NOT',
  'false schema': 'FALSE_SCHEMA',
  dependencies: 'DEPENDENCIES',
  dependentRequired: 'DEPENDENT_REQUIRED',
  propertyNames: 'PROPERTY_NAMES',
  contains: 'CONTAINS',
  items: 'ITEMS',
  unevaluatedProperties: 'UNEVALUATED_PROPERTIES',
  unevaluatedItems: 'UNEVALUATED_ITEMS',
  formatMinimum: 'FORMAT_MINIMUM',
  formatMaximum: 'FORMAT_MAXIMUM',
  formatExclusiveMinimum: 'FORMAT_EXCLUSIVE_MINIMUM',
  formatExclusiveMaximum: 'FORMAT_EXCLUSIVE_MAXIMUM',
} as const satisfies Record<string, Exclude<SchemaRule, 'RULE'>>;

/** The rule `keyword` breaks; `RULE` for a keyword without one of its own. */
export function ruleOfKeyword(keyword: string): SchemaRule {
  return Object.hasOwn(KeywordRules, keyword) ? KeywordRules[keyword as keyof typeof KeywordRules] : 'RULE';
}

/**
 * ajv's errors as `{path, code, message}`: the path points at the offending value (or the missing key); `subject`
 * says what was checked (the code's first part).
 */
export function issuesFromAjv(errors: readonly ErrorObject[] | null | undefined, base = '', subject: SchemaSubject = 'SCHEMA'): Issue[] {
  const seen = new Set<string>();
  const issues: Issue[] = [];
  for (const error of errors ?? []) {
    // `if` only says that a `then` failed; the `then` errors themselves are reported.
    if (error.keyword === 'if') continue;
    let path = base + error.instancePath;
    let message = error.message ?? 'is invalid';
    const params = error.params as Record<string, unknown>;
    if (error.keyword === 'required') {
      path += '/' + escapeToken(String(params.missingProperty));
      message = `is required`;
    } else if (error.keyword === 'additionalProperties') {
      path += '/' + escapeToken(String(params.additionalProperty));
      message = `is not a known property here`;
    } else if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) {
      message = `must be one of: ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    } else if (error.keyword === 'const') {
      message = `must be ${JSON.stringify(params.allowedValue)}`;
    }
    const code = schemaIssueCode(subject, ruleOfKeyword(error.keyword));
    const key = `${path}\u0000${code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ path, code, message });
  }
  return issues;
}

function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}
