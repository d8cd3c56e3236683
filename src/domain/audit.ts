/**
 * The audit trail's words: what an entry says, and the port every layer appends through. An entry is small —
 * who did what to which thing, and a few facts (an event type, a matter, a result) — and never carries a full
 * resident id number, a password or a token. The chain itself (seq, prev_hash, hash) is the store's
 * (src/store/audit.ts).
 */

export const AuditKinds = {
  /** An application's event (the submission too: detail.type SUBMIT), written in the transition's transaction. */
  applicationEvent: 'application.event',
  signIn: 'auth.sign-in',
  signInFailed: 'auth.sign-in-failed',
  signOut: 'auth.sign-out',
  definitionPublished: 'definition.publish',
  userAdded: 'user.add',
  userRegistered: 'user.register',
  userDisabled: 'user.disable',
  userEnabled: 'user.enable',
  calendarSaved: 'calendar.save',
  /** An admin adds or changes a department, a certificate type or a template (detail: which, and its revision). */
  referenceSaved: 'reference.save',
  certificateIssued: 'certificate.issue',
  certificateRevoked: 'certificate.revoke',
  certificateReissued: 'certificate.reissue',
  certificateVerified: 'certificate.verify',
  /** A clerk takes an open task, or gives it back (detail: the task and its matter). */
  taskClaimed: 'task.claim',
  taskReleased: 'task.release',
  /** A post-check (事后核查) of a commitment (告知承诺): found true, or found false (detail: the certificates revoked). */
  commitmentConfirmed: 'commitment.confirm',
  commitmentRefuted: 'commitment.refute',
  /** The applicant's rating of a completed or rejected application (the score; never the comment's text). */
  applicationRated: 'application.rate',
  /** A receipt reprinted: a new check code replaces the old one (never the code, nor its hash). */
  checkCodeReissued: 'application.check-code',
  /** An admin puts a failed effect back to work. */
  effectRetried: 'effect.retry',
} as const;
export type AuditKind = (typeof AuditKinds)[keyof typeof AuditKinds];

/**
 * Who acted: a role (citizen, clerk, admin), an application actor kind (applicant, scheduler, system), or
 * `anonymous` (a verification, a failed sign-in). The id is the account's id, or null when there is none.
 */
export interface AuditActor {
  kind: string;
  id: string | null;
}

/** What an entry can be about: `username` is a hash, `definition` is `service@version`, `calendar` a year. */
export const AuditSubjectKinds = {
  application: 'application',
  user: 'user',
  username: 'username',
  definition: 'definition',
  calendar: 'calendar',
  /** `<kind>/<id>`: a department, certificate type or template. */
  reference: 'reference',
  certificate: 'certificate',
  effect: 'effect',
} as const;
export type AuditSubjectKind = (typeof AuditSubjectKinds)[keyof typeof AuditSubjectKinds];

/** What it was done to (one of `AuditSubjectKinds`) and its id. */
export interface AuditSubject {
  kind: string;
  id: string;
}

export interface AuditEntry {
  /** ISO 8601. */
  at: string;
  kind: AuditKind;
  actor: AuditActor;
  subject: AuditSubject;
  /** A few facts as JSON: kept small, no full id numbers, no secrets. */
  detail?: Record<string, unknown>;
}

/** An entry as stored: its place in the chain and the hashes that link it. */
export interface AuditRecord extends Required<AuditEntry> {
  seq: number;
  prevHash: string;
  hash: string;
}

/** Where the layers above the store append (implemented in src/store/audit.ts, wired in src/main.ts). */
export interface AuditLog {
  append(entry: AuditEntry): Promise<void>;
}

/** An audit log that keeps nothing: for tools and tests that build a part without the whole. */
export const noAudit: AuditLog = { append: async () => undefined };
