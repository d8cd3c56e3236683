/**
 * A form as the citizen fills it: one question page per top-level property (a section), asked only while it
 * applies; reading a page's posted fields into the form; the add / remove buttons of lists; and dropping what is
 * no longer asked once a condition changes (so the form holds only what its pages show).
 */
import type { Locale } from '../../domain/i18n.js';
import { buildField, componentOf, newItem, objectFields, parseField, type BuildContext, type FieldModel, type Posted } from './components.js';
import { childContext, itemContext, requirements, rootContext, type NodeContext } from './conditions.js';
import { getByPointer, parsePointer } from '../../domain/pointer.js';
import { childPointer, descriptionOf, isSchema, propertiesOf, titleOf, type Schema } from './schema.js';

export interface Section {
  key: string;
  pointer: string;
  title: string;
  required: boolean;
}

/** The sections asked now, in the schema's order. */
export function sectionsOf(formSchema: Schema, form: Record<string, unknown>, locale: Locale): Section[] {
  const requirement = requirements(rootContext(formSchema), form);
  return propertiesOf(formSchema).flatMap(([key, schema]) => {
    const r = requirement(key);
    return r.visible ? [{ key, pointer: childPointer('', key), title: titleOf(schema, locale, key), required: r.required }] : [];
  });
}

export function sectionSchema(formSchema: Schema, key: string): Schema | undefined {
  const properties = formSchema.properties;
  return isSchema(properties) && Object.hasOwn(properties, key) && isSchema(properties[key]) ? properties[key] : undefined;
}

function sectionContext(formSchema: Schema, form: Record<string, unknown>, key: string): NodeContext {
  return childContext(rootContext(formSchema), form, key, sectionSchema(formSchema, key)!);
}

export interface SectionPage {
  section: Section;
  hint?: string;
  /** The section's questions; one question alone is the page's heading. */
  fields: FieldModel[];
  single: boolean;
}

export function sectionPage(formSchema: Schema, form: Record<string, unknown>, section: Section, ctx: BuildContext): SectionPage {
  const node = sectionContext(formSchema, form, section.key);
  const value = form[section.key];
  const hint = descriptionOf(node.schema, ctx.locale);
  if (componentOf(node.schema) === 'fieldset') {
    return { section, ...(hint ? { hint } : {}), fields: objectFields(node, section.pointer, value, ctx), single: false };
  }
  return { section, fields: [buildField(node, section.pointer, section.key, value, !section.required, ctx)], single: true };
}

/** The form with the section replaced by what its page posted, and what is no longer asked dropped. */
export function readSection(formSchema: Schema, form: Record<string, unknown>, key: string, body: Posted): Record<string, unknown> {
  const value = parseField(sectionSchema(formSchema, key)!, childPointer('', key), body);
  const next = { ...form };
  if (value === undefined) delete next[key];
  else next[key] = value;
  return prune(formSchema, next);
}

/** What a list's button does: `add:<pointer>[:<branch>]` appends an empty item, `remove:<pointer of item>` drops it. */
export function applyListAction(formSchema: Schema, form: Record<string, unknown>, action: string): Record<string, unknown> | undefined {
  const add = /^add:(\/.+?)(?::(\d+))?$/.exec(action);
  const remove = /^remove:(\/.+)\/(\d+)$/.exec(action);
  const pointer = add?.[1] ?? remove?.[1];
  if (!pointer) return undefined;
  const tokens = parsePointer(pointer);
  const schema = schemaAt(formSchema, form, tokens);
  if (!schema || componentOf(schema) !== 'list') return undefined;
  const found = getByPointer(form, pointer);
  const list = Array.isArray(found) ? [...found] : [];
  if (add) {
    if (list.length < (typeof schema.maxItems === 'number' ? schema.maxItems : 1000)) list.push(newItem(schema, Number(add[2] ?? 0)));
  } else list.splice(Number(remove![2]), 1);
  return setAt(form, tokens, list.length > 0 ? list : undefined);
}

/** The schema of the value at `tokens` (an item of a `oneOf` list: its branch). */
function schemaAt(formSchema: Schema, form: unknown, tokens: string[]): Schema | undefined {
  let schema: Schema | undefined = formSchema;
  let value: unknown = form;
  for (const token of tokens) {
    if (!schema) return undefined;
    const item: unknown = Array.isArray(value) ? value[Number(token)] : isSchema(value) ? value[token] : undefined;
    schema = componentOf(schema) === 'list' ? listItemSchema(schema, item) : isSchema(schema.properties) && isSchema(schema.properties[token]) ? schema.properties[token] : undefined;
    value = item;
  }
  return schema;
}

/** A copy of `value` with `replacement` at `tokens` (objects made on the way; undefined deletes). */
function setAt(value: Record<string, unknown>, tokens: string[], replacement: unknown): Record<string, unknown> | undefined {
  const [token, ...rest] = tokens;
  if (token === undefined) return undefined;
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [...(value as unknown[])] : { ...value };
  const child = (copy as Record<string, unknown>)[token];
  const next = rest.length === 0 ? replacement : setAt(isSchema(child) || Array.isArray(child) ? (child as Record<string, unknown>) : {}, rest, replacement);
  if (next === undefined && !Array.isArray(copy)) delete copy[token];
  else (copy as Record<string, unknown>)[token] = next;
  return copy as Record<string, unknown>;
}

function listItemSchema(arraySchema: Schema, item: unknown): Schema | undefined {
  const items = isSchema(arraySchema.items) ? arraySchema.items : undefined;
  if (!items) return undefined;
  if (!Array.isArray(items.oneOf)) return items;
  const branches = items.oneOf.filter(isSchema);
  const object = isSchema(item) ? item : {};
  return branches.find((b) => propertiesOf(b).every(([k, s]) => !('const' in s) || s.const === object[k])) ?? branches[0];
}

/** The form without the properties no longer asked (a condition turned), at every level. */
export function prune(formSchema: Schema, form: Record<string, unknown>): Record<string, unknown> {
  return pruneObject(rootContext(formSchema), form);
}

function pruneObject(node: NodeContext, value: Record<string, unknown>): Record<string, unknown> {
  const requirement = requirements(node, value);
  const result: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const schema = isSchema(node.schema.properties) ? node.schema.properties[key] : undefined;
    if (!isSchema(schema)) {
      result[key] = child;
      continue;
    }
    if (!requirement(key).visible) continue;
    result[key] = pruneValue(childContext(node, value, key, schema), child);
  }
  return result;
}

function pruneValue(node: NodeContext, value: unknown): unknown {
  if (Array.isArray(value) && isSchema(node.schema.items)) {
    const items = node.schema.items;
    return value.map((item) => {
      const schema = listItemSchema(node.schema, item) ?? items;
      return isSchema(item) && componentOf(schema) === 'fieldset' ? pruneObject(itemContext(node, value, schema), item) : item;
    });
  }
  if (isSchema(value) && componentOf(node.schema) === 'fieldset') return pruneObject(node, value);
  return value;
}
