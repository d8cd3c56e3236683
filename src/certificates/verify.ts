/**
 * Verifying a certificate, by anyone: from its id (and signature), from the signed record embedded in its PDF,
 * or from the public page its QR code opens. The verdict, strongest first:
 *
 * - `unknown`: no certificate has the id (or the presented record names none);
 * - `tampered`: the stored record no longer verifies under its signature, a column disagrees with the signed
 *   record, or what was presented (record, key id, signature) differs from what is stored by a single byte —
 *   including a presented record that nests deeper than MAX_JSON_DEPTH, holds a number beyond JSON's range
 *   (`1e999`) or a lone surrogate, which no record we sign does (canonical JSON cannot write them): it is judged so
 *   without being canonicalised or looked up, by a linear walk that recurses into nothing;
 * - `revoked`; `superseded` (replaced by a reissue: the holder has a newer certificate, which is said rather
 *   than folded into `revoked` because the entitlement stands; the new id is not disclosed);
 * - `expired`: the instant is after `validUntil`;
 * - `valid`.
 *
 * Every verification is logged. The public summary masks the holder's name and never shows the holder's id.
 */
import canonicalize from 'canonicalize';
import { jsonFlaw, jsonTextTooDeep, MAX_JSON_DEPTH } from '../domain/jsonLimits.js';
import { VerificationChannels, VerificationResults, type CertificateStatus, type VerificationChannel, type VerificationResult } from '../domain/certificate.js';
import { maskName } from '../domain/ids.js';
import type { AuditLog } from '../domain/audit.js';
import type { Keyring } from './keys.js';
import type { CertificateRepository, StoredCertificate, VerificationLog } from './ports.js';
import { intactRecord, standingOf } from './stored.js';

export interface CertificateSummary {
  id: string;
  type: string;
  holderNameMasked: string;
  issuer: string;
  issuedAt: string;
  validUntil: string | null;
  /** The lifecycle status as stored; the verdict (which also knows expiry) is the verification's `status`. */
  status: CertificateStatus;
}

export interface Verification {
  status: VerificationResult;
  /** Present when the certificate is known and not tampered with. */
  certificate?: CertificateSummary;
}

/** What a PDF carries: the signed record (its canonical JSON text, or the parsed object), key id and signature. */
export interface SignedCertificate {
  record: unknown;
  keyId: string;
  signature: string;
}

export interface VerifierOptions {
  store: Pick<CertificateRepository, 'get'> & Pick<VerificationLog, 'logVerification'>;
  keyring: Keyring;
  now?: () => Date;
  /** Where each verification is recorded too (the presented id only when it names a certificate). */
  audit?: AuditLog;
}

export interface Verifier {
  /** By id, and the signature when the checker has it (a QR code carries only the id). */
  verifyById(id: string, signature?: string, via?: Extract<VerificationChannel, 'id' | 'page'>): Promise<Verification>;
  /** What a PDF embeds, checked against the stored certificate. */
  verifySigned(signed: SignedCertificate, via?: VerificationChannel): Promise<Verification>;
}

const canonicalJson = canonicalize as unknown as (value: unknown) => string | undefined;
const MAX_ID_LENGTH = 64;

export function createVerifier(options: VerifierOptions): Verifier {
  const now = options.now ?? (() => new Date());

  async function conclude(row: StoredCertificate | undefined, status: VerificationResult, via: VerificationChannel): Promise<Verification> {
    const at = now().toISOString();
    await options.store.logVerification({ certificateId: row?.id ?? null, result: status, via, at });
    await options.audit?.append({ at, kind: 'certificate.verify', actor: { kind: 'anonymous', id: null }, subject: { kind: 'certificate', id: row?.id ?? 'unknown' }, detail: { result: status, via } });
    return row && status !== VerificationResults.tampered ? { status, certificate: summaryOf(row) } : { status };
  }

  async function lookup(id: unknown): Promise<StoredCertificate | undefined> {
    return typeof id === 'string' && id !== '' && id.length <= MAX_ID_LENGTH ? options.store.get(id) : undefined;
  }

  /** The verdict on a stored certificate and, when given, on what was presented as that certificate. */
  async function judge(row: StoredCertificate, presented: { text?: string; keyId?: string; signature?: string }): Promise<VerificationResult> {
    if (presented.text !== undefined && presented.text !== row.record) return VerificationResults.tampered;
    if (presented.keyId !== undefined && presented.keyId !== row.keyId) return VerificationResults.tampered;
    if (presented.signature !== undefined && presented.signature !== row.signature) return VerificationResults.tampered;
    return standingOf(row, await intactRecord(row, options.keyring), now());
  }

  return {
    async verifyById(id, signature, via = VerificationChannels.id) {
      const row = await lookup(id);
      if (!row) return conclude(undefined, VerificationResults.unknown, via);
      return conclude(row, await judge(row, signature === undefined ? {} : { signature }), via);
    },

    async verifySigned(signed, via = VerificationChannels.pdf) {
      // Canonicalising (recursive) comes after this check: deeper than any signed record, or holding what canonical
      // JSON cannot write, is altered.
      const flawed = typeof signed.record === 'string' ? jsonTextTooDeep(signed.record, MAX_JSON_DEPTH) : jsonFlaw(signed.record, { maxDepth: MAX_JSON_DEPTH }) !== undefined;
      if (flawed) return conclude(undefined, VerificationResults.tampered, via);
      const text = typeof signed.record === 'string' ? signed.record : canonicalJson(signed.record);
      let id: unknown;
      try {
        id = text === undefined ? undefined : (JSON.parse(text) as { id?: unknown } | null)?.id;
      } catch {
        id = undefined;
      }
      // A record that names no certificate was not made by us: altered, not merely unknown.
      if (typeof id !== 'string') return conclude(undefined, VerificationResults.tampered, via);
      const row = await lookup(id);
      if (!row) return conclude(undefined, VerificationResults.unknown, via);
      return conclude(row, await judge(row, { text: text!, keyId: String(signed.keyId), signature: String(signed.signature) }), via);
    },
  };
}

function summaryOf(row: StoredCertificate): CertificateSummary {
  return {
    id: row.id,
    type: row.type,
    holderNameMasked: maskName(row.holderName),
    issuer: row.issuer,
    issuedAt: row.issuedAt,
    validUntil: row.validUntil,
    status: row.status,
  };
}
