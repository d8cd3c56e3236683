/**
 * Issued certificates and the log of their verifications: the certificates module's `CertificateStore` port
 * (src/certificates/ports.ts). A row keeps the signed canonical record as text beside the columns that queries
 * use; the certificates module decides what the record says and whether it verifies, this file only stores and
 * finds rows.
 *
 * Exactly once: a row is identified by the effect that issued it and its matter (`effect_id`, `matter_id`,
 * unique). Inserting again, from a retried effect or a concurrent run on another instance, writes nothing and
 * returns the row that is there, so every caller gets the same certificate ids.
 */
import { CertificateStatuses, type CertificateStatus, type VerificationChannel, type VerificationResult } from '../domain/certificate.js';
import type { CertificateStore, NewCertificate, StoredCertificate } from '../certificates/ports.js';
import type { Database } from './database.js';
import { writeTransaction } from './writeTransaction.js';

const INSERT_SQL =
  'INSERT INTO certificates (id, type, holder_id, holder_name, application_id, matter_id, effect_id, issuer, issued_at, issued_by, valid_until, record, key_id, signature, status) ' +
  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'valid') ON CONFLICT (effect_id, matter_id) DO NOTHING";
const SELECT_BY_EFFECT_SQL = 'SELECT * FROM certificates WHERE effect_id = ? AND matter_id = ?';
const SUPERSEDE_SQL = "UPDATE certificates SET status = 'superseded', superseded_by = ?, superseded_at = ? WHERE id = ? AND status = 'valid'";

const insertParams = (row: NewCertificate): unknown[] => [
  row.id,
  row.type,
  row.holderId,
  row.holderName,
  row.applicationId,
  row.matterId,
  row.effectId,
  row.issuer,
  row.issuedAt,
  row.issuedBy,
  row.validUntil,
  row.record,
  row.keyId,
  row.signature,
];

/** Thrown inside a transaction to roll it back; never leaves this file. */
class NothingToSupersede extends Error {}

export function createCertificateStore(db: Database): CertificateStore {
  return {
    async insert(rows) {
      if (rows.length === 0) return [];
      // Rows go in a fixed order, so two concurrent inserts of the same effect wait on each other instead of deadlocking.
      const ordered = [...rows].sort((a, b) => compare(a.effectId, b.effectId) || compare(a.matterId, b.matterId));
      const stored = await writeTransaction(db, async (writer) => {
        const found = new Map<string, StoredCertificate>();
        for (const row of ordered) await writer.run(INSERT_SQL, insertParams(row));
        for (const row of ordered) {
          const existing = await writer.get<Row>(SELECT_BY_EFFECT_SQL, [row.effectId, row.matterId]);
          if (!existing) throw new Error(`certificate for ${row.effectId} / ${row.matterId} vanished after its insert`);
          found.set(key(row), fromRow(existing));
        }
        return found;
      });
      return rows.map((row) => stored.get(key(row))!);
    },

    async get(id) {
      const row = (await db('certificates').where({ id }).first()) as Row | undefined;
      return row ? fromRow(row) : undefined;
    },

    async listByHolder(holderIds, query = {}) {
      const ids = [...new Set(holderIds)];
      if (ids.length === 0 && query.applicantId === undefined) return [];
      const rows = (await db('certificates')
        .where((scope) => {
          scope.whereIn('holder_id', ids);
          if (query.applicantId !== undefined) {
            scope.orWhereIn('application_id', db('applications').select('id').where({ applicant_id: query.applicantId }));
          }
        })
        .modify((q) => {
          if (query.type !== undefined) q.andWhere({ type: query.type });
        })
        .orderBy([{ column: 'issued_at', order: 'desc' }, { column: 'id' }])) as Row[];
      return rows.map(fromRow);
    },

    async byApplication(applicationId) {
      const rows = (await db('certificates').where({ application_id: applicationId }).orderBy([{ column: 'issued_at' }, { column: 'matter_id' }, { column: 'id' }])) as Row[];
      return rows.map(fromRow);
    },

    async revoke(id, change) {
      const changed = await db('certificates')
        .where({ id, status: CertificateStatuses.valid })
        .update({ status: CertificateStatuses.revoked, revoked_at: change.at, revoked_by: change.by, revoke_reason: change.reason });
      return changed === 1;
    },

    async supersede(oldId, replacement, at) {
      try {
        await writeTransaction(db, async (writer) => {
          // The replacement first: the old row's superseded_by refers to it.
          const inserted = await writer.run(INSERT_SQL, insertParams(replacement));
          if (inserted !== 1) throw new NothingToSupersede();
          const changed = await writer.run(SUPERSEDE_SQL, [replacement.id, at, oldId]);
          if (changed !== 1) throw new NothingToSupersede();
        });
        return true;
      } catch (error) {
        if (error instanceof NothingToSupersede) return false;
        throw error;
      }
    },

    async logVerification(entry) {
      await db('certificate_verifications').insert({ certificate_id: entry.certificateId, result: entry.result, via: entry.via, at: entry.at });
    },

    async listVerifications(certificateId) {
      const rows = (await db('certificate_verifications')
        .where((q) => (certificateId === null ? q.whereNull('certificate_id') : q.where({ certificate_id: certificateId })))
        .orderBy('id')) as Row[];
      return rows.map((row) => ({
        certificateId: nullable(row.certificate_id),
        result: String(row.result) as VerificationResult,
        via: String(row.via) as VerificationChannel,
        at: String(row.at),
      }));
    },
  };
}

type Row = Record<string, unknown>;

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const key = (row: Pick<NewCertificate, 'effectId' | 'matterId'>) => `${row.effectId}\u0000${row.matterId}`;
const nullable = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
const statuses: ReadonlySet<string> = new Set(Object.values(CertificateStatuses));

function fromRow(row: Row): StoredCertificate {
  const status = String(row.status);
  if (!statuses.has(status)) throw new Error(`certificate ${String(row.id)} has an unknown status "${status}" in the database`);
  return {
    id: String(row.id),
    type: String(row.type),
    holderId: String(row.holder_id),
    holderName: String(row.holder_name),
    applicationId: String(row.application_id),
    matterId: String(row.matter_id),
    effectId: String(row.effect_id),
    issuer: String(row.issuer),
    issuedAt: String(row.issued_at),
    issuedBy: nullable(row.issued_by),
    validUntil: nullable(row.valid_until),
    record: String(row.record),
    keyId: String(row.key_id),
    signature: String(row.signature),
    status: status as CertificateStatus,
    revokedAt: nullable(row.revoked_at),
    revokedBy: nullable(row.revoked_by),
    revokeReason: nullable(row.revoke_reason),
    supersededAt: nullable(row.superseded_at),
    supersededBy: nullable(row.superseded_by),
  };
}
