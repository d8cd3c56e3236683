/**
 * Revoking and reissuing certificates. Only a `valid` certificate changes: a revoked or superseded one is
 * final (CERTIFICATE.NOT_ALLOWED). Who may do it (a clerk of the issuing department) is decided by the caller;
 * `by` is recorded.
 *
 * A reissue is a new certificate with a new id, the same holder, fields and end of validity (reissuing does not
 * extend it), issued now and signed with the current key; the old one becomes `superseded` and points at it.
 * Both happen in one transaction, and the new row is keyed by the effect `reissue:<old id>`, so a certificate
 * is reissued once even when two clerks press the button together.
 */
import { randomUUID } from 'node:crypto';
import { AuditKinds, type AuditLog } from '../domain/audit.js';
import type { CertificateRecord } from '../domain/certificate.js';
import { OnevisitError } from '../domain/errors.js';
import type { Keyring } from './keys.js';
import type { CertificateRepository, StoredCertificate } from './ports.js';
import { canonicalRecord, signRecord } from './signing.js';
import { intactRecord } from './stored.js';

export interface LifecycleOptions {
  store: Pick<CertificateRepository, 'get' | 'revoke' | 'supersede'>;
  keyring: Keyring;
  now?: () => Date;
  newId?: () => string;
  /** Where each revocation and reissue is recorded. */
  audit?: AuditLog;
}

export interface Lifecycle {
  /** Revokes a valid certificate; `reason` is required. Returns the certificate as it is now. */
  revoke(id: string, reason: string, by: string): Promise<StoredCertificate>;
  /** Replaces a valid, unexpired certificate by a new one; returns the new one. */
  reissue(id: string, by: string): Promise<StoredCertificate>;
}

export const MAX_REASON_LENGTH = 500;

export function createLifecycle(options: LifecycleOptions): Lifecycle {
  const now = options.now ?? (() => new Date());
  const newId = options.newId ?? randomUUID;

  async function current(id: string): Promise<StoredCertificate> {
    const row = await options.store.get(id);
    if (!row) throw new OnevisitError('CERTIFICATE.NOT_FOUND', `no certificate ${id}`);
    return row;
  }

  const notAllowed = (row: StoredCertificate, what: string) =>
    new OnevisitError('CERTIFICATE.NOT_ALLOWED', `certificate ${row.id} is ${row.status}; only a valid certificate can be ${what}`, { details: { status: row.status } });

  return {
    async revoke(id, reason, by) {
      const trimmed = typeof reason === 'string' ? reason.trim() : '';
      if (trimmed === '' || trimmed.length > MAX_REASON_LENGTH) {
        throw new OnevisitError('INPUT.INVALID', 'a revocation states its reason', {
          errors: [{ path: '/reason', code: trimmed === '' ? 'INPUT.REQUIRED' : 'INPUT.MAX_LENGTH', message: trimmed === '' ? 'is required' : `must be at most ${MAX_REASON_LENGTH} characters` }],
        });
      }
      const before = await current(id);
      if (before.status !== 'valid') throw notAllowed(before, 'revoked');
      const at = now().toISOString();
      if (!(await options.store.revoke(id, { reason: trimmed, by, at }))) throw notAllowed(await current(id), 'revoked');
      // The reason stays on the certificate: free text is no audit detail.
      await options.audit?.append({ at, kind: AuditKinds.certificateRevoked, actor: { kind: 'clerk', id: by }, subject: { kind: 'certificate', id }, detail: { type: before.type, application: before.applicationId } });
      return current(id);
    },

    async reissue(id, by) {
      const old = await current(id);
      if (old.status !== 'valid') throw notAllowed(old, 'reissued');
      // Re-signing an altered record would launder it.
      const record = await intactRecord(old, options.keyring);
      if (!record) throw new OnevisitError('CERTIFICATE.NOT_ALLOWED', `certificate ${id} does not match its signature and cannot be reissued`, { details: { status: 'tampered' } });
      const at = now();
      if (record.validUntil !== null && at.getTime() > Date.parse(record.validUntil)) {
        throw new OnevisitError('CERTIFICATE.NOT_ALLOWED', `certificate ${id} expired at ${record.validUntil}; a reissue would be expired too`, { details: { status: 'expired' } });
      }
      const next: CertificateRecord = { ...record, id: newId(), issuedAt: at.toISOString() };
      const { keyId, signature } = signRecord(next, options.keyring);
      const replacement = {
        id: next.id,
        type: next.type,
        holderId: next.holderId,
        holderName: next.holderName,
        applicationId: next.applicationId,
        matterId: old.matterId,
        effectId: `reissue:${old.id}`,
        issuer: next.issuer,
        issuedAt: next.issuedAt,
        issuedBy: by,
        validUntil: next.validUntil,
        record: canonicalRecord(next),
        keyId,
        signature,
      };
      if (!(await options.store.supersede(old.id, replacement, next.issuedAt))) throw notAllowed(await current(id), 'reissued');
      await options.audit?.append({ at: next.issuedAt, kind: AuditKinds.certificateReissued, actor: { kind: 'clerk', id: by }, subject: { kind: 'certificate', id: old.id }, detail: { type: old.type, application: old.applicationId, replacement: next.id } });
      return current(next.id);
    },
  };
}
