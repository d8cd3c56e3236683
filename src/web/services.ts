/** What the pages call: the same use cases the API calls (built once in main.ts), and the catalog's reference data. */
import type { ApplicationUseCases } from '../application/applications.js';
import type { CatalogUseCases } from '../application/catalog.js';
import type { AdminUseCases } from '../application/admin.js';
import type { CertificateUseCases } from '../application/certificates.js';
import type { Department, CertificateType } from '../definitions/index.js';
import type { Identity } from '../identity/index.js';
import type { ProgressUseCases } from '../application/progress.js';

export interface WebServices {
  identity: Identity;
  applications: ApplicationUseCases;
  catalog: CatalogUseCases;
  admin: AdminUseCases;
  certificates: CertificateUseCases;
  /** 办件查询 by number and check code. */
  progress: ProgressUseCases;
  /** Departments and certificate types, for their titles. */
  reference: () => { departments: readonly Department[]; certificateTypes: readonly CertificateType[] };
  /** Titles for the public verify page. */
  describeCertificate: (type: string, issuer: string) => { typeTitle: string; issuerTitle: string };
}
