import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { projectRoot } from '../../src/store/index.js';

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

  it('validate accepts every definition in workflows/', () => {
    const files = fs.readdirSync(path.join(root, 'workflows')).filter((f) => f.endsWith('.json') && !['departments.json', 'certificate-types.json'].includes(f));
    const result = onevisit('validate', ...files.map((f) => path.join(root, 'workflows', f)));
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout.match(/: valid/g)).to.have.length(files.length);
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

  it('an unknown command prints the usage and exits 1', () => {
    const result = onevisit('frobnicate');
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain('usage: onevisit');
  });
});
