/**
 * A stored certificate as a PDF: the template its matter names, the record exactly as signed (it is embedded as
 * is), the issuing department's name beside it, and the verify link for the QR code.
 */
import type { CertificateRecord } from '../domain/certificate.js';
import type { ServiceDefinition } from '../domain/definition.js';
import { OnevisitError } from '../domain/errors.js';
import type { StoredCertificate } from './ports.js';
import type { RenderJob } from './render.js';
import type { CertificateTemplate } from './templates.js';

export interface CertificatePdfOptions {
  render(job: RenderJob): Promise<Buffer>;
  /** The template of that name now (admins add and change templates). */
  template(id: string): Promise<CertificateTemplate | undefined>;
  /** The definition the certificate's application ran on. */
  definitionOf(applicationId: string): Promise<ServiceDefinition>;
  issuerName(departmentId: string): string;
  verifyUrl(certificateId: string): string;
}

export function createCertificatePdfs(options: CertificatePdfOptions): (certificate: StoredCertificate) => Promise<Buffer> {
  return async (certificate) => {
    const definition = await options.definitionOf(certificate.applicationId);
    const matter = definition.steps.flatMap((s) => (s.kind === 'review' ? s.matters : [])).find((m) => m.id === certificate.matterId);
    const template = matter?.certificate && (await options.template(matter.certificate.template));
    if (!template) throw new OnevisitError('TEMPLATE.NOT_FOUND', `no template for certificate ${certificate.id}`);
    const record = JSON.parse(certificate.record) as CertificateRecord;
    return options.render({
      record,
      issuerName: options.issuerName(record.issuer),
      signed: { keyId: certificate.keyId, signature: certificate.signature },
      template,
      verifyUrl: options.verifyUrl(certificate.id),
    });
  };
}
