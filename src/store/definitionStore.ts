/** Published service definitions, versioned. Publishing never changes an application in flight. */
import type { ServiceDefinition } from '../domain/definition.js';
import type { DefinitionStore, PublishedDefinition } from '../runtime/ports.js';
import type { Database } from './database.js';

/** How often a publisher reads again after losing the next version number to another one. */
const MAX_PUBLISH_ATTEMPTS = 20;

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

    async publish(definition, hash, publishedBy, at, options = {}) {
      if (options.unlessPublisherHas) {
        const own = await db('service_definitions').where({ service_id: definition.id, published_by: publishedBy }).orderBy('version', 'desc').first();
        if (own && own.hash === hash({ ...definition, version: Number(own.version) })) return { ...fromRow(own), created: false };
      }
      // Idempotent by content: when the latest version holds this definition already it is the answer, so a catalog
      // can be published on every start. Safe beside other publishers (instances starting together, admins):
      // the next version is inserted only if nobody took its number meanwhile (ON CONFLICT DO NOTHING on the
      // primary key, one atomic statement on both databases); if somebody did, read again — their version may be
      // this very content. No transaction, so a lost race aborts nothing on PostgreSQL.
      for (let attempt = 1; ; attempt++) {
        const latest = await db('service_definitions').where({ service_id: definition.id }).orderBy('version', 'desc').first();
        const current = latest ? Number(latest.version) : 0;
        if (latest && latest.hash === hash({ ...definition, version: current })) return { ...fromRow(latest), created: false };
        const version = current + 1;
        const stored: ServiceDefinition = { ...definition, version };
        const published = { definition: stored, hash: hash(stored), publishedAt: at };
        const inserted = await db('service_definitions')
          .insert({
            service_id: stored.id,
            version,
            hash: published.hash,
            definition: JSON.stringify(stored),
            published_by: publishedBy,
            published_at: at,
          })
          .onConflict(['service_id', 'version'])
          .ignore()
          .returning('version');
        if (inserted.length > 0) return { ...published, created: true };
        if (attempt >= MAX_PUBLISH_ATTEMPTS) throw new Error(`publishing ${definition.id}: version ${version} was taken ${attempt} times in a row by other publishers`);
      }
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
