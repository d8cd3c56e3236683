/**
 * The audit entries of changes the use cases make outside a transition (whose events the engine records): a clerk
 * taking or giving back a task, the applicant's rating, a receipt's new check code, a commitment's post-check, an
 * admin's retry of an effect.
 * Each is handed to the store with its change and appended in the same transaction. Small facts only: task and
 * matter names, a score, certificate ids; never a comment's text, a reason's text or anyone's id number.
 */
import { AuditKinds, type AuditEntry, type AuditKind } from '../domain/audit.js';
import type { Subject } from '../identity/policy.js';

const entry = (subject: Subject, kind: AuditKind, on: AuditEntry['subject'], at: Date, detail: Record<string, unknown>): AuditEntry => ({
  at: at.toISOString(),
  kind,
  actor: { kind: subject.role, id: subject.userId },
  subject: on,
  detail,
});

/** An open task of an application, as its claim and release name it. */
export interface TaskRef {
  task: string;
  matter: string | null;
  department: string;
}

const taskFacts = (t: TaskRef) => ({ task: t.task, department: t.department, ...(t.matter === null ? {} : { matter: t.matter }) });

export function claimAudit(subject: Subject, applicationId: string, task: TaskRef, at: Date): AuditEntry {
  return entry(subject, AuditKinds.taskClaimed, { kind: 'application', id: applicationId }, at, taskFacts(task));
}

export function releaseAudit(subject: Subject, applicationId: string, task: TaskRef, at: Date): AuditEntry {
  return entry(subject, AuditKinds.taskReleased, { kind: 'application', id: applicationId }, at, taskFacts(task));
}

/** The score, and whether a comment came with it (its text stays in `ratings`). */
export function ratingAudit(subject: Subject, applicationId: string, score: number, comment: string | undefined, at: Date): AuditEntry {
  return entry(subject, AuditKinds.applicationRated, { kind: 'application', id: applicationId }, at, { score, commented: comment !== undefined && comment !== '' });
}

/** A new check code for the receipt, by the applicant or a clerk of the window: who, and of which application; nothing of the code. */
export function checkCodeAudit(subject: Subject, applicationId: string, at: Date): AuditEntry {
  return entry(subject, AuditKinds.checkCodeReissued, { kind: 'application', id: applicationId }, at, {});
}

export function commitmentConfirmedAudit(subject: Subject, applicationId: string, materialId: string, task: string, at: Date): AuditEntry {
  return entry(subject, AuditKinds.commitmentConfirmed, { kind: 'application', id: applicationId }, at, { material: materialId, task });
}

/** The certificates the finding revoked (each revocation is also an entry of its own). */
export function commitmentRefutedAudit(subject: Subject, applicationId: string, materialId: string, task: string, revoked: readonly string[], at: Date): AuditEntry {
  return entry(subject, AuditKinds.commitmentRefuted, { kind: 'application', id: applicationId }, at, { material: materialId, task, revoked: [...revoked] });
}

/** The effect by its id (which names its application and transition), what it does and how often it had failed. */
export function effectRetryAudit(subject: Subject, effect: { id: string; applicationId: string; effect: { effect: string }; attempts: number }, at: Date): AuditEntry {
  return entry(subject, AuditKinds.effectRetried, { kind: 'effect', id: effect.id }, at, { application: effect.applicationId, effect: effect.effect.effect, attempts: effect.attempts });
}
