/**
 * The audit trail as a hash chain. Every row carries `prev_hash`, the hash of the row before it, and `hash`,
 * the SHA-256 (hex) of its own content over canonical JSON (RFC 8785): seq, at, kind, actor, subject, detail
 * (as stored, text) and prev_hash. Editing any of those, deleting a row or moving one breaks the chain at that
 * row, which `verifyAuditChain` (`onevisit audit verify`) names.
 *
 * Appending is serialised across instances by the one-row `audit_head` (last seq and hash): the append's first
 * statement is an UPDATE of it, which holds its row lock on PostgreSQL until commit (on SQLite BEGIN IMMEDIATE
 * holds the database's write lock already), so two transactions never take the same seq or link to the same
 * row; its second inserts the rows, and a trigger moves the head's hash along. Application events are appended inside their transition's transaction
 * (`appendAudit` on its Writer, last, so the head is held briefly); everything else through `AuditLog.append`,
 * in a transaction of its own (grouped on SQLite, like submissions).
 *
 * Nothing secret goes in: callers put small facts in `detail`, and whatever looks like a resident id number
 * in the detail or the subject is masked here as well (first 6, last 4).
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { AuditEntry, AuditLog, AuditRecord } from '../domain/audit.js';
import { AuditKinds } from '../domain/audit.js';
import type { EventRow } from '../runtime/ports.js';
import type { ApplicationStatus } from '../domain/vocabulary.js';
import { Batcher } from './batcher.js';
import type { Database } from './database.js';
import { isPostgres } from './database.js';
import { GENESIS_HASH } from './migrations/009_audit.js';
import { writeTransaction, type Writer } from './writeTransaction.js';
import { enteredByOf } from '../runtime/enteredBy.js';

export { GENESIS_HASH };

const canonicalJson = canonicalize as unknown as (value: unknown) => string;

/** A row's columns, as the hash sees them. */
export interface AuditRowContent {
  seq: number;
  at: string;
  kind: string;
  actorKind: string;
  actorId: string | null;
  subjectKind: string;
  subjectId: string;
  /** The stored text (canonical JSON of the entry's detail). */
  detail: string;
  prevHash: string;
}

/**
 * The row's canonical JSON (RFC 8785) in three pieces around its prev_hash and seq: the text is
 * `before + prevHash + between + seq + after`. Its members in canonical order are actor, at, detail, kind,
 * prevHash, seq, subject, so the pieces are canonical JSON of the others, joined — which lets PostgreSQL hash a
 * row in the statement that reads the previous hash (`APPEND_ONE_PG_SQL`) exactly as this file does.
 */
export function canonicalPieces(row: Omit<AuditRowContent, 'seq' | 'prevHash'>): [before: string, between: string, after: string] {
  const first = canonicalJson({ actor: { kind: row.actorKind, id: row.actorId }, at: row.at, detail: row.detail, kind: row.kind });
  const last = canonicalJson({ subject: { kind: row.subjectKind, id: row.subjectId } });
  return [`${first.slice(0, -1)},"prevHash":"`, '","seq":', `,${last.slice(1)}`];
}

/** SHA-256 (hex) of the row's canonical JSON. */
export function auditHash(row: AuditRowContent): string {
  const [before, between, after] = canonicalPieces(row);
  return createHash('sha256').update(`${before}${row.prevHash}${between}${row.seq}${after}`, 'utf8').digest('hex');
}

/** 18 characters shaped like a resident id number (not inside a longer run of letters and digits). */
const RESIDENT_ID_LIKE = /(?<![0-9A-Za-z])([1-8][0-9]{5})[0-9]{8}([0-9]{3}[0-9Xx])(?![0-9A-Za-z])/g;

/** The text with anything shaped like a resident id number masked to its first 6 and last 4 characters. */
export function maskIdNumbers(text: string): string {
  return text.replace(RESIDENT_ID_LIKE, '$1********$2');
}

const COLUMNS = 'seq, at, kind, actor_kind, actor_id, subject_kind, subject_id, detail, prev_hash, hash';
/**
 * Takes the head's row lock (PostgreSQL; SQLite holds its write lock already) and reserves `?` seqs; answers the
 * new last seq and the hash of the row before the first of them. The insert then moves the head's hash to the
 * last row's (trigger `audit_head_follows`, migration 009). On PostgreSQL a second appender waits on the row
 * lock and then reads the head as the first one committed it.
 */
const RESERVE_SQL = 'UPDATE audit_head SET seq = seq + ? WHERE id = 1 RETURNING seq, hash';
/**
 * PostgreSQL, one entry (every append of its hot path): reserve and insert in one statement, the hash computed
 * by the database from the canonical pieces and the head it locked — one round trip less while the head is held.
 */
const APPEND_ONE_PG_SQL =
  'WITH head AS (UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash) ' +
  `INSERT INTO audit (${COLUMNS}) SELECT head.seq, ?, ?, ?, ?, ?, ?, ?, head.hash, ` +
  "encode(sha256(convert_to(?::text || head.hash || ?::text || head.seq::text || ?::text, 'UTF8')), 'hex') FROM head";
const insertSql = new Map<number, string>();
function insertSqlFor(rows: number): string {
  let sql = insertSql.get(rows);
  if (!sql) {
    sql = `INSERT INTO audit (${COLUMNS}) VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`;
    insertSql.set(rows, sql);
  }
  return sql;
}

type Content = Omit<AuditRowContent, 'seq' | 'prevHash'>;

function contentOfEntry(entry: AuditEntry): Content {
  return {
    at: entry.at,
    kind: entry.kind,
    actorKind: entry.actor.kind,
    actorId: entry.actor.id,
    subjectKind: entry.subject.kind,
    subjectId: maskIdNumbers(entry.subject.id),
    detail: maskIdNumbers(canonicalJson(entry.detail ?? {})),
  };
}

/**
 * Appends the entries, in order, to the chain inside the writer's transaction (a savepoint inside it on
 * SQLite's grouped commits rolls them back with the rest). Call it last in the transaction: from its first
 * statement until commit, every other appender waits.
 */
export async function appendAudit(w: Writer, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  if (w.postgres && entries.length === 1) {
    const c = contentOfEntry(entries[0]!);
    const inserted = await w.run(APPEND_ONE_PG_SQL, [c.at, c.kind, c.actorKind, c.actorId, c.subjectKind, c.subjectId, c.detail, ...canonicalPieces(c)]);
    if (inserted !== 1) throw missingHead();
    return;
  }
  const head = await w.get<{ seq: number | string; hash: string }>(RESERVE_SQL, [entries.length]);
  if (!head) throw missingHead();
  let seq = Number(head.seq) - entries.length;
  let prevHash = String(head.hash);
  const params: unknown[] = [];
  for (const entry of entries) {
    const row: AuditRowContent = { ...contentOfEntry(entry), seq: ++seq, prevHash };
    prevHash = auditHash(row);
    params.push(row.seq, row.at, row.kind, row.actorKind, row.actorId, row.subjectKind, row.subjectId, row.detail, row.prevHash, prevHash);
  }
  await w.run(insertSqlFor(entries.length), params);
}

const missingHead = () => new Error('the audit head row is missing: the database was not migrated, or audit_head was tampered with');

/**
 * The audit entry of an application's event: its type, seq, matter and the status after it; for the submission
 * also the service (`id@version`). Nothing of the form or the materials.
 */
export function applicationEventAudit(event: EventRow, status: ApplicationStatus, service?: string): AuditEntry {
  const matter = typeof event.payload.matter === 'string' ? event.payload.matter : undefined;
  // Entered at a counter (窗口代录): the clerk who entered it acted, for the applicant.
  const enteredBy = enteredByOf(event.payload);
  const actor = enteredBy ?? event.actor;
  return {
    at: event.at,
    kind: AuditKinds.applicationEvent,
    actor: { kind: actor.kind, id: actor.id ?? null },
    subject: { kind: 'application', id: event.applicationId },
    detail: {
      type: event.type,
      seq: event.seq,
      status,
      ...(matter === undefined ? {} : { matter }),
      ...(enteredBy ? { onBehalfOf: { kind: event.actor.kind, id: event.actor.id } } : {}),
      ...(service === undefined ? {} : { service }),
    },
  };
}


export interface AuditFilters {
  subjectKind?: string;
  subjectId?: string;
  actorKind?: string;
  actorId?: string;
  kind?: string;
  /** ISO 8601 instants, inclusive. */
  from?: string;
  to?: string;
  /** Only rows after / before this seq (cursors, newest first). */
  afterSeq?: number;
  beforeSeq?: number;
  limit: number;
  offset?: number;
}

export interface AuditStore extends AuditLog {
  /** Newest first. */
  list(filters: AuditFilters): Promise<AuditRecord[]>;
}

export function createAuditStore(db: Database): AuditStore {
  // SQLite has one writer: entries arriving together are appended in one transaction (one fsync).
  const appends = new Batcher<AuditEntry, void>(
    async (batch) => {
      await writeTransaction(db, (w) => appendAudit(w, batch));
      return batch.map(() => undefined);
    },
    isPostgres(db) ? 1 : 64,
  );
  return {
    append: (entry) => appends.submit(entry),

    async list(filters) {
      const rows = (await db('audit')
        .select(COLUMNS.split(', '))
        .modify((q) => {
          if (filters.subjectKind !== undefined) q.where('subject_kind', filters.subjectKind);
          if (filters.subjectId !== undefined) q.where('subject_id', filters.subjectId);
          if (filters.actorKind !== undefined) q.where('actor_kind', filters.actorKind);
          if (filters.actorId !== undefined) q.where('actor_id', filters.actorId);
          if (filters.kind !== undefined) q.where('kind', filters.kind);
          if (filters.from !== undefined) q.where('at', '>=', filters.from);
          if (filters.to !== undefined) q.where('at', '<=', filters.to);
          if (filters.afterSeq !== undefined) q.where('seq', '>', filters.afterSeq);
          if (filters.beforeSeq !== undefined) q.where('seq', '<', filters.beforeSeq);
        })
        .orderBy('seq', 'desc')
        .limit(filters.limit)
        .offset(filters.offset ?? 0)) as Row[];
      return rows.map(recordOf);
    },
  };
}

type Row = Record<string, unknown>;

function contentOf(row: Row): AuditRowContent {
  return {
    seq: Number(row.seq),
    at: String(row.at),
    kind: String(row.kind),
    actorKind: String(row.actor_kind),
    actorId: row.actor_id === null || row.actor_id === undefined ? null : String(row.actor_id),
    subjectKind: String(row.subject_kind),
    subjectId: String(row.subject_id),
    detail: String(row.detail),
    prevHash: String(row.prev_hash),
  };
}

function recordOf(row: Row): AuditRecord {
  const c = contentOf(row);
  let detail: Record<string, unknown>;
  try {
    detail = JSON.parse(c.detail) as Record<string, unknown>;
  } catch {
    detail = { unreadable: c.detail };
  }
  return {
    seq: c.seq,
    at: c.at,
    kind: c.kind as AuditRecord['kind'],
    actor: { kind: c.actorKind, id: c.actorId },
    subject: { kind: c.subjectKind, id: c.subjectId },
    detail,
    prevHash: c.prevHash,
    hash: String(row.hash),
  };
}

export type AuditVerification =
  | { ok: true; rows: number; headSeq: number; headHash: string }
  | {
      ok: false;
      /** The first row that does not fit (for a deleted row, the seq it had). */
      seq: number;
      problem: 'missing' | 'edited' | 'unlinked' | 'head' | 'outside';
      message: string;
      /** Rows that fitted before it. */
      rows: number;
    };

/**
 * Walks the chain from seq 1 in batches of `batchSize` rows (memory stays flat whatever its length),
 * recomputing each hash; answers the first row that does not fit: a seq missing (a deleted row, or one whose
 * seq was changed), content that is not what its hash says (an edited or moved row), a prev_hash that is not
 * the previous row's hash, or a head that disagrees with the last row (rows deleted from the end).
 */
export async function verifyAuditChain(db: Database, { batchSize = 1000 }: { batchSize?: number } = {}): Promise<AuditVerification> {
  let expected = 1;
  let prevHash = GENESIS_HASH;
  const broken = (seq: number, problem: Extract<AuditVerification, { ok: false }>['problem'], message: string): AuditVerification => ({ ok: false, seq, problem, message, rows: expected - 1 });
  const before = (await db('audit').where('seq', '<', 1).min({ seq: 'seq' }).first()) as { seq: number | string | null } | undefined;
  if (before?.seq !== null && before?.seq !== undefined) return broken(Number(before.seq), 'outside', `seq ${Number(before.seq)}: before the chain's start at 1 (a row was moved or added there)`);
  for (;;) {
    const rows = (await db('audit').select(COLUMNS.split(', ')).where('seq', '>=', expected).orderBy('seq').limit(batchSize)) as Row[];
    for (const row of rows) {
      const content = contentOf(row);
      if (content.seq !== expected) {
        const range = content.seq - 1 === expected ? `${expected}` : `${expected}–${content.seq - 1}`;
        return broken(expected, 'missing', `seq ${range} missing: the chain goes from ${expected - 1} to ${content.seq} (a row was deleted, or its seq changed)`);
      }
      if (auditHash(content) !== String(row.hash)) {
        return broken(content.seq, 'edited', `seq ${content.seq}: its content does not match its hash (the row was edited, or moved here from elsewhere)`);
      }
      if (content.prevHash !== prevHash) {
        return broken(content.seq, 'unlinked', `seq ${content.seq}: prev_hash is not the hash of seq ${content.seq - 1} (${expected === 1 ? 'the chain’s start' : 'the row before it'} was replaced)`);
      }
      prevHash = String(row.hash);
      expected++;
    }
    if (rows.length < batchSize) break;
  }
  const head = (await db('audit_head').where({ id: 1 }).first()) as Row | undefined;
  if (!head) return broken(expected, 'head', 'the audit head row is missing');
  const headSeq = Number(head.seq);
  const last = expected - 1;
  if (headSeq > last) return broken(expected, 'missing', `seq ${expected === headSeq ? expected : `${expected}–${headSeq}`} missing: the chain ends at ${last} but its head is at ${headSeq} (the last rows were deleted)`);
  if (headSeq < last) return broken(headSeq + 1, 'head', `seq ${headSeq + 1}: beyond the chain's head at ${headSeq} (appended outside the chain)`);
  if (String(head.hash) !== prevHash) return broken(last, 'head', `seq ${last}: its hash is not the one the head recorded (the last row was rewritten)`);
  return { ok: true, rows: last, headSeq, headHash: prevHash };
}
