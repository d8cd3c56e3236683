/** Request payloads are checked against their schema before they become typed values. */
import type { ValidateFunction } from 'ajv';
import { OnevisitError, type ErrorCode } from '../domain/errors.js';
import { createAjv, issuesFromAjv } from '../definitions/index.js';
import { RequestSchemas, type RequestSchemaName } from './schemas.js';

const ajv = createAjv();
const compiled = new Map<RequestSchemaName, ValidateFunction>();

/** The payload, checked; INPUT.INVALID (or the given code) with every problem and its path otherwise. */
export function checkInput<T>(name: RequestSchemaName, value: unknown, code: ErrorCode = 'INPUT.INVALID'): T {
  let validate = compiled.get(name);
  if (!validate) compiled.set(name, (validate = ajv.compile(RequestSchemas[name])));
  if (!validate(value)) throw new OnevisitError(code, `the ${name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()} request is invalid`, { errors: issuesFromAjv(validate.errors, '', 'INPUT') });
  return value as T;
}
