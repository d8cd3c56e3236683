/** SQLite's settings: WAL, and FULL sync so that an acknowledged commit survives a power cut. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { openDatabase, type Database } from '../../src/store/index.js';

describe('store/database (sqlite)', () => {
  let dir: string;
  let db: Database;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onevisit-db-'));
    db = openDatabase({ dataDir: dir });
  });
  after(async () => {
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('syncs every commit fully (synchronous = FULL), in WAL mode, with foreign keys, a busy timeout and a 64 MiB page cache', async () => {
    const pragma = async (name: string) => Object.values(((await db.raw(`PRAGMA ${name}`)) as Record<string, unknown>[])[0]!)[0];
    expect(await pragma('synchronous')).to.equal(2); // 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA
    expect(await pragma('journal_mode')).to.equal('wal');
    expect(await pragma('foreign_keys')).to.equal(1);
    expect(await pragma('busy_timeout')).to.equal(5000);
    expect(await pragma('cache_size')).to.equal(-65536); // KiB: 64 MiB
  });
});
