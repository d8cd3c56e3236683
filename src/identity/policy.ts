/**
 * The authorization policy: every access decision of the product is made here, and nowhere else.
 *
 * - A citizen sees and acts on their own applications, files and certificates only. Anything of someone
 *   else's is reported as not found, so ids cannot be probed.
 * - A clerk sees an application when its intake window or one of its matters or steps belongs to one of
 *   the clerk's departments; a clerk of the window sees all of it, a matter's reviewer only what the matter
 *   needs (`visibilityOf`: its form fields, its materials, its comments, its certificates).
 * - A commitment is found false only by a clerk of the department that post-checks it (`requirePostCheck`).
 * - An admin authors definitions, manages users and the calendar, reads metrics and the audit trail, and lists
 *   and retries the outbox's effects (which name applications by id only); admins do not read or act on applications.
 * Which event an actor may send in which state (and for which department) is the engine's rule table
 * (definitions/eventRules.ts); this module decides who reaches the engine at all.
 */
import { OnevisitError } from '../domain/errors.js';
import { pickByPointers } from '../domain/pointer.js';
import { involvedDepartments, windowOf, type ActorRef, type CompiledService } from '../definitions/index.js';
import type { Role } from './roles.js';
import type { StepKind } from '../domain/vocabulary.js';


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
  | 'effect.retry'
  | 'audit.read';

const CAPABILITIES = {
  citizen: ['application.submit', 'application.read', 'file.upload'],
  clerk: ['application.read', 'application.queue', 'file.upload'],
  admin: ['definition.author', 'user.manage', 'user.disable', 'user.enable', 'calendar.edit', 'metrics.read', 'effect.list', 'effect.retry', 'audit.read'],
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
 * What of an application the subject is shown. The applicant and the window see all of it; a matter's reviewer
 * (data minimisation) sees only what their departments' matters need: the form fields those matters name, the
 * materials that support them (a material naming no matters supports all), the comments and items of the
 * timeline entries about them, and the certificates they produced. Everything else of the timeline shows only
 * that it happened.
 */
export interface Visibility {
  form(form: Record<string, unknown>): Record<string, unknown>;
  material(materialId: string): boolean;
  /**
   * Whether a timeline entry's comment and items are shown: by the matter it concerns, or for an event of a step
   * (inspection, payment, notice), by the step's department.
   */
  entryDetails(matter: string | undefined, type: string): boolean;
  certificate(matterId: string): boolean;
}

export function visibilityOf(access: ApplicationAccess, compiled: CompiledService): Visibility {
  if (access.kind !== 'reviewer') return { form: (form) => form, material: () => true, entryDetails: () => true, certificate: () => true };
  const matters = compiled.definition.steps.flatMap((step) => (step.kind === 'review' ? step.matters : [])).filter((m) => access.departments.includes(m.department));
  const mine = new Set(matters.map((m) => m.id));
  const pointers = [...new Set(matters.flatMap((m) => m.fields))];
  const materials = new Set(compiled.definition.materials.filter((m) => m.matters === undefined || m.matters.some((id) => mine.has(id))).map((m) => m.id));
  const myStepKinds = new Set(compiled.definition.steps.filter((step) => 'department' in step && access.departments.includes(step.department)).map((step) => step.kind));
  return {
    form: (form) => pickByPointers(form, pointers) as Record<string, unknown>,
    material: (id) => materials.has(id),
    entryDetails: (matter, type) => (matter !== undefined ? mine.has(matter) : STEP_EVENTS.some(([kind, types]) => myStepKinds.has(kind) && types.includes(type))),
    certificate: (matterId) => mine.has(matterId),
  };
}

/**
 * Who checks a commitment afterwards (告知承诺核查) and may find it false: a clerk of the department the
 * definition names for it. Throws AUTH.FORBIDDEN for anyone else.
 */
export function requirePostCheck(subject: Subject, material: { id: string; postCheck?: { department: string } }): void {
  const department = material.postCheck?.department;
  if (subject.role !== 'clerk' || department === undefined || !subject.departments.includes(department)) {
    throw new OnevisitError('AUTH.FORBIDDEN', `commitment ${material.id} is checked by clerks of ${department ?? 'no department'}`);
  }
}

/** The events of the steps a department runs, by step kind. */
const STEP_EVENTS: readonly (readonly [StepKind, readonly string[]])[] = [
  ['inspection', ['SCHEDULE', 'PASS', 'FAIL']],
  ['payment', ['PAY', 'WAIVE']],
  ['notice', ['OBJECTION', 'UPHOLD', 'DISMISS']],
];

function notFound(id: string): OnevisitError {
  return new OnevisitError('APPLICATION.NOT_FOUND', `no application ${id}`);
}
