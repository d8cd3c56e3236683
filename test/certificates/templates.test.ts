import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { loadTemplates, parseTemplate, templateFieldNames, type CertificateTemplate } from '../../src/certificates/templates.js';
import { isOnevisitError, type OnevisitError } from '../../src/domain/errors.js';
import { catalog, workflowDefinitions } from '../support/world.js';

const source = catalog.templates;

/** Template id → the union of certificate field names the definitions fill for it. */
function fieldsFilledByDefinitions(): Map<string, Set<string>> {
  const filled = new Map<string, Set<string>>();
  for (const definition of workflowDefinitions()) {
    for (const step of definition.steps) {
      if (step.kind !== 'review') continue;
      for (const matter of step.matters) {
        if (!matter.certificate) continue;
        const names = filled.get(matter.certificate.template) ?? new Set<string>();
        for (const name of Object.keys(matter.certificate.fields)) names.add(name);
        filled.set(matter.certificate.template, names);
      }
    }
  }
  return filled;
}

function loadError(files: Record<string, unknown>): OnevisitError {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onevisit-templates-'));
  for (const [name, value] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), typeof value === 'string' ? value : JSON.stringify(value));
  try {
    loadTemplates({ ...source, dir });
  } catch (error) {
    if (isOnevisitError(error)) return error;
    throw error;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  throw new Error('the templates loaded');
}

describe('certificate templates', () => {
  const templates = loadTemplates(source);
  const businessLicense = templates.get('business-license')!;

  it('loads every template in templates/ against the schema', () => {
    expect([...templates.keys()]).to.include.members([
      'business-license',
      'talent-medical-card',
      'birth-medical-certificate',
      'household-registration-record',
    ]);
    for (const [id, template] of templates) expect(template.id).to.equal(id);
  });

  it('has a template for every template a definition in workflows/ names', () => {
    const missing = [...fieldsFilledByDefinitions().keys()].filter((id) => !templates.has(id));
    expect(missing).to.deep.equal([]);
  });

  for (const [id, filled] of fieldsFilledByDefinitions()) {
    it(`${id} shows exactly the certificate fields the definitions fill`, () => {
      const template = templates.get(id);
      expect(template, id).to.not.equal(undefined);
      expect([...templateFieldNames(template!)].sort()).to.deep.equal([...filled].sort());
    });
  }

  it('titles each template as the certificate type of the same id, in all three locales', () => {
    for (const type of catalog.certificateTypes) {
      const template = templates.get(type.id);
      if (!template) continue;
      expect(template.title, type.id).to.deep.equal(type.title);
    }
  });

  it('labels every item in Simplified, Traditional Chinese and English', () => {
    for (const template of templates.values()) {
      for (const item of [...(template.header ?? []), ...template.fields]) {
        const where = `${template.id}: ${item.name ?? item.record}`;
        expect(item.label['zh-Hant'], where).to.be.a('string');
        expect(item.label.en, where).to.be.a('string');
      }
    }
  });

  it('reports every schema error of every file with its path', () => {
    const broken = JSON.parse(JSON.stringify(businessLicense)) as Record<string, unknown>;
    delete broken.title;
    broken.colors = { accent: 'red' };
    broken.extra = true;
    const error = loadError({ 'business-license.json': broken, 'not-json.json': '{' });
    expect(error.code).to.equal('TEMPLATE.INVALID');
    const paths = error.errors.map((e) => `${e.path} ${e.code}`);
    expect(paths).to.include.members([
      '/business-license.json/title TEMPLATE.REQUIRED',
      '/business-license.json/colors/accent TEMPLATE.PATTERN',
      '/business-license.json/extra TEMPLATE.ADDITIONAL_PROPERTIES',
      '/not-json.json JSON.MALFORMED',
    ]);
  });

  it('refuses a template whose id is not its file name, or that shows a value twice', () => {
    const twice: CertificateTemplate = { ...businessLicense, fields: [...businessLicense.fields, businessLicense.fields[0]!] };
    const error = loadError({ 'other-name.json': twice });
    expect(error.errors.map((e) => `${e.path} ${e.code}`)).to.deep.equal([
      '/other-name.json/id TEMPLATE.ID_MISMATCH',
      `/other-name.json/fields/${businessLicense.fields.length} TEMPLATE.DUPLICATE_ITEM`,
    ]);
  });

  it('refuses an item that names both a field and a record property', () => {
    const both = { ...businessLicense, fields: [{ name: 'name', record: 'holderName', label: { 'zh-Hans': '名称' } }] };
    expect(() => parseTemplate(both, { schemaFile: source.schemaFile })).to.throw().that.satisfies((e: unknown) => isOnevisitError(e, 'TEMPLATE.INVALID'));
  });
});
