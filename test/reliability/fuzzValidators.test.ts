/**
 * The validators and the PDF verifier on whatever they may be handed: fast-check feeds the definition validator
 * (mutated shipped definitions and fixtures, hostile JSON, JSON nested past the limit, any text), the certificate
 * template validator (mutated shipped templates, hostile JSON) and the PDF reader and verifier (any bytes, PDF-like
 * files embedding hostile records, real certificate PDFs with bytes changed). None of them throws: the validators
 * answer errors as `{path, code, message}` (the template validator by its one TEMPLATE.INVALID), the reader a
 * record or nothing, the verifier a verdict. What validates also compiles, hashes and draws its diagram.
 * ONEVISIT_FUZZ_RUNS sets the runs of each property (default 300).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import fc from 'fast-check';
import { compileDefinition, definitionHash, parseDefinitionText, toMermaid } from '../../src/definitions/index.js';
import { isOnevisitError, type Issue } from '../../src/domain/errors.js';
import { jsonFlaw } from '../../src/domain/jsonLimits.js';
import { VerificationResults, type CertificateRecord } from '../../src/domain/certificate.js';
import { parseTemplate } from '../../src/certificates/templates.js';
import { extractSignedRecord } from '../../src/certificates/embedded.js';
import { createVerifier, type Verifier } from '../../src/certificates/verify.js';
import { createRenderer } from '../../src/certificates/render.js';
import { canonicalRecord, signRecord } from '../../src/certificates/signing.js';
import type { StoredCertificate } from '../../src/certificates/ports.js';
import { catalog, fixture, validator } from '../support/world.js';
import { businessLicenceJob } from '../support/certificates.js';
import { tempKeyring } from '../certificates/support.js';
import { JObject, JRaw, bodyFor, fromPlain, hostileString, hostileValue, jsonText, mutatedBody, mutatedPdf, type Jv } from '../support/hostile.js';

const RUNS = Number(process.env.ONEVISIT_FUZZ_RUNS ?? 300);
const VERDICTS = new Set<string>(Object.values(VerificationResults));

const readJson = (file: string): unknown => JSON.parse(fs.readFileSync(file, 'utf8'));
const definitions = [...catalog.definitionFiles, ...fs.readdirSync(fixture('valid')).map((n) => fixture(`valid/${n}`)), ...fs.readdirSync(fixture('invalid')).slice(0, 8).map((n) => fixture(`invalid/${n}`))].map(readJson);
const { dir: templatesDir, schemaFile } = catalog.templates;
const templates = fs.readdirSync(templatesDir).filter((n) => n.endsWith('.json')).map((n) => readJson(path.join(templatesDir, n)));

function expectIssues(errors: unknown, what: string): void {
  expect(errors, what).to.be.an('array');
  for (const issue of errors as Issue[]) {
    expect(issue, what).to.have.all.keys('path', 'code', 'message');
    expect(typeof issue.path === 'string' && typeof issue.code === 'string' && typeof issue.message === 'string', `${what}: ${JSON.stringify(issue).slice(0, 200)}`).to.equal(true);
  }
}

/** JSON nested `depth` levels, built without recursion: arrays, objects or both. */
function nested(depth: number, style: number): unknown {
  let value: unknown = 'core';
  for (let i = 0; i < depth; i++) value = style % 2 === 0 ? [value] : { a: value };
  return value;
}

/** The definition validator's answer to `value`; every error an Issue; what is valid compiles, hashes and draws. */
function validateFully(value: unknown, what: string): void {
  let result: ReturnType<typeof validator.validate>;
  try {
    result = validator.validate(value, catalog.context);
  } catch (error) {
    throw new Error(`validate threw on ${what}: ${(error as Error).stack}`);
  }
  expect(result.valid, what).to.be.a('boolean');
  expectIssues(result.errors, what);
  if (result.valid) {
    const compiled = compileDefinition(result.definition);
    expect(definitionHash(result.definition)).to.match(/^[0-9a-f]{64}$/);
    expect(toMermaid(compiled)).to.match(/^stateDiagram-v2/);
  }
}

describe('fuzzing the definition validator', function () {
  this.timeout(120_000);

  it('answers mutated shipped definitions and fixtures with errors or a definition that compiles, never a throw', () => {
    const base = fc.constantFrom(...definitions.map(fromPlain));
    fc.assert(
      fc.property(base.chain((d) => mutatedBody(d)), (definition) => {
        const text = jsonText(definition);
        const parsed = parseDefinitionText(text);
        if (parsed.ok) validateFully(parsed.value, text.slice(0, 300));
        else expectIssues(parsed.errors, text.slice(0, 300));
      }),
      { numRuns: RUNS },
    );
  });

  it('answers hostile JSON values and any text, never a throw', () => {
    fc.assert(fc.property(fc.oneof(hostileValue, fc.jsonValue()), (value) => validateFully(JSON.parse(jsonText(fromPlain(value) as Jv)), 'a hostile value')), { numRuns: RUNS });
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), bodyFor(fc.constant(fromPlain(definitions[0]!))).map((b) => b.body?.toString('utf8') ?? '')), (text) => {
        const parsed = parseDefinitionText(text);
        if (parsed.ok) validateFully(parsed.value, text.slice(0, 200));
        else expectIssues(parsed.errors, text.slice(0, 200));
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses a definition nested past 64 levels or holding a number beyond JSON, anywhere, without recursing into it', () => {
    const shipped = definitions[0] as Record<string, unknown>;
    for (const depth of [60, 64, 65, 200, 30_000]) {
      for (const style of [0, 1]) {
        const form = shipped.form as { properties: Record<string, unknown> };
        const definition = { ...shipped, form: { ...form, properties: { ...form.properties, deep: { type: 'object', examples: [nested(depth, style)] } } } };
        validateFully(definition, `nested ${depth}`);
        if (depth > 60) expect(validator.validate(definition, catalog.context).errors[0]!.code, `nested ${depth}`).to.equal('DEFINITION.TOO_DEEP');
      }
    }
    const huge = validator.validate(JSON.parse(jsonText(new JObject([...(fromPlain(shipped) as JObject).entries, ['x', new JRaw('1e999')]]))), catalog.context);
    expect(huge.errors).to.deep.equal([{ path: '/x', code: 'DEFINITION.NUMBER_RANGE', message: 'is a number beyond the range of JSON numbers' }]);
    // A lone surrogate: canonical JSON, and so the definition's hash, cannot be made of it.
    const title = shipped.title as Record<string, string>;
    const lone = validator.validate({ ...shipped, title: { ...title, en: 'Start \ud800' } }, catalog.context);
    expect(lone.errors).to.deep.equal([{ path: '/title/en', code: 'DEFINITION.UNICODE', message: 'holds a lone surrogate, which is not Unicode text' }]);
  });
});

describe('fuzzing the certificate template validator', function () {
  this.timeout(120_000);

  it('answers mutated shipped templates and hostile values with a template or TEMPLATE.INVALID and its issues, never another throw', () => {
    const base = fc.constantFrom(...templates.map(fromPlain));
    fc.assert(
      fc.property(fc.oneof({ weight: 4, arbitrary: base.chain((t) => mutatedBody(t)) }, { weight: 1, arbitrary: hostileValue }), (template) => {
        const value = JSON.parse(jsonText(template)) as unknown;
        try {
          parseTemplate(value, { schemaFile });
        } catch (error) {
          if (!isOnevisitError(error, 'TEMPLATE.INVALID')) throw new Error(`parseTemplate threw ${(error as Error).stack} on ${jsonText(template).slice(0, 300)}`);
          expect(error.errors.length).to.be.greaterThan(0);
          expectIssues(error.errors, jsonText(template).slice(0, 200));
        }
      }),
      { numRuns: RUNS },
    );
    for (const depth of [64, 65, 30_000]) expect(() => parseTemplate({ ...(templates[0] as object), fields: nested(depth, 0) }, { schemaFile })).to.throw(/template/);
  });
});

describe('fuzzing the PDF verifier', function () {
  this.timeout(120_000);
  let verifier: Verifier;
  let pdf: Buffer;
  let removeKeys: () => void;

  before(async () => {
    const keys = await tempKeyring();
    removeKeys = keys.remove;
    const job = businessLicenceJob();
    const record = job.record as CertificateRecord;
    const signed = signRecord(record, keys.keyring);
    pdf = await createRenderer().render({ ...job, signed });
    const row: StoredCertificate = {
      id: record.id,
      type: record.type,
      holderId: record.holderId,
      holderName: record.holderName,
      applicationId: record.applicationId,
      matterId: 'license',
      effectId: 'effect-1',
      issuer: record.issuer,
      issuedAt: record.issuedAt,
      issuedBy: null,
      validUntil: record.validUntil,
      record: canonicalRecord(record),
      keyId: signed.keyId,
      signature: signed.signature,
      status: 'valid',
      revokedAt: null,
      revokedBy: null,
      revokeReason: null,
      supersededAt: null,
      supersededBy: null,
    };
    verifier = createVerifier({ store: { get: async (id) => (id === row.id ? row : undefined), logVerification: async () => undefined }, keyring: keys.keyring, now: () => new Date('2026-04-01T00:00:00Z') });
  });
  after(() => removeKeys?.());

  /** Reads and verifies `bytes` as an upload would be: a verdict or no record, never a throw. */
  async function readAndVerify(bytes: Uint8Array): Promise<string> {
    const signed = extractSignedRecord(bytes);
    if (!signed) return 'no record';
    expect(signed.record).to.be.an('object');
    expect(signed.keyId).to.be.a('string');
    expect(signed.signature).to.be.a('string');
    const verdict = await verifier.verifySigned(signed, 'pdf');
    expect(VERDICTS.has(verdict.status), verdict.status).to.equal(true);
    return verdict.status;
  }

  it('verifies the certificate as rendered', async () => {
    expect(await readAndVerify(pdf)).to.equal('valid');
  });

  it('answers any bytes with no record or a verdict', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (bytes) => void (await readAndVerify(bytes))), { numRuns: RUNS });
  });

  it('answers PDF-like files embedding hostile records with no record or a verdict', async () => {
    const payload = fc.oneof(
      hostileValue.map((record) => new JObject([['record', record], ['keyId', 'k-1'], ['signature', 'AAAA']])),
      fc.tuple(hostileValue, hostileString, hostileString).map(([record, keyId, signature]) => new JObject([['record', new JObject([['id', record]])], ['keyId', keyId], ['signature', signature]])),
      fc.constantFrom(30_000, 65, 64).map((depth) => new JRaw(`{"record":{"id":"x","f":${'['.repeat(depth)}${']'.repeat(depth)}},"keyId":"k","signature":"AAAA"}`)),
    );
    await fc.assert(
      fc.asyncProperty(payload, fc.constantFrom('', '/Filter /FlateDecode', '/Filter /ASCIIHexDecode'), fc.boolean(), async (json, filter, rightLength) => {
        const data = Buffer.from(jsonText(json), 'utf8');
        const bytes = Buffer.concat([Buffer.from(`%PDF-1.7\n1 0 obj\n<< /Type /EmbeddedFile ${filter} /Length ${rightLength ? data.length : data.length + 7} >>\nstream\n`), data, Buffer.from('\nendstream\nendobj\n%%EOF\n')]);
        await readAndVerify(bytes);
      }),
      { numRuns: RUNS },
    );
  });

  it('answers a rendered certificate with bytes changed with no record or a verdict, never valid once its record changed', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedPdf([pdf]), async ({ pdf: changed, how }) => {
        const verdict = await readAndVerify(changed);
        const after = extractSignedRecord(changed);
        // Compared as text only when it can be written as text (a record 30,000 deep cannot).
        const same = after !== undefined && jsonFlaw(after) === undefined && JSON.stringify(after) === JSON.stringify(extractSignedRecord(pdf));
        if (after && !same) expect(verdict, how).to.not.equal('valid');
      }),
      { numRuns: RUNS },
    );
  });
});
