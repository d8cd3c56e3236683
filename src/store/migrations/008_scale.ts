/**
 * A city's history on several instances:
 * - `open_tasks`, the projection of what is open now (one row per task, with its claim), replacing the
 *   `open_departments` string and the `task_claims` table; filled here for the applications in flight;
 * - `figures`, per-day counters the dashboard sums instead of reading every application; filled here from
 *   the history there is;
 * - `applications.sent_back` and `extension_days`, so figures and deadline recomputation need no snapshot;
 * - leases on outbox effects, so a worker on any instance carries them out and takes over a dead one's;
 * - `rate_limits`, the sign-in limiter's counts, shared by every instance.
 */
import type { Knex } from 'knex';
import type { AnyMachineSnapshot } from 'xstate';
import { compileDefinition, type CompiledService, type PersistedSnapshot } from '../../definitions/index.js';
import type { ServiceDefinition } from '../../domain/definition.js';
import { FinalStates, type ApplicationStatus } from '../../domain/vocabulary.js';
import { taskRowsOf } from '../../runtime/tasks.js';
import { createWorkingCalendar } from '../../domain/calendar.js';
import { submissionFigures, transitionFigures } from '../../runtime/figures.js';
import type { FigureDelta, Tracking } from '../../runtime/ports.js';
import { taskColumns } from '../openTasks.js';

const BATCH = 500;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('open_tasks', (t) => {
    t.string('application_id', 36).notNullable().references('id').inTable('applications');
    t.string('task', 80).notNullable();
    t.string('kind', 16).notNullable();
    t.string('party', 16).notNullable(); // 'clerk', or 'applicant' (the department waits for them)
    t.string('department', 64).notNullable();
    t.string('matter', 64);
    t.string('status', 32).notNullable(); // the application's
    t.string('due_at', 32);
    t.string('blue_at', 32);
    t.string('yellow_at', 32);
    t.string('warning_level', 8).notNullable();
    /** `due_at`, or `~` for none: ascending order puts the nearest deadline first and tasks without one last. */
    t.string('due_sort', 40).notNullable();
    t.string('opened_at', 32).notNullable();
    t.string('claimed_by', 64);
    t.string('claimed_at', 32);
    t.primary(['application_id', 'task']);
    // The queue's whole order, so a department's page is read off the index without sorting its tasks.
    t.index(['department', 'due_sort', 'application_id', 'task'], 'open_tasks_department_due');
    t.index(['claimed_by'], 'open_tasks_claimed_by');
  });

  await knex.schema.createTable('figures', (t) => {
    t.string('day', 10).notNullable(); // YYYY-MM-DD, China Standard Time
    t.string('service_id', 64).notNullable();
    t.string('name', 32).notNullable();
    t.bigInteger('value').notNullable();
    t.primary(['day', 'service_id', 'name']);
  });

  await knex.schema.alterTable('applications', (t) => {
    t.boolean('sent_back').notNullable().defaultTo(false);
    t.integer('extension_days').notNullable().defaultTo(0);
  });

  await knex.schema.alterTable('outbox', (t) => {
    t.string('lease_owner', 64);
    t.string('lease_until', 32);
    t.string('failed_at', 32);
    t.index(['status', 'lease_until'], 'outbox_status_lease');
  });

  await knex.schema.createTable('rate_limits', (t) => {
    t.string('key', 255).primary();
    t.integer('hits').notNullable();
    t.bigInteger('reset_at').notNullable(); // epoch milliseconds
    t.index(['reset_at']);
  });

  await knex('applications')
    .whereIn('id', knex('application_events').select('application_id').whereIn('type', ['REQUEST_SUPPLEMENT', 'RETURN']))
    .update({ sent_back: true });
  await backfill(knex);

  await knex.schema.dropTable('task_claims');
  await knex.raw('ALTER TABLE applications DROP COLUMN open_departments');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('applications', (t) => t.text('open_departments'));
  await knex.schema.createTable('task_claims', (t) => {
    t.string('application_id', 36).notNullable().references('id').inTable('applications');
    t.string('task', 80).notNullable();
    t.string('clerk_id', 64).notNullable();
    t.string('claimed_at', 32).notNullable();
    t.primary(['application_id', 'task']);
  });
  await knex.raw(
    'INSERT INTO task_claims (application_id, task, clerk_id, claimed_at) SELECT application_id, task, claimed_by, claimed_at FROM open_tasks WHERE claimed_by IS NOT NULL',
  );
  await knex.schema.dropTable('rate_limits');
  await knex.schema.alterTable('outbox', (t) => {
    t.dropIndex(['status', 'lease_until'], 'outbox_status_lease');
    for (const c of ['lease_owner', 'lease_until', 'failed_at']) t.dropColumn(c);
  });
  await knex.schema.alterTable('applications', (t) => {
    t.dropColumn('sent_back');
    t.dropColumn('extension_days');
  });
  await knex.schema.dropTable('figures');
  await knex.schema.dropTable('open_tasks');
}

/** Open tasks (with their claims) for the applications in flight; figures and extension days for all of them. */
async function backfill(knex: Knex): Promise<void> {
  const compiled = new Map<string, CompiledService>();
  const serviceOf = async (serviceId: string, version: number): Promise<CompiledService> => {
    const key = `${serviceId}@${version}`;
    let hit = compiled.get(key);
    if (!hit) {
      const row = await knex('service_definitions').where({ service_id: serviceId, version }).first();
      hit = compileDefinition(JSON.parse(String(row.definition)) as ServiceDefinition);
      compiled.set(key, hit);
    }
    return hit;
  };
  const claims = new Map<string, { clerk: string; at: string }>();
  for (const c of await knex('task_claims').select()) claims.set(`${c.application_id} ${c.task}`, { clerk: String(c.clerk_id), at: String(c.claimed_at) });
  const figures = new Map<string, FigureDelta>();
  const add = (deltas: FigureDelta[]) => {
    for (const d of deltas) {
      const key = `${d.day} ${d.serviceId} ${d.name}`;
      const had = figures.get(key);
      figures.set(key, { ...d, value: (had?.value ?? 0) + d.value });
    }
  };
  const final = new Set<string>(FinalStates);
  let after = '';
  for (;;) {
    const rows = await knex('applications')
      .select('id', 'service_id', 'service_version', 'status', 'snapshot', 'created_at', 'updated_at', 'due_at', 'blue_at', 'yellow_at', 'warning_level', 'sent_back', 'clock')
      .where('id', '>', after)
      .orderBy('id')
      .limit(BATCH);
    if (rows.length === 0) break;
    after = String(rows[rows.length - 1].id);
    const tasks: Record<string, unknown>[] = [];
    for (const row of rows) {
      const snapshot = JSON.parse(String(row.snapshot)) as PersistedSnapshot;
      const status = row.status as ApplicationStatus;
      const sentBack = Boolean(Number(row.sent_back));
      // History keeps no per-event figures: its materials count on the day of submission.
      add(submissionFigures(String(row.service_id), snapshot.context.materials ?? {}, String(row.created_at)));
      add(transitionFigures(String(row.service_id), 'submitted', status, { sentBack, levelAtEnd: row.warning_level }, { before: {}, after: {} }, String(row.updated_at)));
      const extensionDays = Number(snapshot.context.extensionDays ?? 0);
      if (extensionDays) await knex('applications').where({ id: row.id }).update({ extension_days: extensionDays });
      if (final.has(status)) continue;
      const service = await serviceOf(String(row.service_id), Number(row.service_version));
      const restored = service.machine.resolveState({ value: snapshot.value, context: snapshot.context }) as AnyMachineSnapshot;
      const tracking: Tracking = {
        clock: String(row.clock ?? '{"pauses":[]}'),
        dueAt: row.due_at ?? null,
        blueAt: row.blue_at ?? null,
        yellowAt: row.yellow_at ?? null,
        warningLevel: row.warning_level ?? 'none',
        extensionDays,
        sentBack,
      };
      // Only applications in flight: a completed one's post-checks predate this release and are not invented here.
      for (const task of taskRowsOf(String(row.id), service, restored, tracking, createWorkingCalendar())) {
        const claim = claims.get(`${row.id} ${task.task}`);
        tasks.push({ ...taskColumns(task, String(row.updated_at)), claimed_by: claim?.clerk ?? null, claimed_at: claim?.at ?? null });
      }
    }
    if (tasks.length) await knex.batchInsert('open_tasks', tasks, 100);
  }
  const list = [...figures.values()].map((f) => ({ day: f.day, service_id: f.serviceId, name: f.name, value: f.value }));
  if (list.length) await knex.batchInsert('figures', list, 200);
}
