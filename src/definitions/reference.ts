/**
 * The reference data definitions name — departments, certificate types and certificate templates — as it is
 * kept: one entry per kind and id, seeded from the shipped files and added to by admins. This module holds the
 * entries' words, the single-entry checks of departments and certificate types (a template is checked by
 * certificates/templates.ts) and the storage port src/store implements. Pure.
 */
import { OnevisitError, type Issue } from '../domain/errors.js';
import { createAjv, issuesFromAjv } from './ajv.js';
import { CatalogEntrySchemas, type CertificateType, type Department } from './catalog.js';

export const ReferenceKinds = { department: 'department', certificateType: 'certificate-type', template: 'template' } as const;
export type ReferenceKind = (typeof ReferenceKinds)[keyof typeof ReferenceKinds];

export function isReferenceKind(value: string): value is ReferenceKind {
  return (Object.values(ReferenceKinds) as string[]).includes(value);
}

/** One stored entry: its JSON as saved, how often it was written, and who saved it last (null: the shipped files). */
export interface ReferenceRow {
  kind: ReferenceKind;
  id: string;
  body: unknown;
  revision: number;
  updatedAt: string;
  editedBy: string | null;
}

export interface ReferenceStore {
  all(): Promise<ReferenceRow[]>;
  /** Changes whenever any entry is written: instances compare it to tell whether to reload. */
  signature(): Promise<string>;
  /**
   * Writes each entry of the shipped files that is absent, or present, never saved by an admin and different.
   * Returns how many it wrote.
   */
  seed(entries: readonly { kind: ReferenceKind; id: string; body: unknown }[], at: string): Promise<number>;
  /** An admin's save: creates the entry or replaces it (and from then on the files leave it alone). */
  save(entry: { kind: ReferenceKind; id: string; body: unknown }, by: string, at: string): Promise<{ created: boolean; revision: number }>;
}

/** One department or certificate type as an admin saves it: the catalog files' entries, with nothing else. */
export const ReferenceSchemas = {
  department: { ...CatalogEntrySchemas.department, additionalProperties: false },
  certificateType: { ...CatalogEntrySchemas.certificateType, additionalProperties: false },
};

const ajv = createAjv();
const checkDepartment = ajv.compile<Department>(ReferenceSchemas.department);
const checkCertificateType = ajv.compile<CertificateType>(ReferenceSchemas.certificateType);

/** A department as an admin sends it, whose id is `id` (the address it is saved at). Throws REFERENCE.INVALID. */
export function parseDepartment(value: unknown, id: string): Department {
  if (!checkDepartment(value)) throw invalid('department', issuesFromAjv(checkDepartment.errors, '', 'REFERENCE'));
  const department = value;
  const issues = idIssues(department.id, id);
  if (issues.length > 0) throw invalid('department', issues);
  return { id: department.id, title: department.title, kind: department.kind };
}

/**
 * The issuer of certificate types issued outside onevisit (an identity card, a marriage certificate): the system
 * never issues them, but materials may be satisfied by them when another system put them in the wallet.
 */
export const EXTERNAL_ISSUER = 'external';

const issuerKnown = (issuer: string, departments: ReadonlySet<string>) => issuer === EXTERNAL_ISSUER || departments.has(issuer);

/** A certificate type as an admin sends it: its issuer one of `departments`, or `external`. Throws REFERENCE.INVALID. */
export function parseCertificateType(value: unknown, id: string, departments: ReadonlySet<string>): CertificateType {
  if (!checkCertificateType(value)) throw invalid('certificate type', issuesFromAjv(checkCertificateType.errors, '', 'REFERENCE'));
  const type = value;
  const issues = idIssues(type.id, id);
  if (!issuerKnown(type.issuer, departments)) issues.push({ path: '/issuer', code: 'REFERENCE.UNKNOWN_DEPARTMENT', message: `"${type.issuer}" is not a department (nor "${EXTERNAL_ISSUER}")` });
  if (issues.length > 0) throw invalid('certificate type', issues);
  return { id: type.id, title: type.title, issuer: type.issuer };
}

/** Certificate types whose issuer is neither among `departments` nor external (the shipped files are checked with this). */
export function unknownIssuers(types: readonly CertificateType[], departments: ReadonlySet<string>): Issue[] {
  return types.flatMap((type, index) =>
    issuerKnown(type.issuer, departments) ? [] : [{ path: `/types/${index}/issuer`, code: 'REFERENCE.UNKNOWN_DEPARTMENT' as const, message: `${type.id}: "${type.issuer}" is not a department` }],
  );
}

function idIssues(bodyId: string, id: string): Issue[] {
  return bodyId === id ? [] : [{ path: '/id', code: 'REFERENCE.ID_MISMATCH', message: `must be "${id}", the id in the address` }];
}

function invalid(what: string, errors: Issue[]): OnevisitError {
  return new OnevisitError('REFERENCE.INVALID', `the ${what} is invalid`, { errors });
}
