/**
 * Reading a form's JSON Schema statically: does a pointer name a field the form can hold, and can a
 * value ever be there. Follows local `$ref`s and looks into allOf / anyOf / oneOf / if-then-else branches.
 */
import { getByPointer, parsePointer } from '../domain/pointer.js';

type Schema = Record<string, unknown>;
const isSchema = (value: unknown): value is Schema => value !== null && typeof value === 'object' && !Array.isArray(value);
const BRANCHES = ['allOf', 'anyOf', 'oneOf'] as const;

function deref(root: Schema, schema: unknown, depth = 0): Schema | undefined {
  if (!isSchema(schema)) return undefined;
  const ref = schema.$ref;
  if (typeof ref === 'string' && ref.startsWith('#') && depth < 32) {
    return deref(root, getByPointer(root, ref.slice(1)), depth + 1);
  }
  return schema;
}

/** Every schema that may describe the value at this node: the node itself and its branches. */
function alternatives(root: Schema, schema: unknown, depth = 0): Schema[] {
  const node = deref(root, schema);
  if (!node || depth > 16) return [];
  const found = [node];
  for (const key of BRANCHES) {
    const list = node[key];
    if (Array.isArray(list)) for (const branch of list) found.push(...alternatives(root, branch, depth + 1));
  }
  for (const key of ['then', 'else'] as const) found.push(...alternatives(root, node[key], depth + 1));
  return found;
}

/** The schemas a child (`token`) of the value at `schema` may have. */
function childSchemas(root: Schema, schema: unknown, token: string): Schema[] {
  const result: Schema[] = [];
  for (const node of alternatives(root, schema)) {
    const properties = node.properties;
    if (isSchema(properties) && Object.prototype.hasOwnProperty.call(properties, token)) {
      const child = deref(root, properties[token]);
      if (child) result.push(child);
    }
    if (/^(0|[1-9][0-9]*|-)$/.test(token)) {
      const prefix = node.prefixItems;
      if (Array.isArray(prefix) && token !== '-' && deref(root, prefix[Number(token)])) {
        result.push(deref(root, prefix[Number(token)])!);
      }
      const items = deref(root, node.items);
      if (items) result.push(items);
    }
  }
  return result;
}

/** The schemas describing the form value at `pointer`; empty when the form can never hold it. */
export function schemasAtPointer(form: Schema, pointer: string): Schema[] {
  let current: Schema[] = [form];
  for (const token of parsePointer(pointer)) {
    current = current.flatMap((schema) => childSchemas(form, schema, token));
    if (current.length === 0) return [];
  }
  return current;
}

export function pointerResolves(form: Schema, pointer: string): boolean {
  return schemasAtPointer(form, pointer).length > 0;
}

function typeOf(value: unknown): string[] {
  if (value === null) return ['null'];
  if (Array.isArray(value)) return ['array'];
  if (typeof value === 'number') return Number.isInteger(value) ? ['integer', 'number'] : ['number'];
  return [typeof value];
}

/** Whether `value` could pass the `type` / `const` / `enum` of some alternative of `schema`. */
export function valueAllowed(root: Schema, schema: Schema, value: unknown): boolean {
  return alternatives(root, schema).some((node) => {
    if ('const' in node && !deepEqual(node.const, value)) return false;
    if (Array.isArray(node.enum) && !node.enum.some((option) => deepEqual(option, value))) return false;
    const type = node.type;
    if (typeof type === 'string' && !typeOf(value).includes(type)) return false;
    if (Array.isArray(type) && !type.some((t) => typeOf(value).includes(String(t)))) return false;
    return true;
  });
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Schema)[k], (b as Schema)[k]));
}
