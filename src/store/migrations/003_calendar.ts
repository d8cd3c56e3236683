/** The working-day calendar as admins edit it (one region per database), and retry bookkeeping for timers. */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('calendar_years', (t) => {
    t.integer('year').primary();
    t.string('region', 32).notNullable();
    t.text('source').notNullable();
    t.text('weekend').notNullable(); // JSON array of ISO weekdays
  });

  await knex.schema.createTable('calendar_days', (t) => {
    t.string('day', 10).primary(); // YYYY-MM-DD
    t.integer('year').notNullable().references('year').inTable('calendar_years');
    t.string('kind', 8).notNullable(); // 'holiday', or 'workday' (a make-up working day on a weekend)
    t.text('name'); // JSON i18n text: the holiday's name, or the holiday a make-up day is for
    t.string('region', 32).notNullable();
    t.index(['year']);
  });

  await knex.schema.alterTable('timers', (t) => {
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('timers', (t) => {
    t.dropColumn('last_error');
    t.dropColumn('attempts');
  });
  await knex.schema.dropTableIfExists('calendar_days');
  await knex.schema.dropTableIfExists('calendar_years');
}
