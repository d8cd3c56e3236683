/**
 * `onevisit serve` that cannot start — the port is taken, the database cannot be migrated, the demo accounts
 * cannot be seeded — closes what it opened, says why in one line and exits 1 (instead of staying up without
 * serving, holding the database with its scheduler). Demo seeding is idempotent and safe from two instances.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import express from 'express';
import { readConfig } from '../../src/cli/config.js';
import { OnevisitError } from '../../src/domain/errors.js';
import { DEMO_PASSWORD, demoAccounts, seedDemo } from '../../src/cli/serve.js';
import { migrateLatest, openDatabase, readCatalog } from '../../src/store/index.js';
import { databaseKinds, openTestDatabase } from '../support/databases.js';
import { freePort, startServe, stopAllServes } from '../support/serveProcess.js';
import { identityOn } from '../support/identity.js';

const quiet = { log: () => undefined, error: () => undefined };

/** The one line a failed start prints (no stack trace, nothing else on stderr). */
function oneLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines, stderr).to.have.length(1);
  return lines[0]!;
}

describe('onevisit serve that cannot start', function () {
  this.timeout(60_000);
  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onevisit-serve-'));
  });
  afterEach(async () => {
    await stopAllServes();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('exits 1 when the port is taken, saying so, and leaves the database to others', async () => {
    const port = await freePort();
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(port, resolve));
    try {
      const serve = startServe({ ONEVISIT_DATA_DIR: dataDir }, port);
      expect(await serve.exited).to.equal(1);
      expect(oneLine(serve.stderr())).to.match(new RegExp(`^onevisit serve: cannot listen on port ${port}: .*EADDRINUSE`));
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
    // Nothing of it is left holding the database: another instance starts and serves on it.
    const next = startServe({ ONEVISIT_DATA_DIR: dataDir }, await freePort());
    expect(await next.ready()).to.equal(200);
    await next.stop();
  });

  it('exits 1 when the database cannot be migrated (it was migrated by a newer onevisit)', async () => {
    const db = openDatabase({ dataDir });
    await migrateLatest(db);
    await db('knex_migrations').insert({ name: '999_from_the_future', batch: 99, migration_time: new Date() });
    await db.destroy();
    const serve = startServe({ ONEVISIT_DATA_DIR: dataDir }, await freePort());
    expect(await serve.exited).to.equal(1);
    const line = oneLine(serve.stderr());
    expect(line).to.match(/^onevisit serve: cannot start on SQLite .*onevisit\.sqlite: /);
    expect(line).to.contain('999_from_the_future');
  });

  it('exits 1, closing the database it had migrated, when the signing keys cannot be opened', async () => {
    fs.writeFileSync(path.join(dataDir, 'keys'), 'a file where the keys folder should be');
    const serve = startServe({ ONEVISIT_DATA_DIR: dataDir }, await freePort());
    expect(await serve.exited).to.equal(1);
    expect(oneLine(serve.stderr())).to.match(/^onevisit serve: cannot start on SQLite .*: .*keys/);
  });

  it('exits 1 when the demo accounts cannot be seeded, naming the reason', async () => {
    const db = openDatabase({ dataDir });
    await migrateLatest(db);
    await db.raw(`CREATE TRIGGER users_read_only BEFORE INSERT ON users BEGIN SELECT RAISE(ABORT, 'users are read-only here'); END`);
    await db.destroy();
    const serve = startServe({ ONEVISIT_DATA_DIR: dataDir, ONEVISIT_DEMO: '1' }, await freePort());
    expect(await serve.exited).to.equal(1);
    expect(oneLine(serve.stderr())).to.match(/^onevisit serve: cannot seed the demo accounts: .*users are read-only here/);
  });

  it('ONEVISIT_DATABASE_SCHEMA names a PostgreSQL schema, and only with a postgres:// URL', () => {
    const url = 'postgres://postgres@127.0.0.1:5432/test';
    expect(readConfig({ ONEVISIT_DATABASE_URL: url, ONEVISIT_DATABASE_SCHEMA: 'tenant_a' }).databaseSchema).to.equal('tenant_a');
    expect(readConfig({ ONEVISIT_DATABASE_URL: url }).databaseSchema).to.equal(undefined);
    expect(() => readConfig({ ONEVISIT_DATABASE_SCHEMA: 'tenant_a' })).to.throw(/ONEVISIT_DATABASE_SCHEMA/);
    expect(() => readConfig({ ONEVISIT_DATABASE_URL: url, ONEVISIT_DATABASE_SCHEMA: 'a; drop table users' })).to.throw(/ONEVISIT_DATABASE_SCHEMA/);
  });

  it('ONEVISIT_TRUST_PROXY is off unless set, takes what express takes, and a bad value names the variable', () => {
    for (const off of [undefined, '', 'false', '0', 'off']) expect(readConfig({ ...(off !== undefined ? { ONEVISIT_TRUST_PROXY: off } : {}) }).trustProxy, String(off)).to.equal(false);
    const accepted: [string, unknown][] = [
      ['1', 1],
      ['2', 2],
      ['loopback', ['loopback']],
      ['10.0.0.2', ['10.0.0.2']],
      ['loopback, 10.0.0.0/8, fd00::/8', ['loopback', '10.0.0.0/8', 'fd00::/8']],
      ['192.168.0.0/255.255.0.0,::1', ['192.168.0.0/255.255.0.0', '::1']],
      ['linklocal,uniquelocal', ['linklocal', 'uniquelocal']],
    ];
    for (const [text, value] of accepted) {
      const trustProxy = readConfig({ ONEVISIT_TRUST_PROXY: text }).trustProxy;
      expect(trustProxy, text).to.deep.equal(value);
      // express (proxy-addr) compiles every value the configuration accepts.
      expect(() => express().set('trust proxy', trustProxy).get('trust proxy fn'), text).to.not.throw();
    }
    for (const bad of ['true', 'yes', '100', '-1', '1.5', 'localhost', '10.0.0.0/33', 'fd00::/129', '10.0.0.0/255.0.255.0', '10.0.0.0/8/8', '300.1.1.1', 'loopback,,10.0.0.1', 'proxy.example']) {
      expect(() => readConfig({ ONEVISIT_TRUST_PROXY: bad }), bad).to.throw(OnevisitError, /ONEVISIT_TRUST_PROXY/);
    }
  });
});

for (const kind of databaseKinds) {
  describe(`demo accounts (${kind})`, function () {
    this.timeout(60_000);
    const departments = new Set(readCatalog().departments.map((d) => d.id));
    const knownDepartments = async () => departments;
    const names = demoAccounts().map((a) => a.username);

    it('two instances seeding at once create each account once, and seeding again creates none', async () => {
      const database = await openTestDatabase(kind);
      try {
        const identities = [identityOn(database.db, { knownDepartments }), identityOn(database.openAnother(), { knownDepartments })];
        const created = await Promise.all(identities.map((identity) => seedDemo(identity, quiet)));
        expect([...created[0]!, ...created[1]!].sort()).to.deep.equal([...names].sort());
        const users = await identities[0]!.listUsers();
        expect(users.map((u) => u.username).sort()).to.deep.equal([...names].sort());
        expect(await seedDemo(identities[1]!, quiet)).to.deep.equal([]);
        expect(await identities[0]!.listUsers()).to.have.length(names.length);
        await identities[1]!.login('citizen', DEMO_PASSWORD);
      } finally {
        await database.close();
      }
    });

    it('creates only the missing ones and never overwrites an existing one', async () => {
      const database = await openTestDatabase(kind);
      try {
        const identity = identityOn(database.db, { knownDepartments });
        await identity.addUser({ username: 'admin', password: 'a password of my own', role: 'admin', name: '管理员' });
        const created = await seedDemo(identity, quiet);
        expect(created).to.not.include('admin');
        expect(created).to.have.length(names.length - 1);
        await identity.login('admin', 'a password of my own');
        const refused = await identity.login('admin', DEMO_PASSWORD).then(
          () => 'signed in',
          () => 'refused',
        );
        expect(refused).to.equal('refused');
      } finally {
        await database.close();
      }
    });

    it('adds nothing to a database with accounts of its own', async () => {
      const database = await openTestDatabase(kind);
      try {
        const identity = identityOn(database.db, { knownDepartments });
        await identity.addUser({ username: 'li-admin', password: 'a password of my own', role: 'admin', name: '李' });
        expect(await seedDemo(identity, quiet)).to.deep.equal([]);
        expect((await identity.listUsers()).map((u) => u.username)).to.deep.equal(['li-admin']);
      } finally {
        await database.close();
      }
    });
  });
}
