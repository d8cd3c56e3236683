/**
 * Departments, certificate types and certificate templates in `reference_entries` (migration 013): the shipped
 * files seed them at each start, admins add and change them. An entry an admin saved is theirs from then on: the
 * files no longer write it. Every write raises the row's revision, so the sum of revisions with the row count is
 * a signature that changes with any write, read by every instance to know when to reload.
 */
import { isDeepStrictEqual } from 'node:util';
import { OnevisitError } from '../domain/errors.js';
import { isReferenceKind, type ReferenceRow, type ReferenceStore } from '../definitions/reference.js';
import type { Database } from './database.js';
import { writeTransaction } from './writeTransaction.js';

type Row = Record<string, unknown>;

export function createReferenceStore(db: Database): ReferenceStore {
  return {
    async all() {
      const rows: Row[] = await db('reference_entries').orderBy([{ column: 'kind' }, { column: 'id' }]);
      return rows.map(rowOf);
    },

    async signature() {
      const [row] = (await db('reference_entries').count({ entries: '*' }).sum({ revisions: 'revision' })) as Row[];
      return `${Number(row?.entries ?? 0)}:${Number(row?.revisions ?? 0)}`;
    },

    async seed(entries, at) {
      let written = 0;
      for (const entry of entries) {
        const body = JSON.stringify(entry.body);
        written += await writeTransaction(db, async (w) => {
          const [stored] = await w.all<Row>('SELECT body, edited_by FROM reference_entries WHERE kind = ? AND id = ?', [entry.kind, entry.id]);
          if (!stored) return w.run(INSERT_SQL, [entry.kind, entry.id, body, at, null]);
          if (stored.edited_by !== null || isDeepStrictEqual(JSON.parse(String(stored.body)), entry.body)) return 0;
          return w.run('UPDATE reference_entries SET body = ?, revision = revision + 1, updated_at = ? WHERE kind = ? AND id = ? AND edited_by IS NULL', [body, at, entry.kind, entry.id]);
        });
      }
      return written;
    },

    async save(entry, by, at) {
      const body = JSON.stringify(entry.body);
      return writeTransaction(db, async (w) => {
        if ((await w.run(INSERT_SQL, [entry.kind, entry.id, body, at, by])) === 1) return { created: true, revision: 1 };
        await w.run('UPDATE reference_entries SET body = ?, revision = revision + 1, updated_at = ?, edited_by = ? WHERE kind = ? AND id = ?', [body, at, by, entry.kind, entry.id]);
        const [row] = await w.all<Row>('SELECT revision FROM reference_entries WHERE kind = ? AND id = ?', [entry.kind, entry.id]);
        return { created: false, revision: Number(row?.revision) };
      });
    },
  };
}

const INSERT_SQL = 'INSERT INTO reference_entries (kind, id, body, revision, updated_at, edited_by) VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT (kind, id) DO NOTHING';

function rowOf(row: Row): ReferenceRow {
  const kind = String(row.kind);
  if (!isReferenceKind(kind)) throw new OnevisitError('CONFIG.INVALID', `reference_entries holds an entry of unknown kind "${kind}"`);
  return {
    kind,
    id: String(row.id),
    body: JSON.parse(String(row.body)) as unknown,
    revision: Number(row.revision),
    updatedAt: String(row.updated_at),
    editedBy: row.edited_by === null || row.edited_by === undefined ? null : String(row.edited_by),
  };
}
