/**
 * People an application was entered for at a counter while they had no account (the `walk_in_applicants` table,
 * migration 012): one record per resident id number. The number is read back only for the holder's wallet and
 * certificates and for matching an account registered with it; it is never logged or answered.
 */
import type { Database } from './database.js';

export interface WalkInApplicant {
  id: string;
  /** The full resident id number (normalised): server-side only. */
  idNumber: string;
  name: string;
  createdAt: string;
}

export interface WalkInStore {
  /** The record of `candidate.idNumber`: the one kept already (as it is), else `candidate`, inserted now. */
  ensure(candidate: WalkInApplicant): Promise<WalkInApplicant>;
  byIdNumber(idNumber: string): Promise<WalkInApplicant | undefined>;
  byId(id: string): Promise<WalkInApplicant | undefined>;
}

export function createWalkInStore(db: Database): WalkInStore {
  const store: WalkInStore = {
    async ensure(candidate) {
      // Two counters entering the same person at once: one insert wins, both read the same record.
      await db('walk_in_applicants')
        .insert({ id: candidate.id, id_number: candidate.idNumber, name: candidate.name, created_at: candidate.createdAt })
        .onConflict('id_number')
        .ignore();
      const kept = await store.byIdNumber(candidate.idNumber);
      if (!kept) throw new Error('the walk-in applicant just written is not there');
      return kept;
    },
    async byIdNumber(idNumber) {
      const row = await db('walk_in_applicants').where({ id_number: idNumber }).first();
      return row ? fromRow(row) : undefined;
    },
    async byId(id) {
      const row = await db('walk_in_applicants').where({ id }).first();
      return row ? fromRow(row) : undefined;
    },
  };
  return store;
}

function fromRow(row: Record<string, unknown>): WalkInApplicant {
  return { id: String(row.id), idNumber: String(row.id_number), name: String(row.name), createdAt: String(row.created_at) };
}
