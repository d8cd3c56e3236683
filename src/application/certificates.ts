/**
 * Certificates as people use them: the holder's wallet and PDFs, verification for anyone, revoke and reissue
 * by the issuing department's clerks, and a commitment (告知承诺) found false revoking what it produced.
 */
import { OnevisitError, isOnevisitError } from '../domain/errors.js';
import type { CertificateRecord } from '../domain/certificate.js';
import { applicationAccess, requirePostCheck, visibilityOf, type Subject } from '../identity/policy.js';
import type { Engine } from '../runtime/index.js';
import { postCheckTask } from '../runtime/tasks.js';
import type { Wallet } from '../certificates/wallet.js';
import type { Verifier, Verification } from '../certificates/verify.js';
import type { Lifecycle } from '../certificates/lifecycle.js';
import type { CertificateStore, StoredCertificate } from '../store/certificateStore.js';
import { checkInput } from './input.js';

/** Who the subject is as a holder: their resident id number, and the applications they made. */
export interface HolderIdentity {
  holderIds: string[];
  applicantId: string;
}

export interface CertificatesDeps {
  engine: Engine;
  store: Pick<CertificateStore, 'get' | 'byApplication'>;
  wallet: Wallet;
  verifier: Verifier;
  lifecycle: Lifecycle;
  /** The subject's holder ids (their full resident id number lives server-side only). */
  holderOf(subject: Subject): Promise<HolderIdentity>;
  /** The rendered PDF of a certificate (signed record embedded). */
  pdfOf(certificate: StoredCertificate): Promise<Buffer>;
  /** The signed record a PDF carries, or undefined. */
  extractSigned(pdf: Buffer): { record: unknown; keyId: string; signature: string } | undefined;
  /** Closes an open task (a post-check); false when it was not open. */
  closeTask(applicationId: string, task: string): Promise<boolean>;
}

export interface CertificateView extends CertificateRecord {
  status: StoredCertificate['status'];
  standing?: string;
  keyId: string;
  signature: string;
  revokeReason?: string | null;
  supersededBy?: string | null;
}

export function createCertificateUseCases(deps: CertificatesDeps) {
  const { engine, store, wallet, verifier, lifecycle } = deps;

  /** The certificate if the subject may see it: its holder (or the applicant it was issued to), or a clerk of the issuer or the application. */
  async function visible(subject: Subject, id: string): Promise<StoredCertificate> {
    // Before the lookup, so an admin's refusal is the same whether or not the certificate exists.
    if (subject.role !== 'citizen' && subject.role !== 'clerk') throw new OnevisitError('AUTH.FORBIDDEN', 'admins do not read certificates');
    const certificate = await store.get(id);
    const missing = new OnevisitError('CERTIFICATE.NOT_FOUND', `no certificate ${id}`);
    if (!certificate) throw missing;
    if (subject.role === 'citizen') {
      const me = await deps.holderOf(subject);
      const own = me.holderIds.includes(certificate.holderId) || (await applicantOf(certificate)) === subject.userId;
      if (!own) throw missing;
      return certificate;
    }
    if (subject.role === 'clerk') {
      if (subject.departments.includes(certificate.issuer)) return certificate;
      // Through the application: the window sees its certificates, a reviewer those of its own matters.
      const { view, compiled } = await engine.inspect(certificate.applicationId);
      let visible = false;
      try {
        visible = visibilityOf(applicationAccess(subject, { id: view.id, applicantId: view.applicantId, compiled }), compiled).certificate(certificate.matterId);
      } catch (error) {
        // Not their application: to them the certificate is not there either.
        if (!isOnevisitError(error, 'APPLICATION.NOT_FOUND')) throw error;
      }
      if (!visible) throw missing;
      return certificate;
    }
    throw missing;
  }

  async function applicantOf(certificate: StoredCertificate): Promise<string> {
    return (await engine.get(certificate.applicationId)).applicantId;
  }

  /** The commitment material a post-check clerk acts on: given by commitment on this application, theirs to check. */
  async function postCheckable(subject: Subject, applicationId: string, materialId: string) {
    if (subject.role !== 'clerk') throw new OnevisitError('AUTH.FORBIDDEN', 'commitments are checked by clerks');
    const { view, compiled } = await engine.inspect(applicationId);
    applicationAccess(subject, { id: view.id, applicantId: view.applicantId, compiled });
    const material = compiled.definition.materials.find((m) => m.id === materialId);
    if (!material || view.materials[materialId]?.source !== 'commitment') {
      throw new OnevisitError('INPUT.INVALID', `material ${materialId} of this application was not given by commitment`, { errors: [{ path: '/materialId', code: 'MATERIAL.NOT_COMMITMENT', message: 'not a commitment' }] });
    }
    requirePostCheck(subject, material);
    return material;
  }

  function issuingClerk(subject: Subject, certificate: StoredCertificate): void {
    if (subject.role !== 'clerk' || !subject.departments.includes(certificate.issuer)) {
      throw new OnevisitError('AUTH.FORBIDDEN', `only clerks of ${certificate.issuer}, which issued it, may change this certificate`);
    }
  }

  return {
    /** The subject's wallet (证照夹): usable certificates first. */
    async wallet(subject: Subject) {
      if (subject.role !== 'citizen') throw new OnevisitError('AUTH.FORBIDDEN', 'the wallet is a citizen’s');
      const me = await deps.holderOf(subject);
      return wallet.walletOf(me.holderIds, { applicantId: me.applicantId });
    },

    async get(subject: Subject, id: string): Promise<CertificateView> {
      return viewOf(await visible(subject, id));
    },

    async pdf(subject: Subject, id: string): Promise<{ certificate: StoredCertificate; pdf: Buffer }> {
      const certificate = await visible(subject, id);
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
      const certificate = await visible(subject, id);
      issuingClerk(subject, certificate);
      return viewOf(await lifecycle.revoke(id, reason, subject.userId));
    },

    async reissue(subject: Subject, id: string): Promise<CertificateView> {
      const certificate = await visible(subject, id);
      issuingClerk(subject, certificate);
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
      const revoked: CertificateView[] = [];
      for (const certificate of await store.byApplication(applicationId)) {
        if (certificate.status !== 'valid' || !supports(certificate.matterId)) continue;
        revoked.push(viewOf(await lifecycle.revoke(certificate.id, `告知承诺不实 (${materialId}): ${reason}`, subject.userId)));
      }
      await deps.closeTask(applicationId, postCheckTask(materialId));
      return { applicationId, materialId, revoked };
    },

    /** A commitment checked afterwards and found true: its post-check task is closed. */
    async confirmCommitment(subject: Subject, applicationId: string, materialId: string) {
      await postCheckable(subject, applicationId, materialId);
      if (!(await deps.closeTask(applicationId, postCheckTask(materialId)))) {
        throw new OnevisitError('TRANSITION.NOT_ALLOWED', `there is no open post-check of ${materialId} on this application`);
      }
      return { applicationId, materialId, confirmed: true };
    },
  };
}

export type CertificateUseCases = ReturnType<typeof createCertificateUseCases>;

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
