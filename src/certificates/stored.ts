/** Whether a stored certificate is still what was signed, and what it amounts to: what verification, reissue and the wallet rely on. */
import { CertificateStatuses, VerificationResults, type CertificateRecord, type VerificationResult } from '../domain/certificate.js';
import type { Keyring } from './keys.js';
import type { StoredCertificate } from './ports.js';
import { checkTextSignature, parseRecordText } from './signing.js';

/**
 * The signed record of a stored certificate, or undefined when it was altered: the record text is not a
 * canonical record, a column disagrees with it, or its signature does not verify.
 */
export async function intactRecord(row: StoredCertificate, keyring: Keyring): Promise<CertificateRecord | undefined> {
  const record = parseRecordText(row.record);
  if (!record || !columnsAgree(row, record)) return undefined;
  await keyring.findPublicKey(row.keyId); // a key another instance added since this one started
  return checkTextSignature(row.record, row.keyId, row.signature, keyring) ? record : undefined;
}

function columnsAgree(row: StoredCertificate, record: CertificateRecord): boolean {
  return (
    record.id === row.id &&
    record.type === row.type &&
    record.holderId === row.holderId &&
    record.holderName === row.holderName &&
    record.issuer === row.issuer &&
    record.issuedAt === row.issuedAt &&
    record.validUntil === row.validUntil &&
    record.applicationId === row.applicationId
  );
}

/** What a stored certificate amounts to at `now`, given its intact record (undefined: it was altered). */
export function standingOf(row: StoredCertificate, record: CertificateRecord | undefined, now: Date): Standing {
  if (!record) return VerificationResults.tampered;
  if (row.status === CertificateStatuses.revoked) return VerificationResults.revoked;
  if (row.status === CertificateStatuses.superseded) return VerificationResults.superseded;
  if (record.validUntil !== null && now.getTime() > Date.parse(record.validUntil)) return VerificationResults.expired;
  return VerificationResults.valid;
}

/** Every verdict but `unknown`: what a certificate that exists can be. */
export type Standing = Exclude<VerificationResult, 'unknown'>;
