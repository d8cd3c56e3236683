/**
 * The engine's `issueCertificates` effect: one signed certificate for every matter of the definition that
 * declares a `certificate` and was approved. Exactly once per effect: the rows are keyed by the effect's id and
 * the matter, so running the effect again (a retry after a crash, another instance draining the outbox at the
 * same time) stores nothing new and returns the ids issued the first time.
 */
import { randomUUID } from 'node:crypto';
import { AuditKinds, type AuditLog } from '../domain/audit.js';
import type { CertificateRecord } from '../domain/certificate.js';
import type { AssignedHolder, CertificateSpec, MatterDefinition, ServiceDefinition } from '../domain/definition.js';
import { OnevisitError } from '../domain/errors.js';
import { getByPointer } from '../domain/pointer.js';
import { MatterDecisions } from '../domain/vocabulary.js';
import type { EffectContext, EffectHandlers } from '../runtime/ports.js';
import type { CertificateRepository, NewCertificate } from './ports.js';
import type { Keyring } from './keys.js';
import { canonicalRecord, signRecord } from './signing.js';
import { validUntilOf } from './validity.js';

export interface Holder {
  /** Resident id number, unified social credit code, or what the definition's `holder.id` points at. */
  id: string;
  name: string;
}

export interface CertificateIssuerOptions {
  store: Pick<CertificateRepository, 'insert'>;
  keyring: Keyring;
  /** The certificate types now (admins add them): the department that issues each. */
  certificateTypes: () => Promise<readonly { id: string; issuer: string }[]>;
  /** The applicant's resident id number and name, from their account: the holder when the definition names none. */
  holderOf(applicantId: string): Promise<Holder | undefined>;
  /**
   * The unified social credit code of the new enterprise an application registers: assigned once per application
   * (the same code on every certificate it issues), by the issuing authority's rules. Required by definitions
   * whose holder is `{assign: 'uscc'}`.
   */
  assignUscc?(applicationId: string, holder: AssignedHolder): Promise<string>;
  newId?: () => string;
  /** Where each certificate issued (not one found issued already, on a retry) is recorded. */
  audit?: AuditLog;
}

type CertifiedMatter = MatterDefinition & { certificate: CertificateSpec };

export function createCertificateIssuer(options: CertificateIssuerOptions): EffectHandlers['issueCertificates'] {
  const newId = options.newId ?? randomUUID;

  return async (context) => {
    const { form, decisions } = context.application.snapshot.context;
    const approved = certifiedMatters(context.definition).filter((m) => decisions[m.id] === MatterDecisions.approved);
    if (approved.length === 0) return [];
    let applicant: Promise<Holder> | undefined;
    const applicantHolder = () => (applicant ??= applicantOf(context, options.holderOf));
    // One new enterprise per application: every certificate that assigns a code gets the same one.
    let assigned: Promise<string> | undefined;
    const assignedHolder = async (spec: AssignedHolder, matter: string): Promise<Holder> => {
      const assign = options.assignUscc;
      if (!assign) throw new OnevisitError('CONFIG.INVALID', 'this issuer cannot assign unified social credit codes');
      const name = getByPointer(form, spec.name);
      if (typeof name !== 'string' || name.trim() === '') throw new OnevisitError('FORM.INVALID', `matter ${matter}: the new enterprise's name at ${spec.name} is missing from the form`);
      const existing = spec.existing === undefined ? undefined : getByPointer(form, spec.existing);
      if (typeof existing === 'string' && existing.trim() !== '') return { id: existing, name };
      return { id: await (assigned ??= assign(context.application.id, spec)), name };
    };

    const issuers = new Map((await options.certificateTypes()).map((t) => [t.id, t.issuer]));
    const rows: NewCertificate[] = [];
    for (const matter of approved) {
      const spec = matter.certificate;
      const issuer = issuers.get(spec.type);
      if (issuer === undefined) throw new OnevisitError('DEFINITION.INVALID', `matter ${matter.id} issues a ${spec.type}, a certificate type nobody issues`);
      const holder = !spec.holder
        ? await applicantHolder()
        : 'id' in spec.holder
          ? holderInForm(form, spec.holder, matter.id)
          : await assignedHolder(spec.holder, matter.id);
      const record: CertificateRecord = {
        id: newId(),
        type: spec.type,
        holderId: holder.id,
        holderName: holder.name,
        fields: fieldsOf(form, spec.fields),
        issuer,
        issuedAt: context.at,
        validUntil: validUntilOf(context.at, spec.valid),
        applicationId: context.application.id,
      };
      const { keyId, signature } = signRecord(record, options.keyring);
      rows.push({
        id: record.id,
        type: record.type,
        holderId: record.holderId,
        holderName: record.holderName,
        applicationId: record.applicationId,
        matterId: matter.id,
        effectId: context.effectId,
        issuer,
        issuedAt: record.issuedAt,
        issuedBy: null,
        validUntil: record.validUntil,
        record: canonicalRecord(record),
        keyId,
        signature,
      });
    }
    const stored = await options.store.insert(rows);
    // A row with another id was there already (a retried effect): it was recorded when it was issued.
    for (const row of stored.filter((r, i) => r.id === rows[i]!.id)) {
      await options.audit?.append({
        at: row.issuedAt,
        kind: AuditKinds.certificateIssued,
        actor: { kind: 'system', id: null },
        subject: { kind: 'certificate', id: row.id },
        detail: { type: row.type, matter: row.matterId, application: row.applicationId, issuer: row.issuer, effect: row.effectId },
      });
    }
    return stored.map((row) => row.id);
  };
}

/** Every matter of the definition that issues a certificate, in definition order. */
function certifiedMatters(definition: ServiceDefinition): CertifiedMatter[] {
  return definition.steps.flatMap((step) => (step.kind === 'review' ? step.matters : [])).filter((m): m is CertifiedMatter => m.certificate !== undefined);
}

/** The form's values at the certificate's pointers; a value the form does not have is left out. */
function fieldsOf(form: Record<string, unknown>, pointers: Record<string, string>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [name, pointer] of Object.entries(pointers)) {
    const value = getByPointer(form, pointer);
    if (value !== undefined) fields[name] = structuredClone(value);
  }
  return fields;
}

function holderInForm(form: Record<string, unknown>, pointers: { id: string; name: string }, matter: string): Holder {
  const text = (pointer: string, what: string): string => {
    const value = getByPointer(form, pointer);
    if ((typeof value === 'string' && value.trim() !== '') || typeof value === 'number') return String(value);
    throw new OnevisitError('FORM.INVALID', `matter ${matter}: the certificate holder's ${what} at ${pointer} is missing from the form`);
  };
  return { id: text(pointers.id, 'id'), name: text(pointers.name, 'name') };
}

async function applicantOf(context: EffectContext, holderOf: CertificateIssuerOptions['holderOf']): Promise<Holder> {
  const holder = await holderOf(context.application.applicantId);
  if (!holder || holder.id.trim() === '' || holder.name.trim() === '') {
    throw new OnevisitError('USER.NOT_FOUND', `applicant ${context.application.applicantId} has no id number and name to hold a certificate`);
  }
  return holder;
}
