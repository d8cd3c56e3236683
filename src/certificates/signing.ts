/**
 * Signing and checking certificate records: Ed25519 over the record's canonical JSON (RFC 8785), so the same
 * record always gives the same bytes, whoever serialises it. Signatures travel as base64url without padding;
 * a signature string is accepted only in that exact form (86 characters for 64 bytes), so no two strings
 * stand for the same signature.
 */
import crypto from 'node:crypto';
import canonicalize from 'canonicalize';
import type { CertificateRecord } from '../domain/certificate.js';
import type { Keyring } from './keys.js';

export type { CertificateRecord } from '../domain/certificate.js';

export interface RecordSignature {
  keyId: string;
  /** base64url, no padding. */
  signature: string;
}

const canonicalJson = canonicalize as unknown as (value: unknown) => string | undefined;
const SIGNATURE_PATTERN = /^[A-Za-z0-9_-]{86}$/;

/** The bytes that are signed: the record's canonical JSON. */
export function canonicalRecord(record: CertificateRecord): string {
  const text = canonicalJson(record);
  if (text === undefined) throw new TypeError('a certificate record must be JSON');
  return text;
}

export function signRecord(record: CertificateRecord, keyring: Keyring): RecordSignature {
  const { keyId, signature } = keyring.sign(Buffer.from(canonicalRecord(record), 'utf8'));
  return { keyId, signature: signature.toString('base64url') };
}

/** Whether `signature` by key `keyId` of the keyring signs `record`; false for an unknown key or a malformed signature. */
export function checkSignature(record: CertificateRecord, keyId: string, signature: string, keyring: Keyring): boolean {
  return checkTextSignature(canonicalRecord(record), keyId, signature, keyring);
}

/** The same, over the signed text exactly as stored or embedded. */
export function checkTextSignature(text: string, keyId: string, signature: string, keyring: Keyring): boolean {
  const publicKey = keyring.publicKey(keyId);
  if (!publicKey || !SIGNATURE_PATTERN.test(signature)) return false;
  const bytes = Buffer.from(signature, 'base64url');
  // The last character carries 2 bits of padding that decoding drops: only the canonical spelling counts.
  if (bytes.toString('base64url') !== signature) return false;
  return crypto.verify(null, Buffer.from(text, 'utf8'), publicKey, bytes);
}

/**
 * The record in a signed text, or undefined when the text is not the canonical JSON of a record: a text
 * that parses but was not canonical was not produced by signing, whatever its signature says.
 */
export function parseRecordText(text: string): CertificateRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(value) || canonicalJson(value) !== text) return undefined;
  return value;
}

function isRecord(value: unknown): value is CertificateRecord {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  const strings = ['id', 'type', 'holderId', 'holderName', 'issuer', 'issuedAt', 'applicationId'] as const;
  return (
    Object.keys(v).length === 9 &&
    strings.every((k) => typeof v[k] === 'string') &&
    (v.validUntil === null || typeof v.validUntil === 'string') &&
    v.fields !== null &&
    typeof v.fields === 'object' &&
    !Array.isArray(v.fields)
  );
}
