import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { compileDefinition, parseDefinitionText, toMermaid, type ValidationResult } from '../../src/definitions/index.js';
import { catalog, fixture, validator } from '../support/world.js';

function validateText(text: string): ValidationResult {
  const parsed = parseDefinitionText(text);
  return parsed.ok ? validator.validate(parsed.value, catalog.context) : { valid: false, errors: parsed.errors };
}

describe('definition validation', () => {
  describe('the catalog in workflows/', () => {
    it('has at least the three bundled services', () => {
      const ids = catalog.definitionFiles.map((f) => path.basename(f, '.json'));
      expect(ids).to.include.members(['business-startup', 'talent-medical-card', 'newborn']);
    });
    for (const file of catalog.definitionFiles) {
      it(`${path.basename(file)} validates and compiles`, () => {
        const result = validateText(fs.readFileSync(file, 'utf8'));
        expect(result.errors).to.deep.equal([]);
        if (!result.valid || !('definition' in result)) throw new Error('invalid');
        for (const locale of ['zh-Hans', 'zh-Hant', 'en'] as const) expect(result.definition.title[locale], locale).to.be.a('string');
        const compiled = compileDefinition(result.definition);
        expect(compiled.hash).to.match(/^[0-9a-f]{64}$/);
        expect(toMermaid(compiled)).to.match(/^stateDiagram-v2\n/);
      });
    }
  });

  describe('valid fixtures', () => {
    for (const name of fs.readdirSync(fixture('valid'))) {
      it(`${name} validates`, () => {
        expect(validateText(fs.readFileSync(fixture(`valid/${name}`), 'utf8')).errors).to.deep.equal([]);
      });
    }
  });

  describe('invalid fixtures fail with exactly the expected errors', () => {
    const expected = JSON.parse(fs.readFileSync(fixture('invalid.expected.json'), 'utf8')) as Record<string, { path: string; code: string }[]>;
    const files = fs.readdirSync(fixture('invalid'));
    it('has an expectation for every fixture and a fixture for every expectation', () => {
      expect(files.sort()).to.deep.equal(Object.keys(expected).sort());
    });
    for (const name of files) {
      it(name.replace(/\.json$/, ''), () => {
        const result = validateText(fs.readFileSync(fixture(`invalid/${name}`), 'utf8'));
        expect(result.valid).to.equal(false);
        const got = result.errors.map(({ path, code }) => ({ path, code }));
        expect(got).to.have.deep.members(expected[name]!);
        for (const error of result.errors) expect(error.message, `${error.code} message`).to.be.a('string').and.not.equal('');
      });
    }
  });

  it('refuses a definition over the size limit before parsing it', () => {
    const huge = JSON.stringify({ id: 'huge', padding: 'x'.repeat(5 * 1024 * 1024) });
    const result = validateText(huge);
    expect(result.errors.map((e) => e.code)).to.deep.equal(['DEFINITION.TOO_LARGE']);
  });

  it('reports every schema error at once, not only the first', () => {
    const result = validator.validate({ id: 'Bad Id', version: 0, title: {}, applicant: 'robot', promisedDays: 0, form: { type: 'object', properties: {} }, materials: [], steps: [] }, catalog.context);
    const paths = result.errors.map((e) => e.path);
    expect(paths).to.include.members(['/id', '/version', '/title/zh-Hans', '/applicant', '/promisedDays', '/steps']);
  });

  it('compiles the same definition to the same hash, and another to another', () => {
    const text = fs.readFileSync(fixture('valid/every-step.json'), 'utf8');
    const a = compileDefinition(JSON.parse(text));
    const b = compileDefinition(JSON.parse(text));
    const changed = compileDefinition({ ...JSON.parse(text), promisedDays: 6 });
    expect(a.hash).to.equal(b.hash);
    expect(changed.hash).to.not.equal(a.hash);
  });
});
