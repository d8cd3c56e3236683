/** What the express app is built from: the use cases, identity, files and the options main.ts hands to `createApp`. */
import type { Store } from 'express-rate-limit';
import type { Logger } from 'pino';
import type { Department, CertificateType } from '../definitions/index.js';
import type { ServiceDefinition } from '../domain/definition.js';
import type { Identity } from '../identity/index.js';
import type { FileUseCases } from '../application/files.js';
import type { ApplicationUseCases } from '../application/applications.js';
import type { CatalogUseCases } from '../application/catalog.js';
import type { AdminUseCases } from '../application/admin.js';
import type { EffectUseCases } from '../application/effects.js';
import type { AuditUseCases } from '../application/audit.js';
import type { CertificateUseCases } from '../application/certificates.js';
import type { ProgressUseCases } from '../application/progress.js';
import type { DraftUseCases } from '../application/drafts.js';
import type { IntakeUseCases } from '../application/intake.js';
import type { WorkingCalendar } from '../domain/calendar.js';
import type { ReferenceUseCases } from '../application/reference.js';

export interface HttpServices {
  identity: Identity;
  applications: ApplicationUseCases;
  catalog: CatalogUseCases;
  admin: AdminUseCases;
  files: FileUseCases;
  certificates: CertificateUseCases;
  /** The outbox for admins: failed effects, and their retry. */
  effects: EffectUseCases;
  audit: AuditUseCases;
  /** 办件查询: an application's progress by its number and check code, for anyone. */
  progress: ProgressUseCases;
  /** Applications being prepared, kept for their owner. */
  drafts: DraftUseCases;
  /** Counter intake (窗口代录): applications window clerks enter for the people who walk in, and their intake drafts. */
  intake: IntakeUseCases;
  /** The public keys, as a JWKS, for offline checkers. */
  keys: () => object;
  /** Departments and certificate types, for the pages' titles. */
  reference: () => { departments: readonly Department[]; certificateTypes: readonly CertificateType[] };
  /** Departments, certificate types and templates: read by anyone, added and changed by admins. */
  referenceData: ReferenceUseCases;
  /** Titles for the public verify page. */
  describeCertificate: (type: string, issuer: string) => { typeTitle: string; issuerTitle: string };
  /** One published version of a service (compiled once, cached): the titles of its form, materials and matters for the pages. */
  definitionOf: (serviceId: string, version: number) => Promise<ServiceDefinition>;
  /** The clock and the working-day calendar deadlines are counted on: for the working days left a page shows. */
  time: { now: () => Date; calendar: () => WorkingCalendar };
  /** The public address a certificate's QR code opens (the one its PDF prints). */
  verifyUrl: (certificateId: string) => string;
  logger: Logger;
  options?: HttpOptions;
  /** Where the sign-in limiter counts (a store in the database, shared by instances); default this process's memory. */
  loginLimitStore?: Store;
  /** Where the registration limiter counts (another store of its own: express-rate-limit takes one per limiter). */
  registrationLimitStore?: Store;
  /** Where wrong progress lookups are counted per client address, and (another store) per application number. */
  progressLimitStore?: Store;
  progressNumberLimitStore?: Store;
}

export interface HttpOptions {
  /** Send the session cookie only over HTTPS (on behind TLS; off for local http). */
  secureCookies?: boolean;
  /** Sign-in attempts per client address and username in 15 minutes. */
  loginAttempts?: number;
  /** Registrations per client address in an hour (default 20). */
  registrationAttempts?: number;
  /** Wrong progress lookups per client address in 15 minutes (default 10). */
  progressAttempts?: number;
  /** Wrong progress lookups of one application number in a day, from all addresses (default 30). */
  progressAttemptsPerNumber?: number;
  /** Largest JSON body, bytes. */
  jsonLimit?: number;
  /**
   * Which proxies' X-Forwarded-For is believed (express's `trust proxy`: a hop count, `loopback`, a list of
   * addresses or subnets); default none, so a client cannot choose the address it is counted under.
   */
  trustProxy?: false | number | string | readonly string[];
}
