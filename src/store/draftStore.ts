/**
 * Drafts (the `drafts` table, migration 011): applications not yet submitted, each its owner's alone. Every read and
 * write names the owner, so another's draft is, here too, simply not there. A submission made from a draft deletes
 * it in the submission's transaction (applicationStore.ts), not here.
 */
import type { Database } from './database.js';
import { writeTransaction } from './writeTransaction.js';

export interface DraftRecord {
  id: string;
  ownerId: string;
  serviceId: string;
  form: Record<string, unknown>;
  materials: unknown[];
  /** A counter-intake draft's applicant (the person who walked in; the owner is the clerk), with the full id number: server-side only. */
  applicant?: DraftApplicant;
  createdAt: string;
  updatedAt: string;
}

export interface DraftApplicant {
  name: string;
  idNumber: string;
}

export type DraftSummary = Omit<DraftRecord, 'form' | 'materials'>;

export interface DraftContent {
  serviceId: string;
  form: Record<string, unknown>;
  materials: unknown[];
}

export interface DraftStore {
  /** Inserts the draft unless its owner keeps `limit` already; answers whether it was inserted. */
  create(draft: DraftRecord, limit: number): Promise<boolean>;
  get(id: string, ownerId: string): Promise<DraftRecord | undefined>;
  /** The owner's drafts, the last changed first, without their content. */
  list(ownerId: string, limit: number): Promise<DraftSummary[]>;
  /** Replaces the content; undefined when the owner has no such draft. */
  update(id: string, ownerId: string, content: DraftContent, at: string): Promise<DraftRecord | undefined>;
  /** Whether there was such a draft of the owner's (now deleted). */
  delete(id: string, ownerId: string): Promise<boolean>;
}

// The count and the insert in one statement: on SQLite (one writer) the cap holds exactly; on PostgreSQL two
// creations racing may both see one below it and end one above — a cap on storage, not a rule anyone relies on.
const CREATE_SQL =
  'INSERT INTO drafts (id, owner_id, service_id, form, materials, created_at, updated_at, applicant_name, applicant_id_number) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE (SELECT COUNT(*) FROM drafts WHERE owner_id = ?) < ?';

export function createDraftStore(db: Database): DraftStore {
  return {
    async create(draft, limit) {
      const values = [draft.id, draft.ownerId, draft.serviceId, JSON.stringify(draft.form), JSON.stringify(draft.materials), draft.createdAt, draft.updatedAt, draft.applicant?.name ?? null, draft.applicant?.idNumber ?? null, draft.ownerId, limit];
      return (await writeTransaction(db, (w) => w.run(CREATE_SQL, values))) === 1;
    },

    async get(id, ownerId) {
      const row = await db('drafts').where({ id, owner_id: ownerId }).first();
      return row ? fromRow(row) : undefined;
    },

    async list(ownerId, limit) {
      const rows = await db('drafts').select('id', 'owner_id', 'service_id', 'created_at', 'updated_at').where({ owner_id: ownerId }).orderBy([{ column: 'updated_at', order: 'desc' }, { column: 'id' }]).limit(limit);
      return rows.map((row: Row) => summaryFromRow(row));
    },

    async update(id, ownerId, content, at) {
      const changed = await db('drafts')
        .where({ id, owner_id: ownerId })
        .update({ service_id: content.serviceId, form: JSON.stringify(content.form), materials: JSON.stringify(content.materials), updated_at: at });
      return Number(changed) === 1 ? this.get(id, ownerId) : undefined;
    },

    async delete(id, ownerId) {
      return Number(await db('drafts').where({ id, owner_id: ownerId }).delete()) === 1;
    },
  };
}

type Row = Record<string, unknown>;

function summaryFromRow(row: Row): DraftSummary {
  return { id: String(row.id), ownerId: String(row.owner_id), serviceId: String(row.service_id), createdAt: String(row.created_at), updatedAt: String(row.updated_at) };
}

/** The stored JSON is ours, written from checked input; a row that does not parse to its shape is corruption. */
function fromRow(row: Row): DraftRecord {
  const form = JSON.parse(String(row.form)) as unknown;
  const materials = JSON.parse(String(row.materials)) as unknown;
  if (form === null || typeof form !== 'object' || Array.isArray(form) || !Array.isArray(materials)) throw new Error(`draft ${String(row.id)} holds a form or materials of another shape`);
  const applicant = row.applicant_id_number == null ? undefined : { name: String(row.applicant_name), idNumber: String(row.applicant_id_number) };
  return { ...summaryFromRow(row), form: form as Record<string, unknown>, materials, ...(applicant ? { applicant } : {}) };
}
