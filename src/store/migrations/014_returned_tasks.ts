/**
 * `open_tasks.returned`: the task went from a clerk to the applicant since it opened (a supplement asked at intake,
 * a matter returned by its department). It is kept on the row through the round trip, as the claim is, so a clerk's
 * task with it holds the applicant's answer, and the queue shows it as answered and back — at the window or at the
 * department that returned the matter. `applications.sent_back` keeps its own meaning (ever sent back, for the
 * one-visit figure). Filled here for the tasks in flight from their applications' history.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('open_tasks', (t) => {
    t.boolean('returned').notNullable().defaultTo(false);
  });
  // Only a supplement request sends an application back while it is at the window, the first step.
  await knex('open_tasks')
    .whereIn('kind', ['intake', 'supplement'])
    .where({ task: 'intake' })
    .whereIn('application_id', knex('applications').select('id').where({ sent_back: true }))
    .update({ returned: true });
  // A matter's task is returned when one of its RETURN events names it.
  const returns = await knex('application_events as e')
    .join('open_tasks as t', 't.application_id', 'e.application_id')
    .where({ 'e.type': 'RETURN' })
    .whereNotNull('t.matter')
    .select('e.application_id', 'e.payload', 't.task', 't.matter');
  for (const r of returns as { application_id: string; payload: string; task: string; matter: string }[]) {
    if ((JSON.parse(r.payload) as { matter?: unknown }).matter === r.matter) await knex('open_tasks').where({ application_id: r.application_id, task: r.task }).update({ returned: true });
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('open_tasks', (t) => {
    t.dropColumn('returned');
  });
}
