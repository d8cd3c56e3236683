/**
 * The open-task projection is exact: after any sequence of events — accepted or refused, happy path or not —
 * the `open_tasks` rows of an application equal what its snapshot says is open (with the row's deadline
 * instants), and a migration from the previous schema fills them for applications already in flight.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import type { AnyMachineSnapshot } from 'xstate';
import { compileDefinition, involvedDepartments, nextMove, type ActorRef, type CompiledService } from '../../src/definitions/index.js';
import type { ServiceDefinition } from '../../src/domain/definition.js';
import { EventTypes, type EventType } from '../../src/domain/vocabulary.js';
import { taskRowsOf } from '../../src/runtime/tasks.js';
import { createWorkingCalendar } from '../../src/domain/calendar.js';
import type { ApplicationView } from '../../src/runtime/index.js';
import { createApplicationStore, migrateLatest, migrateTo, type Database } from '../../src/store/index.js';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/databases.js';
import { applicant, claimsFor, clerk, createWorld, exampleForm, fixture, loadDefinition, scheduler, workflowDefinitions, type World } from '../support/world.js';

const EVENTS = Object.values(EventTypes).filter((t) => t !== 'CERTIFICATES_ISSUED');

/** One step of a random run: the happy path's next move, or an arbitrary event by an arbitrary actor. */
type Choice = { happy: true } | { happy: false; type: EventType; matter: number; actor: number; claim: boolean };

const choice: fc.Arbitrary<Choice> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ happy: true as const }) },
  {
    weight: 2,
    arbitrary: fc.record({ happy: fc.constant(false as const), type: fc.constantFrom(...EVENTS), matter: fc.nat(5), actor: fc.nat(7), claim: fc.boolean() }),
  },
);

/** The rows as the projection holds them, without the bookkeeping (claims, when each opened). */
async function storedTasks(db: Database, id: string) {
  const rows = await db('open_tasks').where({ application_id: id }).orderBy('task');
  return rows.map((r: Record<string, unknown>) => ({
    applicationId: r.application_id,
    task: r.task,
    kind: r.kind,
    party: r.party,
    department: r.department,
    matter: r.matter ?? null,
    status: r.status,
    dueAt: r.due_at ?? null,
    blueAt: r.blue_at ?? null,
    yellowAt: r.yellow_at ?? null,
    warningLevel: r.warning_level,
  }));
}

/** What the stored snapshot says is open, computed afresh from the row. */
async function expectedTasks(db: Database, compiled: CompiledService, id: string) {
  const row = (await createApplicationStore(db).getApplication(id))!;
  const snapshot = compiled.machine.resolveState({ value: row.snapshot.value, context: row.snapshot.context }) as AnyMachineSnapshot;
  return taskRowsOf(id, compiled, snapshot, row.tracking, createWorkingCalendar()).sort((a, b) => (a.task < b.task ? -1 : 1));
}

async function expectProjectionExact(db: Database, compiled: CompiledService, id: string, context: string, { postChecks = true } = {}): Promise<void> {
  const expected = (await expectedTasks(db, compiled, id)).filter((t) => postChecks || t.kind !== 'postcheck');
  expect(await storedTasks(db, id), context).to.deep.equal(expected);
}

/**
 * Whom each open task has been with since it opened, one party per event, and that its row says it was returned
 * exactly when it went from a clerk to the applicant on the way (the snapshot no longer tells once they answered).
 */
async function expectReturnedAsLived(db: Database, id: string, lived: Map<string, string[]>, context: string): Promise<void> {
  const rows = (await db('open_tasks').where({ application_id: id })) as { task: string; party: string; returned: unknown }[];
  for (const task of [...lived.keys()]) if (!rows.some((r) => r.task === task)) lived.delete(task);
  for (const r of rows) {
    const parties = [...(lived.get(r.task) ?? []), r.party];
    lived.set(r.task, parties);
    const returned = parties.some((p, i) => p === 'clerk' && parties[i + 1] === 'applicant');
    expect(Boolean(Number(r.returned)), `${context}: ${r.task} returned after ${parties.join(' → ')}`).to.equal(returned);
  }
}

for (const kind of databaseKinds) {
  describe(`the open-task projection (${kind})`, function () {
    this.timeout(300_000);
    let database: TestDatabase;
    let world: World;
    const services: { definition: ServiceDefinition; compiled: CompiledService }[] = [];

    before(async () => {
      database = await openTestDatabase(kind);
      world = await createWorld(database);
      for (const d of [...workflowDefinitions(), loadDefinition(fixture('valid/every-step.json'))]) {
        const definition = await world.publish(d);
        services.push({ definition, compiled: compileDefinition(definition) });
      }
    });
    after(() => database.close());

    async function submit(definition: ServiceDefinition, owner: string, omitDeferrable: boolean): Promise<ApplicationView> {
      const form = exampleForm(definition);
      return world.engine.submit({ serviceId: definition.id, applicant: applicant(owner), form, materials: claimsFor(world, definition, form, owner, { omitDeferrable }) });
    }

    it('equals what the snapshot says is open after every event of random runs, refused ones included', async () => {
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(fc.nat(services.length - 1), fc.boolean(), fc.array(choice, { minLength: 1, maxLength: 25 }), async (serviceIndex, omitDeferrable, choices) => {
          const { definition, compiled } = services[serviceIndex]!;
          const owner = `citizen-p${++runs}`;
          const departments = [...involvedDepartments(compiled)];
          const matters = definition.steps.flatMap((s) => (s.kind === 'review' ? s.matters.map((m) => m.id) : []));
          let view = await submit(definition, owner, omitDeferrable && definition.materials.some((m) => m.deferrable));
          await expectProjectionExact(database.db, compiled, view.id, 'after submission');
          const lived = new Map<string, string[]>();
          await expectReturnedAsLived(database.db, view.id, lived, 'after submission');
          for (const [i, c] of choices.entries()) {
            const request = c.happy ? happyRequest(world, compiled, view) : randomRequest(c, matters, owner);
            if (!request) continue;
            const actor = c.happy ? request.actor : randomActor(c.actor, departments, owner);
            try {
              if (!c.happy && c.claim && actor.kind === 'clerk') {
                await database.db('open_tasks').where({ application_id: view.id, party: 'clerk' }).whereNull('claimed_by').update({ claimed_by: `someone-else-${i}`, claimed_at: new Date().toISOString() });
              }
              view = await world.engine.send(view.id, request.body, actor);
            } catch {
              view = await world.engine.get(view.id);
            }
            await expectProjectionExact(database.db, compiled, view.id, `after step ${i} (${JSON.stringify(request.body)} by ${actor.kind}) in ${view.state}`);
            await expectReturnedAsLived(database.db, view.id, lived, `after step ${i} (${JSON.stringify(request.body)})`);
          }
        }),
        { numRuns: Number(process.env.ONEVISIT_PROPERTY_RUNS ?? 40) },
      );
    });

    it('fills the projection, with the claims held, when the previous schema is migrated with applications in flight', async () => {
      const old = await openTestDatabase(kind, { migrate: false });
      try {
        await migrateTo(old.db, '007_unique_id_number');
        // The previous release's rows, written as it wrote them: the engine of this release cannot write the old schema,
        // so applications are copied in from this suite's database (their rows and events) with the old columns.
        const ids = (await database.db('applications').select('id').orderBy('id').limit(60)).map((r: { id: string }) => r.id);
        expect(ids.length).to.be.greaterThan(10);
        await old.db('service_definitions').insert(await database.db('service_definitions').select());
        for (const id of ids) {
          const row = await database.db('applications').where({ id }).first();
          const { extension_days: _e, sent_back: _s, ...columns } = row;
          void _e;
          void _s;
          const tasks = await database.db('open_tasks').where({ application_id: id });
          const departments = [...new Set(tasks.filter((t: { party: string }) => t.party === 'clerk').map((t: { department: string }) => t.department))];
          await old.db('applications').insert({ ...columns, open_departments: `|${departments.join('|')}${departments.length ? '|' : ''}` });
          await old.db('application_events').insert(await database.db('application_events').where({ application_id: id }));
          for (const t of tasks.filter((t: { party: string }) => t.party === 'clerk')) {
            await old.db('task_claims').insert({ application_id: id, task: t.task, clerk_id: `clerk-of-${id.slice(0, 4)}`, claimed_at: '2026-11-30T01:00:00.000Z' });
          }
        }
        await migrateLatest(old.db);
        let open = 0;
        for (const id of ids) {
          const row = await old.db('applications').where({ id }).first();
          const service = services.find((s) => s.definition.id === row.service_id && s.definition.version === Number(row.service_version))!;
          // Post-checks of applications completed before the migration are not invented by it.
          await expectProjectionExact(old.db, service.compiled, id, `migrated ${row.number}`, { postChecks: false });
          const tasks = await old.db('open_tasks').where({ application_id: id });
          open += tasks.length;
          for (const t of tasks.filter((t: { party: string }) => t.party === 'clerk')) expect(t.claimed_by, `claim on ${t.task}`).to.equal(`clerk-of-${id.slice(0, 4)}`);
          // Whether each task was returned is read back from the history as this release's engine wrote it.
          const live = await database.db('open_tasks').where({ application_id: id }).whereNot({ kind: 'postcheck' }).select('task', 'returned').orderBy('task');
          const migrated = await old.db('open_tasks').where({ application_id: id }).whereNot({ kind: 'postcheck' }).select('task', 'returned').orderBy('task');
          const returned = (rows: { task: string; returned: unknown }[]) => rows.map((r) => `${r.task}:${Boolean(Number(r.returned))}`);
          expect(returned(migrated), `returned ${row.number}`).to.deep.equal(returned(live));
          const events = await old.db('application_events').where({ application_id: id }).whereIn('type', ['REQUEST_SUPPLEMENT', 'RETURN']);
          expect(Boolean(Number(row.sent_back)), `sent back ${row.number}`).to.equal(events.length > 0);
        }
        expect(open, 'applications in flight were copied').to.be.greaterThan(0);
        const submitted = await old.db('figures').where({ name: 'submitted' }).sum({ n: 'value' }).first();
        expect(Number(submitted?.n)).to.equal(ids.length);
      } finally {
        await old.close();
      }
    });
  });
}

function happyRequest(world: World, compiled: CompiledService, view: ApplicationView): { body: Record<string, unknown>; actor: ActorRef } | undefined {
  const move = nextMove(compiled, view.stateValue, { ...view, noticeElapsed: false });
  if (!move || move.type === 'CERTIFICATES_ISSUED') return undefined;
  const actor: ActorRef = move.actor.kind === 'clerk' ? clerk(move.actor.department!) : move.actor.kind === 'applicant' ? applicant(view.applicantId) : scheduler;
  const materials = move.owedMaterials?.map((materialId) => ({ materialId, fileId: world.wallet.giveFile(view.applicantId) }));
  return { body: { type: move.type, ...(move.matter ? { matter: move.matter } : {}), ...(materials ? { materials } : {}) }, actor };
}

function randomRequest(c: Extract<Choice, { happy: false }>, matters: string[], owner: string): { body: Record<string, unknown>; actor: ActorRef } {
  const matter = matters.length && c.matter < matters.length ? matters[c.matter] : undefined;
  const body: Record<string, unknown> = { type: c.type, ...(matter ? { matter } : {}) };
  if (c.type === 'EXTEND') body.data = { days: 1 + c.matter };
  if (c.type === 'REQUEST_SUPPLEMENT' || c.type === 'RETURN') body.items = ['/company/name'];
  return { body, actor: applicant(owner) };
}

function randomActor(n: number, departments: string[], owner: string): ActorRef {
  if (n === 0) return applicant(owner);
  if (n === 1) return scheduler;
  if (n === 2) return { kind: 'citizen', id: 'someone' };
  return clerk(departments[n % departments.length]!);
}
