/**
 * The authorization policy: every access decision of the product is made here, and nowhere else.
 *
 * - A citizen sees and acts on their own applications, files and certificates only. Anything of someone
 *   else's is reported as not found, so ids cannot be probed.
 * - A clerk sees an application when its intake window or one of its matters or steps belongs to one of
 *   the clerk's departments; a clerk of the window sees the whole form, a matter's reviewer only the
 *   form fields that matter names (`fields` pointers).
 * - An admin authors definitions, manages users and the calendar, reads metrics, and lists and retries
 *   the outbox's effects (which name applications by id only); admins do not read or act on applications.
 * Which event an actor may send in which state (and for which department) is the engine's rule table
 * (definitions/eventRules.ts); this module decides who reaches the engine at all.
 */
import { OnevisitError } from '../domain/errors.js';
import { pickByPointers } from '../domain/pointer.js';
import { involvedDepartments, windowOf, type ActorRef, type CompiledService } from '../definitions/index.js';
import type { Role } from './roles.js';


/** Who is asking: what the policy needs of a signed-in user. */
export interface Subject {
  userId: string;
  role: Role;
  departments: readonly string[];
}

export type Capability =
  | 'application.submit'
  | 'application.read'
  | 'application.queue'
  | 'file.upload'
  | 'definition.author'
  | 'user.manage'
  | 'user.disable'
  | 'user.enable'
  | 'calendar.edit'
  | 'metrics.read'
  | 'effect.list'
  | 'effect.retry';

const CAPABILITIES = {
  citizen: ['application.submit', 'application.read', 'file.upload'],
  clerk: ['application.read', 'application.queue', 'file.upload'],
  admin: ['definition.author', 'user.manage', 'user.disable', 'user.enable', 'calendar.edit', 'metrics.read', 'effect.list', 'effect.retry'],
} as const satisfies Record<Role, readonly Capability[]>;

/** Throws AUTH.FORBIDDEN unless the subject's role carries the capability. */
export function requireCapability(subject: Subject, capability: Capability): void {
  if (!(CAPABILITIES[subject.role] as readonly Capability[]).includes(capability)) {
    throw new OnevisitError('AUTH.FORBIDDEN', `a ${subject.role} may not ${capability.replace('.', ' ')}`);
  }
}

/**
 * Who may disable an account: an admin, and never their own account (USER.OWN_ACCOUNT), so no admin locks
 * themselves out. Non-admins are refused before anything is looked up.
 */
export function requireMayDisable(subject: Subject, userId: string): void {
  requireCapability(subject, 'user.disable');
  if (subject.userId === userId) throw new OnevisitError('USER.OWN_ACCOUNT', 'you cannot disable your own account; another admin can');
}

/**
 * Whether the subject reads or acts on applications at all, decided before any application is looked up: an
 * admin is refused (AUTH.FORBIDDEN) whatever the id, so the answer never tells which applications exist.
 */
export function requireApplicationReader(subject: Subject): void {
  if (!(CAPABILITIES[subject.role] as readonly Capability[]).includes('application.read')) {
    throw new OnevisitError('AUTH.FORBIDDEN', 'admins do not read or act on applications');
  }
}

/** The facts about one application the policy decides on. */
export interface ApplicationFacts {
  id: string;
  applicantId: string;
  compiled: CompiledService;
}

export type ApplicationAccess =
  | { kind: 'owner' }
  | { kind: 'window'; departments: string[] }
  | { kind: 'reviewer'; departments: string[] };

/**
 * How the subject may see the application, or APPLICATION.NOT_FOUND (someone else's: existence is not
 * revealed) / AUTH.FORBIDDEN (admins).
 */
export function applicationAccess(subject: Subject, app: ApplicationFacts): ApplicationAccess {
  requireApplicationReader(subject);
  if (subject.role === 'citizen') {
    if (subject.userId === app.applicantId) return { kind: 'owner' };
    throw notFound(app.id);
  }
  const involved = involvedDepartments(app.compiled);
  const mine = subject.departments.filter((d) => involved.has(d));
  if (mine.length === 0) throw notFound(app.id);
  const window = windowOf(app.compiled);
  return window !== undefined && mine.includes(window) ? { kind: 'window', departments: mine } : { kind: 'reviewer', departments: mine };
}

/** The actor the engine sees for this subject on this application. */
export function actorFor(subject: Subject, access: ApplicationAccess): ActorRef {
  if (access.kind === 'owner') return { kind: 'applicant', id: subject.userId };
  return { kind: 'clerk', id: subject.userId, departments: [...subject.departments] };
}

/**
 * The part of the form the subject may see: all of it for the applicant and the window; for a
 * reviewer only the fields named by the matters of their departments.
 */
export function visibleForm(access: ApplicationAccess, compiled: CompiledService, form: Record<string, unknown>): Record<string, unknown> {
  if (access.kind !== 'reviewer') return form;
  const pointers = new Set<string>();
  for (const step of compiled.definition.steps) {
    if (step.kind !== 'review') continue;
    for (const matter of step.matters) if (access.departments.includes(matter.department)) matter.fields.forEach((f) => pointers.add(f));
  }
  return pickByPointers(form, [...pointers]) as Record<string, unknown>;
}

function notFound(id: string): OnevisitError {
  return new OnevisitError('APPLICATION.NOT_FOUND', `no application ${id}`);
}
