/** What the pages call: the same use cases the API calls (built once in main.ts), and the catalog's reference data. */
import type { ApplicationUseCases } from '../application/applications.js';
import type { CatalogUseCases } from '../application/catalog.js';
import type { AdminUseCases } from '../application/admin.js';
import type { CertificateUseCases } from '../application/certificates.js';
import type { Department, CertificateType } from '../definitions/index.js';
import type { ServiceDefinition } from '../domain/definition.js';
import type { Identity } from '../identity/index.js';
import type { ProgressUseCases } from '../application/progress.js';
import type { FileUseCases } from '../application/files.js';
import type { DraftUseCases } from '../application/drafts.js';
import type { IntakeUseCases } from '../application/intake.js';
import type { WorkingCalendar } from '../domain/calendar.js';
import type { ReferenceUseCases } from '../application/reference.js';

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
  /** Departments, certificate types and templates: read by anyone, added and changed by admins. */
  referenceData: ReferenceUseCases;
  /** Titles for the public verify page. */
  describeCertificate: (type: string, issuer: string) => { typeTitle: string; issuerTitle: string };
  /** One published version of a service (compiled once, cached): the titles of its form, materials and matters for the pages. */
  definitionOf: (serviceId: string, version: number) => Promise<ServiceDefinition>;
  /** Uploads (a supplement's new files), kept as the uploader's own. */
  files: FileUseCases;
  /** Applications being prepared, kept for their owner. */
  drafts: DraftUseCases;
  /** Counter intake (窗口代录): applications window clerks enter for the people at their counter, and their intake drafts. */
  intake: IntakeUseCases;
  /** The clock and the working-day calendar deadlines are counted on: for the working days left a page shows. */
  time: { now: () => Date; calendar: () => WorkingCalendar };
  /** The public address a certificate's QR code opens (the one its PDF prints). */
  verifyUrl: (certificateId: string) => string;
}
