/**
 * What a reader may be shown of an application, worked out from the definition alone (a matter's
 * `fields` is what its department may see), and the assertions that an answer shows no more. Shared by the suites
 * that ask every route as every role (test/e2e/authorization.test.ts, test/e2e/minimisation.test.ts); it does not
 * ask the policy, so a policy that shows too much fails them.
 */
import { expect } from 'chai';
import type { ServiceDefinition } from '../../src/domain/definition.js';

/** The events of the steps a department runs, by step kind: their comments are that department's. */
export const STEP_EVENTS: Record<string, readonly string[]> = { inspection: ['SCHEDULE', 'PASS', 'FAIL'], payment: ['PAY', 'WAIVE'], notice: ['OBJECTION', 'UPHOLD', 'DISMISS'] };

/**
 * The keys of a row of GET /applications: a citizen's own (a summary) and a clerk's queue (a summary and its task:
 * who holds it, by id and name, whether the task went back to the applicant and whether the application was ever
 * sent back). None carries the application's contents; a key added to the rows is to be judged and named here.
 */
export const SUMMARY_KEYS = ['id', 'number', 'serviceId', 'serviceVersion', 'status', 'dueAt', 'warning', 'createdAt', 'updatedAt'];
export const QUEUE_KEYS = [...SUMMARY_KEYS, 'task', 'kind', 'party', 'department', 'matter', 'openedAt', 'claimedBy', 'claimedByName', 'claimedAt', 'returned', 'sentBack'];

/** What the public is shown of an application it objects to during a notice: what the notice publishes. */
export const NOTICE_KEYS = ['id', 'number', 'serviceId', 'serviceVersion', 'status', 'state', 'version', 'warning', 'createdAt', 'updatedAt', 'access', 'form', 'timeline'];

/** What a reviewer of some departments may see of an application of one definition. */
export interface ReviewerScope {
  departments: string[];
  /** The form fields their matters name. */
  fields: string[];
  matters: Set<string>;
  /** The materials supporting their matters (a material naming no matters supports all). */
  materials: Set<string>;
  /** The kinds of the steps they run (inspection, payment, notice). */
  steps: Set<string>;
}

export function reviewerScope(definition: ServiceDefinition, departments: readonly string[]): ReviewerScope {
  const mine = definition.steps.flatMap((s) => (s.kind === 'review' ? s.matters : [])).filter((m) => departments.includes(m.department));
  const matters = new Set(mine.map((m) => m.id));
  return {
    departments: [...departments],
    fields: [...new Set(mine.flatMap((m) => m.fields))],
    matters,
    materials: new Set(definition.materials.filter((m) => m.matters === undefined || m.matters.some((id) => matters.has(id))).map((m) => m.id)),
    steps: new Set(definition.steps.filter((s) => 'department' in s && departments.includes(s.department)).map((s) => s.kind)),
  };
}

/** Every pointer to a leaf of `value` (arrays entered, by index). */
export function leaves(value: unknown, at = ''): string[] {
  if (value === null || typeof value !== 'object') return [at];
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  if (entries.length === 0) return at === '' ? [] : [at];
  return entries.flatMap(([k, v]) => leaves(v, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`));
}

export const within = (pointer: string, fields: readonly string[]) => fields.some((f) => pointer === f || pointer.startsWith(`${f}/`));

function texts(value: unknown, at = ''): [string, string][] {
  if (typeof value === 'string') return [[at, value]];
  if (value === null || typeof value !== 'object') return [];
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  return entries.flatMap(([k, v]) => texts(v, `${at}/${k}`));
}

/** A text that can only come from the form: four characters or more with a digit or a CJK character, not a date. */
const distinctive = (text: string) => text.length >= 4 && /[0-9\u3400-\u9fff]/.test(text) && !/^\d{4}-\d{2}-\d{2}$/.test(text);

/**
 * The distinctive texts of `form` (names, id numbers, phone numbers, addresses) outside `fields` that no field
 * inside them also holds, whole or in part: an answer to a reviewer carrying any of them showed what the policy hides.
 */
export function hiddenTexts(form: unknown, fields: readonly string[]): string[] {
  const all = texts(form);
  const shown = all.filter(([at]) => within(at, fields)).map(([, text]) => text);
  return [...new Set(all.filter(([at, text]) => !within(at, fields) && distinctive(text) && !shown.some((s) => s.includes(text))).map(([, text]) => text))];
}

/** Every distinctive text of `form`: what a reader with no part in the application must never be sent. */
export function formTexts(form: unknown): string[] {
  return hiddenTexts(form, []);
}

/** Asserts that none of `secrets` occurs in `text` (an answer's body as sent). */
export function expectNoneOf(text: string, secrets: readonly string[], label: string): void {
  for (const secret of secrets) expect(text.includes(secret), `${label}: shows ${secret}`).to.equal(false);
}

interface TimelineEntry {
  type: string;
  matter?: string;
  comment?: string;
  items?: string[];
}

/**
 * Asserts that an answer carrying an application's contents (a detail, the answer of an event, a claim or a
 * release) shows a reviewer nothing outside `scope`: not whom it is for, no field outside their matters' fields, no material that does
 * not support their matters, no comment or items of an entry about another matter or another department's step.
 */
export function expectReviewerAnswer(body: Record<string, unknown>, scope: ReviewerScope, label: string): void {
  expect(body.access, `${label}: access`).to.equal('reviewer');
  expect(body.applicant, `${label}: whom it is for`).to.equal(undefined);
  for (const leaf of leaves(body.form ?? {})) expect(within(leaf, scope.fields), `${label}: field ${leaf}`).to.equal(true);
  for (const material of Object.keys((body.materials ?? {}) as object)) expect(scope.materials.has(material), `${label}: material ${material}`).to.equal(true);
  for (const material of (body.owed ?? []) as string[]) expect(scope.materials.has(material), `${label}: owed material ${material}`).to.equal(true);
  for (const entry of (body.timeline ?? []) as TimelineEntry[]) {
    if (entry.comment === undefined && entry.items === undefined) continue;
    const ownStep = Object.entries(STEP_EVENTS).some(([kind, types]) => scope.steps.has(kind) && types.includes(entry.type));
    expect(entry.matter !== undefined ? scope.matters.has(entry.matter) : ownStep, `${label}: comment of ${entry.type}${entry.matter ? ` (${entry.matter})` : ''}: ${entry.comment}`).to.equal(true);
  }
}

/** Asserts that rows of GET /applications carry nothing of an application's contents: only the keys of a summary and a task. */
export function expectBareRows(rows: Record<string, unknown>[], keys: readonly string[], label: string): void {
  for (const row of rows) expect(Object.keys(row).filter((k) => !keys.includes(k)), `${label}: row of ${row.id}`).to.deep.equal([]);
}
