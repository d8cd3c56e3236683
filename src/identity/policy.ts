/**
 * The authorization policy: every access decision of the product is made here, and nowhere else. Each rule is a
 * table checked with `satisfies` against the vocabulary it ranges over; the functions below only read the tables.
 * Use cases ask these functions and compare no roles or departments themselves.
 *
 * - What a role may do at all (CAPABILITIES), asked before anything is looked up, so that a refusal is the same
 *   whatever the id: an admin is refused applications and certificates with one 403 for every id.
 * - How a subject stands to an application (`applicationAccess`): its applicant (owner), a clerk of its window,
 *   a reviewer of one of its matters or steps; a citizen with no standing is the public during a notice
 *   (PUBLIC_EVENTS: an objection). What each standing may do (APPLICATION_ACTIONS) and is shown (CONTENTS,
 *   `visibilityOf`). Anything of someone else's is not found, so ids cannot be probed.
 * - Who sends which event (EVENT_SENDERS by actor kind; a clerk only as the department the engine names
 *   responsible in the current state): `eventSenders`, the engine's port, asked inside its transaction.
 * - Who reads a certificate (CERTIFICATE_READERS: as its holder, its issuer, or through the application) and
 *   who changes one (CERTIFICATE_CHANGERS: its issuing department); verifying is anyone's and asks nothing here.
 * - Who finds a commitment true or false: a clerk of its post-check department (`requirePostCheck`).
 * - Files: everyone reads only their own (`fileOwnerFor`). Drafts are their keeper's (`draftKeeper`); progress
 *   lookup is anyone's who holds the number and check code (`requireCheckCodeHolder`).
 * - Counter intake (窗口代录): a clerk of a service's intake window enters an application for a person who walked in
 *   (`requireCounterIntake`); the application is that person's — their account's, or, without one, the counter's
 *   record of their resident id number, which becomes theirs when they hold an account with that number
 *   (`appliesAs`). The clerk's intake drafts are theirs (`intakeDraftKeeper`).
 */
import { OnevisitError } from '../domain/errors.js';
import { pickByPointers } from '../domain/pointer.js';
import { involvedDepartments, windowOf, type ActorRef, type CompiledService } from '../definitions/index.js';
import type { Role } from './roles.js';
import type { ActorKind, ApplicationStatus, EventType, StepKind } from '../domain/vocabulary.js';


/** Who is asking: what the policy needs of a signed-in user. */
export interface Subject {
  userId: string;
  role: Role;
  departments: readonly string[];
  /** The subject's full resident id number, if their account has one (server-side only). */
  idNumber?: string;
  /**
   * The counter's record of a person with the subject's resident id number, when one exists (looked up by the use
   * case before asking): applications entered for that person before they had an account.
   */
  walkIn?: WalkInFacts;
}

/** A person an application was entered for at a counter while they had no account: the record's id and their id number. */
export interface WalkInFacts {
  id: string;
  idNumber: string;
}

export type Capability =
  | 'application.submit'
  | 'application.read'
  | 'application.queue'
  | 'notice.object'
  | 'file.upload'
  | 'certificate.wallet'
  | 'certificate.read'
  | 'commitment.check'
  | 'definition.author'
  | 'user.manage'
  | 'user.disable'
  | 'user.enable'
  | 'calendar.edit'
  | 'reference.edit'
  | 'metrics.read'
  | 'effect.list'
  | 'effect.retry'
  | 'audit.read'
  | 'draft.keep'
  | 'application.intake';

const CAPABILITIES = {
  citizen: ['application.submit', 'application.read', 'notice.object', 'file.upload', 'certificate.wallet', 'certificate.read', 'draft.keep'],
  clerk: ['application.read', 'application.queue', 'file.upload', 'certificate.read', 'commitment.check', 'application.intake'],
  admin: ['definition.author', 'user.manage', 'user.disable', 'user.enable', 'calendar.edit', 'reference.edit', 'metrics.read', 'effect.list', 'effect.retry', 'audit.read'],
} as const satisfies Record<Role, readonly Capability[]>;

/** What a capability lets one do, as a refusal names it ("clerks may not apply for a service"). */
const CAPABILITY_NAMES = {
  'application.submit': 'apply for a service',
  'application.read': 'read or act on applications',
  'application.queue': 'work a queue of open tasks',
  'notice.object': 'object to an application in public notice',
  'file.upload': 'upload files',
  'certificate.wallet': 'keep a certificate wallet',
  'certificate.read': 'read certificates',
  'commitment.check': 'check commitments afterwards',
  'definition.author': 'author service definitions',
  'user.manage': 'manage accounts',
  'user.disable': 'disable accounts',
  'user.enable': 'enable accounts',
  'calendar.edit': 'edit the working-day calendar',
  'reference.edit': 'add or change departments, certificate types and certificate templates',
  'metrics.read': 'read the metrics',
  'effect.list': 'list the outbox effects',
  'effect.retry': 'retry outbox effects',
  'audit.read': 'read the audit trail',
  'draft.keep': 'keep drafts',
  'application.intake': 'enter applications at a counter for the people who walk in',
} as const satisfies Record<Capability, string>;

/** Whether the subject's role carries the capability. */
export function may(subject: Pick<Subject, 'role'>, capability: Capability): boolean {
  return (CAPABILITIES[subject.role] as readonly Capability[]).includes(capability);
}

/** Throws AUTH.FORBIDDEN unless the subject's role carries the capability. */
export function requireCapability(subject: Pick<Subject, 'role'>, capability: Capability): void {
  if (!may(subject, capability)) throw new OnevisitError('AUTH.FORBIDDEN', `${subject.role}s may not ${CAPABILITY_NAMES[capability]}`);
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
  requireCapability(subject, 'application.read');
}

// ── Applications ────────────────────────────────────────────────────────────────────────────────────────────────

/** What GET /applications lists: the subject's own applications, or a queue of their departments' open tasks. */
export type ListScope = { kind: 'own'; applicantIds: string[] } | { kind: 'queue'; departments: string[] };

/**
 * Whoever applies lists their own applications; whoever works a queue lists the open tasks of their departments,
 * or of the one `department` named (AUTH.FORBIDDEN unless it is one of theirs). The rows of either carry no content
 * of an application (no form, no names, no materials: number, service, status, deadline and the task), so a row
 * shows a reviewer nothing the detail would not; the detail is cut by `visibilityOf`.
 */
export function listScope(subject: Subject, department?: string): ListScope {
  if (may(subject, 'application.submit')) return { kind: 'own', applicantIds: appliesAs(subject) };
  requireCapability(subject, 'application.queue');
  if (department === undefined) return { kind: 'queue', departments: [...subject.departments] };
  if (!subject.departments.includes(department)) throw new OnevisitError('AUTH.FORBIDDEN', `you are not a clerk of ${department}`);
  return { kind: 'queue', departments: [department] };
}

/** The facts about one application the policy decides on. */
export interface ApplicationFacts {
  id: string;
  applicantId: string;
  compiled: CompiledService;
}

/**
 * How a subject stands to an application: its applicant; a clerk of its window; a reviewer (a clerk of a department
 * with a matter or step in it, not the window's); or the public (a citizen with no standing, sending what
 * PUBLIC_EVENTS opens to the public).
 */
export type ApplicationAccess =
  | { kind: 'owner' }
  | { kind: 'window'; departments: string[] }
  | { kind: 'reviewer'; departments: string[] }
  | { kind: 'public' };
export type AccessKind = ApplicationAccess['kind'];

/** By what each role stands to an application: a citizen by having made it, a clerk by a department involved in it. */
const STANDING = {
  citizen: 'applicant',
  clerk: 'department',
  admin: 'none',
} as const satisfies Record<Role, 'applicant' | 'department' | 'none'>;

/** `reprint`: a new check code for the receipt, replacing the old one (the applicant's, or the window's for them). */
export type ApplicationAction = 'read' | 'act' | 'claim' | 'release' | 'material' | 'rate' | 'reprint';

/** What each standing may do with the application. Which events it may send is EVENT_SENDERS' (the engine asks). */
const APPLICATION_ACTIONS = {
  owner: ['read', 'act', 'material', 'rate', 'reprint'],
  window: ['read', 'act', 'claim', 'release', 'material', 'reprint'],
  reviewer: ['read', 'act', 'claim', 'release', 'material'],
  public: ['act'],
} as const satisfies Record<AccessKind, readonly ApplicationAction[]>;

/** How the refusal of an action (AUTH.FORBIDDEN) says who may. */
const ACTION_REFUSALS = {
  read: 'an application is read by its applicant and the clerks of its departments',
  act: 'an application is acted on by its applicant and the clerks of its departments',
  claim: 'only clerks claim tasks',
  release: 'only clerks release tasks',
  material: "an application's materials are read by its applicant and the clerks of its departments",
  rate: 'only the applicant rates the service',
  reprint: "a receipt is reprinted by the applicant, or for them by a clerk of the application's window",
} as const satisfies Record<ApplicationAction, string>;

/** What the public may send to an application, by its status: an objection while it is in public notice (公示). */
const PUBLIC_EVENTS = {
  in_notice: ['OBJECTION'],
} as const satisfies Partial<Record<ApplicationStatus, readonly EventType[]>>;

/** The actor the engine sees for each standing. */
const ACTORS = {
  owner: 'applicant',
  window: 'clerk',
  reviewer: 'clerk',
  public: 'citizen',
} as const satisfies Record<AccessKind, ActorKind>;

/**
 * How the subject stands to the application for `action`: APPLICATION.NOT_FOUND when they have no standing
 * (someone else's: existence is not revealed), AUTH.FORBIDDEN when it is not for their role (admins, before
 * anything about the application counts) or not for their standing (APPLICATION_ACTIONS).
 */
export function applicationAccess(subject: Subject, app: ApplicationFacts, action: ApplicationAction = 'read'): ApplicationAccess {
  requireApplicationReader(subject);
  const access = standingOn(subject, app);
  if (!access) throw notFound(app.id);
  return permitted(access, action);
}

/**
 * How the subject stands to the application for sending an event of `type` while it is `status`: as for any other
 * action, or, for a citizen with no standing, as the public when PUBLIC_EVENTS opens that event to the public now.
 */
export function eventAccess(subject: Subject, app: ApplicationFacts, status: ApplicationStatus, type: string): ApplicationAccess {
  requireApplicationReader(subject);
  const open: readonly string[] = (PUBLIC_EVENTS as Partial<Record<ApplicationStatus, readonly EventType[]>>)[status] ?? [];
  const access: ApplicationAccess | undefined = standingOn(subject, app) ?? (may(subject, 'notice.object') && open.includes(type) ? { kind: 'public' } : undefined);
  if (!access) throw notFound(app.id);
  return permitted(access, 'act');
}

/** The actor the engine sees for this subject standing so on the application. */
export function actorFor(subject: Subject, access: ApplicationAccess): ActorRef {
  const kind = ACTORS[access.kind];
  return kind === 'clerk' ? { kind, id: subject.userId, departments: [...subject.departments] } : { kind, id: subject.userId };
}

function standingOn(subject: Subject, app: ApplicationFacts): ApplicationAccess | undefined {
  switch (STANDING[subject.role]) {
    case 'applicant':
      return appliesAs(subject).includes(app.applicantId) ? { kind: 'owner' } : undefined;
    case 'department': {
      const involved = involvedDepartments(app.compiled);
      const mine = subject.departments.filter((d) => involved.has(d));
      if (mine.length === 0) return undefined;
      const window = windowOf(app.compiled);
      return window !== undefined && mine.includes(window) ? { kind: 'window', departments: mine } : { kind: 'reviewer', departments: mine };
    }
    case 'none':
      return undefined;
  }
}

/**
 * The applicant ids whose applications are the subject's: their account's, and the counter's record of the person
 * with their resident id number (applications entered for them at a counter before they registered) — only when the
 * record's number is the one on their account.
 */
export function appliesAs(subject: Subject): string[] {
  const walkIn = subject.walkIn;
  const samePerson = walkIn !== undefined && subject.idNumber !== undefined && walkIn.idNumber === subject.idNumber;
  return samePerson ? [subject.userId, walkIn.id] : [subject.userId];
}

/** Whether a reader standing so may do `action` (what a page offers is this, so it never offers what would be refused). */
export function allows(access: AccessKind, action: ApplicationAction): boolean {
  return (APPLICATION_ACTIONS[access] as readonly ApplicationAction[]).includes(action);
}

function permitted(access: ApplicationAccess, action: ApplicationAction): ApplicationAccess {
  if (!allows(access.kind, action)) throw new OnevisitError('AUTH.FORBIDDEN', ACTION_REFUSALS[action]);
  return access;
}

/**
 * What each standing is shown of an application: all of it (the applicant, the window), who it is for included;
 * what its matters need (a reviewer: data minimisation, so not whom it is for); or what a public notice publishes
 * (the public: number, service, status, state — no applicant, form, materials, timeline or tasks).
 */
const CONTENTS = {
  owner: 'everything',
  window: 'everything',
  reviewer: 'its matters',
  public: 'the notice',
} as const satisfies Record<AccessKind, 'everything' | 'its matters' | 'the notice'>;

/**
 * What of an application the reader is shown, for every answer that carries any of it (detail, the answers of
 * act / claim / release / rate, material downloads, certificates reached through the application). A reviewer sees
 * the form fields their departments' matters name, the materials that support those matters (a material naming no
 * matters supports all), the comments and items of the timeline entries about them, and the certificates they
 * produced; the rest of the timeline shows only that it happened.
 */
export interface Visibility {
  /** Whether the reader is shown the case (matters, materials, timeline, tasks) or only the notice summary. */
  case: boolean;
  /** Whether the reader is shown who the application is for: their name and masked resident id number (the receipt's). */
  applicant: boolean;
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
  switch (CONTENTS[access.kind]) {
    case 'everything':
      return { case: true, applicant: true, form: (form) => form, material: () => true, entryDetails: () => true, certificate: () => true };
    case 'the notice':
      return { case: false, applicant: false, form: () => ({}), material: () => false, entryDetails: () => false, certificate: () => false };
    case 'its matters':
      return mattersVisibility('departments' in access ? access.departments : [], compiled);
  }
}

function mattersVisibility(departments: readonly string[], compiled: CompiledService): Visibility {
  const matters = compiled.definition.steps.flatMap((step) => (step.kind === 'review' ? step.matters : [])).filter((m) => departments.includes(m.department));
  const mine = new Set(matters.map((m) => m.id));
  const pointers = [...new Set(matters.flatMap((m) => m.fields))];
  const materials = new Set(compiled.definition.materials.filter((m) => m.matters === undefined || m.matters.some((id) => mine.has(id))).map((m) => m.id));
  const myStepKinds = new Set(compiled.definition.steps.filter((step) => 'department' in step && departments.includes(step.department)).map((step) => step.kind));
  return {
    case: true,
    applicant: false,
    form: (form) => pickByPointers(form, pointers) as Record<string, unknown>,
    material: (id) => materials.has(id),
    entryDetails: (matter, type) => (matter !== undefined ? mine.has(matter) : Object.entries(STEP_EVENTS).some(([kind, types]) => myStepKinds.has(kind as StepKind) && (types as readonly string[]).includes(type))),
    certificate: (matterId) => mine.has(matterId),
  };
}

// ── Tasks ───────────────────────────────────────────────────────────────────────────────────────────────────────

/** An open task as the policy decides on it. */
export interface TaskFacts {
  party: string;
  department: string;
  claimedBy: string | null;
}

/**
 * The tasks among `open` the subject may take: clerks' tasks (not the applicant's turns) of the subject's
 * departments. AUTH.FORBIDDEN when clerks' tasks are open but none belongs to the subject's departments.
 */
export function claimableTasks<T extends TaskFacts>(subject: Subject, open: readonly T[]): T[] {
  const clerks = open.filter((t) => t.party === 'clerk');
  const mine = clerks.filter((t) => subject.departments.includes(t.department));
  if (mine.length === 0 && clerks.length > 0) throw new OnevisitError('AUTH.FORBIDDEN', `the task belongs to ${[...new Set(clerks.map((t) => t.department))].join(', ')}`);
  return mine;
}

/** The tasks among `open` the subject holds: the only ones they may give back. */
export function heldTasks<T extends TaskFacts>(subject: Subject, open: readonly T[]): T[] {
  return open.filter((t) => t.claimedBy === subject.userId);
}

// ── Events ──────────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * Which kinds of actor send each event (the step table of docs/definition-language.md). A clerk sends one only as a clerk of the
 * department responsible for it in the current state (definitions' `responsibleDepartment`), except the events
 * of ANY_DEPARTMENT.
 */
export const EVENT_SENDERS = {
  ACCEPT: ['clerk'],
  REQUEST_SUPPLEMENT: ['clerk'],
  REJECT: ['clerk'],
  SUPPLEMENT: ['applicant'],
  WITHDRAW: ['applicant'],
  APPROVE: ['clerk'],
  RETURN: ['clerk'],
  SCHEDULE: ['clerk'],
  PASS: ['clerk'],
  FAIL: ['clerk'],
  PAY: ['applicant', 'clerk'],
  WAIVE: ['clerk'],
  OBJECTION: ['applicant', 'citizen', 'clerk'],
  NOTICE_ELAPSED: ['scheduler'],
  UPHOLD: ['clerk'],
  DISMISS: ['clerk'],
  PROVIDE_MATERIALS: ['applicant'],
  EXTEND: ['clerk'],
  TERMINATE: ['scheduler'],
  CERTIFICATES_ISSUED: ['system'],
} as const satisfies Record<EventType, readonly ActorKind[]>;

/** Who submits an application. */
const SUBMITTERS = ['applicant'] as const satisfies readonly ActorKind[];

/** Who enters an application at a counter for the person it is for (窗口代录): a clerk, of the service's intake window. */
const COUNTER_ENTERERS = ['clerk'] as const satisfies readonly ActorKind[];

/** The events a clerk of any department sends, whichever is responsible: an objection is anyone's. */
const ANY_DEPARTMENT = ['OBJECTION'] as const satisfies readonly EventType[];

/**
 * Who may send what, as the engine asks it (its `EventSenders` port, wired in main.ts) on the state it decides on,
 * inside its transaction. Refusals are AUTH.FORBIDDEN.
 */
export const eventSenders = {
  requireSubmitter(actor: ActorRef, enteredBy?: ActorRef): void {
    if (!(SUBMITTERS as readonly ActorKind[]).includes(actor.kind)) throw new OnevisitError('AUTH.FORBIDDEN', `applications are submitted by ${SUBMITTERS.join(' or ')}s, not by ${actor.kind}`);
    if (enteredBy && !(COUNTER_ENTERERS as readonly ActorKind[]).includes(enteredBy.kind)) throw new OnevisitError('AUTH.FORBIDDEN', `applications are entered at a counter by ${COUNTER_ENTERERS.join(' or ')}s, not by ${enteredBy.kind}`);
  },
  /** Whether this kind of actor sends `type` at all. */
  requireKind(type: EventType, actor: ActorRef): void {
    const allowed: readonly ActorKind[] = EVENT_SENDERS[type];
    if (!allowed.includes(actor.kind)) throw new OnevisitError('AUTH.FORBIDDEN', `${type} is sent by ${allowed.join(' or ')}, not by ${actor.kind}`);
  },
  /** Whether a clerk sending `type` is of `department`, the one responsible for it now (undefined: none is). */
  requireDepartment(type: EventType, actor: ActorRef, department: string | undefined): void {
    if (actor.kind !== 'clerk' || department === undefined || (ANY_DEPARTMENT as readonly EventType[]).includes(type)) return;
    if (!eventSenders.actsFor(actor, department)) throw new OnevisitError('AUTH.FORBIDDEN', `${type} here is for clerks of ${department}`);
  },
  /** Whether the actor is a clerk of `department`: their decision there works on its task (and takes its claim). */
  actsFor(actor: ActorRef, department: string): boolean {
    return actor.kind === 'clerk' && (actor.departments ?? []).includes(department);
  },
};

/** An event the machine takes now, with the department responsible for it there (definitions' `possibleEvents`). */
export interface EventCandidate {
  type: EventType;
  matter?: string;
  department?: string;
}

/**
 * The events among `candidates` this actor may send now, by the same rules the engine asks (`eventSenders`): their
 * kind of actor sends the event, and a clerk only as a clerk of the department responsible for it (any clerk for
 * ANY_DEPARTMENT's). What a page offers is this, so it never offers what the engine would refuse as AUTH.FORBIDDEN.
 * Claims are not decided here: a task another clerk holds is offered, and acting on it answers TASK.CLAIMED.
 */
export function eventsOpenTo<T extends EventCandidate>(actor: ActorRef, candidates: readonly T[]): T[] {
  return candidates.filter((c) => {
    if (!(EVENT_SENDERS[c.type] as readonly ActorKind[]).includes(actor.kind)) return false;
    if (actor.kind !== 'clerk' || c.department === undefined || (ANY_DEPARTMENT as readonly EventType[]).includes(c.type)) return true;
    return eventSenders.actsFor(actor, c.department);
  });
}

// ── Certificates ────────────────────────────────────────────────────────────────────────────────────────────────

/** The facts about one certificate the policy decides on. */
export interface CertificateFacts {
  id: string;
  holderId: string;
  issuer: string;
  matterId: string;
}

/** How one may stand to a certificate: its holder, a clerk of its issuer, or a reader of its application who sees its matter. */
export type CertificateRelation = 'holder' | 'issuer' | 'application';

/** By which relations each role reads a certificate (GET /certificates/:id, its PDF). Admins read none. */
const CERTIFICATE_READERS = {
  citizen: ['holder', 'application'],
  clerk: ['issuer', 'application'],
  admin: [],
} as const satisfies Record<Role, readonly CertificateRelation[]>;

/** By which relations each role revokes or reissues a certificate: only the issuing department's clerks. */
const CERTIFICATE_CHANGERS = {
  citizen: [],
  clerk: ['issuer'],
  admin: [],
} as const satisfies Record<Role, readonly CertificateRelation[]>;

/** What the policy may need to know around a certificate, looked up only when a rule asks. */
export interface CertificateContext {
  /** The subject's holder ids: their resident id number (server-side only). */
  holderIds(): Promise<readonly string[]>;
  /** The application the certificate was issued on. */
  application(): Promise<ApplicationFacts>;
}

/**
 * Throws unless the subject reads the certificate: AUTH.FORBIDDEN for a role that reads none (before any lookup,
 * see `requireCapability(subject, 'certificate.read')`), CERTIFICATE.NOT_FOUND when no relation of their role's
 * holds — to them it is not there, as an unknown id is not. A failing lookup is thrown as it is.
 */
export async function requireCertificateReader(subject: Subject, certificate: CertificateFacts, context: CertificateContext): Promise<void> {
  requireCapability(subject, 'certificate.read');
  if (!(await relatesBy(CERTIFICATE_READERS[subject.role], subject, certificate, context))) throw new OnevisitError('CERTIFICATE.NOT_FOUND', `no certificate ${certificate.id}`);
}

/** Throws unless the subject may revoke or reissue the certificate: they read it (else as above), and change it (else AUTH.FORBIDDEN). */
export async function requireCertificateChanger(subject: Subject, certificate: CertificateFacts, context: CertificateContext): Promise<void> {
  await requireCertificateReader(subject, certificate, context);
  if (!(await relatesBy(CERTIFICATE_CHANGERS[subject.role], subject, certificate, context))) {
    throw new OnevisitError('AUTH.FORBIDDEN', `only clerks of ${certificate.issuer}, which issued it, may change this certificate`);
  }
}

async function relatesBy(relations: readonly CertificateRelation[], subject: Subject, certificate: CertificateFacts, context: CertificateContext): Promise<boolean> {
  for (const relation of relations) {
    if (relation === 'holder' && (await context.holderIds()).includes(certificate.holderId)) return true;
    if (relation === 'issuer' && subject.departments.includes(certificate.issuer)) return true;
    if (relation === 'application') {
      const app = await context.application();
      const access = standingOn(subject, app);
      if (access && visibilityOf(access, app.compiled).certificate(certificate.matterId)) return true;
    }
  }
  return false;
}

// ── Commitments and files ───────────────────────────────────────────────────────────────────────────────────────

/**
 * Who checks a commitment afterwards (告知承诺核查) and finds it true or false: a clerk of the department the
 * definition names for it. Throws AUTH.FORBIDDEN for anyone else. (Who may not check commitments at all is refused
 * before any lookup: `requireCapability(subject, 'commitment.check')`.)
 */
export function requirePostCheck(subject: Subject, material: { id: string; postCheck?: { department: string } }): void {
  const department = material.postCheck?.department;
  if (!may(subject, 'commitment.check') || department === undefined || !subject.departments.includes(department)) {
    throw new OnevisitError('AUTH.FORBIDDEN', `commitment ${material.id} is checked by clerks of ${department ?? 'no department'}`);
  }
}

/**
 * Whose files the subject reads and cites as materials: their own. Anyone else's is FILE.NOT_FOUND, as an unknown
 * id is. (A clerk reaches an applicant's file only through the application: `visibilityOf(...).material`.)
 */
export function fileOwnerFor(subject: Subject): string {
  return subject.userId;
}

/**
 * Who keeps drafts (GET/POST/PUT/DELETE /drafts), and under which key: a citizen keeps their own, and sees no one
 * else's — another's draft is DRAFT.NOT_FOUND, as an unknown id is. Everyone else is refused (AUTH.FORBIDDEN) before
 * any draft is looked up. A clerk's counter-intake drafts are `intakeDraftKeeper`'s.
 */
export function draftKeeper(subject: Subject): string {
  requireCapability(subject, 'draft.keep');
  return subject.userId;
}

/**
 * Who enters an application at a counter for a person who walked in (窗口代录): a clerk of the service's intake window
 * (its `intake` step's `window` department). Anyone else is refused (AUTH.FORBIDDEN): other roles before anything is
 * looked up, a reviewer or a clerk of another window once the service is known.
 */
export function requireCounterIntake(subject: Subject, compiled: CompiledService): void {
  requireCapability(subject, 'application.intake');
  const window = windowOf(compiled);
  if (window === undefined || !subject.departments.includes(window)) {
    throw new OnevisitError('AUTH.FORBIDDEN', `${compiled.definition.id} is entered at the counter by clerks of ${window ?? 'its window (it has none)'}`);
  }
}

/**
 * Who keeps counter-intake drafts (an application being entered for a walk-in applicant): the clerk entering it,
 * under their own id; anyone without the intake capability is refused before any draft is looked up. (Which
 * services they may enter is `requireCounterIntake`'s.)
 */
export function intakeDraftKeeper(subject: Subject): string {
  requireCapability(subject, 'application.intake');
  return subject.userId;
}

/**
 * Progress lookup (办件查询, GET /progress) is open to anyone, signed in or not: the application's number and the
 * check code printed on its receipt are the credential. Without a matching pair the answer is PROGRESS.NOT_FOUND,
 * the same whether the number is unknown, malformed or the code wrong. What a holder of the pair is shown is the
 * public summary of `application/progress.ts`: status, steps, deadline, never the form, names or materials.
 */
export function requireCheckCodeHolder(pairMatches: boolean): void {
  if (!pairMatches) throw new OnevisitError('PROGRESS.NOT_FOUND', 'no application has this number and check code');
}

/** The events of the steps a department runs, by step kind: their comments are that department's to see. */
const STEP_EVENTS = {
  inspection: ['SCHEDULE', 'PASS', 'FAIL'],
  payment: ['PAY', 'WAIVE'],
  notice: ['OBJECTION', 'UPHOLD', 'DISMISS'],
} as const satisfies Partial<Record<StepKind, readonly EventType[]>>;

function notFound(id: string): OnevisitError {
  return new OnevisitError('APPLICATION.NOT_FOUND', `no application ${id}`);
}
