/**
 * The error registry, the HTTP status table and the API document stay in step (fastify's errors test),
 * the document is valid OpenAPI 3.1, and it lists exactly the routes the router serves.
 */
import { expect } from 'chai';
import { Validator } from '@seriousme/openapi-schema-validator';
import { ErrorCodes, IssueCodes } from '../../src/domain/errors.js';
import { ErrorStatuses, INTERNAL_PROBLEM } from '../../src/http/problem.js';
import { ROUTES, openApiDocument } from '../../src/http/openapi.js';
import { apiRouter } from '../../src/http/api.js';
import { createLimiters, type Limiters } from '../../src/http/limits.js';
import type { HttpServices } from '../../src/http/app.js';
import { readCatalog } from '../../src/store/index.js';

type Layer = { route?: { path: string; methods: Record<string, boolean> } };
type CodeSchema = { enum: string[]; 'x-enumDescriptions': Record<string, string> };

describe('API contract', () => {
  it('maps every registered error code to a 4xx or 5xx status, and no code outside the registry', () => {
    expect(Object.keys(ErrorStatuses).sort()).to.deep.equal(Object.keys(ErrorCodes).sort());
    for (const [code, status] of Object.entries(ErrorStatuses)) expect(status, code).to.be.within(400, 599);
  });

  it('publishes every error code in the document, and only those, each with its status and title', () => {
    const doc = openApiDocument(readCatalog().definitionSchema) as { components: { schemas: { Problem: { properties: { code: CodeSchema } } } } };
    const code = doc.components.schemas.Problem.properties.code;
    expect(code.enum.filter((c) => c !== 'INTERNAL').sort()).to.deep.equal(Object.keys(ErrorCodes).sort());
    expect(code.enum).to.include('INTERNAL');
    expect(code['x-enumDescriptions']).to.deep.equal({
      ...Object.fromEntries(Object.entries(ErrorCodes).map(([c, title]) => [c, `${ErrorStatuses[c as keyof typeof ErrorStatuses]}: ${title}`])),
      INTERNAL: `500: ${INTERNAL_PROBLEM.title}`,
    });
  });

  it("publishes every issue code as the enum of a problem's issue codes, and only those, each with its meaning", () => {
    const doc = openApiDocument(readCatalog().definitionSchema) as {
      components: { schemas: { Problem: { properties: { errors: { items: { properties: { code: CodeSchema } } } } } } };
    };
    const code = doc.components.schemas.Problem.properties.errors.items.properties.code;
    expect([...code.enum].sort()).to.deep.equal(Object.keys(IssueCodes).sort());
    expect(code['x-enumDescriptions']).to.deep.equal(Object.fromEntries(Object.entries(IssueCodes).map(([c, { meaning }]) => [c, meaning])));
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(openApiDocument(readCatalog().definitionSchema) as never);
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 1)).to.deep.equal([]);
    expect(result.valid).to.equal(true);
    expect(validator.version).to.equal('3.1');
  });

  it('documents exactly the routes the router serves', () => {
    const router = apiRouter({ options: {}, catalog: { definitionSchema: {} }, limiters: createLimiters({}) } as unknown as HttpServices & { limiters: Limiters }) as unknown as { stack: Layer[] };
    const served = router.stack
      .filter((layer) => layer.route)
      .flatMap((layer) => Object.keys(layer.route!.methods).map((m) => `${m.toUpperCase()} ${layer.route!.path.replace(/:(\w+)/g, '{$1}')}`))
      .sort();
    const documented = ROUTES.map((r) => `${r.method.toUpperCase()} ${r.path}`).sort();
    expect(served).to.deep.equal(documented);
  });
});
