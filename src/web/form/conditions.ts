/**
 * Conditional parts of a form, decided on the server from the data so far. A property is asked whenever the
 * schema allows it for the answers given: required where the schema or a branch in force (`if` / `then` / `else`)
 * requires it, optional elsewhere, and left out only where a branch in force forbids it (`"invoiceTypes": false`
 * under its `properties`, or `"not": {"required": ["invoiceTypes"]}`). So `tax.invoiceTypes` is asked once
 * `needInvoices` is true because the `else` forbids it, while the father of a newborn, required when the parents
 * are married, may still be given when they are not. Branches may name properties below them
 * (`then: {properties: {baby: {required: [...]}}}`), so each node is read with the branch schemas in force for it.
 */
import type { ValidateFunction } from 'ajv';
import { createAjv } from '../../definitions/ajv.js';
import { isSchema, requiredOf, type Schema } from './schema.js';

const ajv = createAjv();
const compiled = new WeakMap<Schema, ValidateFunction>();

function holds(condition: Schema, value: unknown): boolean {
  let validate = compiled.get(condition);
  if (!validate) {
    validate = ajv.compile(condition);
    compiled.set(condition, validate);
  }
  return validate(value ?? {});
}

/** A node of the form as the pages read it: its schema and the branch schemas in force for the same value. */
export interface NodeContext {
  schema: Schema;
  /** Branch schemas (and allOf parts) in force for this value. */
  active: Schema[];
}

export function rootContext(schema: Schema): NodeContext {
  return { schema, active: [] };
}

/** The schemas in force for `value`: the node, its allOf parts, the branch each `if` picks, and theirs. */
function expand(node: NodeContext, value: unknown): Schema[] {
  const active: Schema[] = [];
  const visit = (schema: Schema, depth: number) => {
    if (depth > 8) return;
    active.push(schema);
    if (Array.isArray(schema.allOf)) for (const part of schema.allOf) if (isSchema(part)) visit(part, depth + 1);
    if (isSchema(schema.if)) {
      const branch = holds(schema.if, value) ? schema.then : schema.else;
      if (isSchema(branch)) visit(branch, depth + 1);
    }
  };
  visit(node.schema, 0);
  for (const s of node.active) visit(s, 1);
  return active;
}

/** Whether a schema in force forbids property `key`: `properties: {key: false}` or `not: {required: [key]}`. */
function forbids(schema: Schema, key: string): boolean {
  if (isSchema(schema.properties) && schema.properties[key] === false) return true;
  const not = schema.not;
  return isSchema(not) && Object.keys(not).every((k) => k === 'required' || k === 'type') && requiredOf(not).length === 1 && requiredOf(not)[0] === key;
}

export interface Requirement {
  /** Required now (by the schema, or by a branch in force). */
  required: boolean;
  /** Asked now: required, or not forbidden by a branch in force. */
  visible: boolean;
}

/** For each property of an object node, whether it is required and asked given the object's value. */
export function requirements(node: NodeContext, value: unknown): (key: string) => Requirement {
  const active = expand(node, value);
  const required = new Set(active.flatMap(requiredOf));
  return (key) => {
    const r = required.has(key);
    return { required: r, visible: r || !active.some((s) => forbids(s, key)) };
  };
}

/** The context of property `key` of an object node holding `value`. */
export function childContext(node: NodeContext, value: unknown, key: string, schema: Schema): NodeContext {
  const at = (s: Schema) => (s !== node.schema && isSchema(s.properties) && isSchema(s.properties[key]) ? [s.properties[key] as Schema] : []);
  return { schema, active: expand(node, value).flatMap(at).filter((s) => s !== schema) };
}

/** An array item's context: branch schemas describe items through `items`. */
export function itemContext(node: NodeContext, value: unknown, schema: Schema): NodeContext {
  const at = (s: Schema) => (s !== node.schema && isSchema(s.items) ? [s.items as Schema] : []);
  return { schema, active: expand(node, value).flatMap(at) };
}
