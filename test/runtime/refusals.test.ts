import { expect } from 'chai';
import { isOnevisitError, type ErrorCode } from '../../src/domain/errors.js';
import type { ApplicationView, EffectHandlers } from '../../src/runtime/index.js';
import type { Database } from '../../src/store/index.js';
import type { ServiceDefinition } from '../../src/domain/definition.js';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/databases.js';
import { applicant, claimsFor, clerk, createEngine, createWorld, drive, exampleForm, fixture, loadDefinition, type World } from '../support/world.js';

async function refusal(promise: Promise<unknown>, code: ErrorCode) {
  try {
    await promise;
  } catch (error) {
    expect(isOnevisitError(error), String(error)).to.equal(true);
    expect((error as { code: string }).code).to.equal(code);
    return error as { code: string; message: string; errors: { path: string; code: string }[] };
  }
  throw new Error(`expected ${code}, but it succeeded`);
}

for (const kind of databaseKinds) {
  describe(`refused events and concurrent writers (${kind})`, () => {
    let database: TestDatabase;
    let world: World;
    let definition: ServiceDefinition;

    before(async () => {
      database = await openTestDatabase(kind);
      world = await createWorld(database);
      definition = await world.publish(loadDefinition(fixture('valid/every-step.json')));
    });
    after(async () => {
      // Every application this suite created (refused or not) replays to exactly its stored snapshot.
      world.engine.clearCache();
      const ids = (await database.db('applications').select('id')).map((r: { id: string }) => r.id);
      expect(ids.length).to.be.greaterThan(5);
      for (const id of ids) expect((await world.engine.verifyReplay(id)).consistent, `replay of ${id}`).to.equal(true);
      await database.close();
    });

    /** An engine of its own over `db`, as another server process would be. */
    function anotherEngine(db: Database, effects: EffectHandlers = { issueCertificates: async () => [], scheduleTimer: async () => {} }) {
      return createEngine(db, effects, world.wallet, undefined, database.db);
    }

    async function submitted(owner = 'citizen-r'): Promise<ApplicationView> {
      const form = exampleForm(definition);
      return world.engine.submit({ serviceId: definition.id, applicant: applicant(owner), form, materials: claimsFor(world, definition, form, owner) });
    }

    async function unchanged(view: ApplicationView) {
      world.engine.clearCache();
      const now = await world.engine.get(view.id);
      expect(now.version).to.equal(view.version);
      expect(now.state).to.equal(view.state);
      expect(await world.engine.events(view.id)).to.have.length(view.version);
    }

    it('numbers concurrent submissions without gaps or repeats, from two processes at once', async () => {
      const other = anotherEngine(database.openAnother());
      const views = await Promise.all(
        Array.from({ length: 24 }, (_, i) => {
          const owner = `citizen-c${i}`;
          const form = exampleForm(definition);
          return (i % 2 ? other : world.engine).submit({ serviceId: definition.id, applicant: applicant(owner), form, materials: claimsFor(world, definition, form, owner) });
        }),
      );
      const numbers = views.map((v) => v.number).sort();
      expect(new Set(numbers).size).to.equal(24);
      const sequences = numbers.map((n) => Number(n.slice(8)));
      for (let i = 1; i < sequences.length; i++) expect(sequences[i]! - sequences[i - 1]!).to.equal(1);
      for (const view of views) {
        expect(await world.engine.events(view.id)).to.have.length(1);
        expect((await world.engine.get(view.id)).applicantId).to.equal(view.applicantId);
      }
    });

    it('refuses an event the current state does not take, and changes nothing', async () => {
      const view = await submitted();
      const error = await refusal(world.engine.send(view.id, { type: 'APPROVE', matter: 'license' }, clerk('market-regulation')), 'TRANSITION.NOT_ALLOWED');
      expect(error.message).to.contain('submitted');
      await refusal(world.engine.send(view.id, { type: 'PAY' }, applicant(view.applicantId)), 'TRANSITION.NOT_ALLOWED');
      await unchanged(view);
    });

    it('refuses an event from the wrong kind of actor or department, and changes nothing', async () => {
      const view = await submitted();
      await refusal(world.engine.send(view.id, { type: 'ACCEPT' }, applicant(view.applicantId)), 'AUTH.FORBIDDEN');
      await refusal(world.engine.send(view.id, { type: 'ACCEPT' }, clerk('taxation')), 'AUTH.FORBIDDEN');
      await refusal(world.engine.send(view.id, { type: 'WITHDRAW' }, { kind: 'citizen', id: 'someone-else' }), 'AUTH.FORBIDDEN');
      await refusal(world.engine.send(view.id, { type: 'CERTIFICATES_ISSUED' }, clerk('comprehensive-window')), 'AUTH.FORBIDDEN');
      const accepted = await world.engine.send(view.id, { type: 'ACCEPT' }, clerk('comprehensive-window'));
      await refusal(world.engine.send(view.id, { type: 'APPROVE', matter: 'license' }, clerk('taxation')), 'AUTH.FORBIDDEN');
      await refusal(world.engine.send(view.id, { type: 'APPROVE' }, clerk('market-regulation')), 'EVENT.INVALID');
      await refusal(world.engine.send(view.id, { type: 'APPROVE', matter: 'no-such-matter' }, clerk('market-regulation')), 'TRANSITION.NOT_ALLOWED');
      await unchanged(accepted);
    });

    it('refuses malformed events with the offending path', async () => {
      const view = await submitted();
      for (const bad of [null, 'ACCEPT', { type: 'DANCE' }, { type: 'ACCEPT', extra: 1 }, { type: 'ACCEPT', comment: 7 }, { type: 'EXTEND', data: { days: -2 } }]) {
        await refusal(world.engine.send(view.id, bad, clerk('comprehensive-window')), 'EVENT.INVALID');
      }
      const error = await refusal(world.engine.send(view.id, { type: 'DANCE' }, clerk('comprehensive-window')), 'EVENT.INVALID');
      expect(error.errors.map((e) => e.path)).to.deep.equal(['/type']);
      await unchanged(view);
    });

    it('refuses an invalid form with every problem and its path, storing nothing', async () => {
      const form = exampleForm(definition) as { applicant: { idNumber: string; name: string }; company?: unknown };
      form.applicant.idNumber = '110105194912310021'; // wrong check digit
      delete form.company;
      const error = await refusal(world.engine.submit({ serviceId: definition.id, applicant: applicant('c-bad'), form, materials: [] }), 'FORM.INVALID');
      expect(error.errors.map((e) => [e.path, e.code])).to.deep.include.members([
        ['/form/applicant/idNumber', 'FORM.FORMAT'],
        ['/form/company', 'FORM.REQUIRED'],
      ]);
    });

    it('refuses missing materials, and files or certificates that are not the applicant\'s', async () => {
      const form = exampleForm(definition);
      const missing = await refusal(world.engine.submit({ serviceId: definition.id, applicant: applicant('c-m'), form, materials: [] }), 'MATERIALS.INVALID');
      expect(missing.errors.map((e) => e.code)).to.include('MATERIAL.MISSING');
      const claims = claimsFor(world, definition, form, 'someone-else');
      const notTheirs = await refusal(world.engine.submit({ serviceId: definition.id, applicant: applicant('c-m'), form, materials: claims }), 'MATERIALS.INVALID');
      expect(notTheirs.errors.map((e) => e.code)).to.include('MATERIAL.UNVERIFIED');
      const commitmentNotAllowed = claimsFor(world, definition, form, 'c-m').map((c) => (c.materialId === 'id-card' ? { materialId: 'id-card', commitment: true as const } : c));
      const refused = await refusal(world.engine.submit({ serviceId: definition.id, applicant: applicant('c-m'), form, materials: commitmentNotAllowed }), 'MATERIALS.INVALID');
      expect(refused.errors[0]!.path).to.equal('/materials/0');
      await refusal(world.engine.submit({ serviceId: 'no-such-service', applicant: applicant('c-m'), form, materials: [] }), 'SERVICE.NOT_FOUND');
      await refusal(world.engine.get('00000000-0000-0000-0000-000000000000'), 'APPLICATION.NOT_FOUND');
    });

    it('lets exactly one of two writers holding the same version win; the other gets a conflict', async () => {
      const view = await submitted();
      // Two engines with their own connections: as two server processes would be.
      const other = anotherEngine(database.openAnother());
      await other.get(view.id);
      const results = await Promise.allSettled([
        world.engine.send(view.id, { type: 'ACCEPT' }, clerk('comprehensive-window'), { expectedVersion: view.version }),
        other.send(view.id, { type: 'REJECT', comment: '材料不全' }, clerk('comprehensive-window'), { expectedVersion: view.version }),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).to.have.length(1);
      expect(lost).to.have.length(1);
      expect(isOnevisitError(lost[0]!.reason, 'APPLICATION.CONFLICT'), String(lost[0]!.reason)).to.equal(true);
      world.engine.clearCache();
      const final = await world.engine.get(view.id);
      expect(final.version).to.equal(view.version + 1);
      expect(await world.engine.events(view.id)).to.have.length(view.version + 1);
      expect((await world.engine.verifyReplay(view.id)).consistent).to.equal(true);
    });

    it('refuses a write against a version someone else already moved past', async () => {
      const view = await submitted();
      await world.engine.send(view.id, { type: 'ACCEPT' }, clerk('comprehensive-window'));
      const error = await refusal(world.engine.send(view.id, { type: 'WITHDRAW' }, applicant(view.applicantId), { expectedVersion: view.version }), 'APPLICATION.CONFLICT');
      expect(error.message).to.contain(String(view.version + 1));
    });

    it('applies concurrent decisions of different departments without a lost update when no version is pinned', async () => {
      let view = await submitted();
      view = await world.engine.send(view.id, { type: 'ACCEPT' }, clerk('comprehensive-window'));
      const other = anotherEngine(database.openAnother());
      await other.get(view.id);
      await Promise.all([
        world.engine.send(view.id, { type: 'APPROVE', matter: 'license' }, clerk('market-regulation')),
        other.send(view.id, { type: 'APPROVE', matter: 'tax' }, clerk('taxation')),
      ]);
      world.engine.clearCache();
      const after = await world.engine.get(view.id);
      expect(after.decisions).to.include({ license: 'approved', tax: 'approved' });
      expect((await world.engine.verifyReplay(view.id)).consistent).to.equal(true);
    });

    it('keeps an application on the definition version it started on when a new one is published', async () => {
      const view = await submitted();
      const changed = { ...definition, promisedDays: 4, title: { ...definition.title, en: 'Every step kind, revised' } };
      const v2 = await world.publish(changed);
      expect(v2.version).to.equal(definition.version + 1);
      const moved = await drive(world, view, definition);
      expect(moved.serviceVersion).to.equal(definition.version);
      expect(moved.status).to.equal('completed');
      const fresh = await world.engine.submit({ serviceId: definition.id, applicant: applicant('c-v2'), form: exampleForm(v2), materials: claimsFor(world, v2, exampleForm(v2), 'c-v2') });
      expect(fresh.serviceVersion).to.equal(v2.version);
    });

    it('refuses to restore an application whose stored definition no longer matches its hash', async () => {
      const view = await submitted();
      const row = database.db('service_definitions').where({ service_id: definition.id, version: view.serviceVersion });
      const original = (await row.clone().first()).definition as string;
      await row.clone().update({ definition: JSON.stringify({ ...JSON.parse(original), promisedDays: 99 }) });
      const fresh = anotherEngine(database.db);
      await refusal(fresh.get(view.id), 'DEFINITION.MISMATCH');
      await row.clone().update({ definition: original });
    });

    it('runs an effect left pending by a crash exactly once', async () => {
      let view = await submitted();
      view = await drive(world, view, definition, (v) => v.status === 'in_notice');
      // The process dies after committing NOTICE_ELAPSED, before issuing: the effect stays in the outbox.
      const crashed = anotherEngine(database.db, { issueCertificates: async () => { throw new Error('process killed'); }, scheduleTimer: async () => {} });
      await crashed.get(view.id);
      const stuck = await crashed.send(view.id, { type: 'NOTICE_ELAPSED' }, { kind: 'scheduler', id: 's' });
      expect(stuck.status).to.equal('issuing');
      world.engine.clearCache();
      const before = world.issued.length;
      expect(await world.runPendingEffects()).to.be.greaterThan(0);
      await world.runPendingEffects();
      expect(world.issued.length - before).to.equal(1);
      expect((await world.engine.get(view.id)).status).to.equal('completed');
    });
  });
}
