/**
 * Check codes by application number (`application_check_codes`, migration 011; written with the application in
 * `applicationStore.ts`). One indexed read whether or not the number exists, so the lookup costs the same either way.
 */
import type { Database } from './database.js';

export interface CheckCodeRow {
  applicationId: string;
  /** Absent for an application submitted before check codes existed. */
  checkCode?: { salt: string; hash: string };
}

export interface CheckCodeStore {
  /** The application with this number and its stored check code, if there is one. */
  findByNumber(number: string): Promise<CheckCodeRow | undefined>;
}

export function createCheckCodeStore(db: Database): CheckCodeStore {
  return {
    async findByNumber(number) {
      const row = await db('applications as a')
        .leftJoin('application_check_codes as c', 'c.application_id', 'a.id')
        .select('a.id as id', 'c.salt as salt', 'c.hash as hash')
        .where('a.number', number)
        .first();
      if (!row) return undefined;
      return { applicationId: String(row.id), ...(row.salt != null && row.hash != null ? { checkCode: { salt: String(row.salt), hash: String(row.hash) } } : {}) };
    },
  };
}
