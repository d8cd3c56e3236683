/**
 * From what an applicant cites (a file, a wallet certificate, a commitment) to the materials record of
 * an application: each claim is checked against the definition and verified as the applicant's own;
 * missing required materials are errors, except deferrable ones, which become owed.
 */
import type { ServiceDefinition } from '../domain/definition.js';
import { OnevisitError, type Issue } from '../domain/errors.js';
import type { CompiledService, MaterialClaim, MaterialRecord } from '../definitions/index.js';
import type { MaterialVerifier } from './ports.js';

export interface ResolvedMaterials {
  records: Record<string, MaterialRecord>;
  owed: string[];
}

/** Verifies each claim; throws MATERIALS.INVALID with every problem found. */
export async function resolveClaims(
  service: CompiledService,
  form: Record<string, unknown>,
  claims: readonly MaterialClaim[],
  ownerId: string,
  verifier: MaterialVerifier,
  base = '/materials',
  /** Whose uploads the cited files are, when not the applicant's: the clerk who scanned them at a counter. */
  filesOwnerId: string = ownerId,
): Promise<Record<string, MaterialRecord>> {
  const definition = service.definition;
  const issues: Issue[] = [];
  const records: Record<string, MaterialRecord> = {};
  const fileProblems = await checkFiles(definition, claims, filesOwnerId, verifier);
  for (const [i, claim] of claims.entries()) {
    const at = `${base}/${i}`;
    const material = definition.materials.find((m) => m.id === claim.materialId);
    if (!material) {
      issues.push({ path: `${at}/materialId`, code: 'MATERIAL.UNKNOWN', message: `the service asks for no material "${claim.materialId}"` });
      continue;
    }
    if (claim.materialId in records) {
      issues.push({ path: `${at}/materialId`, code: 'MATERIAL.DUPLICATE', message: `"${claim.materialId}" is given twice` });
      continue;
    }
    if (!service.applies(`material:${material.id}`, form)) {
      issues.push({ path: `${at}/materialId`, code: 'MATERIAL.NOT_APPLICABLE', message: `"${material.id}" does not apply to this application` });
      continue;
    }
    let problem: string | undefined;
    if (claim.commitment) {
      if (!material.commitment) problem = `"${material.id}" cannot be replaced by a commitment`;
      else records[material.id] = { materialId: material.id, source: 'commitment' };
    } else if (claim.certificateId !== undefined) {
      if (!material.satisfiedBy) problem = `"${material.id}" is not satisfied by a certificate`;
      else problem = await verifier.checkCertificate(ownerId, claim.certificateId, material.satisfiedBy);
      if (!problem) records[material.id] = { materialId: material.id, source: 'certificate', certificateId: claim.certificateId };
    } else if (claim.fileId !== undefined) {
      problem = fileProblems.get(i);
      if (!problem) records[material.id] = { materialId: material.id, source: 'file', fileId: claim.fileId };
    }
    if (problem) issues.push({ path: at, code: 'MATERIAL.UNVERIFIED', message: problem });
  }
  if (issues.length > 0) throw new OnevisitError('MATERIALS.INVALID', 'some materials cannot be accepted', { errors: issues });
  return records;
}

/** Every cited file checked at once when the verifier can (one round trip), by claim index. */
async function checkFiles(definition: ServiceDefinition, claims: readonly MaterialClaim[], ownerId: string, verifier: MaterialVerifier): Promise<Map<number, string | undefined>> {
  const asked = claims.flatMap((claim, i) => {
    const material = definition.materials.find((m) => m.id === claim.materialId);
    return claim.fileId !== undefined && !claim.commitment && claim.certificateId === undefined && material
      ? [{ i, fileId: claim.fileId, ...(material.mediaTypes ? { mediaTypes: material.mediaTypes } : {}) }]
      : [];
  });
  const answers = verifier.checkFiles
    ? await verifier.checkFiles(ownerId, asked)
    : await Promise.all(asked.map((a) => verifier.checkFile(ownerId, a.fileId, a.mediaTypes)));
  return new Map(asked.map((a, k) => [a.i, answers[k]]));
}

/**
 * No-submit (免提交): every material that applies, was not cited, and is satisfied by a certificate type the
 * applicant's wallet holds valid is taken from the wallet; the record names the certificate that served.
 */
export async function satisfyFromWallet(
  service: CompiledService,
  form: Record<string, unknown>,
  records: Record<string, MaterialRecord>,
  ownerId: string,
  verifier: MaterialVerifier,
): Promise<Record<string, MaterialRecord>> {
  if (!verifier.findCertificate) return records;
  const result = { ...records };
  for (const material of service.definition.materials) {
    if (material.id in result || !material.satisfiedBy || !service.applies(`material:${material.id}`, form)) continue;
    const certificateId = await verifier.findCertificate(ownerId, material.satisfiedBy);
    if (certificateId) result[material.id] = { materialId: material.id, source: 'certificate', certificateId, fromWallet: true };
  }
  return result;
}

/** The required materials that apply to this form and are missing: owed when deferrable, else errors. */
export function checkCompleteness(definition: ServiceDefinition, service: CompiledService, form: Record<string, unknown>, records: Record<string, MaterialRecord>): string[] {
  const owed: string[] = [];
  const issues: Issue[] = [];
  for (const material of definition.materials) {
    if (material.required === false || material.id in records) continue;
    if (!service.applies(`material:${material.id}`, form)) continue;
    if (material.deferrable) owed.push(material.id);
    else issues.push({ path: '/materials', code: 'MATERIAL.MISSING', message: `"${material.id}" (${material.title['zh-Hans']}) is required` });
  }
  if (issues.length > 0) throw new OnevisitError('MATERIALS.INVALID', 'required materials are missing', { errors: issues });
  return owed;
}
