/**
 * `onevisit keys rotate` on a running installation: every running instance takes the new key in without a restart
 * (it reads the keys directory again on its refresh), so all of them sign with it and publish it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import pino from 'pino';
import request from 'supertest';
import { startOnevisit, type Onevisit } from '../../src/main.js';
import { keysDir, rotateKey } from '../../src/certificates/keys.js';

describe('a key rotated while instances run', function () {
  this.timeout(60_000);
  let dataDir: string;
  const instances: Onevisit[] = [];
  before(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onevisit-keys-'));
  });
  after(async () => {
    await Promise.all(instances.map((i) => i.close()));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('is signed with and published by every instance within its refresh, no restart', async () => {
    const logger = pino({ level: 'silent' });
    for (let i = 0; i < 2; i++) instances.push(await startOnevisit({ dataDir, logger, pollIntervalMs: 50, refreshIntervalMs: 100 }));
    const published = async (instance: Onevisit) => ((await request(instance.app).get('/.well-known/onevisit-keys.json').expect(200)).body.keys as { kid: string }[]).map((k) => k.kid);
    const [before] = await Promise.all(instances.map(published));
    expect(before).to.have.length(1);

    const added = await rotateKey(keysDir(dataDir));
    const deadline = Date.now() + 10_000;
    let seen: string[][] = [];
    while (Date.now() < deadline) {
      seen = await Promise.all(instances.map(published));
      if (seen.every((kids) => kids[0] === added)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Newest first: the key that signs.
    for (const kids of seen) expect(kids).to.deep.equal([added, before![0]]);
  });
});
