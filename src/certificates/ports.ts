/**
 * What the certificates module needs from outside, as interfaces (like the runtime's `ports.ts`): storage for
 * issued certificates and their verifications, the wallet's query, the counters unified social credit codes are
 * numbered from (all implemented by src/store), and where templates are read from. src/main.ts builds each once
 * and hands it in; nothing here knows SQL or the project's folders.
 */
import type { CertificateStatus, VerificationChannel, VerificationResult } from '../domain/certificate.js';

export interface NewCertificate {
  id: string;
  type: string;
  holderId: string;
  holderName: string;
  applicationId: string;
  matterId: string;
  effectId: string;
  issuer: string;
  issuedAt: string;
  /** Null when the engine issued it; the clerk's id for a reissue. */
  issuedBy: string | null;
  validUntil: string | null;
  /** The canonical JSON (RFC 8785) that was signed, byte for byte. */
  record: string;
  keyId: string;
  signature: string;
}

export interface StoredCertificate extends NewCertificate {
  status: CertificateStatus;
  revokedAt: string | null;
  revokedBy: string | null;
  revokeReason: string | null;
  supersededAt: string | null;
  /** The certificate that replaced this one. */
  supersededBy: string | null;
}

export interface VerificationEntry {
  /** Null when the presented id names no certificate. */
  certificateId: string | null;
  result: VerificationResult;
  via: VerificationChannel;
  at: string;
}

export interface HolderQuery {
  /** Only certificates of this type. */
  type?: string;
  /** Also the certificates issued on this account's applications (a parent's, for a newborn they applied for). */
  applicantId?: string;
}

/** Issued certificates. Exactly once: a row is identified by the effect that issued it and its matter. */
export interface CertificateRepository {
  /**
   * Stores each row unless one with its (effectId, matterId) exists, all in one transaction; returns the
   * stored rows in the order given (the existing ones where a row was there already).
   */
  insert(rows: readonly NewCertificate[]): Promise<StoredCertificate[]>;
  get(id: string): Promise<StoredCertificate | undefined>;
  /** The certificates an application produced (reissues included), oldest first. */
  byApplication(applicationId: string): Promise<StoredCertificate[]>;
  /** Marks a valid certificate revoked; false when it is not (no longer) valid or does not exist. */
  revoke(id: string, change: { reason: string; by: string; at: string }): Promise<boolean>;
  /**
   * Stores `replacement` and marks the valid certificate `oldId` superseded by it, in one transaction; false
   * (and nothing stored) when `oldId` is not (no longer) valid.
   */
  supersede(oldId: string, replacement: NewCertificate, at: string): Promise<boolean>;
}

/** The log of verifications (who asked is not kept; what was asked about and the verdict are). */
export interface VerificationLog {
  logVerification(entry: VerificationEntry): Promise<void>;
  /** The verifications logged for a certificate (null: of unknown ids), oldest first. */
  listVerifications(certificateId: string | null): Promise<VerificationEntry[]>;
}

/** The wallet's question. */
export interface WalletQueries {
  /** The holders' certificates, newest first. */
  listByHolder(holderIds: readonly string[], query?: HolderQuery): Promise<StoredCertificate[]>;
}

/** All three, as one store implements them (src/store/certificateStore.ts). */
export interface CertificateStore extends CertificateRepository, VerificationLog, WalletQueries {}

/** Named counters that only go up (a unified social credit code's sequence per authority, category and region). */
export interface Counters {
  /** The next number of the named counter (1 for a new one), atomically across instances. */
  next(name: string): Promise<number>;
}

/**
 * Where certificate templates are read from: the folder of `<id>.json` layouts and the schema they are checked
 * against (the project's templates/ and schemas/certificate-template.schema.json, located by main.ts).
 */
export interface TemplateSource {
  dir: string;
  schemaFile: string;
}
