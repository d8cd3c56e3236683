/** The published catalog for everyone, and definition authoring for admins: validate, publish, versions. */
import { AuditKinds, type AuditActor, type AuditEntry, type AuditLog } from '../domain/audit.js';
import { OnevisitError } from '../domain/errors.js';
import type { CatalogContext, ServiceDefinition } from '../domain/definition.js';
import { compileDefinition, definitionHash, involvedDepartments, toMermaid, type DefinitionValidator } from '../definitions/index.js';
import { requireCapability, type Subject } from '../identity/policy.js';
import type { Engine } from '../runtime/index.js';
import type { DefinitionStore, PublishedDefinition } from '../runtime/ports.js';

export interface CatalogDeps {
  engine: Engine;
  definitions: DefinitionStore;
  validator: DefinitionValidator;
  /** schemas/service-definition.schema.json, published in the API document. */
  definitionSchema: object;
  /** What definitions are checked against: the departments, certificate types and templates there are now. */
  context: () => Promise<CatalogContext>;
  now: () => Date;
  /** Where each publication (a new version, not a repeat of the latest) is recorded. */
  audit?: AuditLog;
}

export interface ServiceSummary {
  id: string;
  version: number;
  title: ServiceDefinition['title'];
  summary?: ServiceDefinition['summary'];
  applicant: ServiceDefinition['applicant'];
  lifeEvent?: ServiceDefinition['lifeEvent'];
  promisedDays: number;
  departments: string[];
  publishedAt: string;
}

export function createCatalogUseCases({ engine, definitions, validator, definitionSchema, context, now, audit }: CatalogDeps) {
  async function validate(body: unknown) {
    const result = validator.validate(body, await context());
    if (!result.valid) return { valid: false as const, errors: result.errors, diagram: null };
    return { valid: true as const, errors: [], diagram: toMermaid(compileDefinition(result.definition)), definition: result.definition };
  }

  return {
    definitionSchema,

    async list(): Promise<ServiceSummary[]> {
      return (await definitions.latest()).map((p) => summaryOf(p.definition, p.publishedAt));
    },

    /**
     * One service as a citizen reads it before applying: the notice, form, materials and the diagram. The latest
     * version, or the one named (an application's own, whose form and materials may differ from the latest).
     */
    async get(serviceId: string, version?: number) {
      const published = await definitions.get(serviceId, version);
      if (!published) throw new OnevisitError('SERVICE.NOT_FOUND', `no published service "${serviceId}"${version !== undefined ? ` version ${version}` : ''}`);
      const compiled = await engine.service(serviceId, published.definition.version);
      return { ...published.definition, hash: published.hash, publishedAt: published.publishedAt, diagram: toMermaid(compiled) };
    },

    async validate(subject: Subject, body: unknown) {
      requireCapability(subject, 'definition.author');
      const { valid, errors, diagram } = await validate(body);
      return { valid, errors, diagram };
    },

    /** Publishes the body as the service's next version; applications in flight keep theirs. */
    async publish(subject: Subject, body: unknown) {
      requireCapability(subject, 'definition.author');
      const result = await validate(body);
      if (!result.valid) throw new OnevisitError('DEFINITION.INVALID', 'the definition is invalid', { errors: result.errors });
      const published = await definitions.publish(result.definition, definitionHash, subject.userId, now().toISOString());
      engine.forgetLatest(published.definition.id);
      if (published.created) await audit?.append(publicationAudit(published, { kind: subject.role, id: subject.userId }));
      return { id: published.definition.id, version: published.definition.version, hash: published.hash, publishedAt: published.publishedAt, diagram: result.diagram };
    },

    async versions(subject: Subject, serviceId: string) {
      requireCapability(subject, 'definition.author');
      const all = await definitions.versions(serviceId);
      if (all.length === 0) throw new OnevisitError('DEFINITION.NOT_FOUND', `no definition "${serviceId}"`);
      return all.map((p) => ({ id: p.definition.id, version: p.definition.version, hash: p.hash, publishedAt: p.publishedAt }));
    },
  };
}

export type CatalogUseCases = ReturnType<typeof createCatalogUseCases>;

/** The audit entry of a publication: the service and version, and the content's hash. */
export function publicationAudit(published: PublishedDefinition, actor: AuditActor): AuditEntry {
  const { id, version } = published.definition;
  return { at: published.publishedAt, kind: AuditKinds.definitionPublished, actor, subject: { kind: 'definition', id: `${id}@${version}` }, detail: { service: id, version, hash: published.hash } };
}

function summaryOf(definition: ServiceDefinition, publishedAt: string): ServiceSummary {
  const departments = involvedDepartments({ definition });
  return {
    id: definition.id,
    version: definition.version,
    title: definition.title,
    ...(definition.summary ? { summary: definition.summary } : {}),
    applicant: definition.applicant,
    ...(definition.lifeEvent ? { lifeEvent: definition.lifeEvent } : {}),
    promisedDays: definition.promisedDays,
    departments: [...departments],
    publishedAt,
  };
}
