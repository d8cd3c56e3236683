/**
 * Certificates as people use them: the holder's wallet and PDFs, verification for anyone, revoke and reissue
 * by the issuing department's clerks, and a commitment (告知承诺) found false revoking what it produced.
 */
import type { AuditEntry, AuditLog } from '../domain/audit.js';
import { OnevisitError } from '../domain/errors.js';
import type { CertificateRecord } from '../domain/certificate.js';
import { applicationAccess, requireCapability, requireCertificateChanger, requireCertificateReader, requirePostCheck, type CertificateContext, type Subject } from '../identity/policy.js';
import type { Engine } from '../runtime/index.js';
import { postCheckTask } from '../runtime/tasks.js';
import type { Wallet } from '../certificates/wallet.js';
import type { Verifier, Verification } from '../certificates/verify.js';
import type { Lifecycle } from '../certificates/lifecycle.js';
import type { CertificateRepository, StoredCertificate } from '../certificates/ports.js';
import { checkInput } from './input.js';
import { commitmentConfirmedAudit, commitmentRefutedAudit } from './workAudit.js';

/** Who the subject is as a holder: their resident id number, and the applications they made. */
export interface HolderIdentity {
  holderIds: string[];
  applicantId: string;
}

export interface CertificatesDeps {
  engine: Engine;
  store: Pick<CertificateRepository, 'get' | 'byApplication'>;
  wallet: Wallet;
  verifier: Verifier;
  lifecycle: Lifecycle;
  /** The subject's holder ids (their full resident id number lives server-side only). */
  holderOf(subject: Subject): Promise<HolderIdentity>;
  /** The rendered PDF of a certificate (signed record embedded). */
  pdfOf(certificate: StoredCertificate): Promise<Buffer>;
  /** The signed record a PDF carries, or undefined. */
  extractSigned(pdf: Buffer): { record: unknown; keyId: string; signature: string } | undefined;
  /** Closes an open task (a post-check), appending `audit` in the same transaction; false (nothing appended) when it was not open. */
  closeTask(applicationId: string, task: string, audit: AuditEntry): Promise<boolean>;
  /** Where a finding is recorded when there was no task left to close with it (a commitment refuted after it was confirmed). */
  audit?: AuditLog;
  now?: () => Date;
}

export interface CertificateView extends CertificateRecord {
  status: StoredCertificate['status'];
  standing?: string;
  keyId: string;
  signature: string;
  revokeReason?: string | null;
  supersededBy?: string | null;
}

/**
 * A certificate a refuted commitment revoked, as the refuting clerk is told of it: which one it was, not what it
 * certifies — their department may have no part in its matter. Its contents stay with those the policy lets read it.
 */
export interface RevokedCertificate {
  id: string;
  type: string;
  matterId: string;
  issuer: string;
  status: StoredCertificate['status'];
}

export function createCertificateUseCases(deps: CertificatesDeps) {
  const { engine, store, wallet, verifier, lifecycle } = deps;
  const now = deps.now ?? (() => new Date());

  /**
   * The certificate, if the policy lets the subject read it (`requireCertificateReader`) or change it
   * (`requireCertificateChanger`); anyone else's is not found. Admins are refused before the lookup, so the answer
   * is the same whether or not the certificate exists.
   */
  async function certificateFor(subject: Subject, id: string, allowed: typeof requireCertificateReader): Promise<StoredCertificate> {
    requireCapability(subject, 'certificate.read');
    const certificate = await store.get(id);
    if (!certificate) throw new OnevisitError('CERTIFICATE.NOT_FOUND', `no certificate ${id}`);
    await allowed(subject, certificate, contextOf(subject, certificate));
    return certificate;
  }

  /** What the policy may ask about around a certificate, looked up only if it asks; a failing lookup fails the request. */
  function contextOf(subject: Subject, certificate: StoredCertificate): CertificateContext {
    return {
      holderIds: async () => (await deps.holderOf(subject)).holderIds,
      application: async () => {
        const { view, compiled } = await engine.inspect(certificate.applicationId);
        return { id: view.id, applicantId: view.applicantId, compiled };
      },
    };
  }

  /** The commitment material a post-check clerk acts on: given by commitment on this application, theirs to check. */
  async function postCheckable(subject: Subject, applicationId: string, materialId: string) {
    // Before the lookup: whoever checks no commitments is refused the same for every id.
    requireCapability(subject, 'commitment.check');
    const { view, compiled } = await engine.inspect(applicationId);
    applicationAccess(subject, { id: view.id, applicantId: view.applicantId, compiled });
    const material = compiled.definition.materials.find((m) => m.id === materialId);
    if (!material || view.materials[materialId]?.source !== 'commitment') {
      throw new OnevisitError('INPUT.INVALID', `material ${materialId} of this application was not given by commitment`, { errors: [{ path: '/materialId', code: 'MATERIAL.NOT_COMMITMENT', message: 'not a commitment' }] });
    }
    requirePostCheck(subject, material);
    return material;
  }

  return {
    /** The subject's wallet (证照夹): usable certificates first. */
    async wallet(subject: Subject) {
      requireCapability(subject, 'certificate.wallet');
      const me = await deps.holderOf(subject);
      return wallet.walletOf(me.holderIds, { applicantId: me.applicantId });
    },

    async get(subject: Subject, id: string): Promise<CertificateView> {
      return viewOf(await certificateFor(subject, id, requireCertificateReader));
    },

    async pdf(subject: Subject, id: string): Promise<{ certificate: StoredCertificate; pdf: Buffer }> {
      const certificate = await certificateFor(subject, id, requireCertificateReader);
      return { certificate, pdf: await deps.pdfOf(certificate) };
    },

    /** Anyone: by id and signature, or an uploaded PDF checked against what it embeds. */
    async verify(body: unknown, pdf?: Buffer): Promise<Verification> {
      if (pdf) {
        const signed = deps.extractSigned(pdf);
        if (!signed) throw new OnevisitError('INPUT.INVALID', 'the file is not a onevisit certificate PDF (no signed record inside)', { errors: [{ path: '/file', code: 'CERTIFICATE.NO_RECORD', message: 'carries no signed certificate record' }] });
        return verifier.verifySigned(signed, 'pdf');
      }
      const { id, signature } = checkInput<{ id: string; signature?: string }>('VerifyCertificate', body);
      return verifier.verifyById(id, signature, 'id');
    },

    /** What the QR code's page shows. */
    async verifyPage(id: string): Promise<Verification> {
      return verifier.verifyById(id, undefined, 'page');
    },

    async revoke(subject: Subject, id: string, body: unknown): Promise<CertificateView> {
      const { reason } = checkInput<{ reason: string }>('RevokeCertificate', body);
      await certificateFor(subject, id, requireCertificateChanger);
      return viewOf(await lifecycle.revoke(id, reason, subject.userId));
    },

    async reissue(subject: Subject, id: string): Promise<CertificateView> {
      await certificateFor(subject, id, requireCertificateChanger);
      return viewOf(await lifecycle.reissue(id, subject.userId));
    },

    /**
     * A commitment checked afterwards and found false (告知承诺不实): the valid certificates of the matters the
     * material supports are revoked, with the material named in the reason. Only clerks of the department the
     * definition names to post-check it.
     */
    async refuteCommitment(subject: Subject, applicationId: string, materialId: string, body: unknown) {
      const { reason } = checkInput<{ reason: string }>('RevokeCertificate', body);
      const material = await postCheckable(subject, applicationId, materialId);
      const supports = (matterId: string) => material.matters === undefined || material.matters.includes(matterId);
      const revoked: RevokedCertificate[] = [];
      for (const certificate of await store.byApplication(applicationId)) {
        if (certificate.status !== 'valid' || !supports(certificate.matterId)) continue;
        revoked.push(revokedOf(await lifecycle.revoke(certificate.id, `告知承诺不实 (${materialId}): ${reason}`, subject.userId)));
      }
      const task = postCheckTask(materialId);
      const finding = commitmentRefutedAudit(subject, applicationId, materialId, task, revoked.map((c) => c.id), now());
      // Found false after it was found true: nothing to close, but what the finding revoked is on record with it.
      if (!(await deps.closeTask(applicationId, task, finding)) && revoked.length > 0) await deps.audit?.append(finding);
      return { applicationId, materialId, revoked };
    },

    /** A commitment checked afterwards and found true: its post-check task is closed. */
    async confirmCommitment(subject: Subject, applicationId: string, materialId: string) {
      await postCheckable(subject, applicationId, materialId);
      const task = postCheckTask(materialId);
      if (!(await deps.closeTask(applicationId, task, commitmentConfirmedAudit(subject, applicationId, materialId, task, now())))) {
        throw new OnevisitError('TRANSITION.NOT_ALLOWED', `there is no open post-check of ${materialId} on this application`);
      }
      return { applicationId, materialId, confirmed: true };
    },
  };
}

export type CertificateUseCases = ReturnType<typeof createCertificateUseCases>;

function revokedOf(certificate: StoredCertificate): RevokedCertificate {
  return { id: certificate.id, type: certificate.type, matterId: certificate.matterId, issuer: certificate.issuer, status: certificate.status };
}

function viewOf(certificate: StoredCertificate): CertificateView {
  const record = JSON.parse(certificate.record) as CertificateRecord;
  return {
    ...record,
    status: certificate.status,
    keyId: certificate.keyId,
    signature: certificate.signature,
    ...(certificate.status === 'revoked' ? { revokeReason: certificate.revokeReason } : {}),
    ...(certificate.status === 'superseded' ? { supersededBy: certificate.supersededBy } : {}),
  };
}
