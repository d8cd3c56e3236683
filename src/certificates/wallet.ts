/**
 * The wallet (证照夹): the certificates a person or an enterprise holds, keyed by holder id (resident id number,
 * unified social credit code). A wallet may also take in the certificates issued on an account's applications:
 * a parent applying for a newborn sees the child's certificates. The same query finds the certificate that
 * satisfies a material without upload (免提交): the newest of its type that is valid now.
 */
import type { CertificateRecord, CertificateStatus } from '../domain/certificate.js';
import { VerificationResults } from '../domain/certificate.js';
import type { Keyring } from './keys.js';
import type { HolderQuery, StoredCertificate, WalletQueries } from './ports.js';
import { intactRecord, standingOf, type Standing } from './stored.js';

/** A certificate in the wallet: its record (fields empty when the record was altered) and where it stands. */
export interface WalletCertificate extends CertificateRecord {
  /** The lifecycle status as stored. */
  status: CertificateStatus;
  /** What it amounts to now: `valid` only when it may be used (not expired, revoked, superseded or altered). */
  standing: Standing;
}

export interface WalletScope {
  /** Also the certificates issued on this account's applications. */
  applicantId?: string;
}

export interface WalletOptions {
  store: WalletQueries;
  keyring: Keyring;
  now?: () => Date;
}

export interface Wallet {
  /** The holders' certificates: usable ones first, then the rest, each group newest first. */
  walletOf(holderIds: readonly string[], scope?: WalletScope): Promise<WalletCertificate[]>;
  /** The newest certificate of `type` that is valid at `now`, for a material it satisfies. */
  findUsable(holderIds: readonly string[], type: string, now?: Date, scope?: WalletScope): Promise<WalletCertificate | undefined>;
  /** Why `certificateId` cannot stand in for a material of `type` for these holders, or undefined when it can. */
  checkCertificate(holderIds: readonly string[], certificateId: string, type: string, scope?: WalletScope): Promise<string | undefined>;
}

export function createWallet(options: WalletOptions): Wallet {
  const clock = options.now ?? (() => new Date());

  async function entries(holderIds: readonly string[], query: HolderQuery, now: Date): Promise<WalletCertificate[]> {
    const rows = await options.store.listByHolder(holderIds, query);
    const certificates = await Promise.all(rows.map(async (row) => entryOf(row, await intactRecord(row, options.keyring), now)));
    // Stable: the store's newest-first order is kept within each group.
    return certificates.sort((a, b) => Number(b.standing === VerificationResults.valid) - Number(a.standing === VerificationResults.valid));
  }

  const queryOf = (scope: WalletScope | undefined, type?: string): HolderQuery => ({
    ...(type !== undefined ? { type } : {}),
    ...(scope?.applicantId !== undefined ? { applicantId: scope.applicantId } : {}),
  });

  return {
    walletOf: (holderIds, scope) => entries(holderIds, queryOf(scope), clock()),

    async findUsable(holderIds, type, now = clock(), scope) {
      return (await entries(holderIds, queryOf(scope, type), now)).find((c) => c.standing === VerificationResults.valid);
    },

    async checkCertificate(holderIds, certificateId, type, scope) {
      const certificate = (await entries(holderIds, queryOf(scope), clock())).find((c) => c.id === certificateId);
      if (!certificate) return `no certificate ${certificateId} in your wallet`;
      if (certificate.type !== type) return `certificate ${certificateId} is a ${certificate.type}, not a ${type}`;
      if (certificate.standing !== VerificationResults.valid) return `certificate ${certificateId} is ${certificate.standing}`;
      return undefined;
    },
  };
}

function entryOf(row: StoredCertificate, record: CertificateRecord | undefined, now: Date): WalletCertificate {
  return {
    id: row.id,
    type: row.type,
    holderId: row.holderId,
    holderName: row.holderName,
    fields: record?.fields ?? {},
    issuer: row.issuer,
    issuedAt: row.issuedAt,
    validUntil: row.validUntil,
    applicationId: row.applicationId,
    status: row.status,
    standing: standingOf(row, record, now),
  };
}
