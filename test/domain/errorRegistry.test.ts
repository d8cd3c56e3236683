/**
 * The error and issue registries stay whole and in step with what uses them (fastify's errors test): every code
 * has its status or its meaning, every JSON Schema keyword ajv reports maps to a rule, every rule the product's
 * schemas can break has its code, and docs/errors.md is what the generator writes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { ErrorObject } from 'ajv';
import { ErrorCodes, IssueCodes, SchemaRules, SchemaSubjects, isIssueCode, type SchemaRule, type SchemaSubject } from '../../src/domain/errors.js';
import { ErrorStatuses } from '../../src/http/problem.js';
import { ERROR_DOCS_FILE, errorsMarkdown } from '../../src/http/errorDocs.js';
import { openApiDocument } from '../../src/http/openapi.js';
import { KeywordRules, createAjv, issuesFromAjv, ruleOfKeyword } from '../../src/definitions/ajv.js';
import { CatalogSchemas } from '../../src/definitions/catalog.js';
import { ReferenceSchemas } from '../../src/definitions/reference.js';
import { eventRequestSchema } from '../../src/definitions/index.js';
import { RequestSchemas } from '../../src/application/schemas.js';
import { projectRoot, readCatalog } from '../../src/store/index.js';
import { docsCommand } from '../../src/cli/docs.js';

const root = projectRoot();
const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8')) as object;

/** The product's own schemas, by the subject their issues are reported as. FORM schemas are each service's own. */
const SCHEMAS_BY_SUBJECT: Record<Exclude<SchemaSubject, 'FORM'>, readonly object[]> = {
  SCHEMA: [readJson('schemas/service-definition.schema.json'), CatalogSchemas.departments, CatalogSchemas.certificateTypes],
  TEMPLATE: [readJson('schemas/certificate-template.schema.json')],
  REFERENCE: Object.values(ReferenceSchemas),
  EVENT: [eventRequestSchema],
  INPUT: Object.values(RequestSchemas),
};

/** Keywords ajv knows that report no error of their own: their subschemas do, or (`if`) the issues leave it out. */
const SILENT_KEYWORDS = [
  '$dynamicAnchor', '$dynamicRef', '$recursiveAnchor', '$recursiveRef', '$comment', 'id', '$ref', 'nullable', 'allOf', 'if', 'then', 'else',
  'properties', 'patternProperties', 'prefixItems', 'dependentSchemas', 'maxContains', 'minContains',
];

/** Where a JSON Schema holds subschemas: maps of them, and single schemas or lists of them. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
const SUBSCHEMAS = new Set(['items', 'prefixItems', 'allOf', 'anyOf', 'oneOf', 'not', 'if', 'then', 'else', 'contains', 'additionalProperties', 'propertyNames', 'unevaluatedProperties', 'unevaluatedItems']);

/** Where a `false` subschema is reported as the keyword holding it (`additionalProperties: false`), or never (`not`). */
const OWN_FALSE = new Set(['additionalProperties', 'unevaluatedProperties', 'unevaluatedItems', 'not']);

/** Every keyword used anywhere in `schema` that ajv reports errors for (`false schema` for a schema that is `false`). */
function reportingKeywords(schema: unknown, found: Set<string>): void {
  if (schema === false) found.add('false schema');
  if (schema === null || typeof schema !== 'object') return;
  if (Array.isArray(schema)) {
    for (const item of schema) reportingKeywords(item, found);
    return;
  }
  const tuple = 'prefixItems' in schema;
  for (const [key, value] of Object.entries(schema)) {
    // `items` reports errors of its own only as `items: false` after `prefixItems`; otherwise its subschema does.
    if (key === 'items' ? tuple && value === false : Object.hasOwn(KeywordRules, key)) found.add(key);
    if (SCHEMA_MAPS.has(key) && value && typeof value === 'object') for (const child of Object.values(value)) reportingKeywords(child, found);
    else if (SUBSCHEMAS.has(key) && !(value === false && (OWN_FALSE.has(key) || (key === 'items' && tuple)))) reportingKeywords(value, found);
  }
}

describe('error and issue registries', () => {
  it('gives every error code a 4xx or 5xx status', () => {
    for (const code of Object.keys(ErrorCodes)) expect(ErrorStatuses[code as keyof typeof ErrorStatuses], code).to.be.within(400, 599);
  });

  it('names every issue code PREFIX.NAME, with a one-sentence meaning and the registered error codes it comes under', () => {
    for (const [code, { meaning, under }] of Object.entries(IssueCodes)) {
      expect(code).to.match(/^[A-Z][A-Z_]*\.[A-Z][A-Z_]*$/);
      expect(meaning, code).to.match(/^[A-Z].*\.$/);
      expect(meaning.slice(0, -1), code).not.to.match(/\.\s/);
      for (const error of under) expect(Object.hasOwn(ErrorCodes, error), `${code} under ${error}`).to.equal(true);
      expect(new Set(under).size, code).to.equal(under.length);
    }
  });

  it('maps every keyword ajv reports errors for to a rule, each rule from one keyword', () => {
    const all = createAjv().RULES.all as Record<string, true | { definition: object }>;
    // A keyword without code, validate, compile or macro is an annotation (such as our x-i18n): it cannot fail.
    const canFail = (keyword: string) => {
      const rule = all[keyword]!;
      return rule === true || ['code', 'validate', 'compile', 'macro'].some((f) => f in rule.definition);
    };
    const known = Object.keys(all).filter(canFail);
    expect(known.filter((k) => !Object.hasOwn(KeywordRules, k) && !SILENT_KEYWORDS.includes(k)), 'keywords with no rule').to.deep.equal([]);
    const rules = Object.values(KeywordRules) as SchemaRule[];
    expect([...rules].sort(), 'rules with no keyword, or with two').to.deep.equal((Object.keys(SchemaRules) as SchemaRule[]).filter((r) => r !== 'RULE').sort());
  });

  it("registers the codes of exactly the rules the product's own schemas can break, for the subject it reports them as", () => {
    for (const [subject, schemas] of Object.entries(SCHEMAS_BY_SUBJECT)) {
      const keywords = new Set<string>();
      for (const schema of schemas) reportingKeywords(schema, keywords);
      expect(keywords.size, subject).to.be.greaterThan(3);
      const missing = [...keywords].map((k) => `${subject}.${ruleOfKeyword(k)}`).filter((code) => !isIssueCode(code));
      expect(missing, `add these rules to SchemaSubjects.${subject}.rules`).to.deep.equal([]);
      const used = new Set([...keywords].map(ruleOfKeyword));
      const unused = SchemaSubjects[subject as SchemaSubject].rules.filter((rule) => rule !== 'RULE' && !used.has(rule));
      expect(unused, `no schema of ${subject} can break these: take them out of SchemaSubjects.${subject}.rules`).to.deep.equal([]);
    }
    expect([...SchemaSubjects.FORM.rules].sort(), 'a form schema may use any rule').to.deep.equal(Object.keys(SchemaRules).sort());
  });

  it('reports a broken rule as <SUBJECT>.<RULE>, and a keyword without a rule as <SUBJECT>.RULE', () => {
    const validate = createAjv().compile({ type: 'object', required: ['name'], properties: { name: { type: 'string' }, nothing: false } });
    expect(validate({ nothing: 1 })).to.equal(false);
    expect(issuesFromAjv(validate.errors, '/form', 'FORM').map((i) => [i.path, i.code])).to.deep.equal([
      ['/form/name', 'FORM.REQUIRED'],
      ['/form/nothing', 'FORM.FALSE_SCHEMA'],
    ]);
    const unknown = { instancePath: '/x', schemaPath: '#/x', keyword: 'somethingNew', params: {}, message: 'is odd' } as ErrorObject;
    expect(issuesFromAjv([unknown], '', 'INPUT')).to.deep.equal([{ path: '/x', code: 'INPUT.RULE', message: 'is odd' }]);
    // A rule a subject's schemas never use is its fallback, not an unregistered code.
    const unused = { ...unknown, keyword: 'unevaluatedItems' } as ErrorObject;
    expect(issuesFromAjv([unused], '', 'EVENT')[0]?.code).to.equal('EVENT.RULE');
  });

  it(`keeps ${ERROR_DOCS_FILE} as the generator writes it (npm run docs:errors)`, () => {
    const file = path.join(root, ERROR_DOCS_FILE);
    expect(fs.existsSync(file), `${ERROR_DOCS_FILE} is missing: run npm run docs:errors`).to.equal(true);
    expect(fs.readFileSync(file, 'utf8') === errorsMarkdown(), `${ERROR_DOCS_FILE} differs from the registries: run npm run docs:errors`).to.equal(true);
    const lines: string[] = [];
    expect(docsCommand(['errors', '--check'], { log: (l) => lines.push(l), error: (l) => lines.push(l) }, root), lines.join('\n')).to.equal(0);
  });

  it(`lists in ${ERROR_DOCS_FILE} every error code with its status and every issue code`, () => {
    const text = errorsMarkdown();
    for (const [code, status] of Object.entries(ErrorStatuses)) expect(text, code).to.contain(`| \`${code}\` | ${status} |`);
    for (const code of Object.keys(IssueCodes)) expect(text, code).to.contain(`\`${code}\``);
  });

  it('names, wherever a document pairs a status with an error code, a registered code and its status', () => {
    const documents: Record<string, string> = {
      'README.md': fs.readFileSync(path.join(root, 'README.md'), 'utf8'),
      ...Object.fromEntries(
        fs
          .readdirSync(path.join(root, 'src'), { withFileTypes: true })
          .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(root, 'src', entry.name, 'README.md')))
          .map((entry) => [`src/${entry.name}/README.md`, fs.readFileSync(path.join(root, 'src', entry.name, 'README.md'), 'utf8')]),
      ),
      'the OpenAPI document': JSON.stringify(openApiDocument(readCatalog().definitionSchema)),
    };
    const wrong: string[] = [];
    for (const [name, text] of Object.entries(documents)) {
      for (const [, status, code] of text.matchAll(/\b([1-5]\d\d) ([A-Z][A-Z_]*\.[A-Z][A-Z_]*)\b/g)) {
        const registered = ErrorStatuses[code as keyof typeof ErrorStatuses];
        if (registered !== Number(status)) wrong.push(`${name}: ${status} ${code} (${registered === undefined ? 'not registered' : `registered as ${registered}`})`);
      }
    }
    expect(wrong).to.deep.equal([]);
  });
});
