/**
 * Certificates and their verifications. A certificate row keeps the exact canonical JSON that was signed
 * (`record`) beside the columns queries need (holder, type, status); verification compares the two, so an
 * edited column is caught. `(effect_id, matter_id)` is unique: a retried issuing effect finds the row it
 * wrote before and never creates a second certificate; a reissue uses `reissue:<old id>` as its effect.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('certificates', (t) => {
    t.string('id', 36).primary();
    t.string('type', 64).notNullable();
    /** Resident id number, unified social credit code, or another holder key a definition names: the wallet key. */
    t.string('holder_id', 128).notNullable();
    t.string('holder_name', 255).notNullable();
    t.string('application_id', 36).notNullable().references('id').inTable('applications');
    t.string('matter_id', 64).notNullable();
    t.string('effect_id', 80).notNullable();
    /** The issuing department's id. */
    t.string('issuer', 64).notNullable();
    t.string('issued_at', 32).notNullable();
    /** Who issued it: null for the engine, the clerk's id for a reissue. */
    t.string('issued_by', 128);
    t.string('valid_until', 32);
    t.text('record').notNullable();
    t.string('key_id', 32).notNullable();
    t.string('signature', 128).notNullable();
    t.string('status', 16).notNullable().defaultTo('valid');
    t.string('revoked_at', 32);
    t.string('revoked_by', 128);
    t.text('revoke_reason');
    t.string('superseded_at', 32);
    t.string('superseded_by', 36).references('id').inTable('certificates');
    t.unique(['effect_id', 'matter_id']);
    t.index(['holder_id', 'type']);
    t.index(['application_id']);
  });

  await knex.schema.createTable('certificate_verifications', (t) => {
    t.increments('id').primary();
    /** Null when the presented id names no certificate. */
    t.string('certificate_id', 36).references('id').inTable('certificates');
    t.string('result', 16).notNullable();
    /** 'id' (id and signature), 'pdf' (an uploaded file), 'page' (the public page the QR code opens). */
    t.string('via', 8).notNullable();
    t.string('at', 32).notNullable();
    t.index(['certificate_id', 'at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('certificate_verifications');
  await knex.schema.dropTableIfExists('certificates');
}
