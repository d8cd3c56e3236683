/**
 * Form data read back as summary lists, one per section (a top-level property of the form), each row named by the
 * schema's titles in the page's language (the form renderer's `titleOf` / `valueLabel`): what a clerk reads of an
 * application. Only the data it is given is shown — the use case has already cut it to what this reader may see.
 */
import type { Locale } from '../domain/i18n.js';
import { schemasAtPointer } from '../definitions/index.js';
import { childPointer, isSchema, propertiesOf, titleOf, valueLabel, type Schema } from './form/schema.js';
import type { Translate } from './messages/index.js';

export interface SummaryRow {
  /** The field's JSON Pointer (what a supplement request names). */
  pointer: string;
  label: string;
  value: string;
}

export interface FormSection {
  key: string;
  title: string;
  rows: SummaryRow[];
}

const MAX_DEPTH = 8;

/** The sections of `form` that hold data, in the schema's order (keys the schema does not name, after). */
export function formSections(formSchema: Schema, form: Record<string, unknown>, page: { locale: Locale; t: Translate }): FormSection[] {
  const ordered = orderedKeys(formSchema, form);
  const general: SummaryRow[] = [];
  const sections: FormSection[] = [];
  for (const key of ordered) {
    const pointer = childPointer('', key);
    const schema = schemaAt(formSchema, pointer);
    const title = schema ? titleOf(schema, page.locale, key) : key;
    const value = form[key];
    if (isObject(value) || (Array.isArray(value) && value.some(isObject))) {
      const rows = rowsOf(formSchema, value, pointer, '', page, 1);
      if (rows.length > 0) sections.push({ key, title, rows });
    } else {
      general.push(...rowsOf(formSchema, value, pointer, title, page, 1));
    }
  }
  return general.length > 0 ? [{ key: '', title: page.t('work.form.general'), rows: general }, ...sections] : sections;
}

function rowsOf(root: Schema, value: unknown, pointer: string, label: string, page: { locale: Locale; t: Translate }, depth: number): SummaryRow[] {
  if (value === undefined || depth > MAX_DEPTH) return [];
  const schema = schemaAt(root, pointer);
  if (isObject(value)) {
    return orderedKeys(schema ?? {}, value).flatMap((key) => {
      const child = childPointer(pointer, key);
      const childSchema = schemaAt(root, child);
      const title = childSchema ? titleOf(childSchema, page.locale, key) : key;
      return rowsOf(root, value[key], child, label ? `${label} · ${title}` : title, page, depth + 1);
    });
  }
  if (Array.isArray(value)) {
    if (value.some(isObject)) {
      return value.flatMap((item, index) => rowsOf(root, item, childPointer(pointer, index), `${label ? `${label} · ` : ''}${page.t('work.form.entry', { n: index + 1 })}`, page, depth + 1));
    }
    const itemSchema = schemaAt(root, childPointer(pointer, 0));
    return [{ pointer, label, value: value.map((v) => display(itemSchema, v, page)).join('、') || page.t('common.none') }];
  }
  return [{ pointer, label, value: display(schema, value, page) }];
}

function display(schema: Schema | undefined, value: unknown, page: { locale: Locale; t: Translate }): string {
  if (typeof value === 'boolean' && !(schema && (Array.isArray(schema.enum) || 'const' in schema))) return page.t(value ? 'common.yes' : 'common.no');
  if (value === null) return page.t('common.none');
  return schema ? valueLabel(schema, value, page.locale) : typeof value === 'string' ? value : JSON.stringify(value);
}

function schemaAt(root: Schema, pointer: string): Schema | undefined {
  const found = schemasAtPointer(root, pointer);
  return found.find((s) => typeof s.title === 'string' || isSchema(s['x-i18n'])) ?? found[0];
}

function orderedKeys(schema: Schema, value: Record<string, unknown>): string[] {
  const known = propertiesOf(schema).map(([key]) => key).filter((key) => Object.hasOwn(value, key));
  return [...known, ...Object.keys(value).filter((key) => !known.includes(key))];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
