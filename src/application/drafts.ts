/**
 * Drafts (GET/POST/PUT/DELETE /drafts): an application being prepared, kept on the server so that it can be resumed
 * on another day or device — the service, the form so far and the materials chosen. Whose drafts a subject keeps is
 * the policy's (`draftKeeper`); another keeper's draft is DRAFT.NOT_FOUND, as an unknown id is.
 *
 * A draft's form is partial: it is not checked against the service's form schema (nothing is required yet, and a
 * half-filled section need not fit). It is checked for what would make it unsafe or unusable to keep: its size, its
 * depth, control characters, and — as at submission — what a certificate would print being drawable. The materials
 * are checked in shape only; whose files they name is checked when the draft is submitted (POST /applications
 * `{draftId}`), which also deletes it in the submission's transaction.
 */
import { randomUUID } from 'node:crypto';
import { OnevisitError, type Issue } from '../domain/errors.js';
import { jsonFlaw } from '../domain/jsonLimits.js';
import { formatPointer } from '../domain/pointer.js';
import type { CompiledService, MaterialClaim } from '../definitions/index.js';
import { draftKeeper, type Subject } from '../identity/policy.js';
import type { DraftRecord, DraftStore } from '../store/draftStore.js';
import { checkDrawableForm, type DrawableCheck } from './drawableForm.js';
import { checkInput } from './input.js';

/** A draft's form, as JSON, at most (a whole form of any shipped service is a few KiB). */
export const DRAFT_FORM_MAX_BYTES = 64 * 1024;
/** Levels of objects and arrays in a draft's form, at most (the shipped forms nest 4). */
export const DRAFT_FORM_MAX_DEPTH = 16;
/** Drafts one keeper keeps at most. */
export const DRAFTS_PER_KEEPER = 50;

export interface DraftsDeps {
  store: DraftStore;
  /** The published service (SERVICE.NOT_FOUND otherwise): a draft is of a service one can apply for. */
  service: (serviceId: string) => Promise<CompiledService>;
  drawable?: DrawableCheck;
  now: () => Date;
  newId?: () => string;
  /** Drafts per keeper (default DRAFTS_PER_KEEPER). */
  limit?: number;
}

/** A draft as its keeper is shown it. */
export interface Draft {
  id: string;
  serviceId: string;
  form: Record<string, unknown>;
  materials: MaterialClaim[];
  createdAt: string;
  updatedAt: string;
}

export type DraftListItem = Omit<Draft, 'form' | 'materials'>;

interface DraftBody {
  serviceId: string;
  form?: Record<string, unknown>;
  materials?: MaterialClaim[];
}

/** Control characters (C0 but tab, line feed and carriage return; DEL; C1): nothing a person types, nothing a page shows. */
const UNPRINTABLE = /[\u0001-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/**
 * A body checked as a draft's content: the schema, then size, depth, characters, and what certificates would print.
 * (Counter-intake drafts are checked by this too: application/intake.ts.)
 */
export async function checkDraftContent(
  { service, drawable }: Pick<DraftsDeps, 'service' | 'drawable'>,
  body: unknown,
): Promise<{ serviceId: string; form: Record<string, unknown>; materials: MaterialClaim[] }> {
  const draft = checkInput<DraftBody>('Draft', body);
  const form = draft.form ?? {};
  const issue = formIssue(form);
  if (issue) throw new OnevisitError('INPUT.INVALID', `the draft's form is refused: ${issue.message}`, { errors: [issue] });
  const compiled = await service(draft.serviceId);
  if (drawable) checkDrawableForm(drawable, compiled.definition, form, '/form');
  return { serviceId: draft.serviceId, form, materials: draft.materials ?? [] };
}

export function createDraftUseCases({ store, service, drawable, now, newId = randomUUID, limit = DRAFTS_PER_KEEPER }: DraftsDeps) {
  const content = (body: unknown) => checkDraftContent({ service, drawable }, body);

  async function own(subject: Subject, id: string): Promise<DraftRecord> {
    const draft = await store.get(id, draftKeeper(subject));
    if (!draft) throw notFound();
    return draft;
  }

  return {
    /** The keeper's drafts, the last changed first (without their content: open one to resume it). */
    async list(subject: Subject): Promise<DraftListItem[]> {
      const rows = await store.list(draftKeeper(subject), limit);
      return rows.map(({ id, serviceId, createdAt, updatedAt }) => ({ id, serviceId, createdAt, updatedAt }));
    },

    async create(subject: Subject, body: unknown): Promise<Draft> {
      const ownerId = draftKeeper(subject);
      const checked = await content(body);
      const at = now().toISOString();
      const record: DraftRecord = { id: newId(), ownerId, ...checked, createdAt: at, updatedAt: at };
      if (!(await store.create(record, limit))) {
        throw new OnevisitError('DRAFT.LIMIT_REACHED', `you keep ${limit} drafts already: submit or delete one first`, { details: { limit } });
      }
      return toDraft(record);
    },

    async get(subject: Subject, id: string): Promise<Draft> {
      return toDraft(await own(subject, id));
    },

    /** Replaces the draft's content (the whole of it: service, form so far, materials). */
    async update(subject: Subject, id: string, body: unknown): Promise<Draft> {
      const ownerId = draftKeeper(subject);
      // Someone else's or an unknown draft is not found before its body is looked at.
      await own(subject, id);
      const updated = await store.update(id, ownerId, await content(body), now().toISOString());
      if (!updated) throw notFound();
      return toDraft(updated);
    },

    async remove(subject: Subject, id: string): Promise<void> {
      if (!(await store.delete(id, draftKeeper(subject)))) throw notFound();
    },
  };
}

export type DraftUseCases = ReturnType<typeof createDraftUseCases>;

function toDraft(record: DraftRecord): Draft {
  return { id: record.id, serviceId: record.serviceId, form: record.form, materials: record.materials as MaterialClaim[], createdAt: record.createdAt, updatedAt: record.updatedAt };
}

/** One answer for another keeper's draft and an id that names none: nothing in it tells the two apart. */
function notFound(): OnevisitError {
  return new OnevisitError('DRAFT.NOT_FOUND');
}

/** What makes a partial form unfit to keep, as the issue naming its place under `/form`, or undefined. */
function formIssue(form: Record<string, unknown>): Issue | undefined {
  const bytes = Buffer.byteLength(JSON.stringify(form), 'utf8');
  if (bytes > DRAFT_FORM_MAX_BYTES) return { path: '/form', code: 'INPUT.TOO_LARGE', message: `is ${bytes} bytes as JSON; a draft's form is at most ${DRAFT_FORM_MAX_BYTES}` };
  const flaw = jsonFlaw(form, { maxDepth: DRAFT_FORM_MAX_DEPTH });
  if (flaw?.kind === 'depth') return { path: `/form${formatPointer(flaw.path)}`, code: 'INPUT.TOO_DEEP', message: `nests more than ${DRAFT_FORM_MAX_DEPTH} deep` };
  return unprintable(form, []);
}

/** The first key or string holding a control character (the form is at most DRAFT_FORM_MAX_DEPTH deep here). */
function unprintable(value: unknown, path: string[]): Issue | undefined {
  const at = (tokens: string[]): Issue => ({ path: `/form${formatPointer(tokens)}`, code: 'INPUT.UNPRINTABLE', message: 'holds a control character, which is not text one can type or print' });
  if (typeof value === 'string') return UNPRINTABLE.test(value) ? at(path) : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, child] of Object.entries(value)) {
    if (UNPRINTABLE.test(key)) return at([...path, key]);
    const issue = unprintable(child, [...path, key]);
    if (issue) return issue;
  }
  return undefined;
}
