/** Published service definitions, versioned. Publishing never changes an application in flight. */
import type { ServiceDefinition } from '../domain/definition.js';
import type { DefinitionStore, PublishedDefinition } from '../runtime/ports.js';
import type { Database } from './database.js';

export function createDefinitionStore(db: Database): DefinitionStore {
  return {
    async get(serviceId, version) {
      const query = db('service_definitions').where({ service_id: serviceId });
      const row = await (version === undefined ? query.orderBy('version', 'desc') : query.andWhere({ version })).first();
      return row ? fromRow(row) : undefined;
    },

    async head(serviceId, version) {
      const query = db('service_definitions').select('version', 'hash').where({ service_id: serviceId });
      const row = await (version === undefined ? query.orderBy('version', 'desc') : query.andWhere({ version })).first();
      return row ? { version: Number(row.version), hash: String(row.hash) } : undefined;
    },

    async publish(definition, hash, publishedBy, at) {
      return db.transaction(async (tx) => {
        const latest = await tx('service_definitions').where({ service_id: definition.id }).max({ v: 'version' }).first();
        const current = Number(latest?.v ?? 0);
        if (current > 0) {
          // Publishing unchanged content again is a no-op, so a catalog can be published on every start.
          const row = await tx('service_definitions').where({ service_id: definition.id, version: current }).first();
          if (row && row.hash === hash({ ...definition, version: current })) return fromRow(row);
        }
        const version = current + 1;
        const stored: ServiceDefinition = { ...definition, version };
        const published = { definition: stored, hash: hash(stored), publishedAt: at };
        await tx('service_definitions').insert({
          service_id: stored.id,
          version,
          hash: published.hash,
          definition: JSON.stringify(stored),
          published_by: publishedBy,
          published_at: at,
        });
        return published;
      });
    },

    async latest() {
      const latestVersions = db('service_definitions').select('service_id').max({ version: 'version' }).groupBy('service_id').as('l');
      const rows = await db('service_definitions as d')
        .join(latestVersions, function () {
          this.on('d.service_id', '=', 'l.service_id').andOn('d.version', '=', 'l.version');
        })
        .select('d.*')
        .orderBy('d.service_id');
      return rows.map(fromRow);
    },

    async versions(serviceId) {
      const rows = await db('service_definitions').where({ service_id: serviceId }).orderBy('version');
      return rows.map(fromRow);
    },
  };
}

function fromRow(row: Record<string, unknown>): PublishedDefinition {
  return {
    definition: JSON.parse(String(row.definition)) as ServiceDefinition,
    hash: String(row.hash),
    publishedAt: String(row.published_at),
  };
}
