/**
 * The one table from schema keywords to govuk components (`COMPONENT_RULES`, first match wins), and what each
 * component does: build the model its macro renders (views/apply/field.njk) and read its posted fields back into
 * JSON typed by the schema. Field names are the JSON Pointers of the values; controls start with `_`.
 */
import type { Locale } from '../../domain/i18n.js';
import type { Translate } from '../messages/index.js';
import { childContext, itemContext, requirements, type NodeContext } from './conditions.js';
import { childPointer, descriptionOf, fieldId, isSchema, propertiesOf, titleOf, typeOf, valueKey, valueLabel, type Schema } from './schema.js';

export const ComponentNames = ['constant', 'fieldset', 'checkboxes', 'list', 'lines', 'radios', 'select', 'yesNo', 'number', 'date', 'textarea', 'input'] as const;
export type ComponentName = (typeof ComponentNames)[number];

/** Enums of at most this many values are radios; longer ones a select. */
export const MAX_RADIOS = 6;
/** Strings that may be longer than this are a textarea. */
export const LONG_TEXT = 100;

const enumOf = (s: Schema): unknown[] | undefined => (Array.isArray(s.enum) ? s.enum : undefined);
const itemsOf = (s: Schema): Schema | undefined => (isSchema(s.items) ? s.items : undefined);
const branchesOf = (s: Schema | undefined): Schema[] | undefined => (s && Array.isArray(s.oneOf) && s.oneOf.every(isSchema) ? (s.oneOf as Schema[]) : undefined);

/** Schema keywords → component. Read top to bottom; the first rule whose keywords the schema has decides. */
export const COMPONENT_RULES: readonly { keywords: string; component: ComponentName; when: (s: Schema) => boolean }[] = [
  { keywords: 'const', component: 'constant', when: (s) => 'const' in s },
  { keywords: 'type: object', component: 'fieldset', when: (s) => typeOf(s) === 'object' },
  { keywords: 'type: array, items: {enum}', component: 'checkboxes', when: (s) => typeOf(s) === 'array' && !!itemsOf(s) && !!enumOf(itemsOf(s)!) },
  { keywords: 'type: array, items: {type: object} or {oneOf: [objects]}', component: 'list', when: (s) => typeOf(s) === 'array' && (typeOf(itemsOf(s) ?? {}) === 'object' || !!branchesOf(itemsOf(s))) },
  { keywords: 'type: array, items: {type: string}', component: 'lines', when: (s) => typeOf(s) === 'array' },
  { keywords: `enum (at most ${MAX_RADIOS} values)`, component: 'radios', when: (s) => (enumOf(s)?.length ?? Infinity) <= MAX_RADIOS },
  { keywords: `enum (more than ${MAX_RADIOS} values)`, component: 'select', when: (s) => !!enumOf(s) },
  { keywords: 'type: boolean', component: 'yesNo', when: (s) => typeOf(s) === 'boolean' },
  { keywords: 'type: number | integer', component: 'number', when: (s) => typeOf(s) === 'number' || typeOf(s) === 'integer' },
  { keywords: 'format: date', component: 'date', when: (s) => s.format === 'date' },
  { keywords: `type: string, maxLength > ${LONG_TEXT}`, component: 'textarea', when: (s) => typeof s.maxLength === 'number' && s.maxLength > LONG_TEXT },
  { keywords: 'type: string', component: 'input', when: () => true },
];

export function componentOf(schema: Schema): ComponentName {
  return COMPONENT_RULES.find((rule) => rule.when(schema))!.component;
}

export interface Choice {
  value: string;
  text: string;
  checked: boolean;
}

interface FieldBase {
  id: string;
  name: string;
  pointer: string;
  /** The label shown ("… (optional)" when it may be left out). */
  label: string;
  /** How messages name the field: its label, or "Director 2: name" inside a list. */
  subject: string;
  hint?: string;
  optional: boolean;
  error?: string;
}

export type FieldModel =
  | (FieldBase & { component: 'constant'; value: string })
  | (FieldBase & { component: 'fieldset'; fields: FieldModel[] })
  | (FieldBase & { component: 'checkboxes' | 'radios' | 'select' | 'yesNo'; items: Choice[] })
  | (FieldBase & { component: 'input' | 'number' | 'date' | 'textarea' | 'lines'; value: string; classes: string; inputmode?: 'numeric' | 'decimal'; spellcheck?: boolean })
  | (FieldBase & { component: 'list'; items: ListItem[]; add: { value: string; text: string }[]; countName: string; count: number });

export interface ListItem {
  id: string;
  legend: string;
  hint?: string;
  fields: FieldModel[];
  /** The `oneOf` branch the item is, or null when the items have one shape. */
  branch: number | null;
  remove: { value: string; text: string };
}

export interface BuildContext {
  locale: Locale;
  t: Translate;
}

/** The model of the field at `pointer` holding `value`. */
export function buildField(node: NodeContext, pointer: string, key: string, value: unknown, optional: boolean, ctx: BuildContext, subjectOf: (label: string) => string = (l) => l): FieldModel {
  const { schema } = node;
  const label = titleOf(schema, ctx.locale, key);
  const description = descriptionOf(schema, ctx.locale);
  const base: FieldBase = { id: fieldId(pointer), name: pointer, pointer, label: optional ? ctx.t('form.optionalLabel', { label }) : label, subject: subjectOf(label), optional, ...(description ? { hint: description } : {}) };
  const component = componentOf(schema);
  const text = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : '');
  const choices = (values: unknown[], selected: (v: unknown) => boolean) => values.map((v) => ({ value: valueKey(v), text: valueLabel(schema, v, ctx.locale), checked: selected(v) }));
  switch (component) {
    case 'constant':
      return { ...base, component, value: valueKey(schema.const) };
    case 'fieldset':
      return { ...base, component, fields: objectFields(node, pointer, value, ctx, subjectOf) };
    case 'checkboxes': {
      const items = itemsOf(schema)!;
      const chosen = Array.isArray(value) ? value.map(valueKey) : [];
      const labelled = { ...items, 'x-i18n': items['x-i18n'] ?? schema['x-i18n'] };
      return { ...base, component, items: (enumOf(items) ?? []).map((v) => ({ value: valueKey(v), text: valueLabel(labelled, v, ctx.locale), checked: chosen.includes(valueKey(v)) })) };
    }
    case 'radios':
    case 'select':
      return { ...base, component, items: choices(enumOf(schema)!, (v) => value !== undefined && valueKey(v) === valueKey(value)) };
    case 'yesNo':
      return { ...base, component, items: [true, false].map((v) => ({ value: String(v), text: ctx.t(v ? 'form.yes' : 'form.no'), checked: value === v })) };
    case 'lines':
      return { ...base, component, value: Array.isArray(value) ? value.map(text).join('\n') : '', classes: '', hint: [description, ctx.t('form.linesHint')].filter(Boolean).join(' ') };
    case 'number':
      return { ...base, component, value: text(value), classes: 'govuk-input--width-10', inputmode: typeOf(schema) === 'integer' ? 'numeric' : 'decimal', spellcheck: false };
    case 'date':
      return { ...base, component, value: text(value), classes: 'govuk-input--width-10', hint: [description, ctx.t('form.dateHint')].filter(Boolean).join(' '), spellcheck: false };
    case 'textarea':
      return { ...base, component, value: text(value), classes: '' };
    case 'input': {
      const max = typeof schema.maxLength === 'number' ? schema.maxLength : undefined;
      const code = typeof schema.format === 'string' || typeof schema.pattern === 'string';
      const width = code || (max !== undefined && max <= 20) ? 'govuk-input--width-20' : '';
      return { ...base, component, value: text(value), classes: width, ...(code ? { spellcheck: false } : {}) };
    }
    case 'list':
      return listField(node, base, value, ctx);
  }
}

/** The fields of an object node: the properties asked now, in the schema's order. */
export function objectFields(node: NodeContext, pointer: string, value: unknown, ctx: BuildContext, subjectOf: (label: string) => string = (l) => l): FieldModel[] {
  const object = isSchema(value) ? value : {};
  const requirement = requirements(node, object);
  return propertiesOf(node.schema).flatMap(([key, schema]) => {
    const r = requirement(key);
    if (!r.visible) return [];
    return [buildField(childContext(node, object, key, schema), childPointer(pointer, key), key, object[key], !r.required, ctx, subjectOf)];
  });
}

/** Which `oneOf` branch an item is: the first whose `const` properties it matches (the first when none). */
export function branchIndex(branches: Schema[], item: unknown): number {
  const object = isSchema(item) ? item : {};
  const index = branches.findIndex((b) => propertiesOf(b).every(([k, s]) => !('const' in s) || valueKey(s.const) === valueKey(object[k])));
  return index < 0 ? 0 : index;
}

function listField(node: NodeContext, base: FieldBase, value: unknown, ctx: BuildContext): FieldModel {
  const items = itemsOf(node.schema)!;
  const branches = branchesOf(items);
  const itemTitle = titleOf(items, ctx.locale, '') || base.label;
  const list = Array.isArray(value) ? value : [];
  const max = typeof node.schema.maxItems === 'number' ? node.schema.maxItems : Infinity;
  const models: ListItem[] = list.map((item, i) => {
    const pointer = childPointer(base.pointer, i);
    const branch = branches ? branchIndex(branches, item) : null;
    const schema = branches ? branches[branch!]! : items;
    const legend = ctx.t('form.item', { item: branches ? titleOf(schema, ctx.locale, itemTitle) : itemTitle, n: i + 1 });
    const context = itemContext(node, list, schema);
    return {
      id: fieldId(pointer),
      legend,
      fields: objectFields(context, pointer, item, ctx, (label) => ctx.t('form.itemField', { item: legend, field: label })),
      branch,
      remove: { value: `remove:${pointer}`, text: ctx.t('form.remove', { item: legend }) },
    };
  });
  const add = list.length >= max ? [] : branches
    ? branches.map((b, i) => ({ value: `add:${base.pointer}:${i}`, text: ctx.t('form.add', { item: titleOf(b, ctx.locale, itemTitle) }) }))
    : [{ value: `add:${base.pointer}`, text: ctx.t('form.add', { item: itemTitle }) }];
  return { ...base, component: 'list', items: models, add, countName: `_count:${base.pointer}`, count: list.length };
}

/** Posted urlencoded fields: one value, or several for a repeated name. */
export type Posted = Record<string, string | string[] | undefined>;

const first = (body: Posted, name: string): string | undefined => {
  const v = body[name];
  return Array.isArray(v) ? v[0] : v;
};
const all = (body: Posted, name: string): string[] => {
  const v = body[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
};

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** The value an enum field posted, as the enum's own value (a string the enum lacks stays a string: ajv names it). */
function enumValue(values: unknown[], posted: string): unknown {
  return values.find((v) => valueKey(v) === posted) ?? posted;
}

/**
 * The JSON the fields under `pointer` posted, typed by the schema; undefined when nothing was entered. Text is
 * kept as typed but for surrounding white space; what cannot be read as its type (`12a` for a number) is kept as
 * text, so the schema's check names it.
 */
export function parseField(schema: Schema, pointer: string, body: Posted): unknown {
  switch (componentOf(schema)) {
    case 'constant':
      return first(body, pointer) === undefined ? undefined : schema.const;
    case 'fieldset': {
      const object: Record<string, unknown> = {};
      for (const [key, child] of propertiesOf(schema)) {
        const value = parseField(child, childPointer(pointer, key), body);
        if (value !== undefined) object[key] = value;
      }
      return Object.keys(object).length > 0 ? object : undefined;
    }
    case 'checkboxes': {
      const values = enumOf(itemsOf(schema)!) ?? [];
      const chosen = all(body, pointer).filter((v) => v !== '').map((v) => enumValue(values, v));
      return chosen.length > 0 ? chosen : undefined;
    }
    case 'radios':
    case 'select': {
      const posted = first(body, pointer)?.trim();
      return posted ? enumValue(enumOf(schema)!, posted) : undefined;
    }
    case 'yesNo': {
      const posted = first(body, pointer);
      return posted === 'true' ? true : posted === 'false' ? false : undefined;
    }
    case 'number': {
      const posted = first(body, pointer)?.trim().replace(/[,，]/g, '');
      if (!posted) return undefined;
      return NUMBER.test(posted) && Number.isFinite(Number(posted)) ? Number(posted) : posted;
    }
    case 'lines': {
      const lines = (first(body, pointer) ?? '').split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
      return lines.length > 0 ? lines : undefined;
    }
    case 'list': {
      const items = itemsOf(schema)!;
      const branches = branchesOf(items);
      const count = Number(first(body, `_count:${pointer}`) ?? 0);
      const list: unknown[] = [];
      for (let i = 0; i < (Number.isInteger(count) && count > 0 ? Math.min(count, 1000) : 0); i++) {
        const at = childPointer(pointer, i);
        const kind = branches ? branches[branchOfPosted(branches, at, body)]! : items;
        list.push(parseField(kind, at, body) ?? {});
      }
      return list.length > 0 ? list : undefined;
    }
    default: {
      const posted = first(body, pointer)?.trim();
      return posted ? posted : undefined;
    }
  }
}

/** The branch an item's posted `const` fields say it is. */
function branchOfPosted(branches: Schema[], at: string, body: Posted): number {
  const index = branches.findIndex((b) => {
    const consts = propertiesOf(b).filter(([, s]) => 'const' in s);
    return consts.length > 0 && consts.every(([k, s]) => first(body, childPointer(at, k)) === valueKey(s.const));
  });
  return index < 0 ? 0 : index;
}

/** A new, empty item for a list (of `oneOf` branch `branch`): its `const` properties set. */
export function newItem(listSchema: Schema, branch: number): Record<string, unknown> {
  const items = itemsOf(listSchema) ?? {};
  const schema = branchesOf(items)?.[branch] ?? items;
  return Object.fromEntries(propertiesOf(schema).filter(([, s]) => 'const' in s).map(([k, s]) => [k, s.const]));
}
