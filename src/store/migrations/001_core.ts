/** Definitions, applications, their event log and outbox, timers, counters. SQLite and PostgreSQL alike. */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('service_definitions', (t) => {
    t.string('service_id', 64).notNullable();
    t.integer('version').notNullable();
    t.string('hash', 64).notNullable();
    t.text('definition').notNullable();
    t.string('published_by', 128);
    t.string('published_at', 32).notNullable();
    t.primary(['service_id', 'version']);
  });

  await knex.schema.createTable('applications', (t) => {
    t.string('id', 36).primary();
    t.string('number', 32).notNullable().unique();
    t.string('service_id', 64).notNullable();
    t.integer('service_version').notNullable();
    t.string('service_hash', 64).notNullable();
    t.string('applicant_id', 128).notNullable();
    t.string('state', 512).notNullable();
    t.string('status', 32).notNullable();
    t.text('snapshot').notNullable();
    t.integer('version').notNullable();
    t.string('due_at', 32);
    t.string('warning_level', 8).notNullable().defaultTo('none');
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32).notNullable();
    t.foreign(['service_id', 'service_version']).references(['service_id', 'version']).inTable('service_definitions');
    t.index(['applicant_id', 'created_at']);
    t.index(['status', 'due_at']);
  });

  await knex.schema.createTable('application_events', (t) => {
    t.string('application_id', 36).notNullable().references('id').inTable('applications');
    t.integer('seq').notNullable();
    t.string('type', 32).notNullable();
    t.string('actor_kind', 16).notNullable();
    t.string('actor_id', 128).notNullable();
    t.text('payload').notNullable();
    t.string('at', 32).notNullable();
    t.primary(['application_id', 'seq']);
  });

  await knex.schema.createTable('outbox', (t) => {
    t.string('id', 80).primary();
    t.string('application_id', 36).notNullable().references('id').inTable('applications');
    t.integer('seq').notNullable();
    t.text('effect').notNullable();
    t.string('status', 16).notNullable().defaultTo('pending');
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error');
    t.string('created_at', 32).notNullable();
    t.string('done_at', 32);
    t.index(['status', 'created_at']);
  });

  await knex.schema.createTable('timers', (t) => {
    t.string('id', 80).primary();
    t.string('application_id', 36).notNullable().references('id').inTable('applications');
    t.string('kind', 32).notNullable();
    t.string('due_at', 32).notNullable();
    t.text('payload').notNullable();
    t.string('status', 16).notNullable().defaultTo('pending');
    t.string('lease_owner', 64);
    t.string('lease_until', 32);
    t.string('fired_at', 32);
    t.string('created_at', 32).notNullable();
    t.index(['status', 'due_at']);
  });

  await knex.schema.createTable('counters', (t) => {
    t.string('name', 64).primary();
    t.bigInteger('value').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['counters', 'timers', 'outbox', 'application_events', 'applications', 'service_definitions']) {
    await knex.schema.dropTableIfExists(table);
  }
}
