import { expect } from 'chai';
import { createOutboxWorker, type OutboxWorker, type OutboxWorkerOptions } from '../../src/scheduler/index.js';
import { createOutboxStore, type Database, type EffectOutbox } from '../../src/store/index.js';
import type { OutboxRow } from '../../src/runtime/ports.js';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/databases.js';

const T0 = new Date('2026-03-02T02:00:00.000Z');
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR_MS = 60 * MINUTE;
const at = (ms: number) => new Date(T0.getTime() + ms);
const iso = (ms: number) => at(ms).toISOString();

/** Bare application rows for effects to belong to (the outbox references applications). */
async function insertApplications(db: Database, ids: readonly string[]): Promise<void> {
  const now = T0.toISOString();
  if (!(await db('service_definitions').where({ service_id: 'outbox-test' }).first())) {
    await db('service_definitions').insert({ service_id: 'outbox-test', version: 1, hash: 'h'.repeat(64), definition: '{}', published_at: now });
  }
  for (const [i, id] of ids.entries()) {
    await db('applications').insert({
      id,
      number: `O${id}`.slice(0, 32),
      service_id: 'outbox-test',
      service_version: 1,
      service_hash: 'h'.repeat(64),
      applicant_id: `citizen-${i}`,
      state: '"issuing"',
      status: 'issuing',
      snapshot: '{}',
      version: 1,
      created_at: now,
      updated_at: now,
    });
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const kind of databaseKinds) {
  describe(`outbox worker (${kind})`, function () {
    this.timeout(30_000);
    let database: TestDatabase;
    let outbox: EffectOutbox;
    let counter = 0;
    const workers: OutboxWorker[] = [];

    beforeEach(async () => {
      database = await openTestDatabase(kind);
      outbox = createOutboxStore(database.db);
    });
    afterEach(async () => {
      await Promise.all(workers.splice(0).map((w) => w.stop()));
      await database.close();
    });

    function worker(options: Partial<OutboxWorkerOptions> & Pick<OutboxWorkerOptions, 'run'>): OutboxWorker {
      const created = createOutboxWorker({ outbox, owner: 'instance-a', now: () => T0, onError: () => {}, onGiveUp: () => {}, ...options });
      workers.push(created);
      return created;
    }

    /**
     * Records `count` pending effects, one application each, created a millisecond apart from T0 on (as the engine
     * records them), optionally already leased (to the committing instance). Answers their ids, oldest first.
     */
    async function effects(count: number, lease?: { owner: string; until: Date }): Promise<string[]> {
      const applications = Array.from({ length: count }, () => `app-${++counter}`);
      await insertApplications(database.db, applications);
      const rows = applications.map((application, i) => ({
        id: `${application}:3:0`,
        application_id: application,
        seq: 3,
        effect: JSON.stringify({ effect: 'issueCertificates', step: 'issue' }),
        status: 'pending',
        created_at: iso(i),
        lease_owner: lease?.owner ?? null,
        lease_until: lease ? lease.until.toISOString() : null,
      }));
      await database.db.batchInsert('outbox', rows, 100);
      return rows.map((r) => r.id);
    }

    async function row(id: string): Promise<OutboxRow & { failedAt: string | null }> {
      const found = await outbox.get(id);
      if (!found) throw new Error(`no effect ${id}`);
      return found;
    }

    /** A `run` that carries the effect out as the engine does: counts it, then marks it done. */
    function succeeding(store: EffectOutbox = outbox, now: () => Date = () => T0) {
      const calls = new Map<string, number>();
      return {
        calls,
        run: async (effect: OutboxRow) => {
          calls.set(effect.id, (calls.get(effect.id) ?? 0) + 1);
          await new Promise((resolve) => setImmediate(resolve));
          await store.complete(effect.id, now());
        },
      };
    }

    const failing = async () => {
      throw new Error('the certificate service is unavailable');
    };

    it('claims due effects oldest first, leased to the claimant, and leaves them done once run', async () => {
      const ids = await effects(3);
      const seen: string[] = [];
      const { calls, run } = succeeding();
      const w = worker({ run: async (effect) => (seen.push(effect.id), run(effect)), concurrency: 1, leaseMs: 30 * SECOND });
      const poll = await w.pollOnce();
      expect(poll).to.deep.equal({ claimed: 3, done: 3, retrying: 0, failed: 0, skipped: 0 });
      expect(seen).to.deep.equal(ids);
      for (const id of ids) {
        expect(calls.get(id)).to.equal(1);
        expect(await row(id)).to.include({ status: 'done', doneAt: T0.toISOString(), leaseOwner: null, leaseUntil: null, attempts: 0 });
      }
      expect((await w.pollOnce()).claimed).to.equal(0);
      expect(await outbox.counts()).to.deep.equal({ pending: 0, done: 3, failed: 0 });
    });

    it('leases a claimed effect for leaseMs: nobody else claims it before then', async () => {
      const [id] = await effects(1);
      const claimed = await outbox.claimDue('instance-a', T0, 30 * SECOND, 10);
      expect(claimed.map((c) => c.id)).to.deep.equal([id]);
      expect(claimed[0]).to.include({ leaseOwner: 'instance-a', leaseUntil: iso(30 * SECOND), status: 'pending' });
      expect(await outbox.claimDue('instance-b', at(30 * SECOND - 1), 30 * SECOND, 10)).to.deep.equal([]);
      const taken = await outbox.claimDue('instance-b', at(30 * SECOND), 30 * SECOND, 10);
      expect(taken.map((c) => [c.id, c.leaseOwner, c.leaseUntil])).to.deep.equal([[id, 'instance-b', iso(60 * SECOND)]]);
    });

    it("takes over a dead instance's effects once their lease has run out, and not before", async () => {
      // The committing instance recorded them leased to itself for 5 s, then died before carrying them out.
      const expired = await effects(2, { owner: 'instance-dead', until: at(5 * SECOND) });
      const live = await effects(1, { owner: 'instance-busy', until: at(MINUTE) });
      const { calls, run } = succeeding(outbox, () => at(5 * SECOND));
      const early = worker({ owner: 'instance-b', run, now: () => at(5 * SECOND - 1) });
      expect((await early.pollOnce()).claimed).to.equal(0);
      const w = worker({ owner: 'instance-b', run, now: () => at(5 * SECOND) });
      expect(await w.pollOnce()).to.include({ claimed: 2, done: 2 });
      expect([...calls.keys()].sort()).to.deep.equal([...expired].sort());
      expect(calls.has(live[0]!)).to.equal(false);
      expect(await row(live[0]!)).to.include({ status: 'pending', leaseOwner: 'instance-busy', leaseUntil: iso(MINUTE) });
      for (const id of expired) expect(await row(id)).to.include({ status: 'done' });
    });

    it('retries a failed effect after a doubling delay, capped, counting attempts and keeping the last error', async () => {
      const [id] = await effects(1);
      let now = T0;
      const errors: unknown[] = [];
      const w = worker({ run: failing, now: () => now, retryDelayMs: SECOND, maxRetryDelayMs: 5 * SECOND, maxAttempts: 10, onError: (e) => errors.push(e) });
      const expected = [1, 2, 4, 5, 5].map((s) => s * SECOND); // 1 s, 2 s, 4 s, then the 5 s cap
      for (const [attempt, delay] of expected.entries()) {
        expect(await w.pollOnce()).to.include({ claimed: 1, retrying: 1 });
        const stored = await row(id!);
        expect(stored).to.include({ status: 'pending', attempts: attempt + 1, leaseOwner: null, leaseUntil: new Date(now.getTime() + delay).toISOString() });
        expect(stored.lastError).to.equal('Error: the certificate service is unavailable');
        // Not tried again before its retry instant; tried at it.
        const retryAt = new Date(now.getTime() + delay);
        now = new Date(retryAt.getTime() - 1);
        expect((await w.pollOnce()).claimed).to.equal(0);
        now = retryAt;
      }
      expect(errors).to.have.length(expected.length);
    });

    it('gives an effect up after maxAttempts failures: failed, no longer claimed, reported once', async () => {
      const [id] = await effects(1);
      let now = T0;
      const givenUp: OutboxRow[] = [];
      const w = worker({ run: failing, now: () => now, retryDelayMs: SECOND, maxAttempts: 3, onGiveUp: (r) => givenUp.push(r) });
      expect(await w.pollOnce()).to.include({ retrying: 1 });
      now = at(SECOND);
      expect(await w.pollOnce()).to.include({ retrying: 1 });
      now = at(3 * SECOND);
      expect(await w.pollOnce()).to.include({ claimed: 1, failed: 1, retrying: 0 });
      expect(await row(id!)).to.include({ status: 'failed', attempts: 3, failedAt: iso(3 * SECOND), leaseOwner: null, leaseUntil: null });
      expect(givenUp.map((r) => [r.id, r.effect.effect, r.attempts, r.status])).to.deep.equal([[id, 'issueCertificates', 3, 'failed']]);
      now = at(HOUR_MS);
      expect((await w.pollOnce()).claimed).to.equal(0);
      expect(await outbox.counts()).to.deep.equal({ pending: 0, done: 0, failed: 1 });
      expect((await outbox.list('failed', 10, 0)).map((r) => r.id)).to.deep.equal([id]);
    });

    it('puts a failed effect back to work when an admin retries it; refuses to retry one that has not failed', async () => {
      const [id, other] = await effects(2);
      const fails = worker({ run: failing, maxAttempts: 1 });
      expect(await fails.pollOnce()).to.include({ claimed: 2, failed: 2 });
      expect(await outbox.retry(id!, at(MINUTE))).to.equal(true);
      expect(await row(id!)).to.include({ status: 'pending', attempts: 0, leaseOwner: null, leaseUntil: null, failedAt: null });
      expect(await outbox.retry(id!, at(MINUTE)), 'already pending').to.equal(false);
      expect(await outbox.retry('no-such-effect', at(MINUTE))).to.equal(false);
      expect((await outbox.list('pending', 10, 0)).map((r) => r.id)).to.deep.equal([id]);

      const { calls, run } = succeeding(outbox, () => at(MINUTE));
      const w = worker({ run, now: () => at(MINUTE) });
      expect(await w.pollOnce()).to.include({ claimed: 1, done: 1 });
      expect(calls.get(id!)).to.equal(1);
      expect(await row(id!)).to.include({ status: 'done', doneAt: iso(MINUTE) });
      expect(await outbox.retry(id!, at(MINUTE)), 'done').to.equal(false);
      expect(await row(other!)).to.include({ status: 'failed' });
      expect(await outbox.counts()).to.deep.equal({ pending: 0, done: 1, failed: 1 });
    });

    it('leaves an effect done when a late failure is reported for it', async () => {
      const [id] = await effects(1);
      await outbox.complete(id!, T0);
      await outbox.fail(id!, 'late', at(SECOND), at(SECOND));
      await outbox.fail(id!, 'late', null, at(SECOND));
      expect(await row(id!)).to.include({ status: 'done', attempts: 0, lastError: null, failedAt: null });
    });

    it('truncates a long error to 2000 characters', async () => {
      const [id] = await effects(1);
      await outbox.fail(id!, 'x'.repeat(5000), at(SECOND), T0);
      expect((await row(id!)).lastError).to.have.length(2000);
    });

    it('never runs one effect in two instances at the same time (two pools on one database)', async () => {
      const ids = await effects(60);
      const storeB = createOutboxStore(database.openAnother());
      const running = new Set<string>();
      const overlaps: string[] = [];
      const calls = new Map<string, number>();
      const runOn = (store: EffectOutbox) => async (effect: OutboxRow) => {
        if (running.has(effect.id)) overlaps.push(effect.id);
        running.add(effect.id);
        calls.set(effect.id, (calls.get(effect.id) ?? 0) + 1);
        await sleep(1);
        running.delete(effect.id);
        await store.complete(effect.id, T0);
      };
      const a = worker({ owner: 'instance-a', run: runOn(outbox) });
      const b = worker({ owner: 'instance-b', outbox: storeB, run: runOn(storeB) });
      const claimedBy = { a: 0, b: 0 };
      for (let round = 0; round < 20; round++) {
        const [fromA, fromB] = await Promise.all([a.pollOnce(7), b.pollOnce(7)]);
        claimedBy.a += fromA.claimed;
        claimedBy.b += fromB.claimed;
        if (fromA.claimed + fromB.claimed === 0) break;
      }
      expect(overlaps).to.deep.equal([]);
      expect([...calls.keys()].sort()).to.deep.equal([...ids].sort());
      for (const id of ids) expect(calls.get(id), id).to.equal(1);
      expect(claimedBy.a + claimedBy.b).to.equal(ids.length);
      expect(await outbox.counts()).to.deep.equal({ pending: 0, done: ids.length, failed: 0 });
    });

    it('polls again at once while polls come back full: more than a poll holds all get done after start', async () => {
      const ids = await effects(130);
      const { calls, run } = succeeding();
      let allDone!: () => void;
      const finished = new Promise<void>((resolve) => (allDone = resolve));
      const w = worker({
        run: async (effect) => {
          await run(effect);
          if (calls.size === ids.length) allDone();
        },
      });
      w.start(60 * MINUTE); // the next timed poll is an hour away: only the immediate re-polls can reach them all
      await Promise.race([finished, sleep(20_000).then(() => expect.fail(`only ${calls.size} of ${ids.length} effects were carried out`))]);
      await w.stop();
      for (const id of ids) expect(calls.get(id), id).to.equal(1);
      expect(await outbox.counts()).to.deep.equal({ pending: 0, done: ids.length, failed: 0 });
    });

    it('skips a claimed effect whose lease ran out before its turn came', async () => {
      const [first, second] = await effects(2);
      let now = T0;
      const seen: string[] = [];
      const w = worker({
        concurrency: 1,
        leaseMs: 10 * SECOND,
        now: () => now,
        run: async (effect) => {
          seen.push(effect.id);
          now = at(10 * SECOND); // the first one took the whole lease
          await outbox.complete(effect.id, now);
        },
      });
      expect(await w.pollOnce()).to.include({ claimed: 2, done: 1, skipped: 1 });
      expect(seen).to.deep.equal([first]);
      expect(await row(second!)).to.include({ status: 'pending', attempts: 0, leaseOwner: 'instance-a', leaseUntil: iso(10 * SECOND) });
      // Its lease has run out: the next poll (of any instance) claims it.
      expect(await w.pollOnce()).to.include({ claimed: 1, done: 1 });
      expect(seen).to.deep.equal([first, second]);
    });

    it('stop waits for the poll in flight', async () => {
      await effects(1);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let started!: () => void;
      const running = new Promise<void>((resolve) => (started = resolve));
      let finished = false;
      const w = worker({
        run: async (effect) => {
          started();
          await gate;
          await outbox.complete(effect.id, T0);
          finished = true;
        },
      });
      w.start(60 * MINUTE);
      await running;
      const stopped = w.stop();
      await sleep(20);
      expect(finished).to.equal(false);
      release();
      await stopped;
      expect(finished).to.equal(true);
    });
  });
}
