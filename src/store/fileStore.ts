/** Uploaded files' metadata (the `files` table): the file service's `FileStore` port (src/files/ports.ts). */
import type { FileRow, FileStore } from '../files/ports.js';
import type { Database } from './database.js';
import { Batcher } from './batcher.js';

export function createFileStore(db: Database): FileStore {
  // Lookups of concurrent requests (every submission checks its files) share one query.
  const lookups = new Batcher<readonly string[], FileRow[]>(async (batch) => {
    const rows = new Map<string, FileRow>();
    const ids = [...new Set(batch.flat())];
    for (let i = 0; i < ids.length; i += 500) {
      for (const row of await db('files').whereIn('id', ids.slice(i, i + 500))) rows.set(String(row.id), fromRow(row));
    }
    return batch.map((wanted) => [...new Set(wanted)].flatMap((id) => rows.get(id) ?? []));
  });
  return {
    async insert(row) {
      await db('files').insert({
        id: row.id,
        owner_id: row.ownerId,
        sha256: row.sha256,
        size: row.size,
        media_type: row.mediaType,
        original_name: row.originalName,
        created_at: row.createdAt,
      });
    },

    async get(id) {
      const row = await db('files').where({ id }).first();
      return row ? fromRow(row) : undefined;
    },

    async getMany(ids) {
      if (ids.length === 0) return [];
      return lookups.submit(ids);
    },
  };
}

function fromRow(row: Record<string, unknown>): FileRow {
  return {
    id: String(row.id),
    ownerId: String(row.owner_id),
    sha256: String(row.sha256),
    // PostgreSQL returns a bigint as a string.
    size: Number(row.size),
    mediaType: String(row.media_type),
    originalName: String(row.original_name),
    createdAt: String(row.created_at),
  };
}
