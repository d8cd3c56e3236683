/**
 * What a receipt (受理回执) shows, whoever prints it and whenever: the number and check code, the service, the day it
 * was submitted, the departments that will work on it and what is owed. The citizen's confirmation and the counter's
 * receipt print it at submission; the portal and the workbench print it again with a new check code.
 */
import type { ServiceDefinition } from '../domain/definition.js';
import { chinaDate } from '../domain/time.js';
import { involvedDepartments, type Department } from '../definitions/index.js';
import type { PageContext } from './context.js';

export interface Receipted {
  number: string;
  checkCode: string;
  createdAt: string;
  owed: readonly string[];
}

export function receiptModel(application: Receipted, definition: ServiceDefinition, page: Pick<PageContext, 'l'>, departments: readonly Department[]) {
  return {
    service: { id: definition.id, title: page.l(definition.title) },
    number: application.number,
    checkCode: application.checkCode,
    submittedAt: chinaDate(application.createdAt),
    promisedDays: definition.promisedDays,
    departments: [...involvedDepartments({ definition })].map((id) => page.l(departments.find((d) => d.id === id)?.title) || id),
    owed: definition.materials.filter((m) => application.owed.includes(m.id)).map((m) => ({ id: m.id, title: page.l(m.title), deferDays: m.deferDays ?? definition.promisedDays })),
  };
}
