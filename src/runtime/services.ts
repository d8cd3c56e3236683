/** Compiled services, once per published version, and checked against the hash they were published with. */
import type { ValidateFunction } from 'ajv';
import { OnevisitError } from '../domain/errors.js';
import { compileDefinition, createAjv, issuesFromAjv, type CompiledService } from '../definitions/index.js';
import type { ApplicationRow, DefinitionStore, PublishedDefinition } from './ports.js';

export interface LoadedService {
  compiled: CompiledService;
  /** The form validated against the service's form schema, or FORM.INVALID with every problem. */
  checkForm(form: unknown, base?: string): Record<string, unknown>;
}

export class ServiceCache {
  private readonly loaded = new Map<string, LoadedService>();
  private readonly heads = new Map<string, { head: { version: number; hash: string } | undefined; at: number }>();

  /** `latestTtlMs`: how long the latest version of a service is trusted without asking (0: always ask). */
  constructor(
    private readonly definitions: DefinitionStore,
    private readonly latestTtlMs = 0,
  ) {}

  /** Forgets what is known of the service's latest version (after a publication). */
  forgetLatest(serviceId: string): void {
    this.heads.delete(serviceId);
  }

  async latestOrVersion(serviceId: string, version?: number): Promise<LoadedService> {
    // The head is a small read; the definition itself is read and compiled once per hash.
    const head = await this.head(serviceId, version);
    const hit = head && this.loaded.get(head.hash);
    if (hit && hit.compiled.definition.id === serviceId) return hit;
    const published = head && (await this.definitions.get(serviceId, head.version));
    if (!published) throw new OnevisitError('SERVICE.NOT_FOUND', `no published service "${serviceId}"${version ? ` version ${version}` : ''}`);
    return this.fromPublished(published);
  }

  private async head(serviceId: string, version?: number) {
    if (version !== undefined || this.latestTtlMs <= 0) return this.definitions.head(serviceId, version);
    const known = this.heads.get(serviceId);
    const now = Date.now();
    if (known && known.at + this.latestTtlMs > now && known.at <= now) return known.head;
    const head = await this.definitions.head(serviceId);
    if (head) this.heads.set(serviceId, { head, at: now });
    return head;
  }

  /** The exact definition an application was started on; any other is refused. */
  async pinned(row: Pick<ApplicationRow, 'serviceId' | 'serviceVersion' | 'serviceHash' | 'number'>): Promise<LoadedService> {
    const hit = this.loaded.get(row.serviceHash);
    if (hit && hit.compiled.definition.id === row.serviceId && hit.compiled.definition.version === row.serviceVersion) return hit;
    const published = await this.definitions.get(row.serviceId, row.serviceVersion);
    if (!published || published.hash !== row.serviceHash) {
      throw new OnevisitError('DEFINITION.MISMATCH', `application ${row.number} was started on ${row.serviceId} v${row.serviceVersion} (${row.serviceHash.slice(0, 12)}), which is not the definition stored`);
    }
    return this.fromPublished(published);
  }

  private fromPublished(published: PublishedDefinition): LoadedService {
    const key = published.hash;
    const hit = this.loaded.get(key);
    if (hit) return hit;
    const compiled = compileDefinition(published.definition);
    if (compiled.hash !== published.hash) {
      throw new OnevisitError('DEFINITION.MISMATCH', `stored definition ${published.definition.id} v${published.definition.version} does not match its hash`);
    }
    const validate: ValidateFunction = createAjv().compile(published.definition.form);
    const service: LoadedService = {
      compiled,
      checkForm(form, base = '/form') {
        if (!validate(form)) throw new OnevisitError('FORM.INVALID', 'the form is invalid', { errors: issuesFromAjv(validate.errors, base, 'FORM') });
        return structuredClone(form) as Record<string, unknown>;
      },
    };
    this.loaded.set(key, service);
    return service;
  }
}
