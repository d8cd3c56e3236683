/**
 * A section checked on the server with the service's form schema — the validator the API's submission uses
 * (definitions/ajv.ts's `createAjv`, issues by `issuesFromAjv` as FORM.<RULE>) — and each problem worded for the
 * citizen at its field, naming the field by its title (messages/problems.ts: `issue.FORM.<RULE>`).
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { createAjv, issuesFromAjv } from '../../definitions/ajv.js';
import type { Translate } from '../messages/index.js';
import type { FieldModel } from './components.js';
import { sectionSchema } from './sections.js';
import { childPointer, fieldId, type Schema } from './schema.js';
import { parsePointer } from '../../domain/pointer.js';

export interface FieldError {
  field: string;
  text: string;
}

const validators = new WeakMap<Schema, ValidateFunction>();

/** The service's form validator (compiled once per form schema). */
export function formValidator(formSchema: Schema): ValidateFunction {
  let validate = validators.get(formSchema);
  if (!validate) {
    validate = createAjv().compile(formSchema);
    validators.set(formSchema, validate);
  }
  return validate;
}

/** Every field of a page, depth first, in the page's order. */
export function flatten(fields: readonly FieldModel[]): FieldModel[] {
  return fields.flatMap((f) => [f, ...(f.component === 'fieldset' ? flatten(f.fields) : f.component === 'list' ? f.items.flatMap((i) => flatten(i.fields)) : [])]);
}

/**
 * The problems of one section of `form`, at the fields of its page (`fields`), in the page's order. A section not
 * yet filled is checked as empty, so each of its required questions is named.
 */
export function sectionErrors(formSchema: Schema, form: Record<string, unknown>, key: string, fields: readonly FieldModel[], t: Translate): FieldError[] {
  const schema = sectionSchema(formSchema, key);
  const pointer = childPointer('', key);
  const checked = { ...form };
  if (checked[key] === undefined && schema?.type === 'object') checked[key] = {};
  if (checked[key] === undefined && schema?.type === 'array') checked[key] = [];
  const validate = formValidator(formSchema);
  if (validate(checked)) return [];
  const all = flatten(fields);
  const byPointer = new Map(all.map((f) => [f.pointer, f]));
  const order = new Map(all.map((f, i) => [f.id, i]));
  const branches = listBranches(all);
  const errors: (FieldError & { at: number })[] = [];
  const seen = new Set<string>();
  for (const error of relevant(validate.errors ?? [], branches)) {
    const issue = issuesFromAjv([error], '', 'FORM')[0];
    if (!issue || (issue.path !== pointer && !issue.path.startsWith(`${pointer}/`))) continue;
    const { field, rest } = nearestField(issue.path, byPointer, all[0]);
    if (!field || seen.has(field.id)) continue;
    seen.add(field.id);
    errors.push({ field: field.id, text: messageOf(error, issue.code, field, rest, t), at: order.get(field.id) ?? 0 });
  }
  return errors.sort((a, b) => a.at - b.at).map(({ field, text }) => ({ field, text }));
}

/** The branch each item of a `oneOf` list on the page is, by the item's pointer. */
function listBranches(fields: readonly FieldModel[]): Map<string, number> {
  const result = new Map<string, number>();
  for (const field of fields) {
    if (field.component === 'list') field.items.forEach((item, i) => item.branch !== null && result.set(childPointer(field.pointer, i), item.branch));
  }
  return result;
}

/**
 * ajv reports a `oneOf` item against every branch; the citizen is told only of the branch the item is (its
 * `const` fields say which), and not of the `oneOf` itself.
 */
function relevant(errors: readonly ErrorObject[], branches: Map<string, number>): ErrorObject[] {
  if (branches.size === 0) return [...errors];
  return errors.filter((error) => {
    const item = [...branches.keys()].find((p) => error.instancePath === p || error.instancePath.startsWith(`${p}/`));
    if (!item) return true;
    const match = /\/oneOf\/(\d+)(\/|$)/.exec(error.schemaPath);
    if (error.keyword === 'oneOf' && error.instancePath === item) return false;
    return !match || Number(match[1]) === branches.get(item);
  });
}

/** The field a problem at `path` is shown at: the deepest field of the page at or above it. */
function nearestField(path: string, byPointer: Map<string, FieldModel>, fallback: FieldModel | undefined): { field: FieldModel | undefined; rest: string[] } {
  const tokens = parsePointer(path);
  for (let n = tokens.length; n >= 1; n--) {
    const pointer = '/' + tokens.slice(0, n).map((t) => t.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
    const field = byPointer.get(pointer);
    if (field) return { field, rest: tokens.slice(n) };
  }
  return { field: fallback, rest: [] };
}

const CHOICES = new Set(['radios', 'select', 'yesNo', 'checkboxes']);
const FORMATS = new Set(['date', 'resident-id', 'uscc', 'email', 'time', 'date-time', 'uri']);

/** One problem in the page's language, naming the field by its title. */
export function messageOf(error: ErrorObject, code: string, field: FieldModel, rest: string[], t: Translate): string {
  const rule = code.slice(code.indexOf('.') + 1);
  const params = error.params as Record<string, unknown>;
  const line = rest.length > 0 && /^\d+$/.test(rest[0]!) ? Number(rest[0]) + 1 : undefined;
  const fieldName = line !== undefined && field.component === 'lines' ? t('form.line', { field: field.subject, n: line }) : field.subject;
  const values = { field: fieldName, limit: params.limit, value: constLabel(field, params.allowedValue) };
  const key = (() => {
    switch (rule) {
      case 'REQUIRED':
        return field.component === 'list' ? 'issue.FORM.REQUIRED.add' : CHOICES.has(field.component) ? 'issue.FORM.REQUIRED.choose' : 'issue.FORM.REQUIRED';
      case 'FORMAT':
        return FORMATS.has(String(params.format)) ? `issue.FORM.FORMAT.${String(params.format)}` : 'issue.FORM.FORMAT';
      case 'TYPE':
        return params.type === 'number' || params.type === 'integer' ? `issue.FORM.TYPE.${String(params.type)}` : 'issue.FORM.TYPE';
      case 'MIN_ITEMS':
        return field.component === 'checkboxes' ? 'issue.FORM.MIN_ITEMS.choose' : 'issue.FORM.MIN_ITEMS';
      case 'MIN_LENGTH':
      case 'MAX_LENGTH':
      case 'PATTERN':
      case 'ENUM':
      case 'CONST':
      case 'MINIMUM':
      case 'MAXIMUM':
      case 'EXCLUSIVE_MINIMUM':
      case 'EXCLUSIVE_MAXIMUM':
      case 'MULTIPLE_OF':
      case 'MAX_ITEMS':
      case 'UNIQUE_ITEMS':
      case 'ADDITIONAL_PROPERTIES':
        return `issue.FORM.${rule}`;
      default:
        return 'issue.FORM.RULE';
    }
  })();
  // Inside an English sentence a title reads lower-case ("Select type of company"), but not an acronym ("VAT …").
  const inside = !t(key).startsWith('{field}') && /^[A-Z][a-z]/.test(fieldName);
  return t(key, inside ? { ...values, field: fieldName[0]!.toLowerCase() + fieldName.slice(1) } : values);
}

function constLabel(field: FieldModel, value: unknown): string {
  if (value === undefined) return '';
  if ('items' in field && field.component !== 'list') {
    const key = typeof value === 'string' ? value : JSON.stringify(value);
    const choice = field.items.find((i) => i.value === key);
    if (choice) return choice.text;
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export { fieldId };
