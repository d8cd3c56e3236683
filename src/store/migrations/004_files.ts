/**
 * Uploaded files' metadata. The bytes live in the blob store under their SHA-256, so one content
 * uploaded twice is one blob and two rows; `sha256` is indexed to tell whether a blob is still referenced.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('files', (t) => {
    t.string('id', 36).primary();
    t.string('owner_id', 128).notNullable();
    t.string('sha256', 64).notNullable();
    t.bigInteger('size').notNullable();
    t.string('media_type', 64).notNullable();
    /** Sanitised before it is stored: no path, no control characters, at most 255 characters. */
    t.string('original_name', 255).notNullable();
    t.string('created_at', 32).notNullable();
    t.index(['owner_id', 'created_at']);
    t.index(['sha256']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('files');
}
