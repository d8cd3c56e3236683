/** Deadlines on the application row, task claims, ratings. */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('applications', (t) => {
    // The promised-days clock (JSON: start, pauses) and the instants its warning levels begin.
    t.text('clock');
    t.string('blue_at', 32);
    t.string('yellow_at', 32);
    t.text('open_departments'); // `|dept|dept|`: departments whose clerks can act now
  });
  await knex.schema.createTable('task_claims', (t) => {
    t.string('application_id', 36).notNullable().references('id').inTable('applications');
    t.string('task', 80).notNullable(); // 'intake', or 'matter:<id>'
    t.string('clerk_id', 64).notNullable();
    t.string('claimed_at', 32).notNullable();
    t.primary(['application_id', 'task']);
  });
  await knex.schema.createTable('ratings', (t) => {
    t.string('application_id', 36).primary().references('id').inTable('applications');
    t.integer('score').notNullable();
    t.text('comment');
    t.string('rated_at', 32).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('ratings');
  await knex.schema.dropTableIfExists('task_claims');
  await knex.schema.alterTable('applications', (t) => {
    for (const c of ['clock', 'blue_at', 'yellow_at', 'open_departments']) t.dropColumn(c);
  });
}
