import type { Issue } from '../domain/errors.js';
import type { CatalogContext, ServiceDefinition } from '../domain/definition.js';
import { jsonFlaw, MAX_JSON_DEPTH } from '../domain/jsonLimits.js';
import { formatPointer } from '../domain/pointer.js';
import { createAjv, issuesFromAjv } from './ajv.js';
import { checkMeaning } from './check.js';

export type ValidationResult =
  | { valid: true; definition: ServiceDefinition; errors: [] }
  | { valid: false; errors: Issue[] };

export interface DefinitionValidator {
  /**
   * Both passes: the JSON Schema (every error), then, on a well-shaped definition, the meaning checks. First, in
   * linear time, what no pass could take: more than MAX_JSON_DEPTH levels, a number JSON cannot carry (1e999), a
   * string with a lone surrogate (canonical JSON, and so the definition's hash, refuses the last two).
   */
  validate(input: unknown, context: CatalogContext): ValidationResult;
}

/**
 * Compiles the definition language's schema once. The schema is handed in (read by whoever does I/O),
 * so this module stays pure.
 */
export function createDefinitionValidator(definitionSchema: object): DefinitionValidator {
  const validateShape = createAjv().compile(definitionSchema);
  return {
    validate(input, context) {
      if (input === null || typeof input !== 'object' || Array.isArray(input)) {
        const got = input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input;
        return { valid: false, errors: [{ path: '', code: 'DEFINITION.NOT_OBJECT', message: `a definition is a JSON object, not ${got}` }] };
      }
      const flaw = jsonFlaw(input, { maxDepth: MAX_JSON_DEPTH });
      if (flaw) {
        const issue: Pick<Issue, 'code' | 'message'> =
          flaw.kind === 'depth'
            ? { code: 'DEFINITION.TOO_DEEP', message: `nests more than ${MAX_JSON_DEPTH} deep` }
            : flaw.kind === 'number'
              ? { code: 'DEFINITION.NUMBER_RANGE', message: 'is a number beyond the range of JSON numbers' }
              : { code: 'DEFINITION.UNICODE', message: 'holds a lone surrogate, which is not Unicode text' };
        return { valid: false, errors: [{ path: formatPointer(flaw.path), ...issue }] };
      }
      if (!validateShape(input)) return { valid: false, errors: issuesFromAjv(validateShape.errors) };
      const definition = input as ServiceDefinition;
      // A fresh ajv per definition: forms and conditions compiled here must not pile up in a long-lived cache.
      const errors = checkMeaning(definition, context, createAjv());
      return errors.length === 0 ? { valid: true, definition, errors: [] } : { valid: false, errors };
    },
  };
}
