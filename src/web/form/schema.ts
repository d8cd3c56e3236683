/**
 * Reading a form's JSON Schema for the pages: a node's words in the page's language (`x-i18n`, else the plain
 * `title` / `description`), its type, and the pointer ⇄ field-id encoding the pages use.
 */
import type { FormLabels } from '../../definitions/formLabels.js';
import { localize, type I18nText, type Locale } from '../../domain/i18n.js';

export type Schema = Record<string, unknown>;

export const isSchema = (value: unknown): value is Schema => value !== null && typeof value === 'object' && !Array.isArray(value);

export function labelsOf(schema: Schema): FormLabels {
  const labels = schema['x-i18n'];
  return isSchema(labels) ? (labels as FormLabels) : {};
}

/** The schema's title in `locale`; `fallback` (its property name) when it has none. */
export function titleOf(schema: Schema, locale: Locale, fallback: string): string {
  const labels = labelsOf(schema);
  if (labels.title) return localize(labels.title, locale);
  return typeof schema.title === 'string' ? schema.title : fallback;
}

/**
 * The schema's description in `locale`, or undefined. When `x-i18n` labels the enum values, a plain description
 * (which, in schemas written before `x-i18n`, lists the codes) is not shown: only `x-i18n.description` is.
 */
export function descriptionOf(schema: Schema, locale: Locale): string | undefined {
  const labels = labelsOf(schema);
  if (labels.description) return localize(labels.description, locale);
  if (labels.enum || labels.title) return undefined;
  return typeof schema.description === 'string' ? schema.description : undefined;
}

/** The label of one enum value: `x-i18n.enum`, else the value itself. */
export function valueLabel(schema: Schema, value: unknown, locale: Locale): string {
  const text: I18nText | undefined = labelsOf(schema).enum?.[valueKey(value)];
  return text ? localize(text, locale) : valueKey(value);
}

/** How a value is written in a form field and keyed in `x-i18n.enum`: a string as itself, anything else as JSON. */
export function valueKey(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function typeOf(schema: Schema): string | undefined {
  const type = schema.type;
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return type.find((t) => t !== 'null') as string | undefined;
  if (Array.isArray(schema.enum) || 'const' in schema) return undefined;
  if (isSchema(schema.properties)) return 'object';
  return undefined;
}

export function propertiesOf(schema: Schema): [string, Schema][] {
  return isSchema(schema.properties) ? Object.entries(schema.properties).filter((e): e is [string, Schema] => isSchema(e[1])) : [];
}

export function requiredOf(schema: Schema): string[] {
  return Array.isArray(schema.required) ? schema.required.filter((k): k is string => typeof k === 'string') : [];
}

/** RFC 6901 tokens joined. */
export function childPointer(pointer: string, token: string | number): string {
  return `${pointer}/${String(token).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/**
 * A pointer as an HTML id (and `#fragment`): `f` then each token after a `-`, any UTF-16 unit but ASCII letters and
 * digits written `_xxxx`. Injective, and safe in an id, a fragment and a CSS selector.
 */
export function fieldId(pointer: string): string {
  return 'f' + pointer.replace(/[^A-Za-z0-9/]/g, (c) => `_${c.charCodeAt(0).toString(16).padStart(4, '0')}`).replace(/\//g, '-');
}
