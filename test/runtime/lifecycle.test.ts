import { expect } from 'chai';
import { compileDefinition, createAjv } from '../../src/definitions/index.js';
import type { ServiceDefinition } from '../../src/domain/definition.js';
import { OnevisitError } from '../../src/domain/errors.js';
import type { ApplicationView } from '../../src/runtime/index.js';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/databases.js';
import { applicant, claimsFor, clerk, createWorld, drive, exampleForm, fixture, loadDefinition, scheduler, workflowDefinitions, type World } from '../support/world.js';

const definitions: ServiceDefinition[] = [loadDefinition(fixture('valid/every-step.json')), ...workflowDefinitions()];

const matterList = (d: ServiceDefinition) => d.steps.flatMap((s) => (s.kind === 'review' ? s.matters : []));
const windowOf = (d: ServiceDefinition) => (d.steps[0]!.kind === 'intake' ? d.steps[0]!.window : '');

/** A valid form in which the matter's condition does not hold: another example, or the first with its flags flipped. */
function formWithout(definition: ServiceDefinition, matterId: string): Record<string, unknown> | undefined {
  const compiled = compileDefinition(definition);
  const fits = createAjv().compile(definition.form);
  const other = (definition.form.examples ?? []).find((example) => !compiled.applies(`matter:${matterId}`, example));
  if (other) return structuredClone(other);
  const form = exampleForm(definition);
  const when = matterList(definition).find((m) => m.id === matterId)!.when as { properties?: Record<string, { const?: unknown }> };
  for (const [key, condition] of Object.entries(when.properties ?? {})) {
    if (typeof condition?.const === 'boolean') form[key] = !condition.const;
  }
  return compiled.applies(`matter:${matterId}`, form) || !fits(form) ? undefined : form;
}

for (const kind of databaseKinds) {
  describe(`application lifecycles (${kind})`, function () {
    let database: TestDatabase;
    let world: World;
    const created: string[] = [];
    const scenariosRun = new Set<string>();

    before(async () => {
      database = await openTestDatabase(kind);
      world = await createWorld(database);
    });
    after(async () => {
      // Every application these tests created replays from its event log to exactly its stored snapshot.
      for (const id of created) {
        const replay = await world.engine.verifyReplay(id);
        expect(replay.consistent, `replay of ${id}`).to.equal(true);
      }
      await database.close();
    });

    async function submit(definition: ServiceDefinition, options: { form?: Record<string, unknown>; omitDeferrable?: boolean } = {}): Promise<ApplicationView> {
      const published = await world.publish(definition);
      const owner = `citizen-${created.length + 1}`;
      const form = options.form ?? exampleForm(published);
      const view = await world.engine.submit({
        serviceId: published.id,
        applicant: applicant(owner),
        form,
        materials: claimsFor(world, published, form, owner, { omitDeferrable: options.omitDeferrable ?? false }),
      });
      created.push(view.id);
      return view;
    }

    for (const definition of definitions) {
      describe(definition.id, () => {
        const matters = matterList(definition);
        const requiredMatter = matters.find((m) => m.required !== false && !m.when);
        const hasIssue = definition.steps.some((s) => s.kind === 'issue');

        it('runs the happy path to completed and issues certificates once', async () => {
          const submitted = await submit(definition);
          expect(submitted.status).to.equal('submitted');
          expect(submitted.version).to.equal(1);
          expect(submitted.number).to.match(/^\d{14}$/);
          const done = await drive(world, submitted, definition);
          expect(done.status).to.equal('completed');
          expect(world.issued.filter((i) => i.application === done.id)).to.have.length(hasIssue ? 1 : 0);
          const applicable = matters.filter((m) => compileDefinition(definition).applies(`matter:${m.id}`, done.form));
          for (const matter of applicable) expect(done.decisions[matter.id], matter.id).to.equal('approved');
          const events = await world.engine.events(done.id);
          expect(events.map((e) => e.seq)).to.deep.equal(events.map((_, i) => i + 1));
          expect(events[0]!.type).to.equal('SUBMIT');
          scenariosRun.add('happy');
        });

        it('goes round the supplement loop at intake and in review, with the clock paused while returned', async () => {
          let view = await submit(definition);
          const window = clerk(windowOf(definition));
          view = await world.engine.send(view.id, { type: 'REQUEST_SUPPLEMENT', comment: '请补充材料', items: ['/materials'] }, window);
          expect(view.status).to.equal('supplement_requested');
          const material = definition.materials.find((m) => !m.satisfiedBy && !m.commitment && compileDefinition(definition).applies(`material:${m.id}`, view.form));
          const corrected = { ...view.form };
          view = await world.engine.send(
            view.id,
            { type: 'SUPPLEMENT', data: { form: corrected }, ...(material ? { materials: [{ materialId: material.id, fileId: world.wallet.giveFile(view.applicantId) }] } : {}) },
            applicant(view.applicantId),
          );
          expect(view.status).to.equal('submitted');
          if (material) expect(view.materials[material.id]?.source).to.equal('file');
          view = await world.engine.send(view.id, { type: 'ACCEPT' }, window);
          const pending = Object.entries(view.matters).find(([, state]) => state === 'pending');
          expect(pending, 'a matter in review after acceptance').to.not.equal(undefined);
          const [matterId] = pending!;
          const department = matters.find((m) => m.id === matterId)!.department;
          view = await world.engine.send(view.id, { type: 'RETURN', matter: matterId, comment: '信息不全' }, clerk(department));
          expect(view.status).to.equal('supplement_requested');
          expect(view.clock).to.equal('paused');
          expect(view.matters[matterId]).to.equal('returned');
          view = await world.engine.send(view.id, { type: 'SUPPLEMENT', matter: matterId, comment: '已补充' }, applicant(view.applicantId));
          expect(view.status).to.equal('in_review');
          expect(view.clock).to.equal('running');
          view = await drive(world, view, definition);
          expect(view.status).to.equal('completed');
          scenariosRun.add('supplement');
        });

        it('rejects the application when a required matter is rejected, issuing nothing', async function () {
          if (!requiredMatter) return this.skip(); // every definition here has one; the summary test below checks the scenario ran
          let view = await submit(definition);
          view = await drive(world, view, definition, (v) => v.matters[requiredMatter.id] === 'pending');
          view = await world.engine.send(view.id, { type: 'REJECT', matter: requiredMatter.id, comment: '不符合条件' }, clerk(requiredMatter.department));
          expect(view.status).to.equal('rejected');
          expect(view.decisions[requiredMatter.id]).to.equal('rejected');
          expect(world.issued.filter((i) => i.application === view.id)).to.have.length(0);
          scenariosRun.add('rejected-required');
        });

        const optional = matters.find((m) => m.required === false && compileDefinition(definition).applies(`matter:${m.id}`, exampleForm(definition)));
        if (optional) {
          it(`completes without "${optional.id}" when that optional matter is rejected`, async () => {
            let view = await submit(definition);
            view = await drive(world, view, definition, (v) => v.matters[optional.id] === 'pending');
            view = await world.engine.send(view.id, { type: 'REJECT', matter: optional.id }, clerk(optional.department));
            expect(view.status).to.not.equal('rejected');
            view = await drive(world, view, definition);
            expect(view.status).to.equal('completed');
            expect(view.decisions[optional.id]).to.equal('rejected');
            scenariosRun.add('rejected-optional');
          });
        }

        it('is withdrawn by its applicant at intake and during review', async () => {
          const atIntake = await submit(definition);
          const withdrawn = await world.engine.send(atIntake.id, { type: 'WITHDRAW' }, applicant(atIntake.applicantId));
          expect(withdrawn.status).to.equal('withdrawn');
          let inReview = await submit(definition);
          inReview = await world.engine.send(inReview.id, { type: 'ACCEPT' }, clerk(windowOf(definition)));
          expect(inReview.status).to.equal('in_review');
          const after = await world.engine.send(inReview.id, { type: 'WITHDRAW', comment: '不再需要' }, applicant(inReview.applicantId));
          expect(after.status).to.equal('withdrawn');
          scenariosRun.add('withdrawn');
        });

        for (const matter of matters.filter((m) => m.when !== undefined)) {
          const form = formWithout(definition, matter.id);
          if (!form) continue;
          it(`skips the conditional matter "${matter.id}" when its condition does not hold`, async () => {
            let view = await submit(definition, { form });
            view = await world.engine.send(view.id, { type: 'ACCEPT' }, clerk(windowOf(definition)));
            view = await drive(world, view, definition);
            expect(view.status).to.equal('completed');
            // Skipped inside its review step, or never reached because its whole step did not apply.
            expect(view.decisions[matter.id] ?? 'not reached').to.be.oneOf(['skipped', 'not reached']);
            expect(world.issued.filter((i) => i.application === view.id).length).to.be.at.most(1);
            scenariosRun.add('conditional');
          });
        }

        const deferrable = definition.materials.filter((m) => m.deferrable && compileDefinition(definition).applies(`material:${m.id}`, exampleForm(definition)));
        if (deferrable.length > 0) {
          it('owes deferred materials after acceptance and issues only once they are supplied', async () => {
            let view = await submit(definition, { omitDeferrable: true });
            expect(view.owed).to.have.members(deferrable.map((m) => m.id));
            view = await world.engine.send(view.id, { type: 'ACCEPT' }, clerk(windowOf(definition)));
            expect(world.timers.some((t) => t.application === view.id && t.timer === 'deferredMaterials')).to.equal(true);
            view = await drive(world, view, definition, (v) => v.state === 'owed');
            expect(view.state).to.equal('owed');
            expect(view.status).to.equal('supplement_requested');
            // Waiting for the materials, the promised time is still the window's alone to extend.
            const reviewer = definition.steps.flatMap((s) => (s.kind === 'review' ? s.matters : [])).find((m) => m.department !== windowOf(definition))!.department;
            const refused = await world.engine.send(view.id, { type: 'EXTEND', data: { days: 2 } }, clerk(reviewer)).catch((error: unknown) => error);
            expect(refused).to.be.instanceOf(OnevisitError).and.include({ code: 'AUTH.FORBIDDEN' });
            view = await world.engine.send(view.id, { type: 'EXTEND', data: { days: 2 } }, clerk(windowOf(definition)));
            expect(view.state).to.equal('owed');
            expect(world.issued.filter((i) => i.application === view.id)).to.have.length(0);
            view = await drive(world, view, definition);
            expect(view.status).to.equal('completed');
            expect(view.owed).to.deep.equal([]);
            for (const m of deferrable) expect(view.materials[m.id]?.source).to.equal('file');
            scenariosRun.add('deferred');
          });

          it('terminates when owed materials are still missing at their deadline', async () => {
            let view = await submit(definition, { omitDeferrable: true });
            view = await world.engine.send(view.id, { type: 'ACCEPT' }, clerk(windowOf(definition)));
            view = await world.engine.send(view.id, { type: 'TERMINATE', comment: '容缺材料逾期未补' }, scheduler);
            expect(view.status).to.equal('terminated');
          });
        }
      });
    }

    describe('coverage', () => it('covered every lifecycle scenario on some definition', () => {
      expect([...scenariosRun].sort()).to.deep.equal(['conditional', 'deferred', 'happy', 'rejected-optional', 'rejected-required', 'supplement', 'withdrawn']);
    }));

    describe('steps beyond review (every-step fixture)', () => {
      const definition = definitions[0]!;

      it('waits at inspection, payment and notice, and an upheld objection rejects', async () => {
        let view = await submit(definition);
        view = await drive(world, view, definition, (v) => v.status === 'in_inspection');
        expect(view.clock).to.equal('running');
        view = await world.engine.send(view.id, { type: 'SCHEDULE', data: { date: '2026-12-01' } }, clerk('market-regulation'));
        view = await world.engine.send(view.id, { type: 'PASS' }, clerk('market-regulation'));
        expect(view.status).to.equal('awaiting_payment');
        expect(view.clock).to.equal('paused');
        view = await world.engine.send(view.id, { type: 'WAIVE', comment: '减免' }, clerk('taxation'));
        expect(view.status).to.equal('in_notice');
        expect(world.timers.some((t) => t.application === view.id && t.timer === 'notice' && t.workingDays === 5)).to.equal(true);
        view = await world.engine.send(view.id, { type: 'OBJECTION', comment: '有异议' }, { kind: 'citizen', id: 'neighbour' });
        view = await world.engine.send(view.id, { type: 'NOTICE_ELAPSED' }, scheduler);
        expect(view.status).to.equal('in_notice');
        view = await world.engine.send(view.id, { type: 'UPHOLD' }, clerk('market-regulation'));
        expect(view.status).to.equal('rejected');
      });

      it('a dismissed objection after the notice elapsed moves on to issue', async () => {
        let view = await submit(definition);
        view = await drive(world, view, definition, (v) => v.status === 'in_notice');
        view = await world.engine.send(view.id, { type: 'OBJECTION' }, { kind: 'citizen', id: 'neighbour' });
        view = await world.engine.send(view.id, { type: 'NOTICE_ELAPSED' }, scheduler);
        view = await world.engine.send(view.id, { type: 'DISMISS', comment: '异议不成立' }, clerk('market-regulation'));
        expect(view.status).to.equal('completed');
      });

      it('a failed inspection rejects; an extension is recorded', async () => {
        let view = await submit(definition);
        view = await drive(world, view, definition, (v) => v.status === 'in_review');
        view = await world.engine.send(view.id, { type: 'EXTEND', data: { days: 3 }, comment: '需要专家论证' }, clerk('comprehensive-window'));
        expect(view.extensionDays).to.equal(3);
        view = await drive(world, view, definition, (v) => v.status === 'in_inspection');
        view = await world.engine.send(view.id, { type: 'FAIL', comment: '现场不符合' }, clerk('market-regulation'));
        expect(view.status).to.equal('rejected');
      });
    });
  });
}
