import { expect } from 'chai';
import { createScheduler, type Scheduler, type SchedulerOptions, type TimerRow, type TimerStore } from '../../src/scheduler/index.js';
import { createTimerStore, type Database } from '../../src/store/index.js';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/databases.js';

const T0 = new Date('2026-03-02T02:00:00.000Z');
const MINUTE = 60_000;
const at = (ms: number) => new Date(T0.getTime() + ms);

/** Bare application rows for timers to belong to (the timers table references applications). */
async function insertApplications(db: Database, ids: readonly string[]): Promise<void> {
  const now = T0.toISOString();
  const definition = await db('service_definitions').where({ service_id: 'timer-test' }).first();
  if (!definition) {
    await db('service_definitions').insert({ service_id: 'timer-test', version: 1, hash: 'h'.repeat(64), definition: '{}', published_at: now });
  }
  for (const [i, id] of ids.entries()) {
    await db('applications').insert({
      id,
      number: `T${id}`.slice(0, 32),
      service_id: 'timer-test',
      service_version: 1,
      service_hash: 'h'.repeat(64),
      applicant_id: `citizen-${i}`,
      state: '"intake"',
      status: 'submitted',
      snapshot: '{}',
      version: 1,
      created_at: now,
      updated_at: now,
    });
  }
}

/** Calls per timer id, and a handler that records them. */
function recorder(): { calls: Map<string, number>; handler: (timer: TimerRow) => Promise<void> } {
  const calls = new Map<string, number>();
  return {
    calls,
    handler: async (timer) => {
      calls.set(timer.id, (calls.get(timer.id) ?? 0) + 1);
      await new Promise((resolve) => setImmediate(resolve)); // let concurrent polls interleave
    },
  };
}

for (const kind of databaseKinds) {
  describe(`scheduler (${kind})`, function () {
    let database: TestDatabase;
    let store: TimerStore;
    let counter = 0;
    const schedulers: Scheduler[] = [];

    beforeEach(async () => {
      database = await openTestDatabase(kind);
      store = createTimerStore(database.db);
    });
    afterEach(async () => {
      await Promise.all(schedulers.splice(0).map((s) => s.stop()));
      await database.close();
    });

    function scheduler(options: Partial<SchedulerOptions> & Pick<SchedulerOptions, 'handlers'>): Scheduler {
      const created = createScheduler({ timers: store, owner: 'instance-a', now: () => T0, onError: () => {}, ...options });
      schedulers.push(created);
      return created;
    }

    /** Schedules `count` timers of `kind`, due `dueIn` ms after T0, on one application each. */
    async function timers(count: number, dueIn: number, timerKind = 'notice'): Promise<string[]> {
      const applications = Array.from({ length: count }, () => `app-${++counter}`);
      await insertApplications(database.db, applications);
      for (const application of applications) {
        await store.schedule({ id: `${application}:2:0`, applicationId: application, kind: timerKind, dueAt: at(dueIn), payload: { step: 'notice' }, createdAt: T0 });
      }
      return applications.map((a) => `${a}:2:0`);
    }

    /** The stored row of the timer `id` (timer ids are `<application>:2:0` here). */
    async function row(id: string): Promise<TimerRow> {
      const found = (await store.listForApplication(id.split(':')[0]!)).find((t) => t.id === id);
      if (!found) throw new Error(`no timer ${id}`);
      return found;
    }

    it('schedules a timer once per id, however often the effect runs', async () => {
      const [id] = await timers(1, MINUTE);
      const application = id!.split(':')[0]!;
      const again = await store.schedule({ id: id!, applicationId: application, kind: 'notice', dueAt: at(2 * MINUTE), createdAt: T0 });
      expect(again).to.equal(false);
      const rows = await store.listForApplication(application);
      expect(rows).to.have.length(1);
      expect(rows[0]).to.include({ id, kind: 'notice', dueAt: at(MINUTE).toISOString(), status: 'pending', attempts: 0 });
      expect(rows[0]!.payload).to.deep.equal({ step: 'notice' });
    });

    it('does not fire a timer before it is due, and fires it at its due instant', async () => {
      const [id] = await timers(1, MINUTE);
      const { calls, handler } = recorder();
      let now = at(MINUTE - 1);
      const s = scheduler({ handlers: { notice: handler }, now: () => now });
      expect(await s.pollOnce()).to.equal(0);
      expect(calls.size).to.equal(0);
      expect((await row(id!))).to.include({ status: 'pending' });
      now = at(MINUTE);
      expect(await s.pollOnce()).to.equal(1);
      expect(calls.get(id!)).to.equal(1);
    });

    it('fires a timer that fell due while no instance was running exactly once, at the first poll after start', async () => {
      const [id] = await timers(1, MINUTE);
      // Later, after the downtime, a new instance starts on its own connection pool.
      const { calls, handler } = recorder();
      let fired!: () => void;
      const firstFiring = new Promise<void>((resolve) => (fired = resolve));
      const s = createScheduler({
        timers: createTimerStore(database.openAnother()),
        owner: 'instance-after-restart',
        handlers: { notice: async (timer) => (await handler(timer), fired()) },
        now: () => at(3 * 60 * MINUTE),
        onError: () => {},
      });
      schedulers.push(s);
      s.start(60 * MINUTE); // the next poll would be an hour away: only the first one can fire it
      await firstFiring;
      await s.stop();
      expect(calls.get(id!)).to.equal(1);
      expect(await s.pollOnce()).to.equal(0);
      expect(calls.get(id!)).to.equal(1);
      expect(await row(id!)).to.include({ status: 'fired', firedAt: at(3 * 60 * MINUTE).toISOString(), leaseOwner: 'instance-after-restart' });
    });

    it('fires each timer exactly once when two instances poll one database at the same time', async () => {
      const ids = await timers(40, 0);
      const { calls, handler } = recorder();
      const a = scheduler({ owner: 'instance-a', handlers: { notice: handler } });
      const b = createScheduler({ timers: createTimerStore(database.openAnother()), owner: 'instance-b', handlers: { notice: handler }, now: () => T0, onError: () => {} });
      schedulers.push(b);
      let total = 0;
      const perOwner = { a: 0, b: 0 };
      for (let round = 0; round < 10 && total < ids.length; round++) {
        const [fromA, fromB] = await Promise.all([a.pollOnce(6), b.pollOnce(6)]);
        perOwner.a += fromA;
        perOwner.b += fromB;
        total += fromA + fromB;
      }
      expect(total).to.equal(ids.length);
      expect([...calls.keys()].sort()).to.deep.equal([...ids].sort());
      for (const id of ids) expect(calls.get(id), id).to.equal(1);
      expect(perOwner.a + perOwner.b).to.equal(ids.length);
      expect(await a.pollOnce()).to.equal(0);
      expect(await b.pollOnce()).to.equal(0);
    });

    it('gives a timer whose handler failed back for a later retry, counting the attempt', async () => {
      const [id] = await timers(1, 0);
      const errors: unknown[] = [];
      let failures = 1;
      let calls = 0;
      let now = T0;
      const s = scheduler({
        handlers: {
          notice: async () => {
            calls += 1;
            if (failures-- > 0) throw new Error('the engine is unavailable');
          },
        },
        now: () => now,
        retryDelayMs: 10_000,
        onError: (error) => errors.push(error),
      });
      expect(await s.pollOnce()).to.equal(0);
      expect(errors.map((e) => (e as Error).message)).to.deep.equal(['the engine is unavailable']);
      const failed = await row(id!);
      expect(failed).to.include({ status: 'pending', attempts: 1 });
      expect(failed.lastError).to.match(/the engine is unavailable/);
      expect(failed.leaseOwner).to.equal(undefined);
      expect(await s.pollOnce()).to.equal(0); // not before the retry delay
      expect(calls).to.equal(1);
      now = at(10_001);
      expect(await s.pollOnce()).to.equal(1);
      expect(calls).to.equal(2);
      expect((await row(id!))).to.include({ id, status: 'fired', attempts: 1 });
    });

    it('retries a timer of a kind it has no handler for, instead of dropping it', async () => {
      const [id] = await timers(1, 0, 'proactive-scan');
      const errors: unknown[] = [];
      const s = scheduler({ handlers: {}, onError: (error) => errors.push(error) });
      expect(await s.pollOnce()).to.equal(0);
      expect(String(errors[0])).to.match(/no handler for timers of kind "proactive-scan"/);
      expect((await row(id!))).to.include({ status: 'pending', attempts: 1 });
    });

    it('takes over a timer whose owner crashed once the lease has expired, and the old owner can no longer mark it', async () => {
      const [id] = await timers(1, 0);
      // An instance claims it and dies before running it.
      const claimed = await store.claimDue('crashed-instance', T0, 30_000, 10);
      expect(claimed.map((t) => t.id)).to.deep.equal([id]);
      expect(claimed[0]).to.include({ leaseOwner: 'crashed-instance', leaseUntil: at(30_000).toISOString() });

      const { calls, handler } = recorder();
      let now = at(29_999);
      const s = scheduler({ owner: 'instance-b', handlers: { notice: handler }, now: () => now });
      expect(await s.pollOnce()).to.equal(0); // still leased
      expect(calls.size).to.equal(0);
      now = at(30_001);
      expect(await s.pollOnce()).to.equal(1);
      expect(calls.get(id!)).to.equal(1);
      expect(await store.markFired(id!, 'crashed-instance', at(30_002))).to.equal(false);
      expect(await store.release(id!, 'crashed-instance', { error: 'late', retryAt: at(40_000) })).to.equal(false);
      expect((await row(id!))).to.include({ status: 'fired', leaseOwner: 'instance-b', attempts: 0 });
    });

    it('marks a timer fired only while the lease is still the marker\'s', async () => {
      const [id] = await timers(1, 0);
      await store.claimDue('slow-instance', T0, 1_000, 10);
      const takenOver = await store.claimDue('instance-b', at(1_001), 1_000, 10);
      expect(takenOver.map((t) => t.id)).to.deep.equal([id]);
      expect(await store.markFired(id!, 'slow-instance', at(1_002))).to.equal(false);
      expect(await store.markFired(id!, 'instance-b', at(1_003))).to.equal(true);
    });

    it('claims the earliest due timers first, up to the limit', async () => {
      const late = await timers(1, 2_000);
      const early = await timers(1, 1_000);
      const claimed = await store.claimDue('instance-a', at(5_000), 1_000, 1);
      expect(claimed.map((t) => t.id)).to.deep.equal(early);
      expect((await store.claimDue('instance-a', at(5_000), 1_000, 5)).map((t) => t.id)).to.deep.equal(late);
    });

    it('stop waits for the poll in flight', async () => {
      const [id] = await timers(1, 0);
      let entered!: () => void;
      let finish!: () => void;
      const inHandler = new Promise<void>((resolve) => (entered = resolve));
      const release = new Promise<void>((resolve) => (finish = resolve));
      const s = scheduler({ handlers: { notice: async () => (entered(), await release) } });
      s.start(10);
      await inHandler;
      let stopped = false;
      const stopping = s.stop().then(() => (stopped = true));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(stopped).to.equal(false);
      finish();
      await stopping;
      expect((await row(id!))).to.include({ id, status: 'fired' });
    });
  });
}
