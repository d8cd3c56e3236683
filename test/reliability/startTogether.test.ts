/**
 * Two `onevisit serve` processes started at the same moment on an empty database both come up and serve:
 * migrations, the catalog and the calendar are set up once, under the start lock, whoever comes first.
 * Ten rounds per database, each on a database of its own (a new SQLite file, a new PostgreSQL schema).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import knexFactory from 'knex';
import { databaseKinds, postgresUrl } from '../support/databases.js';
import { freePort, startServe, stopAllServes } from '../support/serveProcess.js';
import { openDatabase, readCatalog } from '../../src/store/index.js';

const ROUNDS = 10;

for (const kind of databaseKinds) {
  describe(`two serve processes started together on an empty database (${kind})`, function () {
    this.timeout(60_000);
    const admin = kind === 'postgres' ? knexFactory({ client: 'pg', connection: postgresUrl }) : undefined;
    afterEach(stopAllServes);
    after(async () => admin?.destroy());

    for (let round = 1; round <= ROUNDS; round++) {
      it(`round ${round}: both answer GET /api/v1/services with 200, and the catalog is published once`, async () => {
        const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onevisit-together-'));
        const schema = `s_${randomBytes(6).toString('hex')}`;
        if (admin) await admin.raw(`CREATE SCHEMA ${schema}`);
        const env: Record<string, string> = { ONEVISIT_DATA_DIR: dataDir, ...(admin ? { ONEVISIT_DATABASE_URL: postgresUrl, ONEVISIT_DATABASE_SCHEMA: schema } : {}) };
        const [portA, portB] = [await freePort(), await freePort()];
        const a = startServe(env, portA);
        const b = startServe(env, portB);
        try {
          const [statusA, statusB] = await Promise.all([a.ready(), b.ready()]);
          expect(statusA, `first instance: ${a.stderr()}`).to.equal(200);
          expect(statusB, `second instance: ${b.stderr()}`).to.equal(200);
        } finally {
          await Promise.all([a.stop(), b.stop()]);
        }
        const db = openDatabase(admin ? { url: postgresUrl, schema } : { dataDir });
        try {
          const versions: { service_id: string; n: number | string }[] = await db('service_definitions').select('service_id').count({ n: '*' }).groupBy('service_id');
          expect(versions).to.have.length(readCatalog().definitionFiles.length);
          for (const row of versions) expect(Number(row.n), String(row.service_id)).to.equal(1);
        } finally {
          await db.destroy();
          if (admin) await admin.raw(`DROP SCHEMA ${schema} CASCADE`);
          fs.rmSync(dataDir, { recursive: true, force: true });
        }
      });
    }
  });
}
