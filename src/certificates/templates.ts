/**
 * Certificate templates (templates/<id>.json): each file is checked against
 * schemas/certificate-template.schema.json (every error, with its path) before it becomes a typed value. Where
 * both are is the caller's (`TemplateSource`, from the catalog main.ts reads).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ValidateFunction } from 'ajv';
import { createAjv, issuesFromAjv } from '../definitions/ajv.js';
import { OnevisitError, type Issue } from '../domain/errors.js';
import type { I18nText } from '../domain/i18n.js';
import type { TemplateSource } from './ports.js';

/** The properties of the record itself a template may show (the rest of what it shows are `fields`). */
export const RecordProperties = ['id', 'holderId', 'holderName', 'issuerName', 'issuedAt', 'validUntil'] as const;
export type RecordProperty = (typeof RecordProperties)[number];

interface ItemCommon {
  label: I18nText;
  format?: 'text' | 'date';
  values?: Record<string, I18nText>;
  unit?: I18nText;
  separator?: string;
  span?: 'full' | 'half';
  empty?: I18nText;
}
/** One labelled value: a certificate field (`name`) or a property of the record (`record`). */
export type TemplateItem = ItemCommon & ({ name: string; record?: undefined } | { record: RecordProperty; name?: undefined });

export type TemplateColor = 'text' | 'label' | 'accent' | 'seal' | 'background';

export interface CertificateTemplate {
  id: string;
  title: I18nText;
  subtitle?: I18nText;
  page: { size: 'A4' | 'A5'; orientation: 'portrait' | 'landscape'; margin?: number };
  border?: 'none' | 'single' | 'double';
  colors?: Partial<Record<TemplateColor, string>>;
  layout?: { columns?: 1 | 2; labelWidth?: number; fontSize?: number; minFontSize?: number; titleSize?: number; rowGap?: number };
  header?: TemplateItem[];
  fields: TemplateItem[];
  authority: { label: I18nText; dateLabel?: I18nText };
  seal?: { diameter?: number; star?: boolean; inscription?: string };
  qr: { position: 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right'; size: number; caption?: I18nText };
  footer?: { note?: I18nText };
}

/** The certificate fields a template shows (what a definition's `certificate.fields` must fill). */
export function templateFieldNames(template: CertificateTemplate): string[] {
  return [...(template.header ?? []), ...template.fields].flatMap((item) => (item.name === undefined ? [] : [item.name]));
}

const validators = new Map<string, ValidateFunction>();

function validatorFor(schemaFile: string): ValidateFunction {
  let validate = validators.get(schemaFile);
  if (!validate) {
    validate = createAjv().compile(JSON.parse(fs.readFileSync(schemaFile, 'utf8')) as object);
    validators.set(schemaFile, validate);
  }
  return validate;
}

/** Problems the schema cannot see: a value shown twice, a file named other than its id. */
function meaningIssues(template: CertificateTemplate, expectedId: string | undefined): Issue[] {
  const issues: Issue[] = [];
  if (expectedId !== undefined && template.id !== expectedId) {
    issues.push({ path: '/id', code: 'TEMPLATE.ID_MISMATCH', message: `must be "${expectedId}", the template's name (its file's, or the address it is saved at)` });
  }
  const seen = new Set<string>();
  for (const [list, items] of [['header', template.header ?? []], ['fields', template.fields]] as const) {
    items.forEach((item, index) => {
      const key = item.name !== undefined ? `field:${item.name}` : `record:${item.record}`;
      if (seen.has(key)) issues.push({ path: `/${list}/${index}`, code: 'TEMPLATE.DUPLICATE_ITEM', message: `shows ${item.name ?? item.record} a second time` });
      seen.add(key);
    });
  }
  return issues;
}

/**
 * A template from parsed JSON, validated against the schema in `schemaFile`, then for meaning. `id`, when given,
 * is the name it must carry. Throws TEMPLATE.INVALID with every problem as `{path, code, message}`.
 */
export function parseTemplate(value: unknown, options: { id?: string; schemaFile: string }): CertificateTemplate {
  const issues = templateIssues(value, options.id, options.schemaFile);
  if (issues.length > 0) {
    throw new OnevisitError('TEMPLATE.INVALID', options.id ? `the certificate template ${options.id} is invalid` : 'the certificate template is invalid', { errors: issues });
  }
  return value as CertificateTemplate;
}

function templateIssues(value: unknown, id: string | undefined, schemaFile: string): Issue[] {
  const validate = validatorFor(schemaFile);
  if (!validate(value)) return issuesFromAjv(validate.errors, '', 'TEMPLATE');
  return meaningIssues(value as CertificateTemplate, id);
}

/**
 * Every `*.json` in the source's `dir`, by template id (the file name). All files are checked before anything is
 * returned; the errors of all of them come in one TEMPLATE.INVALID, each path starting with the file's name
 * (`/business-license.json/fields/2/label`).
 */
export function loadTemplates({ dir, schemaFile }: TemplateSource): Map<string, CertificateTemplate> {
  const templates = new Map<string, CertificateTemplate>();
  const issues: Issue[] = [];
  for (const file of fs.readdirSync(dir).filter((name) => name.endsWith('.json')).sort()) {
    const id = file.slice(0, -'.json'.length);
    const base = `/${file.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    let value: unknown;
    try {
      value = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    } catch (error) {
      issues.push({ path: base, code: 'JSON.MALFORMED', message: `is not JSON: ${(error as Error).message}` });
      continue;
    }
    const found = templateIssues(value, id, schemaFile);
    if (found.length > 0) issues.push(...found.map((issue) => ({ ...issue, path: base + issue.path })));
    else templates.set(id, value as CertificateTemplate);
  }
  if (issues.length > 0) throw new OnevisitError('TEMPLATE.INVALID', `the certificate templates in ${dir} are invalid`, { errors: issues });
  return templates;
}
