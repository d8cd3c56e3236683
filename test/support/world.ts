/**
 * A running engine on a real database, with test doubles only for what belongs to later layers:
 * the files and wallet an applicant cites (a registry of who owns what) and certificate issuing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Engine, type ApplicationView, type EffectHandlers, type MaterialVerifier } from '../../src/runtime/index.js';
import { eventSenders } from '../../src/identity/policy.js';
import { createApplicationStore, createDefinitionStore, createOutboxStore, readCatalog, projectRoot, type Database } from '../../src/store/index.js';
import { createOutboxWorker } from '../../src/scheduler/index.js';
import { compileDefinition, createDefinitionValidator, definitionHash, nextMove, type ActorRef, type MaterialClaim } from '../../src/definitions/index.js';
import type { ServiceDefinition } from '../../src/domain/definition.js';
import type { TestDatabase } from './databases.js';

export const catalog = readCatalog();
export const validator = createDefinitionValidator(catalog.definitionSchema);

export function loadDefinition(file: string): ServiceDefinition {
  const result = validator.validate(JSON.parse(fs.readFileSync(file, 'utf8')), catalog.context);
  if (!result.valid) throw new Error(`${file}: ${JSON.stringify(result.errors)}`);
  return result.definition;
}

export const fixture = (name: string) => path.join(projectRoot(), 'test', 'fixtures', 'workflows', name);
export const workflowDefinitions = (): ServiceDefinition[] => catalog.definitionFiles.map(loadDefinition);

export class Wallet implements MaterialVerifier {
  readonly files = new Map<string, string>();
  readonly certificates = new Map<string, { owner: string; type: string }>();
  private counter = 0;

  giveFile(owner: string): string {
    const id = `file-${++this.counter}`;
    this.files.set(id, owner);
    return id;
  }

  giveCertificate(owner: string, type: string): string {
    const id = `cert-${++this.counter}`;
    this.certificates.set(id, { owner, type });
    return id;
  }

  async checkFile(owner: string, fileId: string) {
    return this.files.get(fileId) === owner ? undefined : `no file ${fileId} of yours`;
  }

  async checkCertificate(owner: string, certificateId: string, type: string) {
    const certificate = this.certificates.get(certificateId);
    if (!certificate || certificate.owner !== owner) return `no certificate ${certificateId} in your wallet`;
    return certificate.type === type ? undefined : `certificate ${certificateId} is a ${certificate.type}, not a ${type}`;
  }
}

export interface World {
  engine: Engine;
  /** Carries out the effects due now (as an instance's outbox worker would); resolves to how many were done. */
  runPendingEffects(): Promise<number>;
  wallet: Wallet;
  issued: { application: string; effectId: string }[];
  timers: { application: string; timer: string; workingDays: number }[];
  publish(definition: ServiceDefinition): Promise<ServiceDefinition>;
}

export async function createWorld(database: TestDatabase, now?: () => Date): Promise<World> {
  const wallet = new Wallet();
  const issued: World['issued'] = [];
  const timers: World['timers'] = [];
  const effects: EffectHandlers = {
    async issueCertificates(context) {
      issued.push({ application: context.application.id, effectId: context.effectId });
      return [`certificate-for-${context.application.number}`];
    },
    async scheduleTimer(context, spec) {
      timers.push({ application: context.application.id, timer: spec.timer, workingDays: spec.workingDays });
    },
  };
  const definitions = createDefinitionStore(database.db);
  const engine = createEngine(database.db, effects, wallet, now);
  return {
    engine,
    runPendingEffects: () => runPendingEffects(database.db, engine, now),
    wallet,
    issued,
    timers,
    async publish(definition) {
      const published = await definitions.publish(definition, definitionHash, 'test-admin', new Date().toISOString());
      return published.definition;
    },
  };
}

/** An engine over `db` as one instance would have it; a failed effect is due for a retry at once. */
export function createEngine(db: Database, effects: EffectHandlers, materials: MaterialVerifier, now?: () => Date, definitionsDb: Database = db): Engine {
  return new Engine({
    store: createApplicationStore(db),
    outbox: createOutboxStore(db),
    definitions: createDefinitionStore(definitionsDb),
    effects,
    materials,
    senders: eventSenders,
    effectRetryMs: 0,
    ...(now ? { now } : {}),
  });
}

/** What an outbox worker on `db` does in one poll for `engine`: the effects due now, carried out. */
export async function runPendingEffects(db: Database, engine: Engine, now?: () => Date): Promise<number> {
  const worker = createOutboxWorker({ outbox: createOutboxStore(db), run: (row) => engine.runEffect(row), owner: 'test-worker', retryDelayMs: 0, ...(now ? { now } : {}), onError: () => undefined });
  return (await worker.pollOnce()).done;
}

export const applicant = (id = 'citizen-1'): ActorRef => ({ kind: 'applicant', id });
export const clerk = (...departments: string[]): ActorRef => ({ kind: 'clerk', id: `clerk-${departments.join('+')}`, departments });
export const system: ActorRef = { kind: 'system', id: 'engine' };
export const scheduler: ActorRef = { kind: 'scheduler', id: 'scheduler' };

/** Claims for every applicable required material: wallet certificates, commitments, uploaded files. */
export function claimsFor(world: World, definition: ServiceDefinition, form: Record<string, unknown>, owner: string, options: { omitDeferrable?: boolean } = {}): MaterialClaim[] {
  const compiled = compileDefinition(definition);
  const claims: MaterialClaim[] = [];
  for (const material of definition.materials) {
    if (!compiled.applies(`material:${material.id}`, form)) continue;
    if (material.deferrable && options.omitDeferrable) continue;
    if (material.satisfiedBy) claims.push({ materialId: material.id, certificateId: world.wallet.giveCertificate(owner, material.satisfiedBy) });
    else if (material.commitment) claims.push({ materialId: material.id, commitment: true });
    else claims.push({ materialId: material.id, fileId: world.wallet.giveFile(owner) });
  }
  return claims;
}

export function exampleForm(definition: ServiceDefinition): Record<string, unknown> {
  const example = definition.form.examples?.[0];
  if (!example) throw new Error(`${definition.id} has no form example`);
  return structuredClone(example);
}

/** Sends the happy-path event for the current state; returns the new view. */
export async function step(world: World, view: ApplicationView, definition: ServiceDefinition): Promise<ApplicationView> {
  const compiled = compileDefinition(definition);
  const move = nextMove(compiled, view.stateValue, { ...view, noticeElapsed: false });
  if (!move) throw new Error(`no move from ${view.state}`);
  const actor: ActorRef =
    move.actor.kind === 'clerk' ? clerk(move.actor.department!) : move.actor.kind === 'applicant' ? applicant(view.applicantId) : move.actor.kind === 'system' ? system : scheduler;
  const materials = move.owedMaterials?.map((materialId) => ({ materialId, fileId: world.wallet.giveFile(view.applicantId) }));
  return world.engine.send(view.id, { type: move.type, ...(move.matter ? { matter: move.matter } : {}), ...(materials ? { materials } : {}) }, actor);
}

/** Drives the application forward until it reaches a final state (or `until` says stop). */
export async function drive(world: World, view: ApplicationView, definition: ServiceDefinition, until?: (v: ApplicationView) => boolean): Promise<ApplicationView> {
  for (let i = 0; i < 100 && !['completed', 'rejected', 'withdrawn', 'terminated'].includes(view.status); i++) {
    if (until?.(view)) return view;
    view = await step(world, view, definition);
  }
  return view;
}
