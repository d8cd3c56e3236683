/** The catalog around definitions: departments and certificate types, validated before they are typed. */
import type { CatalogContext } from '../domain/definition.js';
import { OnevisitError } from '../domain/errors.js';
import type { I18nText } from '../domain/i18n.js';
import { createAjv, issuesFromAjv } from './ajv.js';

export interface Department {
  id: string;
  title: I18nText;
  kind: 'window' | 'department' | 'partner';
}

export interface CertificateType {
  id: string;
  title: I18nText;
  issuer: string;
}

const slug = { type: 'string', pattern: '^[a-z][a-z0-9]*(-[a-z0-9]+)*$', maxLength: 64 };
const text = { type: 'string', minLength: 1, maxLength: 200 };
const i18n = { type: 'object', required: ['zh-Hans'], properties: { 'zh-Hans': text, 'zh-Hant': text, en: text }, additionalProperties: false };
const listOf = (key: string, item: object) => ({
  type: 'object',
  required: [key],
  properties: { [key]: { type: 'array', items: item } },
});

/** One entry of each catalog file. */
export const CatalogEntrySchemas = {
  department: { type: 'object', required: ['id', 'title', 'kind'], properties: { id: slug, title: i18n, kind: { enum: ['window', 'department', 'partner'] } } },
  certificateType: { type: 'object', required: ['id', 'title', 'issuer'], properties: { id: slug, title: i18n, issuer: { type: 'string' } } },
};

/** The schemas of the catalog files (departments.json, certificate-types.json); their issues are SCHEMA.* codes. */
export const CatalogSchemas = {
  departments: listOf('departments', CatalogEntrySchemas.department),
  certificateTypes: listOf('types', CatalogEntrySchemas.certificateType),
};

const ajv = createAjv();
const validateDepartments = ajv.compile(CatalogSchemas.departments);
const validateTypes = ajv.compile(CatalogSchemas.certificateTypes);

export function parseDepartments(value: unknown, source = 'departments.json'): Department[] {
  if (!validateDepartments(value)) throw invalid(source, validateDepartments.errors);
  return (value as { departments: Department[] }).departments;
}

export function parseCertificateTypes(value: unknown, source = 'certificate-types.json'): CertificateType[] {
  if (!validateTypes(value)) throw invalid(source, validateTypes.errors);
  return (value as { types: CertificateType[] }).types;
}

/** `templates`: each template's name with the certificate fields it shows. */
export function catalogContext(departments: readonly Department[], types: readonly CertificateType[], templates?: Iterable<readonly [string, readonly string[]]>): CatalogContext {
  return {
    departments: new Set(departments.map((d) => d.id)),
    certificateTypes: new Set(types.map((t) => t.id)),
    ...(templates ? { templates: new Map(templates) } : {}),
  };
}

function invalid(source: string, errors: Parameters<typeof issuesFromAjv>[0]): OnevisitError {
  return new OnevisitError('CONFIG.INVALID', `${source} is invalid`, { errors: issuesFromAjv(errors) });
}
