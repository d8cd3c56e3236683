/**
 * Check codes by application number (`application_check_codes`, migration 011; written with the application in
 * `applicationStore.ts`, replaced when a receipt is reprinted). One indexed read whether or not the number exists,
 * so the lookup costs the same either way.
 */
import type { AuditEntry } from '../domain/audit.js';
import { appendAudit } from './audit.js';
import type { Database } from './database.js';
import { writeTransaction } from './writeTransaction.js';

export interface CheckCodeRow {
  applicationId: string;
  /** Absent for an application submitted before check codes existed. */
  checkCode?: { salt: string; hash: string };
}

export interface CheckCodeStore {
  /** The application with this number and its stored check code, if there is one. */
  findByNumber(number: string): Promise<CheckCodeRow | undefined>;
  /** Stores `code` as the application's check code in place of any before it, with `audit`, in one transaction. */
  replace(applicationId: string, code: { salt: string; hash: string }, audit: AuditEntry): Promise<void>;
}

// One statement on both databases: an application from before check codes gets its first row.
const REPLACE_SQL =
  'INSERT INTO application_check_codes (application_id, salt, hash) VALUES (?, ?, ?) ' +
  'ON CONFLICT (application_id) DO UPDATE SET salt = excluded.salt, hash = excluded.hash';

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
    async replace(applicationId, code, audit) {
      await writeTransaction(db, async (w) => {
        await w.run(REPLACE_SQL, [applicationId, code.salt, code.hash]);
        await appendAudit(w, [audit]);
      });
    },
  };
}
