/** The words of certificates : what is signed, the lifecycle, and what a verification can say. */

/**
 * The record a certificate is: canonicalised (RFC 8785) and signed. Every member is always present, so the
 * signed bytes never depend on how an optional member was spelled; a form value left empty is left out of
 * `fields`.
 */
export interface CertificateRecord {
  id: string;
  type: string;
  holderId: string;
  holderName: string;
  fields: Record<string, unknown>;
  /** The issuing department's id. */
  issuer: string;
  issuedAt: string;
  validUntil: string | null;
  applicationId: string;
}

/** A certificate's lifecycle as stored: `superseded` when a reissue replaced it. */
export const CertificateStatuses = { valid: 'valid', revoked: 'revoked', superseded: 'superseded' } as const;
export type CertificateStatus = (typeof CertificateStatuses)[keyof typeof CertificateStatuses];

/** What verifying a certificate says, strongest first: a tampered one is tampered whatever else holds. */
export const VerificationResults = {
  unknown: 'unknown',
  tampered: 'tampered',
  revoked: 'revoked',
  superseded: 'superseded',
  expired: 'expired',
  valid: 'valid',
} as const;
export type VerificationResult = (typeof VerificationResults)[keyof typeof VerificationResults];

/** How a certificate was presented: id and signature, an uploaded PDF, or the public page its QR code opens. */
export const VerificationChannels = { id: 'id', pdf: 'pdf', page: 'page' } as const;
export type VerificationChannel = (typeof VerificationChannels)[keyof typeof VerificationChannels];
