/**
 * The start lock excludes another holder on the same database — another connection pool in this process, or
 * another process — and is given back after the work, after a failure, and when its holder dies.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { expect } from 'chai';
import { withStartLock, sqliteStartLockFile } from '../../src/store/startLock.js';
import type { Database } from '../../src/store/index.js';
import { databaseKinds, openTestDatabase, postgresUrl, type TestDatabase } from '../support/databases.js';

/** Resolves when `check` holds, looking again every few milliseconds. */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** Takes the lock, then waits for `release` before giving it back; records what happened. */
function holder(db: Database, log: string[], name: string) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let waited = false;
  const done = withStartLock(
    db,
    async () => {
      log.push(`${name} in`);
      await released;
      log.push(`${name} out`);
    },
    { onWait: () => (waited = true) },
  );
  return { release, done, waited: () => waited };
}

for (const kind of databaseKinds) {
  describe(`store/startLock (${kind})`, function () {
    this.timeout(30_000);
    let database: TestDatabase;
    beforeEach(async () => {
      database = await openTestDatabase(kind);
    });
    afterEach(async () => database.close());

    it('a second pool on the same database waits until the first one is done', async () => {
      const log: string[] = [];
      const first = holder(database.db, log, 'first');
      await until(() => log.includes('first in'));
      const second = holder(database.openAnother(), log, 'second');
      await until(second.waited);
      expect(log).to.deep.equal(['first in']);
      first.release();
      await until(() => log.includes('second in'));
      second.release();
      await Promise.all([first.done, second.done]);
      expect(log).to.deep.equal(['first in', 'first out', 'second in', 'second out']);
      expect(first.waited()).to.equal(false);
    });

    it('is given back when the work fails, with the failure passed on', async () => {
      const failed = await withStartLock(database.db, async () => {
        throw new Error('migration 009 broke');
      }).then(
        () => undefined,
        (error: Error) => error.message,
      );
      expect(failed).to.equal('migration 009 broke');
      let waited = false;
      expect(await withStartLock(database.openAnother(), async () => 'second', { onWait: () => (waited = true) })).to.equal('second');
      expect(waited).to.equal(false);
    });

    it('is given back when the process holding it dies', async () => {
      const env =
        kind === 'sqlite'
          ? { ONEVISIT_DATABASE_URL: `sqlite:${(database.db.client.config.connection as { filename: string }).filename}` }
          : { ONEVISIT_DATABASE_URL: postgresUrl, SCHEMA: (database.db.client.config.searchPath as string[])[0]! };
      // A child takes the lock, says so and then hangs on to it, until it is killed.
      const script = `
        import { openDatabase } from './dist/src/store/index.js';
        import { withStartLock } from './dist/src/store/startLock.js';
        const db = openDatabase({ url: process.env.ONEVISIT_DATABASE_URL, ...(process.env.SCHEMA ? { schema: process.env.SCHEMA } : {}) });
        await withStartLock(db, () => { console.log('locked'); return new Promise(() => setInterval(() => {}, 1000)); });`;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: new URL('../../..', import.meta.url).pathname, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        await new Promise<void>((resolve, reject) => {
          child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('locked') && resolve());
          child.once('exit', (code) => reject(new Error(`the child ended (${code}) before taking the lock`)));
        });
        const log: string[] = [];
        const mine = holder(database.db, log, 'mine');
        await until(mine.waited);
        expect(log).to.deep.equal([]);
        child.kill('SIGKILL');
        await until(() => log.includes('mine in'));
        mine.release();
        await mine.done;
      } finally {
        child.kill('SIGKILL');
        await exited;
      }
    });

    if (kind === 'sqlite') {
      it('locks a file beside the database, which stays (empty) and is never removed', async () => {
        const filename = (database.db.client.config.connection as { filename: string }).filename;
        await withStartLock(database.db, async () => {
          expect(fs.existsSync(sqliteStartLockFile(filename))).to.equal(true);
        });
        expect(fs.statSync(sqliteStartLockFile(filename)).size).to.equal(0);
      });
    } else {
      it('excludes only instances in the same schema: another schema of the database is not held up', async () => {
        const log: string[] = [];
        const first = holder(database.db, log, 'first');
        await until(() => log.includes('first in'));
        const other = await openTestDatabase('postgres');
        try {
          let waited = false;
          expect(await withStartLock(other.db, async () => 'other schema', { onWait: () => (waited = true) })).to.equal('other schema');
          expect(waited).to.equal(false);
        } finally {
          first.release();
          await first.done;
          await other.close();
        }
      });
    }
  });
}
