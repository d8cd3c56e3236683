/**
 * Several instances on one database tell the same truth: two engines, each with its own connection pool and
 * snapshot cache, as two server processes would have.
 */
import { expect } from 'chai';
import type { ServiceDefinition } from '../../src/domain/definition.js';
import { isOnevisitError } from '../../src/domain/errors.js';
import type { ApplicationView, Engine } from '../../src/runtime/index.js';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/databases.js';
import { applicant, claimsFor, clerk, createEngine, createWorld, exampleForm, workflowDefinitions, type World } from '../support/world.js';

for (const kind of databaseKinds) {
  describe(`two instances on one database (${kind})`, function () {
    this.timeout(120_000);
    let database: TestDatabase;
    let world: World;
    let a: Engine;
    let b: Engine;
    let definition: ServiceDefinition;
    let matters: { id: string; department: string }[];

    before(async () => {
      database = await openTestDatabase(kind);
      world = await createWorld(database);
      definition = await world.publish(workflowDefinitions().find((d) => d.id === 'business-startup')!);
      const review = definition.steps.find((s) => s.kind === 'review');
      matters = review?.kind === 'review' ? review.matters.map((m) => ({ id: m.id, department: m.department })) : [];
      a = world.engine;
      b = createEngine(database.openAnother(), { issueCertificates: async () => ['c'], scheduleTimer: async () => {} }, world.wallet);
    });
    after(() => database.close());

    async function accepted(owner: string): Promise<ApplicationView> {
      const form = exampleForm(definition);
      const view = await a.submit({ serviceId: definition.id, applicant: applicant(owner), form, materials: claimsFor(world, definition, form, owner) });
      // A reads it before B moves it, so A's cache holds the submitted snapshot.
      await a.get(view.id);
      return b.send(view.id, { type: 'ACCEPT' }, clerk(view.openDepartments[0]!));
    }

    it('reads on one instance what the other wrote a moment before, though it had the older snapshot cached', async () => {
      for (let i = 0; i < 10; i++) {
        const view = await accepted(`reader-${i}`);
        const seen = await a.get(view.id);
        expect(seen.status).to.equal('in_review');
        expect(seen.version).to.equal(view.version);
      }
    });

    it('decides on the current state: an event the other instance made possible is taken, one it made impossible is refused', async () => {
      const view = await accepted('decider');
      const matter = matters[0]!;
      // A's cache still says "submitted": APPROVE would be refused there, ACCEPT allowed. The truth is the opposite.
      await a.send(view.id, { type: 'APPROVE', matter: matter.id }, clerk(matter.department));
      const again = await a.send(view.id, { type: 'ACCEPT' }, clerk(view.openDepartments[0]!)).then(
        () => 'accepted',
        (error: unknown) => (isOnevisitError(error, 'TRANSITION.NOT_ALLOWED') ? 'refused' : error),
      );
      expect(again).to.equal('refused');
    });

    it('applies every matter approved at once through both instances, 30 times, with no conflict', async () => {
      expect(matters.length).to.be.greaterThanOrEqual(3);
      for (let round = 0; round < 30; round++) {
        const view = await accepted(`racer-${round}`);
        const results = await Promise.allSettled(matters.map((m, i) => (i % 2 ? a : b).send(view.id, { type: 'APPROVE', matter: m.id }, clerk(m.department))));
        const refused = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
        expect(refused, `round ${round}`).to.deep.equal([]);
        const final = await a.get(view.id);
        expect(Object.values(final.decisions)).to.have.length(matters.length);
        expect(final.version).to.equal(view.version + matters.length + 1); // and CERTIFICATES_ISSUED
        expect((await a.verifyReplay(view.id)).consistent).to.equal(true);
      }
    });

    it('refuses on one instance a decision on a task a clerk claimed through the other', async () => {
      const view = await accepted('claimed');
      const matter = matters[1]!;
      await database.db('open_tasks').where({ application_id: view.id, task: `matter:${matter.id}` }).update({ claimed_by: 'clerk-on-b', claimed_at: new Date().toISOString() });
      const error = await a.send(view.id, { type: 'APPROVE', matter: matter.id }, clerk(matter.department)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isOnevisitError(error, 'TASK.CLAIMED')).to.equal(true);
      expect((await b.get(view.id)).matters[matter.id]).to.equal('pending');
    });
  });
}
