/**
 * What the runtime needs from the world, as interfaces. `src/store` implements the storage ports;
 * effect handlers are built by factories that receive their own dependencies.
 */
import type { ServiceDefinition } from '../domain/definition.js';
import type { ApplicationStatus } from '../domain/vocabulary.js';
import type { WarningLevel } from '../domain/calendar.js';
import type { ActorRef, EffectSpec, PersistedSnapshot } from '../definitions/index.js';

export interface ApplicationRow {
  id: string;
  number: string;
  serviceId: string;
  serviceVersion: number;
  serviceHash: string;
  applicantId: string;
  /** The state value as JSON (for queries); the snapshot is the source of truth. */
  state: string;
  status: ApplicationStatus;
  snapshot: PersistedSnapshot;
  version: number;
  createdAt: string;
  updatedAt: string;
  tracking: Tracking;
}

/**
 * What queues and dashboards query, derived from the snapshot at each commit: the promised-days clock,
 * the instants the warning turns blue, yellow and red, and the departments with work open now.
 */
export interface Tracking {
  /** ClockRecord as JSON. */
  clock: string;
  dueAt: string | null;
  blueAt: string | null;
  yellowAt: string | null;
  /** The level when the clock last stopped or paused (a paused application keeps its level). */
  warningLevel: WarningLevel;
  /** The extension days the instants were computed with. */
  extensionDays: number;
  /** `|dept|dept|`: departments whose clerks can act now (LIKE-searchable on both databases). */
  openDepartments: string;
}

export interface EventRow {
  applicationId: string;
  seq: number;
  type: string;
  actor: ActorRef;
  /** The event exactly as the machine received it (for seq 1, the machine's input). */
  payload: Record<string, unknown>;
  at: string;
}

export interface OutboxEntry {
  /** `<application>:<seq>:<index>`: the same effect always has the same id, so it is recorded once. */
  id: string;
  applicationId: string;
  seq: number;
  effect: EffectSpec;
}

export interface OutboxRow extends OutboxEntry {
  status: 'pending' | 'done' | 'failed';
  attempts: number;
}

export interface Transition {
  id: string;
  /** The version the new state was computed from; the write happens only if it is still current. */
  fromVersion: number;
  snapshot: PersistedSnapshot;
  state: string;
  status: ApplicationStatus;
  updatedAt: string;
  tracking: Tracking;
  event: EventRow;
  effects: OutboxEntry[];
  /** An outbox entry this transition completes (the result of an effect), marked done in the same transaction. */
  completes?: string;
}

export interface ApplicationStore {
  /** Inserts the application with its first event; assigns and returns its human-readable number. */
  insertApplication(row: Omit<ApplicationRow, 'number'>, event: EventRow, effects: OutboxEntry[]): Promise<string>;
  /** Writes the next state, the event and the effects in one transaction; false when the version is stale. */
  commitTransition(transition: Transition): Promise<boolean>;
  getApplication(id: string): Promise<ApplicationRow | undefined>;
  listEvents(id: string): Promise<EventRow[]>;
  pendingEffects(limit: number): Promise<OutboxRow[]>;
  getEffect(id: string): Promise<OutboxRow | undefined>;
  completeEffect(id: string, at: string): Promise<void>;
  failEffect(id: string, error: string): Promise<void>;
}

export interface PublishedDefinition {
  definition: ServiceDefinition;
  hash: string;
  publishedAt: string;
}

export interface DefinitionStore {
  /** The given version, or the latest one. */
  get(serviceId: string, version?: number): Promise<PublishedDefinition | undefined>;
  /** The version and hash of the given or latest version, without the definition itself. */
  head(serviceId: string, version?: number): Promise<{ version: number; hash: string } | undefined>;
  /** Stores the definition as the next version of its service (its `version` is replaced). */
  publish(definition: ServiceDefinition, hash: (d: ServiceDefinition) => string, publishedBy: string, at: string): Promise<PublishedDefinition>;
  latest(): Promise<PublishedDefinition[]>;
  versions(serviceId: string): Promise<PublishedDefinition[]>;
}

/** Checks that what an applicant cites as a material is theirs and fits (files, wallet certificates). */
export interface MaterialVerifier {
  /** A problem description, or undefined when the file is the applicant's and of an accepted type. */
  checkFile(ownerId: string, fileId: string, mediaTypes?: readonly string[]): Promise<string | undefined>;
  /** The same for several files at once (one round trip); each answer in the order asked. */
  checkFiles?(ownerId: string, files: readonly { fileId: string; mediaTypes?: readonly string[] }[]): Promise<(string | undefined)[]>;
  /** A valid certificate of `type` in the applicant's wallet (the newest), for materials nobody uploaded. */
  findCertificate?(ownerId: string, type: string): Promise<string | undefined>;
  /** A problem description, or undefined when the certificate is the applicant's, valid, and of `type`. */
  checkCertificate(ownerId: string, certificateId: string, type: string): Promise<string | undefined>;
}

export interface EffectContext {
  effectId: string;
  application: ApplicationRow;
  definition: ServiceDefinition;
  at: string;
}

/** Carries out what the machine asked for. Must be idempotent by `effectId`: it may run more than once. */
export interface EffectHandlers {
  /** Issues the certificates of the approved matters; returns their ids. */
  issueCertificates(context: EffectContext, spec: Extract<EffectSpec, { effect: 'issueCertificates' }>): Promise<string[]>;
  scheduleTimer(context: EffectContext, spec: Extract<EffectSpec, { effect: 'scheduleTimer' }>): Promise<void>;
}
