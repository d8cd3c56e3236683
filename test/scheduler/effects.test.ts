import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { WorkingCalendar, parseCalendarData } from '../../src/domain/calendar.js';
import { OnevisitError } from '../../src/domain/errors.js';
import type { ServiceDefinition } from '../../src/domain/definition.js';
import { Engine, type ApplicationView, type EffectContext } from '../../src/runtime/index.js';
import { eventSenders } from '../../src/identity/policy.js';
import { createScheduler, createTimerEffect, timerHandlers, type NewTimer, type Scheduler, type TimerRow, type TimerStore } from '../../src/scheduler/index.js';
import { createApplicationStore, createDefinitionStore, createOutboxStore, createTimerStore } from '../../src/store/index.js';
import { definitionHash } from '../../src/definitions/index.js';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/databases.js';
import { Wallet, applicant, claimsFor, clerk, drive, exampleForm, fixture, loadDefinition, runPendingEffects, type World } from '../support/world.js';

const cn2026 = parseCalendarData(JSON.parse(readFileSync(new URL('../../../workflows/calendars/cn-2026.json', import.meta.url), 'utf8')));
const calendar = new WorkingCalendar([cn2026]);
/** An instant written in China Standard Time. */
const cst = (local: string) => new Date(`${local}+08:00`);
const iso = (date: Date) => date.toISOString();
const later = (date: Date, ms: number) => new Date(date.getTime() + ms);

function timerRow(kind: string, applicationId = 'app-1'): TimerRow {
  return { id: `${applicationId}:3:0`, applicationId, kind, dueAt: iso(cst('2026-03-10T00:00')), payload: {}, status: 'pending', attempts: 0, createdAt: iso(cst('2026-03-02T10:00')) };
}

describe('scheduler/effects', () => {
  describe('createTimerEffect', () => {
    const scheduled: NewTimer[] = [];
    const effect = createTimerEffect({
      timers: { schedule: async (timer) => (scheduled.push(timer), true) },
      calendar: () => calendar,
      now: () => cst('2026-09-30T10:00:05'),
    });
    const context = (updatedAt: Date, effectId = 'app-1:4:0') =>
      ({ effectId, application: { id: 'app-1', updatedAt: iso(updatedAt) }, at: iso(later(updatedAt, 5_000)) }) as unknown as EffectContext;

    beforeEach(() => scheduled.splice(0));

    it('schedules a notice timer for the millisecond after the notice period, counted in working days from the next day', async () => {
      // Entered the notice on Wed Sep 30: Oct 1–7 are holidays; Oct 8, 9 and the make-up Saturday Oct 10 count.
      await effect(context(cst('2026-09-30T10:00')), { effect: 'scheduleTimer', timer: 'notice', step: 'notice', workingDays: 3 });
      expect(scheduled).to.have.length(1);
      expect(scheduled[0]).to.deep.include({ id: 'app-1:4:0', applicationId: 'app-1', kind: 'notice' });
      expect(iso(scheduled[0]!.dueAt)).to.equal(iso(cst('2026-10-11T00:00')));
      expect(iso(scheduled[0]!.createdAt)).to.equal(iso(cst('2026-09-30T10:00:05')));
      expect(scheduled[0]!.payload).to.deep.include({ step: 'notice', workingDays: 3, event: 'NOTICE_ELAPSED' });
    });

    it('schedules a deferred-materials timer that terminates', async () => {
      // Accepted Fri Sep 18: the make-up Sunday Sep 20, Mon 21 and Tue 22.
      await effect(context(cst('2026-09-18T16:00'), 'app-1:2:0'), { effect: 'scheduleTimer', timer: 'deferredMaterials', workingDays: 3 });
      expect(scheduled[0]).to.deep.include({ id: 'app-1:2:0', kind: 'deferredMaterials' });
      expect(iso(scheduled[0]!.dueAt)).to.equal(iso(cst('2026-09-23T00:00')));
      expect(scheduled[0]!.payload).to.deep.include({ event: 'TERMINATE' });
    });
  });

  describe('timerHandlers', () => {
    function stubEngine(outcomes: Array<Error | undefined>) {
      const sent: Array<{ id: string; request: unknown; actor: unknown }> = [];
      let cleared = 0;
      const engine = {
        async send(id: string, request: unknown, actor: unknown) {
          sent.push({ id, request, actor });
          const outcome = outcomes.shift();
          if (outcome) throw outcome;
          return {} as ApplicationView;
        },
        clearCache: () => void (cleared += 1),
      };
      return { engine, sent, cleared: () => cleared };
    }
    const notAllowed = () => new OnevisitError('TRANSITION.NOT_ALLOWED', 'not now');

    it('sends NOTICE_ELAPSED and TERMINATE as the scheduler', async () => {
      const { engine, sent } = stubEngine([]);
      const handlers = timerHandlers(engine as unknown as Engine);
      await handlers.notice(timerRow('notice'));
      await handlers.deferredMaterials(timerRow('deferredMaterials', 'app-2'));
      expect(sent).to.deep.equal([
        { id: 'app-1', request: { type: 'NOTICE_ELAPSED' }, actor: { kind: 'scheduler', id: 'scheduler' } },
        { id: 'app-2', request: { type: 'TERMINATE' }, actor: { kind: 'scheduler', id: 'scheduler' } },
      ]);
    });

    it('treats an event the application no longer takes as done, after reading the application again', async () => {
      const { engine, sent, cleared } = stubEngine([notAllowed(), notAllowed()]);
      await timerHandlers(engine as unknown as Engine).notice(timerRow('notice'));
      expect(sent).to.have.length(2);
      expect(cleared()).to.equal(1);
    });

    it('delivers the event when only a stale snapshot refused it', async () => {
      const { engine, sent } = stubEngine([notAllowed(), undefined]);
      await timerHandlers(engine as unknown as Engine).notice(timerRow('notice'));
      expect(sent).to.have.length(2);
    });

    it('lets any other failure through, so the timer is retried', async () => {
      const { engine } = stubEngine([new OnevisitError('APPLICATION.CONFLICT', 'busy')]);
      let failure: unknown;
      await timerHandlers(engine as unknown as Engine)
        .notice(timerRow('notice'))
        .catch((error: unknown) => (failure = error));
      expect(failure).to.be.instanceOf(OnevisitError);
    });
  });

  for (const kind of databaseKinds) {
    describe(`with the engine (${kind})`, function () {
      const definition: ServiceDefinition = loadDefinition(fixture('valid/every-step.json'));
      let database: TestDatabase;
      let timers: TimerStore;
      let engine: Engine;
      let world: World;
      let scheduler: Scheduler;
      let now: Date;

      beforeEach(async () => {
        database = await openTestDatabase(kind);
        timers = createTimerStore(database.db);
        const definitions = createDefinitionStore(database.db);
        const wallet = new Wallet();
        engine = new Engine({
          store: createApplicationStore(database.db),
          outbox: createOutboxStore(database.db),
          definitions,
          materials: wallet,
          senders: eventSenders,
          now: () => now,
          calendar: () => calendar,
          effects: {
            issueCertificates: async (context) => [`certificate-for-${context.application.number}`],
            scheduleTimer: createTimerEffect({ timers, calendar: () => calendar, now: () => now }),
          },
        });
        scheduler = createScheduler({ timers, owner: 'test', handlers: timerHandlers(engine), now: () => now, onError: () => {} });
        world = {
          engine,
          wallet,
          issued: [],
          timers: [],
          publish: async (d) => (await definitions.publish(d, definitionHash, 'test-admin', new Date().toISOString())).definition,
          runPendingEffects: () => runPendingEffects(database.db, engine, () => now),
        };
      });
      afterEach(async () => {
        await scheduler.stop();
        await database.close();
      });

      async function submit(at: Date, options: { omitDeferrable?: boolean } = {}): Promise<ApplicationView> {
        now = at;
        const published = await world.publish(definition);
        const form = exampleForm(published);
        return engine.submit({ serviceId: published.id, applicant: applicant('citizen-1'), form, materials: claimsFor(world, published, form, 'citizen-1', options) });
      }

      it('ends the notice period when its timer fires, not a millisecond before', async () => {
        const inNotice = await drive(world, await submit(cst('2026-09-28T10:00')), definition, (v) => v.status === 'in_notice');
        expect(inNotice.status).to.equal('in_notice');
        const [timer] = await timers.listForApplication(inNotice.id);
        // Five working days from Mon Sep 28: Sep 29, 30, Oct 8, 9 and the make-up Saturday Oct 10.
        expect(timer).to.include({ kind: 'notice', dueAt: iso(cst('2026-10-11T00:00')), status: 'pending' });

        now = cst('2026-10-10T23:59:59.999');
        expect(await scheduler.pollOnce()).to.equal(0);
        expect((await engine.get(inNotice.id)).status).to.equal('in_notice');
        now = cst('2026-10-11T00:00');
        expect(await scheduler.pollOnce()).to.equal(1);
        expect((await engine.get(inNotice.id)).status).to.equal('completed');
        const events = await engine.events(inNotice.id);
        expect(events.filter((e) => e.type === 'NOTICE_ELAPSED').map((e) => e.actor)).to.deep.equal([{ kind: 'scheduler', id: 'scheduler' }]);
      });

      it('terminates an application whose deferred materials are still owed at their deadline', async () => {
        const submitted = await submit(cst('2026-09-18T16:00'), { omitDeferrable: true });
        await engine.send(submitted.id, { type: 'ACCEPT' }, clerk('comprehensive-window'));
        const [timer] = await timers.listForApplication(submitted.id);
        // lease may follow within 3 working days: the make-up Sunday Sep 20, Mon 21, Tue 22.
        expect(timer).to.include({ kind: 'deferredMaterials', dueAt: iso(cst('2026-09-23T00:00')) });
        now = cst('2026-09-23T00:00');
        expect(await scheduler.pollOnce()).to.equal(1);
        expect((await engine.get(submitted.id)).status).to.equal('terminated');
      });

      it('gives each deferred material its own deadline: one provided in time does not end the wait for another', async () => {
        // A second deferred material, owed within 5 working days where the lease is owed within 3.
        const twoDeferred: ServiceDefinition = structuredClone(definition);
        const lease = twoDeferred.materials.find((m) => m.id === 'lease')!;
        twoDeferred.materials.push({ ...structuredClone(lease), id: 'floor-plan', title: { 'zh-Hans': '平面图' }, deferDays: 5 });
        now = cst('2026-09-18T16:00');
        const published = await world.publish(twoDeferred);
        const form = exampleForm(published);
        const submitted = await engine.submit({ serviceId: published.id, applicant: applicant('citizen-1'), form, materials: claimsFor(world, published, form, 'citizen-1', { omitDeferrable: true }) });
        expect(submitted.owed).to.have.members(['lease', 'floor-plan']);
        await engine.send(submitted.id, { type: 'ACCEPT' }, clerk('comprehensive-window'));
        const deadlines = (await timers.listForApplication(submitted.id)).map((t) => [t.payload.material, t.dueAt]);
        // Three working days from Fri Sep 18: Sun 20 (made up), Mon 21, Tue 22; five: and Wed 23, Thu 24.
        expect(deadlines).to.have.deep.members([['lease', iso(cst('2026-09-23T00:00'))], ['floor-plan', iso(cst('2026-09-25T00:00'))]]);

        now = cst('2026-09-22T11:00');
        await engine.send(submitted.id, { type: 'PROVIDE_MATERIALS', materials: [{ materialId: 'lease', fileId: world.wallet.giveFile('citizen-1') }] }, applicant('citizen-1'));
        now = cst('2026-09-23T00:00');
        expect(await scheduler.pollOnce()).to.equal(1);
        const waiting = await engine.get(submitted.id);
        expect(waiting.status, 'the lease came in time; the floor plan may still follow').to.not.equal('terminated');
        expect(waiting.owed).to.deep.equal(['floor-plan']);
        now = cst('2026-09-25T00:00');
        expect(await scheduler.pollOnce()).to.equal(1);
        expect((await engine.get(submitted.id)).status).to.equal('terminated');
        const terminate = (await engine.events(submitted.id)).find((e) => e.type === 'TERMINATE');
        expect(terminate?.payload.data).to.deep.equal({ material: 'floor-plan' });
      });

      it('marks the timer fired without an event when the application has moved on', async () => {
        const submitted = await submit(cst('2026-09-18T16:00'), { omitDeferrable: true });
        await engine.send(submitted.id, { type: 'ACCEPT' }, clerk('comprehensive-window'));
        await engine.send(submitted.id, { type: 'WITHDRAW' }, applicant('citizen-1'));
        now = cst('2026-09-23T00:00');
        expect(await scheduler.pollOnce()).to.equal(1);
        expect((await engine.get(submitted.id)).status).to.equal('withdrawn');
        expect((await engine.events(submitted.id)).map((e) => e.type)).to.not.include('TERMINATE');
        expect((await timers.listForApplication(submitted.id))[0]).to.include({ status: 'fired' });
      });

      it('schedules one timer when the effect is carried out again', async () => {
        const submitted = await submit(cst('2026-09-18T16:00'), { omitDeferrable: true });
        await engine.send(submitted.id, { type: 'ACCEPT' }, clerk('comprehensive-window'));
        const [timer] = await timers.listForApplication(submitted.id);
        const effect = createTimerEffect({ timers, calendar: () => calendar });
        const row = { id: submitted.id, updatedAt: iso(cst('2026-09-18T16:00')) };
        await effect({ effectId: timer!.id, application: row } as unknown as EffectContext, { effect: 'scheduleTimer', timer: 'deferredMaterials', workingDays: 3 });
        expect(await timers.listForApplication(submitted.id)).to.have.length(1);
      });
    });
  }
});
