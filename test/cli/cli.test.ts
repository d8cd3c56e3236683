import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { openKeyring } from '../../src/certificates/keys.js';
import { checkSignature, signRecord, type CertificateRecord } from '../../src/certificates/signing.js';
import { makeResidentIdNumber } from '../../src/domain/ids.js';
import type { Identity } from '../../src/identity/index.js';
import { openDatabase, projectRoot } from '../../src/store/index.js';
import { identityOn } from '../support/identity.js';

const root = projectRoot();
const cli = path.join(root, 'bin', 'onevisit.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onevisit-cli-'));

function onevisit(...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, ONEVISIT_DATA_DIR: tmp } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const noStackTrace = (text: string) => expect(text).to.not.match(/^\s+at .+:\d+:\d+\)?$/m);

describe('onevisit CLI', () => {
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('validate accepts everything in workflows/*.json: the definitions and the catalog files beside them', () => {
    const files = fs.readdirSync(path.join(root, 'workflows')).filter((f) => f.endsWith('.json'));
    expect(files).to.include.members(['departments.json', 'certificate-types.json']);
    const result = onevisit('validate', ...files.map((f) => path.join(root, 'workflows', f)));
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout.match(/: valid/g)).to.have.length(files.length);
  });

  it('validate checks a catalog file with its own rules', () => {
    const file = path.join(tmp, 'departments.json');
    fs.writeFileSync(file, JSON.stringify({ departments: [{ id: 'tax', title: { en: 'Tax' }, kind: 'department' }] }));
    const result = onevisit('validate', file);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(/\/departments\/0\/title/);
  });

  it('validate prints every error with its path and exits 1', () => {
    const result = onevisit('validate', path.join(root, 'test/fixtures/workflows/invalid/intake-not-first.json'));
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain('/steps/0/kind  STEP.ORDER');
    expect(result.stderr).to.contain('/steps/1/kind  STEP.ORDER');
    noStackTrace(result.stderr);
  });

  const cases: [string, string | Buffer, string][] = [
    ['malformed JSON', '{"id": "x",', 'JSON.MALFORMED'],
    ['a non-object', '"just a string"', 'DEFINITION.NOT_OBJECT'],
    ['an empty file', '', 'JSON.MALFORMED'],
    ['a 5 MB file', Buffer.alloc(5 * 1024 * 1024, 0x20), 'DEFINITION.TOO_LARGE'],
    ['binary garbage', Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x02]), 'JSON.MALFORMED'],
  ];
  for (const [what, content, code] of cases) {
    it(`validate on ${what} gives a clear error and a non-zero exit`, () => {
      const file = path.join(tmp, `${code}-${what.replace(/\W/g, '')}.json`);
      fs.writeFileSync(file, content);
      const result = onevisit('validate', file);
      expect(result.code).to.equal(1);
      expect(result.stderr).to.contain(code);
      noStackTrace(result.stderr);
    });
  }

  it('validate on a missing file says so', () => {
    const result = onevisit('validate', path.join(tmp, 'nope.json'));
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain('FILE.UNREADABLE');
    noStackTrace(result.stderr);
  });

  it('diagram prints a Mermaid state diagram of the compiled machine', () => {
    const result = onevisit('diagram', path.join(root, 'workflows/business-startup.json'));
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/^stateDiagram-v2\n/);
    expect(result.stdout).to.contain('intake --> ');
    expect(result.stdout).to.contain('completed --> [*]');
  });

  it('simulate drives a definition to completed and prints the path', () => {
    const result = onevisit('simulate', path.join(root, 'workflows/business-startup.json'));
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.contain('ACCEPT');
    expect(result.stdout).to.contain('CERTIFICATES_ISSUED');
    expect(result.stdout).to.match(/completed after \d+ events/);
  });

  it('simulate with a rejected required matter ends rejected with exit 2', () => {
    const result = onevisit('simulate', path.join(root, 'workflows/business-startup.json'), '--reject', 'license');
    expect(result.code).to.equal(2);
    expect(result.stdout).to.contain('REJECT license');
    expect(result.stdout).to.match(/rejected after \d+ events/);
  });

  it('migrate creates the embedded database in the data directory', () => {
    const result = onevisit('migrate');
    expect(result.code, result.stderr).to.equal(0);
    expect(fs.existsSync(path.join(tmp, 'onevisit.sqlite'))).to.equal(true);
    expect(onevisit('migrate').stdout).to.contain('already up to date');
  });

  it('user add creates accounts and prints them with the id number masked', () => {
    const clerk = onevisit('user', 'add', '--username', 'window.wang', '--password', 'a long enough password', '--role', 'clerk', '--departments', 'comprehensive-window,taxation', '--name', '王窗口');
    expect(clerk.code, clerk.stderr).to.equal(0);
    expect(clerk.stdout).to.match(/^created clerk window\.wang: id [0-9a-f-]{36}, name 王窗口, departments comprehensive-window, taxation\n$/);

    const idNumber = makeResidentIdNumber({ region: '620102', birthDate: '1985-11-30', sequence: 12 });
    const citizen = onevisit('user', 'add', '--username', 'zhang.san', '--password', 'a long enough password', '--role', 'citizen', '--name', '张三', '--id-number', idNumber);
    expect(citizen.code, citizen.stderr).to.equal(0);
    expect(citizen.stdout).to.contain(`id number 620102********${idNumber.slice(14)}`);
    expect(citizen.stdout + citizen.stderr).to.not.contain(idNumber);
  });

  it('user add refuses a taken username with exit 1', () => {
    const args = ['user', 'add', '--username', 'admin.li', '--password', 'a long enough password', '--role', 'admin'];
    expect(onevisit(...args).code).to.equal(0);
    const again = onevisit(...args);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.contain('USER.EXISTS');
    expect(again.stdout).to.equal('');
    noStackTrace(again.stderr);
  });

  it('user add prints every problem with its path and exits 1', () => {
    const result = onevisit('user', 'add', '--username', 'x', '--password', 'short', '--role', 'clerk', '--departments', 'taxation,nowhere', '--id-number', '110105199001011230');
    expect(result.code).to.equal(1);
    expect(result.stdout).to.equal('');
    expect(result.stderr).to.contain('4 errors');
    expect(result.stderr).to.contain('/username  USERNAME.INVALID');
    expect(result.stderr).to.contain('/password  PASSWORD.TOO_SHORT');
    expect(result.stderr).to.contain('/departments/1  DEPARTMENT.UNKNOWN');
    expect(result.stderr).to.contain('/idNumber  ID_NUMBER.INVALID');
    noStackTrace(result.stderr);

    const bare = onevisit('user', 'add');
    expect(bare.code).to.equal(1);
    for (const path of ['/username', '/password', '/role']) expect(bare.stderr).to.contain(`${path}  `);
  });

  it('user add refuses a password the rule refuses (short, or one of the most common in any case), naming /password', () => {
    for (const [password, code] of [['12345678', 'PASSWORD.TOO_SHORT'], ['qwertyuiop', 'PASSWORD.COMMON'], ['Password123', 'PASSWORD.COMMON']] as const) {
      const result = onevisit('user', 'add', '--username', `weak.${code.slice(9).toLowerCase()}${password.length}`, '--password', password, '--role', 'admin');
      expect(result.code, password).to.equal(1);
      expect(result.stdout).to.equal('');
      expect(result.stderr).to.contain(`/password  ${code}`);
      noStackTrace(result.stderr);
    }
  });

  /** Runs `work` on the CLI's database (the SQLite file in the data directory), then closes it. */
  async function withIdentity<T>(work: (identity: Identity) => Promise<T>): Promise<T> {
    const db = openDatabase({ dataDir: tmp });
    try {
      return await work(identityOn(db));
    } finally {
      await db.destroy();
    }
  }

  it('user disable stops the account signing in and ends its sessions at once; user enable lets it sign in again', async () => {
    const password = 'a long enough password';
    expect(onevisit('user', 'add', '--username', 'clerk.zhou', '--password', password, '--role', 'clerk', '--departments', 'taxation').code).to.equal(0);
    const { token } = await withIdentity((identity) => identity.login('clerk.zhou', password));

    const disabled = onevisit('user', 'disable', '--username', 'Clerk.Zhou');
    expect(disabled.code, disabled.stderr).to.equal(0);
    expect(disabled.stdout).to.equal('disabled clerk clerk.zhou: it cannot sign in, and its sessions have ended\n');
    await withIdentity(async (identity) => {
      expect(await identity.authenticate(token), 'the session ended').to.equal(undefined);
      const refused = await identity.login('clerk.zhou', password).then(() => 'signed in', (e: { code?: string }) => e.code);
      expect(refused).to.equal('AUTH.INVALID_CREDENTIALS');
      expect((await identity.listUsers()).find((u) => u.username === 'clerk.zhou')).to.include({ disabled: true });
    });
    expect(onevisit('user', 'disable', '--username', 'clerk.zhou').stdout).to.contain('(it was disabled already)');

    const enabled = onevisit('user', 'enable', '--username', 'clerk.zhou');
    expect(enabled.code, enabled.stderr).to.equal(0);
    expect(enabled.stdout).to.equal('enabled clerk clerk.zhou: it can sign in again\n');
    await withIdentity(async (identity) => {
      expect(await identity.authenticate(token), 'the old session stays ended').to.equal(undefined);
      const session = await identity.login('clerk.zhou', password);
      expect(await identity.authenticate(session.token)).to.include({ username: 'clerk.zhou' });
    });
  });

  it("records the command line's account changes in the audit trail, which `audit verify` passes whole", async () => {
    const db = openDatabase({ dataDir: tmp });
    try {
      const user = (await db('users').where({ username: 'clerk.zhou' }).first()) as { id: string };
      const rows = (await db('audit').where({ subject_kind: 'user', subject_id: user.id }).orderBy('seq')) as Record<string, unknown>[];
      expect(rows.map((r) => [r.kind, r.actor_kind, r.actor_id])).to.deep.equal([
        ['user.add', 'system', 'cli'],
        ['user.disable', 'system', 'cli'],
        ['user.disable', 'system', 'cli'],
        ['user.enable', 'system', 'cli'],
      ]);
      expect(rows.map((r) => String(r.detail)).join(' ')).to.not.contain('a long enough password');
    } finally {
      await db.destroy();
    }
    const verified = onevisit('audit', 'verify');
    expect(verified.code, verified.stderr).to.equal(0);
    expect(verified.stdout).to.match(/the audit trail is whole: \d+ rows, seq 1–\d+, head [0-9a-f]{64}\n$/);
    for (const args of [['audit'], ['audit', 'check'], ['audit', 'verify', '--batch', '0'], ['audit', 'verify', '--all']]) {
      const refused = onevisit(...args);
      expect(refused.code, args.join(' ')).to.equal(1);
      noStackTrace(refused.stderr);
    }
  });

  it('user disable and enable name an unknown account or a missing --username, and exit 1', () => {
    for (const subcommand of ['disable', 'enable']) {
      const unknown = onevisit('user', subcommand, '--username', 'nobody.here');
      expect(unknown.code).to.equal(1);
      expect(unknown.stderr).to.contain('USER.NOT_FOUND');
      expect(unknown.stderr).to.contain('nobody.here');
      const bare = onevisit('user', subcommand);
      expect(bare.code).to.equal(1);
      expect(bare.stderr).to.contain('--username');
      const extra = onevisit('user', subcommand, '--username', 'x', '--force');
      expect(extra.code).to.equal(1);
      noStackTrace(unknown.stderr + bare.stderr + extra.stderr);
    }
  });

  it('keys rotate adds a signing key that signs from then on, and the old keys keep verifying', async () => {
    const dir = path.join(tmp, 'keys');
    const keyIdIn = (stdout: string) => /^new signing key (k-[0-9a-f]{16}) in /.exec(stdout)?.[1];
    const first = onevisit('keys', 'rotate');
    expect(first.code, first.stderr).to.equal(0);
    const firstId = keyIdIn(first.stdout);
    const record: CertificateRecord = { id: 'c1', type: 'business-license', holderId: 'h', holderName: '张三', fields: {}, issuer: 'market-regulation', issuedAt: '2026-03-02T02:00:00.000Z', validUntil: null, applicationId: 'a1' };
    const before = signRecord(record, await openKeyring(dir));
    expect(before.keyId).to.equal(firstId);

    const second = onevisit('keys', 'rotate');
    expect(second.code, second.stderr).to.equal(0);
    const secondId = keyIdIn(second.stdout);
    expect(secondId).to.be.a('string').and.not.equal(firstId);
    expect(first.stdout + second.stdout).to.not.contain('PRIVATE KEY');

    const keyring = await openKeyring(dir);
    expect(signRecord(record, keyring).keyId).to.equal(secondId);
    expect(checkSignature(record, before.keyId, before.signature, keyring)).to.equal(true);
    const privateFiles = fs.readdirSync(dir).filter((f) => f.endsWith('.private.pem'));
    expect(privateFiles).to.have.length(2);
    for (const file of privateFiles) expect(fs.statSync(path.join(dir, file)).mode & 0o777).to.equal(0o600);
  });

  it('keys without rotate says what it takes and exits 1', () => {
    const result = onevisit('keys', 'list-all');
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain('unknown subcommand "list-all" (rotate)');
    noStackTrace(result.stderr);
  });

  it('an unknown command prints the usage and exits 1', () => {
    const result = onevisit('frobnicate');
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain('usage: onevisit');
  });
});
