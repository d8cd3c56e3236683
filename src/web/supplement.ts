/**
 * The supplement notice (补正告知) as the applicant answers it in place: every request open to them at once — the
 * window's (REQUEST_SUPPLEMENT, answered by SUPPLEMENT) and each department's that sent its matter back (RETURN,
 * answered by SUPPLEMENT naming the matter) — and each request's items as the API gives them: a material id asks for
 * a new file; a JSON pointer into the form asks to correct that part of the form (only the window's supplement
 * replaces the form: a returned matter takes materials); anything else is shown as the clerk wrote it.
 *
 * What is posted back is read here into one SUPPLEMENT event per request: the form with the corrected fields set,
 * and the uploaded files as material claims. No workflow rule is decided here: the engine and the policy answer
 * whether the event is allowed now.
 */
import type { ApplicationDetail, TaskEntry, TimelineEntry } from '../application/applications.js';
import type { I18nText, Locale } from '../domain/i18n.js';
import type { MaterialDefinition, ServiceDefinition } from '../domain/definition.js';
import { getByPointer, joinPointer, parsePointer } from '../domain/pointer.js';
import { descriptionOf, labelsOf, titleOf as localTitleOf, valueLabel } from './form/schema.js';

type Schema = Record<string, unknown>;

/** One input the notice asks for: a form field at `pointer`, named `field:<pointer>` in the posted form. */
export interface SupplementField {
  id: string;
  name: string;
  pointer: string;
  label: string;
  hint?: string;
  kind: 'text' | 'number' | 'integer' | 'boolean' | 'enum' | 'lines';
  options?: { value: string; text: string }[];
  value: string;
  required: boolean;
}

export type SupplementItem =
  | { kind: 'material'; materialId: string; inputId: string; title: I18nText; description?: I18nText; mediaTypes: string[] }
  | { kind: 'field'; pointer: string; label: string; fields: SupplementField[] }
  /** An item the page cannot turn into an input (or a field a returned matter cannot correct): shown as written. */
  | { kind: 'other'; text: string };

export interface SupplementRequest {
  /** The matter a department sent back; undefined for the window's supplement. */
  matter?: string;
  department: string;
  comment?: string;
  requestedAt?: string;
  items: SupplementItem[];
}

/**
 * The requests open to the applicant now, with what each asked for (its latest REQUEST_SUPPLEMENT or RETURN); the
 * fields named in `locale` by the schema's titles (`x-i18n`).
 */
export function supplementRequests(detail: Pick<ApplicationDetail, 'tasks' | 'timeline' | 'form'>, definition: ServiceDefinition, locale: Locale): SupplementRequest[] {
  const turns = detail.tasks.filter((t: TaskEntry) => t.party === 'applicant' && t.kind === 'supplement');
  return turns.map((task) => {
    const matter = task.matter ?? undefined;
    const asked = [...detail.timeline]
      .reverse()
      .find((e: TimelineEntry) => (matter === undefined ? e.type === 'REQUEST_SUPPLEMENT' && e.matter === undefined : e.type === 'RETURN' && e.matter === matter));
    const items = (asked?.items ?? []).map((item) => itemOf(item, definition, detail.form, matter === undefined, locale));
    return {
      ...(matter !== undefined ? { matter } : {}),
      department: task.department,
      ...(asked?.comment ? { comment: asked.comment } : {}),
      ...(asked ? { requestedAt: asked.at } : {}),
      items: dedupe(items),
    };
  });
}

function dedupe(items: SupplementItem[]): SupplementItem[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = item.kind === 'material' ? `m:${item.materialId}` : item.kind === 'field' ? `f:${item.pointer}` : `o:${item.text}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function itemOf(item: string, definition: ServiceDefinition, form: Record<string, unknown>, formCorrectable: boolean, locale: Locale): SupplementItem {
  const material = definition.materials.find((m: MaterialDefinition) => m.id === item);
  if (material) {
    return {
      kind: 'material',
      materialId: material.id,
      inputId: `material-${material.id}`,
      title: material.title,
      ...(material.description ? { description: material.description } : {}),
      mediaTypes: [...(material.mediaTypes ?? ['application/pdf', 'image/jpeg', 'image/png'])],
    };
  }
  if (item.startsWith('/') && formCorrectable) {
    const root = definition.form as Schema;
    const schema = schemaAt(root, item);
    if (schema) {
      const fields = fieldsOf(root, schema, item, getByPointer(form, item), requiredAt(root, item), locale);
      if (fields.length > 0) return { kind: 'field', pointer: item, label: titleOf(schema, item, locale), fields };
    }
  }
  // A pointer names its field by title, never by its path, when the schema has it.
  const schema = item.startsWith('/') ? schemaAt(definition.form as Schema, item) : undefined;
  return { kind: 'other', text: schema ? titleOf(schema, item, locale) : item };
}

/**
 * What the notice calls an item: a material's title, a form field's title from the schema (in every language it
 * has: `x-i18n`), or the item as written.
 */
export function itemTitle(item: string, definition: ServiceDefinition): I18nText | string {
  const material = definition.materials.find((m) => m.id === item);
  if (material) return material.title;
  const schema = item.startsWith('/') ? schemaAt(definition.form as Schema, item) : undefined;
  if (!schema) return item;
  return labelsOf(schema).title ?? titleOf(schema, item, 'zh-Hans');
}

/** The inputs for the part of the form at `pointer`: one for a value, one per leaf of an object (and of existing array entries). */
function fieldsOf(root: Schema, schema: Schema, pointer: string, value: unknown, required: boolean, locale: Locale, depth = 0, parentLabel = ''): SupplementField[] {
  if (depth > 6) return [];
  const s = resolve(root, schema);
  const label = parentLabel ? `${parentLabel} · ${titleOf(s, pointer, locale)}` : titleOf(s, pointer, locale);
  const type = s.type;
  if (type === 'object' && isRecord(s.properties)) {
    const object = isRecord(value) ? value : {};
    const requiredKeys = Array.isArray(s.required) ? (s.required as string[]) : [];
    return Object.entries(s.properties as Record<string, Schema>).flatMap(([key, child]) =>
      fieldsOf(root, child, joinPointer(pointer, key), object[key], requiredKeys.includes(key), locale, depth + 1, depth === 0 ? '' : label),
    );
  }
  if (type === 'array') {
    const items = isRecord(s.items) ? resolve(root, s.items) : {};
    if (items.type === 'string' && !Array.isArray(items.enum)) {
      return [field(pointer, label, s, 'lines', Array.isArray(value) ? value.map(String).join('\n') : '', required, locale)];
    }
    // Entries of an array of objects: the existing ones, each by its position (adding or removing is the form renderer's).
    if (!Array.isArray(value)) return [];
    return value.flatMap((entry, index) => fieldsOf(root, items, joinPointer(pointer, index), entry, true, locale, depth + 1, `${label} ${index + 1}`));
  }
  if (Array.isArray(s.enum)) {
    const labels = enumLabels(s);
    // The value's label in the page's language (`x-i18n.enum`), else the one an older schema's description gives.
    const text = (v: unknown) => (labelsOf(s).enum?.[String(v)] ? valueLabel(s, v, locale) : (labels.get(String(v)) ?? String(v)));
    return [{ ...field(pointer, label, s, 'enum', value === undefined ? '' : String(value), required, locale), options: (s.enum as unknown[]).map((v) => ({ value: String(v), text: text(v) })) }];
  }
  if (type === 'boolean') return [field(pointer, label, s, 'boolean', value === undefined ? '' : String(value), required, locale)];
  if (type === 'number' || type === 'integer') return [field(pointer, label, s, type, value === undefined ? '' : String(value), required, locale)];
  if (type === 'string' || type === undefined) return [field(pointer, label, s, 'text', typeof value === 'string' ? value : value === undefined ? '' : String(value), required, locale)];
  return [];
}

function field(pointer: string, label: string, schema: Schema, kind: SupplementField['kind'], value: string, required: boolean, locale: Locale): SupplementField {
  const hint = kind !== 'enum' ? descriptionOf(schema, locale) : undefined;
  return { id: fieldId(pointer), name: `field:${pointer}`, pointer, label, ...(hint ? { hint } : {}), kind, value, required };
}

/** An element id for a pointer: letters, digits and dashes only (so `#id` links and selectors work). */
export function fieldId(pointer: string): string {
  return `field${pointer.replace(/[^A-Za-z0-9]+/g, '-').replace(/-+$/, '')}`;
}

/** `llc：有限责任公司；llc-sole：…` in an enum's description: the labels the shipped forms give their values. */
function enumLabels(schema: Schema): Map<string, string> {
  const labels = new Map<string, string>();
  if (typeof schema.description !== 'string') return labels;
  for (const part of schema.description.split(/[；;]/)) {
    const match = /^\s*([^：:]+)[：:]\s*(.+?)\s*$/.exec(part);
    if (match) labels.set(match[1]!.trim(), match[2]!);
  }
  return labels;
}

// ── Reading the posted answer ─────────────────────────────────────────────────────────────────────────────────

export interface PostedFile {
  fieldname: string;
  originalname: string;
  mimetype: string;
  buffer: Buffer;
  size: number;
}

export interface SupplementAnswer {
  /** The form with every corrected field set (the window's supplement only), or undefined when none was asked. */
  form?: Record<string, unknown>;
  /** Per request: the files given for its material items. */
  files: Map<SupplementRequest, { materialId: string; file: PostedFile }[]>;
  errors: { field: string; kind: 'fileMissing' | 'fieldMissing' | 'notANumber'; label: string | I18nText }[];
}

/** The posted body and files read against the requests: what to send, or what is missing. */
export function readSupplement(requests: readonly SupplementRequest[], currentForm: Record<string, unknown>, body: Record<string, unknown>, files: readonly PostedFile[]): SupplementAnswer {
  const errors: SupplementAnswer['errors'] = [];
  const byRequest = new Map<SupplementRequest, { materialId: string; file: PostedFile }[]>();
  let form: Record<string, unknown> | undefined;
  for (const request of requests) {
    const given: { materialId: string; file: PostedFile }[] = [];
    for (const item of request.items) {
      if (item.kind === 'material') {
        const file = files.find((f) => f.fieldname === item.inputId && f.size > 0);
        if (file) given.push({ materialId: item.materialId, file });
        else errors.push({ field: item.inputId, kind: 'fileMissing', label: item.title });
      }
      if (item.kind === 'field') {
        form ??= structuredClone(currentForm);
        for (const f of item.fields) {
          const raw = body[f.name];
          const text = typeof raw === 'string' ? raw.trim() : '';
          const value = valueOfInput(f, text);
          if (value === INVALID) errors.push({ field: f.id, kind: 'notANumber', label: f.label });
          else if (value === undefined && f.required) errors.push({ field: f.id, kind: 'fieldMissing', label: f.label });
          else setAt(form, f.pointer, value);
        }
      }
    }
    byRequest.set(request, given);
  }
  return { ...(form ? { form } : {}), files: byRequest, errors };
}

const INVALID = Symbol('invalid');

function valueOfInput(f: SupplementField, text: string): unknown {
  if (text === '') return undefined;
  switch (f.kind) {
    case 'number':
    case 'integer': {
      const n = Number(text);
      return Number.isFinite(n) && (f.kind === 'number' || Number.isInteger(n)) ? n : INVALID;
    }
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : undefined;
    case 'lines':
      return text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');
    default:
      return text;
  }
}

// ── The form's schema and values by pointer ───────────────────────────────────────────────────────────────────

function schemaAt(root: Schema, pointer: string): Schema | undefined {
  let schema: Schema | undefined = root;
  for (const token of tokens(pointer)) {
    if (!schema) return undefined;
    const s = resolve(root, schema);
    if (s.type === 'array' && /^\d+$/.test(token)) schema = isRecord(s.items) ? (s.items as Schema) : undefined;
    else schema = isRecord(s.properties) && own(s.properties, token) && isRecord(s.properties[token]) ? (s.properties[token] as Schema) : undefined;
  }
  return schema ? resolve(root, schema) : undefined;
}

function requiredAt(root: Schema, pointer: string): boolean {
  const parts = tokens(pointer);
  const last = parts.pop();
  const parent = schemaAt(root, joinPointer('', ...parts));
  return last !== undefined && Array.isArray(parent?.required) && (parent.required as string[]).includes(last);
}

/** Sets (or, for undefined, removes) the value at `pointer`; only pointers the schema knows reach here, never `__proto__`. */
function setAt(form: Record<string, unknown>, pointer: string, value: unknown): void {
  const parts = tokens(pointer);
  if (parts.some((token) => UNSAFE_KEYS.has(token))) return;
  let container = form as Record<string, unknown>;
  parts.forEach((token, i) => {
    if (i === parts.length - 1) {
      if (value === undefined) delete container[token];
      else container[token] = value;
      return;
    }
    const next = own(container, token) ? container[token] : undefined;
    if (!isRecord(next) && !Array.isArray(next)) container[token] = /^\d+$/.test(parts[i + 1]!) ? [] : {};
    container = container[token] as Record<string, unknown>;
  });
}

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function own(value: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(value, key);
}

function tokens(pointer: string): string[] {
  return pointer === '' ? [] : parsePointer(pointer);
}

function resolve(root: Schema, schema: Schema): Schema {
  const ref = schema.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return schema;
  const target = getByPointer(root, ref.slice(1));
  return isRecord(target) ? { ...(target as Schema), ...withoutRef(schema) } : schema;
}

function withoutRef(schema: Schema): Schema {
  const { $ref: _ref, ...rest } = schema;
  return rest;
}

/** The schema's title in `locale` (`x-i18n`, else its plain title), else the pointer's last name. */
function titleOf(schema: Schema, pointer: string, locale: Locale): string {
  return localTitleOf(schema, locale, tokens(pointer).at(-1) ?? pointer);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
