/**
 * The form renderer and parser (src/web/form): each schema keyword's component, labels per language from
 * `x-i18n`, conditional parts decided on the data, list add / remove, errors worded for citizens at their
 * fields, posted fields read back as the JSON they were rendered from, and hostile text escaped wherever it shows.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { Locales, type Locale } from '../../src/domain/i18n.js';
import { makeResidentIdNumber } from '../../src/domain/ids.js';
import { formLabelsSchema } from '../../src/definitions/formLabels.js';
import { buildField, componentOf, COMPONENT_RULES, objectFields, parseField, type FieldModel, type Posted } from '../../src/web/form/components.js';
import { rootContext } from '../../src/web/form/conditions.js';
import { applyListAction, prune, readSection, sectionPage, sectionsOf } from '../../src/web/form/sections.js';
import { flatten, sectionErrors } from '../../src/web/form/validate.js';
import { formPreview } from '../../src/web/form/preview.js';
import { fieldId, type Schema } from '../../src/web/form/schema.js';
import { translator } from '../../src/web/messages/index.js';
import { createRenderer } from '../../src/web/render.js';
import { catalog, loadDefinition } from '../support/world.js';

const startup = loadDefinition(catalog.definitionFiles.find((f) => f.endsWith('business-startup.json'))!);
const startupForm = startup.form as Schema;
const ctx = (locale: Locale = 'zh-Hans') => ({ locale, t: translator(locale) });

/** What a browser posts for a page's fields as rendered (checked choices, typed values, hidden fields). */
function posted(fields: readonly FieldModel[], body: Record<string, string | string[]> = {}): Posted {
  const add = (name: string, value: string) => {
    const had = body[name];
    body[name] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
  };
  for (const f of fields) {
    switch (f.component) {
      case 'fieldset':
        posted(f.fields, body);
        break;
      case 'list':
        add(f.countName, String(f.count));
        for (const item of f.items) posted(item.fields, body);
        break;
      case 'radios':
      case 'select':
      case 'yesNo':
      case 'checkboxes':
        for (const item of f.items) if (item.checked) add(f.name, item.value);
        break;
      default:
        add(f.name, f.value);
    }
  }
  return body;
}

describe('web form: the JSON Schema form renderer', () => {
  describe('one table maps schema keywords to govuk components', () => {
    const cases: [string, Schema, string][] = [
      ['const', { const: 'person' }, 'constant'],
      ['an object', { type: 'object', properties: {} }, 'fieldset'],
      ['an array of enum values', { type: 'array', items: { enum: ['a', 'b'] } }, 'checkboxes'],
      ['an array of objects', { type: 'array', items: { type: 'object', properties: {} } }, 'list'],
      ['an array of oneOf objects', { type: 'array', items: { oneOf: [{ type: 'object' }, { type: 'object' }] } }, 'list'],
      ['an array of strings', { type: 'array', items: { type: 'string' } }, 'lines'],
      ['an enum of six', { enum: [1, 2, 3, 4, 5, 6] }, 'radios'],
      ['an enum of seven', { enum: [1, 2, 3, 4, 5, 6, 7] }, 'select'],
      ['a boolean', { type: 'boolean' }, 'yesNo'],
      ['a number', { type: 'number' }, 'number'],
      ['an integer', { type: 'integer' }, 'number'],
      ['a date', { type: 'string', format: 'date' }, 'date'],
      ['a long string', { type: 'string', maxLength: 120 }, 'textarea'],
      ['a short string', { type: 'string', maxLength: 30 }, 'input'],
      ['a resident id', { type: 'string', format: 'resident-id' }, 'input'],
    ];
    for (const [what, schema, component] of cases) {
      it(`${what} → ${component}`, () => expect(componentOf(schema)).to.equal(component));
    }
    it('names every component in the table once, the catch-all last', () => {
      expect(new Set(COMPONENT_RULES.map((r) => r.component)).size).to.equal(COMPONENT_RULES.length);
      expect(COMPONENT_RULES.at(-1)!.when({})).to.equal(true);
    });
  });

  describe('labels per language (x-i18n)', () => {
    it('titles every field and labels every enum value in the page’s language, never with codes', () => {
      const section = sectionsOf(startupForm, {}, 'en').find((s) => s.key === 'company')!;
      expect(section.title).to.equal('About the company');
      const fields = sectionPage(startupForm, {}, section, ctx('en')).fields;
      const type = fields.find((f) => f.pointer === '/company/type')!;
      expect(type.label).to.equal('Type of company');
      expect(type.component).to.equal('radios');
      expect(type.component === 'radios' && type.items.map((i) => i.text)).to.deep.equal(['Limited liability company', 'Limited liability company owned by one person', 'Joint-stock company (unlisted)']);
      expect(type.hint, 'a description listing codes is not shown').to.equal(undefined);
      const zhHant = sectionPage(startupForm, {}, section, ctx('zh-Hant')).fields.find((f) => f.pointer === '/company/name')!;
      expect(zhHant.label).to.equal('企業名稱');
    });

    it('every shipped workflow titles each property and labels each enum value in all three languages', () => {
      for (const file of catalog.definitionFiles) {
        const definition = loadDefinition(file);
        const missing: string[] = [];
        const walk = (schema: Schema, at: string) => {
          const labels = (schema['x-i18n'] ?? {}) as { title?: Record<string, string>; enum?: Record<string, Record<string, string>> };
          if (at !== '' && !('const' in schema) && !Locales.every((l) => labels.title?.[l])) missing.push(`${at} title`);
          const values = (schema.enum ?? (schema.items as Schema | undefined)?.enum) as unknown[] | undefined;
          for (const v of values ?? []) if (!Locales.every((l) => labels.enum?.[String(v)]?.[l])) missing.push(`${at} enum ${String(v)}`);
          for (const [k, child] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) walk(child, `${at}/${k}`);
          const items = schema.items as Schema | undefined;
          if (items?.oneOf) (items.oneOf as Schema[]).forEach((b, i) => walk(b, `${at}/items/oneOf/${i}`));
          else if (items?.properties) walk(items, `${at}/items`);
        };
        walk(definition.form as Schema, '');
        expect(missing, definition.id).to.deep.equal([]);
      }
    });

    it('the x-i18n keyword’s shape is the one documented in the definition schema', () => {
      const documented = (catalog.definitionSchema as { $defs: Record<string, { properties: Record<string, unknown>; additionalProperties: boolean }> }).$defs.formLabels!;
      expect(Object.keys(documented.properties)).to.deep.equal(Object.keys(formLabelsSchema.properties));
      expect(documented.additionalProperties).to.equal(formLabelsSchema.additionalProperties);
    });
  });

  describe('conditional parts, decided on the server', () => {
    it('asks for invoice kinds only once invoices are needed, and drops them when no longer', () => {
      const tax = sectionsOf(startupForm, {}, 'zh-Hans').find((s) => s.key === 'tax')!;
      const pointers = (form: Record<string, unknown>) => sectionPage(startupForm, form, tax, ctx()).fields.map((f) => f.pointer);
      expect(pointers({})).to.not.include('/tax/invoiceTypes');
      expect(pointers({ tax: { needInvoices: true } })).to.include('/tax/invoiceTypes');
      expect(prune(startupForm, { tax: { needInvoices: false, invoiceTypes: ['vat-ordinary'] } })).to.deep.equal({ tax: { needInvoices: false } });
    });

    it('shows the employees section only when the company employs staff', () => {
      expect(sectionsOf(startupForm, {}, 'zh-Hans').map((s) => s.key)).to.not.include('employees');
      expect(sectionsOf(startupForm, { hasEmployees: true }, 'zh-Hans').find((s) => s.key === 'employees')?.required).to.equal(true);
    });

    it('asks a property a branch requires in the other branches too, as optional, unless a branch in force forbids it', () => {
      const schema: Schema = {
        type: 'object',
        properties: { flag: { type: 'boolean' }, kept: { type: 'string' }, dropped: { type: 'string' }, notGiven: { type: 'string' } },
        allOf: [
          { if: { properties: { flag: { const: true } }, required: ['flag'] }, then: { required: ['kept', 'dropped', 'notGiven'] }, else: { properties: { dropped: false }, not: { required: ['notGiven'] } } },
        ],
      };
      const asked = (form: Record<string, unknown>) => Object.fromEntries(sectionsOf(schema, form, 'en').map((s) => [s.key, s.required]));
      expect(asked({ flag: true })).to.deep.equal({ flag: false, kept: true, dropped: true, notGiven: true });
      expect(asked({ flag: false })).to.deep.equal({ flag: false, kept: false });
      expect(asked({})).to.deep.equal({ flag: false, kept: false });
      expect(prune(schema, { flag: false, kept: 'k', dropped: 'd', notGiven: 'n' })).to.deep.equal({ flag: false, kept: 'k' });
    });

    describe('a newborn’s father', () => {
      const newborn = loadDefinition(catalog.definitionFiles.find((f) => f.endsWith('newborn.json'))!);
      const form = newborn.form as Schema;
      const father = { name: '张伟', idNumber: makeResidentIdNumber({ birthDate: '1989-03-08', sequence: 611 }), ethnicity: '汉族' };
      const fatherSection = (answers: Record<string, unknown>) => sectionsOf(form, answers, 'zh-Hans').find((s) => s.key === 'father');

      it('is required when the parents are married, and may be given when they are not (a father who acknowledges the child)', () => {
        expect(fatherSection({ parentsMarried: true })?.required).to.equal(true);
        expect(fatherSection({ parentsMarried: false })?.required).to.equal(false);
        expect(fatherSection({})?.required).to.equal(false);
      });

      it('is kept when an unmarried mother gives it, and its page reads back what it posted', () => {
        const answers = { parentsMarried: false, applicantRelation: 'mother' };
        const section = fatherSection(answers)!;
        const page = sectionPage(form, answers, section, ctx());
        expect(page.fields.map((f) => f.pointer)).to.deep.equal(['/father/name', '/father/idNumber', '/father/ethnicity']);
        const body = posted(sectionPage(form, { ...answers, father }, section, ctx()).fields);
        expect(readSection(form, answers, 'father', body)).to.deep.equal({ ...answers, father });
        expect(sectionErrors(form, { ...answers, father }, 'father', page.fields, translator('zh-Hans'))).to.deep.equal([]);
      });

      it('asks the other branch’s baby questions only in their own branch', () => {
        const baby = sectionsOf(form, {}, 'zh-Hans').find((s) => s.key === 'baby')!;
        const pointers = (answers: Record<string, unknown>) => sectionPage(form, answers, baby, ctx()).fields.map((f) => f.pointer);
        expect(pointers({ birthCertificateIssued: true })).to.include('/baby/birthCertificateNumber').and.not.include('/baby/weightGrams');
        expect(pointers({ birthCertificateIssued: false })).to.include('/baby/weightGrams').and.not.include('/baby/birthCertificateNumber');
      });
    });
  });

  describe('drawn for the definition editor’s preview', () => {
    it('has the sections of an empty form, built as their pages build them, in the language asked', () => {
      for (const locale of Locales) {
        const preview = formPreview(startupForm, ctx(locale), `preview-${locale}`);
        expect(preview.map((s) => s.section.key)).to.deep.equal(sectionsOf(startupForm, {}, locale).map((s) => s.key));
        const company = preview.find((s) => s.section.key === 'company')!;
        const name = company.fields.find((f) => f.pointer === '/company/name')!;
        expect(name.label).to.equal({ 'zh-Hans': '企业名称', 'zh-Hant': '企業名稱', en: 'Company name' }[locale]);
        expect(name.id).to.equal(`preview-${locale}-${fieldId('/company/name')}`);
      }
    });

    it('puts every id and name under its prefix, so the three languages on one page share none', () => {
      const fields = Locales.flatMap((locale) => formPreview(startupForm, ctx(locale), `preview-${locale}`).flatMap((s) => flatten(s.fields)));
      expect(fields.length).to.be.greaterThan(20);
      expect(new Set(fields.map((f) => f.id)).size).to.equal(fields.length);
      expect(new Set(fields.map((f) => f.name)).size).to.equal(fields.length);
      for (const f of fields) expect(f.id).to.match(/^preview-(zh-Hans|zh-Hant|en)-f-/);
    });

    it('marks a section that may be left out as optional in its heading', () => {
      const optional = formPreview(startupForm, ctx('en'), 'p').filter((s) => !s.section.required);
      expect(optional.length).to.be.greaterThan(0);
      for (const s of optional) expect(s.heading).to.equal(translator('en')('form.optionalLabel', { label: s.section.title }));
    });
  });

  describe('lists of objects: add and remove without script', () => {
    it('adds an item of the chosen oneOf branch with its const set, and removes one by its pointer', () => {
      let form = applyListAction(startupForm, {}, 'add:/shareholders:1')!;
      expect(form).to.deep.equal({ shareholders: [{ kind: 'organisation' }] });
      form = applyListAction(startupForm, form, 'add:/shareholders:0')!;
      expect(form.shareholders).to.deep.equal([{ kind: 'organisation' }, { kind: 'person' }]);
      form = applyListAction(startupForm, form, 'remove:/shareholders/0')!;
      expect(form.shareholders).to.deep.equal([{ kind: 'person' }]);
      expect(applyListAction(startupForm, { officers: {} }, 'add:/officers/directors')).to.deep.equal({ officers: { directors: [{}] } });
      expect(applyListAction(startupForm, {}, 'add:/company/name'), 'not a list').to.equal(undefined);
    });

    it('renders each item as a fieldset with a remove button, and one add button per branch', () => {
      const section = sectionsOf(startupForm, {}, 'en').find((s) => s.key === 'shareholders')!;
      const [list] = sectionPage(startupForm, { shareholders: [{ kind: 'organisation' }] }, section, ctx('en')).fields;
      if (list?.component !== 'list') throw new Error('not a list');
      expect(list.add.map((a) => a.value)).to.deep.equal(['add:/shareholders:0', 'add:/shareholders:1']);
      expect(list.items[0]!.remove.value).to.equal('remove:/shareholders/0');
      expect(list.items[0]!.fields.map((f) => f.pointer)).to.include('/shareholders/0/uscc').and.not.include('/shareholders/0/idNumber');
    });
  });

  describe('errors for citizens at their fields', () => {
    it('names the field by its title in each language, never by its pointer', () => {
      const section = sectionsOf(startupForm, {}, 'zh-Hans').find((s) => s.key === 'company')!;
      const expected: Record<Locale, [string, string]> = {
        'zh-Hans': ['企业名称至少6个字', '请选择企业类型'],
        'zh-Hant': ['企業名稱至少6個字', '請選擇企業類型'],
        en: ['Company name must be at least 6 characters', 'Select type of company'],
      };
      for (const locale of Locales) {
        const form = { company: { name: '青禾' } };
        const fields = sectionPage(startupForm, form, section, ctx(locale)).fields;
        const errors = sectionErrors(startupForm, form, 'company', fields, translator(locale));
        expect(errors[0]).to.deep.equal({ field: fieldId('/company/name'), text: expected[locale][0] });
        expect(errors[1]).to.deep.equal({ field: fieldId('/company/type'), text: expected[locale][1] });
        expect(errors.map((e) => e.text).join(' ')).to.not.match(/\/company|must have|minLength/);
      }
    });

    it('tells of a oneOf item only against the branch it is', () => {
      const form = { shareholders: [{ kind: 'organisation', name: '甘肃陇原创业投资有限公司', uscc: 'bad', subscribedCapital: 30, contributionDeadline: '2030-12-31' }] };
      const section = sectionsOf(startupForm, form, 'zh-Hans').find((s) => s.key === 'shareholders')!;
      const errors = sectionErrors(startupForm, form, 'shareholders', sectionPage(startupForm, form, section, ctx()).fields, translator('zh-Hans'));
      expect(errors).to.deep.equal([{ field: fieldId('/shareholders/0/uscc'), text: '请填写正确的18位非自然人股东 1的统一社会信用代码' }]);
    });

    it('passes a section that fits the schema', () => {
      const example = (startupForm.examples as Record<string, unknown>[])[0]!;
      for (const section of sectionsOf(startupForm, example, 'zh-Hans')) {
        const fields = sectionPage(startupForm, example, section, ctx()).fields;
        expect(sectionErrors(startupForm, example, section.key, fields, translator('zh-Hans')), section.key).to.deep.equal([]);
      }
    });
  });

  describe('posted fields read back as JSON typed by the schema', () => {
    it('reads every section of the examples back exactly from what its page posts', () => {
      for (const example of startupForm.examples as Record<string, unknown>[]) {
        for (const section of sectionsOf(startupForm, example, 'zh-Hans')) {
          const body = posted(sectionPage(startupForm, example, section, ctx()).fields);
          const read = readSection(startupForm, example, section.key, body);
          expect(read[section.key], section.key).to.deep.equal(example[section.key]);
        }
      }
    });

    const schema: Schema = {
      type: 'object',
      properties: {
        text: { type: 'string', maxLength: 30 },
        note: { type: 'string', maxLength: 500 },
        count: { type: 'integer' },
        amount: { type: 'number' },
        flag: { type: 'boolean' },
        kind: { enum: ['a', 'b', 'c'] },
        level: { enum: [1, 2, 3, 4, 5, 6, 7] },
        tags: { type: 'array', items: { enum: ['x', 'y', 'z'] } },
        lines: { type: 'array', items: { type: 'string' } },
        day: { type: 'string', format: 'date' },
        people: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer' } } } },
        nested: { type: 'object', properties: { inner: { type: 'string' } } },
      },
    };
    const word = fc.string({ minLength: 1, maxLength: 12 }).map((s) => s.replace(/[\r\n]/g, 'x').trim()).filter((s) => s !== '');
    const value = fc.record(
      {
        text: word,
        note: word,
        count: fc.integer({ min: -1e6, max: 1e6 }),
        amount: fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
        flag: fc.boolean(),
        kind: fc.constantFrom('a', 'b', 'c'),
        level: fc.constantFrom(1, 2, 3, 4, 5, 6, 7),
        tags: fc.uniqueArray(fc.constantFrom('x', 'y', 'z'), { minLength: 1 }).map((tags) => (['x', 'y', 'z'] as const).filter((t) => tags.includes(t))),
        lines: fc.array(word, { minLength: 1, maxLength: 4 }),
        day: fc.date({ min: new Date('1900-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
        people: fc.array(fc.record({ name: word, age: fc.integer({ min: 0, max: 120 }) }, { requiredKeys: [] }), { minLength: 1, maxLength: 3 }),
        nested: fc.record({ inner: word }),
      },
      { requiredKeys: [] },
    );

    it('round-trips any value: rendered, posted, parsed (fast-check)', () => {
      fc.assert(
        fc.property(value, (v) => {
          const fields = objectFields(rootContext(schema), '', v, ctx());
          const parsed = parseField(schema, '', posted(fields)) ?? {};
          // An item with nothing in it is kept as an empty object (the citizen added it).
          expect(parsed).to.deep.equal(v);
        }),
        { numRuns: 300 },
      );
    });

    it('keeps what is not its type as text, so the schema check names it', () => {
      expect(parseField({ type: 'number' }, '/n', { '/n': '12a' })).to.equal('12a');
      expect(parseField({ type: 'number' }, '/n', { '/n': ' 1,200.5 ' })).to.equal(1200.5);
      expect(parseField({ type: 'boolean' }, '/b', { '/b': 'maybe' })).to.equal(undefined);
      expect(parseField({ enum: [1, 2] }, '/e', { '/e': '3' })).to.equal('3');
    });
  });

  describe('hostile text', () => {
    const hostile = '<script>alert(1)</script>"\'&\u202eevil\u200f';
    it('is escaped wherever a value or a label shows', () => {
      const schema: Schema = {
        type: 'object',
        properties: {
          name: { type: 'string', title: hostile, description: hostile },
          kind: { enum: ['a'], 'x-i18n': { title: { 'zh-Hans': hostile }, enum: { a: { 'zh-Hans': hostile } } } },
          people: { type: 'array', title: hostile, items: { type: 'object', title: hostile, properties: { name: { type: 'string', title: hostile } } } },
        },
      };
      const value = { name: hostile, people: [{ name: hostile }] };
      const section = { key: 'x', pointer: '', title: hostile, required: true };
      const fields = objectFields(rootContext(schema), '', value, ctx());
      const html = createRenderer().render('apply/section.njk', {
        ...pageContext(),
        service: { id: 'x', title: hostile },
        page: { section, fields, single: false },
        action: '/apply/x/section/x',
        back: '/apply/x',
        errors: [{ field: fields[0]!.id, text: hostile }],
      });
      expect(html).to.not.include('<script>alert');
      expect(html).to.include('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html).to.not.match(/"'&\u202e/);
      expect(flatten(fields).length).to.be.greaterThan(3);
    });

    it('is kept as typed in the parsed form (it is data, escaped only when shown)', () => {
      expect(parseField({ type: 'string' }, '/s', { '/s': hostile })).to.equal(hostile.trim());
    });
  });

  it('reads a resident id field as text and checks it with its checksum', () => {
    const section = sectionsOf(startupForm, {}, 'zh-Hans').find((s) => s.key === 'financialOfficer')!;
    const good = { financialOfficer: { name: '赵敏', idNumber: makeResidentIdNumber({ birthDate: '1993-09-21', sequence: 262 }), phone: '18109318876' } };
    const bad = { financialOfficer: { ...good.financialOfficer, idNumber: '620105199309212621' } };
    const errors = (form: Record<string, unknown>) => sectionErrors(startupForm, form, 'financialOfficer', sectionPage(startupForm, form, section, ctx()).fields, translator('zh-Hans'));
    expect(errors(good)).to.deep.equal([]);
    expect(errors(bad)).to.deep.equal([{ field: fieldId('/financialOfficer/idNumber'), text: '请填写正确的18位公民身份号码' }]);
  });
});

function pageContext() {
  return { locale: 'zh-Hans', t: translator('zh-Hans'), l: () => '', nav: [], csrf: 'x', path: '/', languages: [] };
}

void buildField;
