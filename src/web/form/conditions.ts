/**
 * Conditional parts of a form, decided on the server from the data so far. A property that some `then` / `else`
 * branch requires (and the schema itself does not) is asked only while its branch holds: `tax.invoiceTypes` once
 * `needInvoices` is true, `employees` once `hasEmployees` is. Branches may name properties below them
 * (`then: {properties: {baby: {required: [...]}}}`), so each node is read with the branch schemas that describe it.
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

/** A node of the form as the pages read it: its schema and the branch schemas that apply to the same value. */
export interface NodeContext {
  schema: Schema;
  /** Branch schemas (and allOf parts) in force for this value. */
  active: Schema[];
  /** Every branch schema that may describe this value, in force or not. */
  possible: Schema[];
}

export function rootContext(schema: Schema): NodeContext {
  return { schema, active: [], possible: [] };
}

/** The schemas in force for `value` (the node, its allOf parts, the branch each `if` picks), and all that may be. */
function expand(node: NodeContext, value: unknown): { active: Schema[]; possible: Schema[] } {
  const active: Schema[] = [];
  const possible: Schema[] = [];
  const visit = (schema: Schema, inForce: boolean, depth: number) => {
    if (depth > 8) return;
    (inForce ? active : possible).push(schema);
    if (inForce) possible.push(schema);
    if (Array.isArray(schema.allOf)) for (const part of schema.allOf) if (isSchema(part)) visit(part, inForce, depth + 1);
    if (isSchema(schema.if)) {
      const takes = inForce && holds(schema.if, value);
      if (isSchema(schema.then)) visit(schema.then, inForce && takes, depth + 1);
      if (isSchema(schema.else)) visit(schema.else, inForce && !takes, depth + 1);
    }
  };
  visit(node.schema, true, 0);
  for (const s of node.active) visit(s, true, 1);
  for (const s of node.possible) visit(s, false, 1);
  return { active, possible };
}

export interface Requirement {
  /** Required now (by the schema, or by a branch in force). */
  required: boolean;
  /** Asked now: required, or not the subject of any branch's requirement. */
  visible: boolean;
}

/** For each property of an object node, whether it is required and asked given the object's value. */
export function requirements(node: NodeContext, value: unknown): (key: string) => Requirement {
  const { active, possible } = expand(node, value);
  const requiredNow = new Set(active.flatMap(requiredOf));
  const ever = new Set(possible.flatMap(requiredOf));
  const base = new Set(requiredOf(node.schema));
  return (key) => {
    const required = base.has(key) || requiredNow.has(key);
    return { required, visible: required || !ever.has(key) };
  };
}

/** The context of property `key` of an object node holding `value`. */
export function childContext(node: NodeContext, value: unknown, key: string, schema: Schema): NodeContext {
  const { active, possible } = expand(node, value);
  const at = (s: Schema) => (s !== node.schema && isSchema(s.properties) && isSchema(s.properties[key]) ? [s.properties[key] as Schema] : []);
  return { schema, active: active.flatMap(at).filter((s) => s !== schema), possible: possible.flatMap(at).filter((s) => s !== schema) };
}

/** An array item's context: branch schemas describe items through `items`. */
export function itemContext(node: NodeContext, value: unknown, schema: Schema): NodeContext {
  const { active, possible } = expand(node, value);
  const at = (s: Schema) => (s !== node.schema && isSchema(s.items) ? [s.items as Schema] : []);
  return { schema, active: active.flatMap(at), possible: possible.flatMap(at) };
}
