/**
 * The rate limiter's store in the database: a fixed window per key, counted atomically by any number of
 * connection pools (instances), ended windows restarting and cleaned up.
 */
import { expect } from 'chai';
import type { Options } from 'express-rate-limit';
import { createRateLimitStore } from '../../src/store/rateLimitStore.js';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/databases.js';

const WINDOW_MS = 15 * 60_000;
const T0 = Date.parse('2026-12-01T20:26:00Z');

for (const kind of databaseKinds) {
  describe(`store/rateLimitStore (${kind})`, function () {
    this.timeout(30_000);
    let database: TestDatabase;
    const clock = { now: T0 };
    const storeOn = (db = database.db, prefix = 'login:') => {
      const store = createRateLimitStore(db, { prefix, now: () => clock.now });
      store.init!({ windowMs: WINDOW_MS } as Options);
      return store;
    };
    beforeEach(async () => {
      clock.now = T0;
      database = await openTestDatabase(kind);
    });
    afterEach(async () => database.close());

    it('counts hits in a window that the first hit opens', async () => {
      const store = storeOn();
      expect(await store.get!('k')).to.equal(undefined);
      expect(await store.increment('k')).to.deep.equal({ totalHits: 1, resetTime: new Date(T0 + WINDOW_MS) });
      clock.now += 60_000;
      expect(await store.increment('k')).to.deep.equal({ totalHits: 2, resetTime: new Date(T0 + WINDOW_MS) });
      expect(await store.get!('k')).to.deep.equal({ totalHits: 2, resetTime: new Date(T0 + WINDOW_MS) });
      expect((await store.increment('other')).totalHits).to.equal(1);
    });

    it('a hit after the window has ended opens a new one, counting from 1', async () => {
      const store = storeOn();
      for (let i = 0; i < 5; i++) await store.increment('k');
      clock.now = T0 + WINDOW_MS - 1;
      expect((await store.increment('k')).totalHits).to.equal(6);
      clock.now = T0 + WINDOW_MS;
      expect(await store.get!('k')).to.equal(undefined);
      expect(await store.increment('k')).to.deep.equal({ totalHits: 1, resetTime: new Date(T0 + 2 * WINDOW_MS) });
    });

    it('decrement takes back one hit (never below zero), resetKey forgets the key', async () => {
      const store = storeOn();
      await store.increment('k');
      await store.increment('k');
      await store.decrement('k');
      expect((await store.get!('k'))!.totalHits).to.equal(1);
      await store.decrement('k');
      await store.decrement('k');
      expect((await store.get!('k'))!.totalHits).to.equal(0);
      await store.resetKey('k');
      expect(await store.get!('k')).to.equal(undefined);
      expect((await store.increment('k')).totalHits).to.equal(1);
    });

    it('concurrent hits from two pools are each counted once: the counts given out are 1 … n', async () => {
      const stores = [storeOn(database.db), storeOn(database.openAnother())];
      const counts = await Promise.all(Array.from({ length: 40 }, (_, i) => stores[i % 2]!.increment('shared')));
      expect(counts.map((c) => c.totalHits).sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 40 }, (_, i) => i + 1));
      expect((await stores[1]!.get!('shared'))!.totalHits).to.equal(40);
    });

    it('prefixes keep limiters apart; resetAll clears only its own', async () => {
      const login = storeOn(database.db, 'login:');
      const other = storeOn(database.db, 'other:');
      await login.increment('k');
      await other.increment('k');
      await other.increment('k');
      expect((await login.get!('k'))!.totalHits).to.equal(1);
      await login.resetAll!();
      expect(await login.get!('k')).to.equal(undefined);
      expect((await other.get!('k'))!.totalHits).to.equal(2);
    });

    it('deletes ended windows now and then, as hits come', async () => {
      const store = storeOn();
      for (const key of ['a', 'b', 'c']) await store.increment(key);
      const rows = async () => (await database.db('rate_limits').select('key').orderBy('key')).map((r) => String(r.key));
      expect(await rows()).to.deep.equal(['login:a', 'login:b', 'login:c']);
      clock.now = T0 + WINDOW_MS + 1;
      await store.increment('d');
      await store.shutdown!();
      expect(await rows()).to.deep.equal(['login:d']);
      expect(await store.deleteExpired()).to.equal(0);
    });

    it('shuts down only once the statements it started are done, such as a decrement sent after a response finished', async () => {
      const store = storeOn();
      await store.increment('k');
      const settled: string[] = [];
      // Nobody awaits these (express-rate-limit takes a found lookup's hit back once the response is out).
      void Promise.resolve(store.decrement('k')).then(() => settled.push('decrement'));
      void Promise.resolve(store.get!('k')).then(() => settled.push('get'));
      await store.shutdown();
      expect(settled.sort()).to.deep.equal(['decrement', 'get']);
      expect((await store.get!('k'))!.totalHits).to.equal(0);
    });

    it('a key longer than the column is stored as its hash', async () => {
      const store = storeOn();
      const long = 'x'.repeat(400);
      expect((await store.increment(long)).totalHits).to.equal(1);
      expect((await store.increment(long)).totalHits).to.equal(2);
      const [row] = await database.db('rate_limits').select('key');
      expect(String(row.key)).to.match(/^login:sha256:[0-9a-f]{64}$/);
    });
  });
}
