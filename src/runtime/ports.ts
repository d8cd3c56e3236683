/**
 * What the runtime needs from the world, as interfaces. `src/store` implements the storage ports;
 * effect handlers are built by factories that receive their own dependencies.
 */
import type { ServiceDefinition } from '../domain/definition.js';
import type { ApplicationStatus, EventType } from '../domain/vocabulary.js';
import type { WarningLevel } from '../domain/calendar.js';
import type { ActorRef, EffectSpec, PersistedSnapshot, TaskKind, TaskParty } from '../definitions/index.js';

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
 * What queues and dashboards query, derived from the snapshot at each commit: the promised-days clock and
 * the instants the warning turns blue, yellow and red.
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
  /** Whether the application was ever sent back to the applicant (a supplement request or a return). */
  sentBack: boolean;
}

/** One row of the `open_tasks` projection: a task open now, with the application's deadline instants. */
export interface TaskRow {
  applicationId: string;
  task: string;
  kind: TaskKind;
  party: TaskParty;
  department: string;
  matter: string | null;
  status: ApplicationStatus;
  dueAt: string | null;
  blueAt: string | null;
  yellowAt: string | null;
  warningLevel: WarningLevel;
}

/** A change to one figure, kept in the transaction of the transition that causes it: figures never load history. */
export interface FigureDelta {
  /** The China Standard Time day the figure belongs to (YYYY-MM-DD). */
  day: string;
  serviceId: string;
  name: FigureName;
  value: number;
}

export const FigureNames = [
  'submitted', 'completed', 'rejected', 'withdrawn', 'terminated', 'one_visit', 'on_time', 'materials', 'no_submit', 'ratings', 'rating_sum', 'rating_bad',
] as const;
export type FigureName = (typeof FigureNames)[number];

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

export const EffectStatuses = { pending: 'pending', done: 'done', failed: 'failed' } as const;
export type EffectStatus = (typeof EffectStatuses)[keyof typeof EffectStatuses];

export interface OutboxRow extends OutboxEntry {
  status: EffectStatus;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  doneAt: string | null;
  /** Who holds the effect now, and until when (also: not retried before then). */
  leaseOwner: string | null;
  leaseUntil: string | null;
}

/** A lease on the effects a transition records: the committing instance carries them out at once. */
export interface EffectLease {
  owner: string;
  until: string;
}

export interface Transition {
  id: string;
  /** The version the new state was computed from. */
  fromVersion: number;
  snapshot: PersistedSnapshot;
  state: string;
  status: ApplicationStatus;
  updatedAt: string;
  tracking: Tracking;
  event: EventRow;
  effects: OutboxEntry[];
  effectLease?: EffectLease;
  /** The open tasks after the transition (the whole set: rows not named are closed). */
  tasks: TaskRow[];
  /** The clerk acting on a task: refused (TASK.CLAIMED) when another clerk holds it; takes it when nobody does. */
  claim?: { task: string; clerkId: string };
  figures: FigureDelta[];
  /** An outbox entry this transition completes (the result of an effect), marked done in the same transaction. */
  completes?: string;
}

export interface NewApplication {
  row: Omit<ApplicationRow, 'number'>;
  event: EventRow;
  effects: OutboxEntry[];
  effectLease?: EffectLease;
  tasks: TaskRow[];
  figures: FigureDelta[];
  /** What else the submission writes in its transaction (the engine passes it through untouched). */
  alongside?: SubmissionAlongside;
}

/** Written (or deleted) in the transaction that inserts the application, so both happen or neither. */
export interface SubmissionAlongside {
  /** The receipt's check code, as its salt and hash (the code itself is never stored). */
  checkCode?: { salt: string; hash: string };
  /** The draft the application was made from: deleted; when it is not there (any more) as its owner's, DRAFT.NOT_FOUND and nothing is written. */
  consumesDraft?: { id: string; ownerId: string };
  /**
   * Files a clerk uploaded for the application at a counter (scans of paper materials): from now on the applicant's,
   * as a file they uploaded would be — downloads and later citations ask the applicant's ownership.
   */
  adoptsFiles?: { fileIds: string[]; from: string; to: string };
}

/**
 * Decides the transition inside the store's write transaction, once the application's row is locked. It is
 * handed the current row when that is not the version the engine already holds (another instance moved it),
 * and throws to refuse (nothing is written).
 */
export type DecideTransition = (current: ApplicationRow | undefined) => Transition;

export interface ApplicationStore {
  /** Inserts the application with its first event, tasks and figures; assigns and returns its human-readable number. */
  insertApplication(application: NewApplication): Promise<string>;
  /**
   * Locks the application's row (PostgreSQL `FOR UPDATE`; SQLite's write lock), hands `decide` the current row
   * unless it is at `knownVersion`, and writes what it returns — the next state, the event, the effects, the
   * tasks, the figures — in the same transaction. Concurrent decisions through different instances are
   * serialised by the lock, never refused for having raced.
   */
  commitTransition(id: string, knownVersion: number, decide: DecideTransition): Promise<Transition>;
  getApplication(id: string): Promise<ApplicationRow | undefined>;
  /** The row's current version (an indexed read): a cached snapshot is used only when it matches. */
  currentVersion(id: string): Promise<number | undefined>;
  listEvents(id: string): Promise<EventRow[]>;
  /** Applications whose promised-days clock runs now, in id order after `afterId` (for recomputing deadlines). */
  runningClocks(afterId: string, limit: number): Promise<RunningClock[]>;
  /**
   * New deadline instants for applications still at the version they were read at, on their row and their open
   * tasks; resolves to how many were updated.
   */
  updateDeadlines(updates: readonly DeadlineUpdate[]): Promise<number>;
}

export interface RunningClock {
  id: string;
  version: number;
  serviceId: string;
  serviceVersion: number;
  serviceHash: string;
  number: string;
  tracking: Tracking;
}

export interface DeadlineUpdate {
  id: string;
  version: number;
  dueAt: string | null;
  blueAt: string | null;
  yellowAt: string | null;
}

/** The outbox seen by whoever carries effects out: leased like timers, retried, and given up on after a cap. */
export interface OutboxStore {
  /** Leases up to `limit` pending effects nobody holds (or whose lease ran out), oldest first, to `owner` for `leaseMs`. */
  claimDue(owner: string, now: Date, leaseMs: number, limit: number): Promise<OutboxRow[]>;
  get(id: string): Promise<OutboxRow | undefined>;
  /** Marks it done (effects whose result is not an event, such as a scheduled timer). */
  complete(id: string, at: Date): Promise<void>;
  /** Counts a failed attempt: back to pending, not retried before `retryAt`; or `failed` for good when `retryAt` is null. */
  fail(id: string, error: string, retryAt: Date | null, at: Date): Promise<void>;
  list(status: EffectStatus, limit: number, offset: number): Promise<OutboxRow[]>;
  /** A failed effect back to pending, due at once with its attempts reset; false when it was not failed. */
  retry(id: string, at: Date): Promise<boolean>;
  counts(): Promise<Record<EffectStatus, number>>;
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
  /**
   * Stores the definition as the next version of its service (its `version` is replaced), unless its content equals
   * the latest version's: then that one is answered (publishing is idempotent by hash, also when two instances race).
   * `created` tells which: true when this call stored a new version (what the audit trail records).
   */
  /**
   * Publishes the definition as the service's next version unless the latest version holds it already. With
   * `unlessPublisherHas`, also unless the latest version this publisher published holds it: the catalog's files are
   * published at every start that way, so a version an admin published since is not replaced by an unchanged file.
   */
  publish(definition: ServiceDefinition, hash: (d: ServiceDefinition) => string, publishedBy: string, at: string, options?: { unlessPublisherHas?: boolean }): Promise<PublishedDefinition & { created: boolean }>;
  latest(): Promise<PublishedDefinition[]>;
  versions(serviceId: string): Promise<PublishedDefinition[]>;
}

/**
 * Who may send what: the authorization policy's answer (identity/policy.ts `eventSenders`, wired in main.ts). The
 * engine asks it on the state it decides on, inside the transaction; each `require…` throws AUTH.FORBIDDEN.
 */
export interface EventSenders {
  /** Whether this actor submits applications (and `enteredBy`, when given, enters them at a counter for the applicant). */
  requireSubmitter(actor: ActorRef, enteredBy?: ActorRef): void;
  /** Whether this kind of actor sends `type` at all. */
  requireKind(type: EventType, actor: ActorRef): void;
  /** Whether the actor may send `type` where `department` is responsible for it now (undefined: no department is). */
  requireDepartment(type: EventType, actor: ActorRef, department: string | undefined): void;
  /** Whether the actor acts as a clerk of `department`: their decision there works on its task and takes its claim. */
  actsFor(actor: ActorRef, department: string): boolean;
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
