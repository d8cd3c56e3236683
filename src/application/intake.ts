/**
 * Counter intake (窗口代录): most people still walk in. A clerk of a service's intake window enters an application for
 * the person at the counter — identified by name and resident id number, with or without an online account — from the
 * same form and materials (paper scanned as uploads), and hands them the receipt with the number and check code.
 *
 * The application is the person's: their account's when one has their id number, else the counter's record of them
 * (`walk_in_applicants`), which is theirs once they hold an account with that number (the policy's `appliesAs`). Their
 * wallet serves its materials as for an application made online. The submission's event records the clerk
 * (`enteredBy`), the audit trail names the clerk as its actor, and the full id number is never answered: the person
 * is shown as their name and the masked number.
 *
 * Intake drafts are the clerk's (`intakeDraftKeeper`), each naming the person it is for, checked as citizens' drafts
 * are (`checkDraftContent`) and consumed by the submission made from them.
 */
import { randomUUID } from 'node:crypto';
import { OnevisitError } from '../domain/errors.js';
import { isResidentIdNumber, maskResidentId, normalizeResidentIdNumber } from '../domain/ids.js';
import type { CompiledService, MaterialClaim } from '../definitions/index.js';
import { intakeDraftKeeper, requireCapability, requireCounterIntake, type Subject } from '../identity/policy.js';
import { newCheckCode } from '../identity/checkCode.js';
import type { Engine } from '../runtime/index.js';
import type { DraftRecord, DraftStore } from '../store/draftStore.js';
import type { WalkInStore } from '../store/walkInStore.js';
import { DRAFTS_PER_KEEPER, checkDraftContent } from './drafts.js';
import { checkDrawableForm, type DrawableCheck } from './drawableForm.js';
import { checkInput } from './input.js';
import type { ApplicationDetail, ApplicationUseCases } from './applications.js';

export interface IntakeDeps {
  engine: Pick<Engine, 'service' | 'submit'>;
  /** The detail of the application entered, as the policy cuts it for the clerk. */
  applications: Pick<ApplicationUseCases, 'get'>;
  drafts: DraftStore;
  walkIns: WalkInStore;
  /** The account with this resident id number, if any. */
  accountByIdNumber: (idNumber: string) => Promise<{ id: string; name: string } | undefined>;
  /** The certificates a person holds (by id number) and those issued on their applications, for the materials page. */
  walletOf?: (idNumber: string, applicantId: string | undefined) => Promise<{ id: string; type: string; issuedAt: string; standing: string }[]>;
  drawable?: DrawableCheck;
  now: () => Date;
  newId?: () => string;
  limit?: number;
}

/** The person an application is entered for, as the clerk is shown them: never the full id number. */
export interface IntakeApplicant {
  name: string;
  idNumberMasked: string;
  /** Whether an online account has this id number (the application is then that account's). */
  hasAccount: boolean;
}

/** The answer to a counter intake: the application as the window sees it, the person, and the receipt's check code (given this once). */
export interface EnteredApplication extends ApplicationDetail {
  applicant: IntakeApplicant;
  checkCode: string;
}

/** A counter-intake draft as its clerk is shown it. */
export interface IntakeDraft {
  id: string;
  serviceId: string;
  form: Record<string, unknown>;
  materials: MaterialClaim[];
  applicant: { name: string; idNumberMasked: string };
  createdAt: string;
  updatedAt: string;
}

export type IntakeDraftListItem = Omit<IntakeDraft, 'form' | 'materials'>;

interface Person {
  name: string;
  idNumber: string;
}

interface IntakeBody {
  applicant?: Person;
  serviceId?: string;
  version?: number;
  form?: Record<string, unknown>;
  materials?: MaterialClaim[];
  draftId?: string;
}

export function createIntakeUseCases({ engine, applications, drafts, walkIns, accountByIdNumber, walletOf, drawable, now, newId = randomUUID, limit = DRAFTS_PER_KEEPER }: IntakeDeps) {
  /** The clerk's intake draft (one naming a person); anyone else's, a citizen's own draft, or an unknown id: DRAFT.NOT_FOUND. */
  async function ownDraft(subject: Subject, id: string): Promise<DraftRecord & { applicant: Person }> {
    const draft = await drafts.get(id, intakeDraftKeeper(subject));
    if (!draft?.applicant) throw new OnevisitError('DRAFT.NOT_FOUND');
    return draft as DraftRecord & { applicant: Person };
  }

  /** The service, if the subject enters applications for it at its window (AUTH.FORBIDDEN otherwise). */
  async function windowService(subject: Subject, serviceId: string, version?: number): Promise<CompiledService> {
    const compiled = await engine.service(serviceId, version);
    requireCounterIntake(subject, compiled);
    return compiled;
  }

  /**
   * Whose the application is: the account with the person's id number, else the counter's record of them (made now if
   * none). A name other than the one kept for the number is refused (APPLICANT.MISMATCH): one of the two is mistyped.
   */
  async function applicantFor(person: Person): Promise<{ applicantId: string; name: string; hasAccount: boolean }> {
    const account = await accountByIdNumber(person.idNumber);
    if (account) {
      if (account.name.trim() !== person.name) throw mismatch();
      return { applicantId: account.id, name: account.name, hasAccount: true };
    }
    const kept = await walkIns.ensure({ id: newId(), idNumber: person.idNumber, name: person.name, createdAt: now().toISOString() });
    if (kept.name !== person.name) throw mismatch();
    return { applicantId: kept.id, name: kept.name, hasAccount: false };
  }

  return {
    /**
     * Enters the application for the person at the counter and submits it: the body whole, or the clerk's intake draft
     * (`{draftId}`), deleted in the submission's transaction. Answers the detail as the window sees it, the person
     * (masked) and the receipt's check code.
     */
    async enter(subject: Subject, body: unknown): Promise<EnteredApplication> {
      // Before anything is looked up: whoever enters no applications is refused alike.
      requireCapability(subject, 'application.intake');
      const checked = checkInput<IntakeBody>('CounterIntake', body);
      const keeper = intakeDraftKeeper(subject);
      const fromDraft = checked.draftId !== undefined && checked.form === undefined ? await ownDraft(subject, checked.draftId) : undefined;
      const request = fromDraft
        ? checkInput<IntakeBody>('CounterIntake', { applicant: fromDraft.applicant, serviceId: fromDraft.serviceId, form: fromDraft.form, materials: fromDraft.materials })
        : checked;
      const person = checkPerson(request.applicant!, now());
      const compiled = await windowService(subject, request.serviceId!, request.version);
      const applicant = await applicantFor(person);
      // What its certificates would print must be drawable, the holder's name too when they hold them.
      if (drawable && checkDrawableForm(drawable, compiled.definition, request.form, '/form')) drawable(applicant.name, '/applicant/name');
      const { code, stored } = newCheckCode();
      const view = await engine.submit({
        serviceId: request.serviceId!,
        ...(request.version !== undefined ? { version: request.version } : {}),
        applicant: { kind: 'applicant', id: applicant.applicantId },
        enteredBy: { kind: 'clerk', id: subject.userId, departments: [...subject.departments] },
        form: request.form,
        materials: request.materials ?? [],
        alongside: { checkCode: stored, ...(checked.draftId !== undefined ? { consumesDraft: { id: checked.draftId, ownerId: keeper } } : {}) },
      });
      const detail = (await applications.get(subject, view.id)) as ApplicationDetail;
      return { ...detail, applicant: { name: applicant.name, idNumberMasked: maskResidentId(person.idNumber), hasAccount: applicant.hasAccount }, checkCode: code };
    },

    /**
     * Of the services `serviceIds`, those the subject enters at their window's counter; AUTH.FORBIDDEN when there is
     * none (a reviewer, a clerk of no window): the counter is not theirs.
     */
    async enterable(subject: Subject, serviceIds: readonly string[]): Promise<string[]> {
      requireCapability(subject, 'application.intake');
      const open: string[] = [];
      for (const serviceId of serviceIds) {
        try {
          await windowService(subject, serviceId);
          open.push(serviceId);
        } catch (error) {
          if (!(error instanceof OnevisitError) || error.code !== 'AUTH.FORBIDDEN') throw error;
        }
      }
      if (open.length === 0) throw new OnevisitError('AUTH.FORBIDDEN', 'no service is taken in at your window');
      return open;
    },

    /** Begins an intake draft for the person at the counter and a service the clerk's window takes in. */
    async startDraft(subject: Subject, body: unknown): Promise<IntakeDraft> {
      const ownerId = intakeDraftKeeper(subject);
      const started = checkInput<{ applicant: Person; serviceId: string; form?: Record<string, unknown>; materials?: MaterialClaim[] }>('IntakeDraft', body);
      const person = checkPerson(started.applicant, now());
      await windowService(subject, started.serviceId);
      const content = await checkDraftContent({ service: (id) => engine.service(id), ...(drawable ? { drawable } : {}) }, { serviceId: started.serviceId, form: started.form ?? {}, materials: started.materials ?? [] });
      const at = now().toISOString();
      const record: DraftRecord = { id: newId(), ownerId, ...content, applicant: person, createdAt: at, updatedAt: at };
      if (!(await drafts.create(record, limit))) {
        throw new OnevisitError('DRAFT.LIMIT_REACHED', `you keep ${limit} drafts already: submit or delete one first`, { details: { limit } });
      }
      return toIntakeDraft(record as DraftRecord & { applicant: Person });
    },

    /** The clerk's intake drafts, the last changed first. */
    async listDrafts(subject: Subject): Promise<IntakeDraftListItem[]> {
      const ownerId = intakeDraftKeeper(subject);
      const rows = await drafts.list(ownerId, limit);
      const full = await Promise.all(rows.map((r) => drafts.get(r.id, ownerId)));
      return full.flatMap((d) => (d?.applicant ? [{ id: d.id, serviceId: d.serviceId, applicant: masked(d.applicant), createdAt: d.createdAt, updatedAt: d.updatedAt }] : []));
    },

    async getDraft(subject: Subject, id: string): Promise<IntakeDraft> {
      return toIntakeDraft(await ownDraft(subject, id));
    },

    /** Replaces the draft's form and materials (the person and the service stay as begun). */
    async updateDraft(subject: Subject, id: string, body: unknown): Promise<IntakeDraft> {
      const draft = await ownDraft(subject, id);
      const content = await checkDraftContent({ service: (serviceId) => engine.service(serviceId), ...(drawable ? { drawable } : {}) }, body);
      if (content.serviceId !== draft.serviceId) throw new OnevisitError('INPUT.INVALID', 'an intake draft stays of the service it was begun for', { errors: [{ path: '/serviceId', code: 'INPUT.CONST', message: `must be ${draft.serviceId}` }] });
      const updated = await drafts.update(id, draft.ownerId, content, now().toISOString());
      if (!updated?.applicant) throw new OnevisitError('DRAFT.NOT_FOUND');
      return toIntakeDraft(updated as DraftRecord & { applicant: Person });
    },

    async removeDraft(subject: Subject, id: string): Promise<void> {
      const draft = await ownDraft(subject, id);
      if (!(await drafts.delete(id, draft.ownerId))) throw new OnevisitError('DRAFT.NOT_FOUND');
    },

    /**
     * The valid certificates the draft's person holds, by type, as a submission would take them from their wallet
     * (免提交): for the materials page. Only the window clerk keeping the draft asks.
     */
    async walletForDraft(subject: Subject, id: string): Promise<{ id: string; type: string; issuedAt: string }[]> {
      const draft = await ownDraft(subject, id);
      await windowService(subject, draft.serviceId);
      if (!walletOf) return [];
      const account = await accountByIdNumber(draft.applicant.idNumber);
      const walkIn = account ? undefined : await walkIns.byIdNumber(draft.applicant.idNumber);
      const held = await walletOf(draft.applicant.idNumber, account?.id ?? walkIn?.id);
      return held.filter((c) => c.standing === 'valid').map(({ id: certificateId, type, issuedAt }) => ({ id: certificateId, type, issuedAt }));
    },
  };
}

export type IntakeUseCases = ReturnType<typeof createIntakeUseCases>;

/** The person as typed at the counter, checked: a name, and a valid resident id number (normalised: `x` → `X`). */
function checkPerson(person: Person, today: Date): Person {
  const name = person.name.trim();
  if (!isResidentIdNumber(person.idNumber, today)) {
    throw new OnevisitError('INPUT.INVALID', 'the applicant’s resident id number is not a valid one', {
      errors: [{ path: '/applicant/idNumber', code: 'ID_NUMBER.INVALID', message: 'not a valid 18-character resident id number (check the last character)' }],
    });
  }
  return { name, idNumber: normalizeResidentIdNumber(person.idNumber) };
}

function mismatch(): OnevisitError {
  return new OnevisitError('APPLICANT.MISMATCH', 'the name is not the one kept for this resident id number: check both against the id card');
}

function masked(person: Person): { name: string; idNumberMasked: string } {
  return { name: person.name, idNumberMasked: maskResidentId(person.idNumber) };
}

function toIntakeDraft(record: DraftRecord & { applicant: Person }): IntakeDraft {
  return {
    id: record.id,
    serviceId: record.serviceId,
    form: record.form,
    materials: record.materials as MaterialClaim[],
    applicant: masked(record.applicant),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}
