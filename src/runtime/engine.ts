/**
 * The engine: restore the snapshot → XState's pure transition → persist the next snapshot, the event
 * and any effects in one transaction → carry out the effects after commit.
 *
 * Snapshots of recently touched applications are kept in memory with their version. The write is
 * conditional on that version, so a stale cache entry can only cause a conflict, never a lost update;
 * it saves the read round trip on every event.
 */
import { randomUUID } from 'node:crypto';
import canonicalize from 'canonicalize';
import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import { OnevisitError, isOnevisitError } from '../domain/errors.js';
import type { ActorKind } from '../domain/vocabulary.js';
import {
  MATTER_EVENTS,
  activeStep,
  matterStates,
  authorizeActorKind,
  clockOf,
  authorizeDepartment,
  createAjv,
  eventRequestSchema,
  issuesFromAjv,
  stateLabel,
  statusOf,
  type ActorRef,
  type ApplicationEvent,
  type ApplicationInput,
  type CompiledService,
  type EffectSpec,
  type EventRequest,
  type MaterialClaim,
  type PersistedSnapshot,
} from '../definitions/index.js';
import { toView, type ApplicationView } from './view.js';
import { checkCompleteness, resolveClaims, satisfyFromWallet } from './materials.js';
import type { ApplicationRow, ApplicationStore, DefinitionStore, EffectHandlers, EventRow, MaterialVerifier, OutboxEntry } from './ports.js';
import { ServiceCache, type LoadedService } from './services.js';
import { trackingOf } from './tracking.js';
import { createWorkingCalendar, type WorkingCalendar } from '../domain/calendar.js';

export interface EngineOptions {
  store: ApplicationStore;
  definitions: DefinitionStore;
  effects: EffectHandlers;
  materials: MaterialVerifier;
  now?: () => Date;
  newId?: () => string;
  /**
   * How long the latest version of a service is trusted without asking the database (default 0: always ask).
   * Publications through this engine's `forgetLatest` take effect at once; others within this time.
   */
  latestDefinitionTtlMs?: number;
  /** Applications whose snapshots are kept in memory. */
  cacheSize?: number;
  /** The working-day calendar deadlines are counted on (the current one: admins may edit it). */
  calendar?: () => WorkingCalendar;
  /** Called when an effect fails after commit; it stays in the outbox and is retried by `runPendingEffects`. */
  onEffectError?: (effectId: string, error: unknown) => void;
}

export interface SubmitRequest {
  serviceId: string;
  /** A specific published version; the latest when absent. */
  version?: number;
  applicant: ActorRef;
  form: unknown;
  materials?: MaterialClaim[];
}

export interface SendOptions {
  /** The version the sender saw; when given, any other current version is a conflict. */
  expectedVersion?: number;
}

interface Cached {
  row: ApplicationRow;
  snapshot: AnyMachineSnapshot;
  service: LoadedService;
}

const canonicalJson = canonicalize as unknown as (value: unknown) => string;
const MAX_RETRIES = 3;

export class Engine {
  private readonly services: ServiceCache;
  private readonly cache = new Map<string, Cached>();
  private readonly queues = new Map<string, Promise<void>>();
  private readonly validateEventRequest = createAjv().compile(eventRequestSchema);
  private readonly now: () => Date;
  private readonly newId: () => string;
  private readonly cacheSize: number;
  private readonly calendar: () => WorkingCalendar;

  constructor(private readonly options: EngineOptions) {
    this.services = new ServiceCache(options.definitions, options.latestDefinitionTtlMs ?? 0);
    this.now = options.now ?? (() => new Date());
    this.newId = options.newId ?? randomUUID;
    this.cacheSize = options.cacheSize ?? 2000;
    const fallback = createWorkingCalendar();
    this.calendar = options.calendar ?? (() => fallback);
  }

  async submit(request: SubmitRequest): Promise<ApplicationView> {
    if (request.applicant.kind !== 'applicant') {
      throw new OnevisitError('ACTOR.FORBIDDEN', `applications are submitted by applicants, not by ${request.applicant.kind}`);
    }
    const service = await this.services.latestOrVersion(request.serviceId, request.version);
    const form = service.checkForm(request.form);
    const claimed = await resolveClaims(service.compiled, form, request.materials ?? [], request.applicant.id, this.options.materials);
    const records = await satisfyFromWallet(service.compiled, form, claimed, request.applicant.id, this.options.materials);
    const owed = checkCompleteness(service.compiled.definition, service.compiled, form, records);
    const input: ApplicationInput = { form, materials: records, owed };
    const [snapshot, actions] = initialTransition(service.compiled.machine, input);

    const at = this.now().toISOString();
    const id = this.newId();
    const persisted = persist(snapshot);
    const rowWithoutNumber: Omit<ApplicationRow, 'number'> = {
      id,
      serviceId: service.compiled.definition.id,
      serviceVersion: service.compiled.definition.version,
      serviceHash: service.compiled.hash,
      applicantId: request.applicant.id,
      state: JSON.stringify(snapshot.value),
      status: statusOf(snapshot),
      snapshot: persisted,
      version: 1,
      createdAt: at,
      updatedAt: at,
      tracking: trackingOf(undefined, 'idle', snapshot, service.compiled, at, this.calendar()),
    };
    const event: EventRow = { applicationId: id, seq: 1, type: 'SUBMIT', actor: request.applicant, payload: { type: 'SUBMIT', input, actor: request.applicant, at }, at };
    const effects = effectsOf(actions, id, 1);
    const number = await this.options.store.insertApplication(rowWithoutNumber, event, effects);
    const row = { ...rowWithoutNumber, number };
    this.remember(id, { row, snapshot, service });
    await this.runEffects(effects, row, service);
    return this.get(id);
  }

  /** Applies one event. Throws EVENT.INVALID, ACTOR.FORBIDDEN, TRANSITION.NOT_ALLOWED, APPLICATION.CONFLICT. */
  async send(id: string, request: unknown, actor: ActorRef, options: SendOptions = {}): Promise<ApplicationView> {
    const checked = this.checkEventRequest(request);
    await this.sendChecked(id, checked, actor, options);
    return this.get(id);
  }

  /**
   * Events for one application from this process go one at a time, so concurrent decisions (several
   * departments approving at once) do not spend their retries on each other; other processes are kept
   * apart by the version check.
   */
  private serially<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(id) ?? Promise.resolve();
    const result = previous.then(work, work);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(id, tail);
    void tail.then(() => {
      if (this.queues.get(id) === tail) this.queues.delete(id);
    });
    return result;
  }

  async get(id: string): Promise<ApplicationView> {
    const cached = await this.load(id);
    return toView(cached.row, cached.snapshot, cached.service.compiled, this.now());
  }

  /** The view together with the compiled service it runs on (for authorization and field filtering). */
  async inspect(id: string): Promise<{ view: ApplicationView; compiled: CompiledService }> {
    const cached = await this.load(id);
    return { view: toView(cached.row, cached.snapshot, cached.service.compiled, this.now()), compiled: cached.service.compiled };
  }

  /** Forgets the cached latest version of a service, after it was published anew. */
  forgetLatest(serviceId: string): void {
    this.services.forgetLatest(serviceId);
  }

  /** A published service, compiled: the latest version unless one is named. */
  async service(serviceId: string, version?: number): Promise<CompiledService> {
    return (await this.services.latestOrVersion(serviceId, version)).compiled;
  }

  async events(id: string): Promise<EventRow[]> {
    await this.load(id);
    return this.options.store.listEvents(id);
  }

  /** Replays the event log from the initial state; the result must equal the stored snapshot. */
  async verifyReplay(id: string): Promise<{ consistent: boolean; stored: PersistedSnapshot; replayed: PersistedSnapshot }> {
    const row = await this.options.store.getApplication(id);
    if (!row) throw new OnevisitError('APPLICATION.NOT_FOUND', `no application ${id}`);
    const service = await this.services.pinned(row);
    const events = await this.options.store.listEvents(id);
    const [first, ...rest] = events;
    if (first?.type !== 'SUBMIT') throw new OnevisitError('APPLICATION.CORRUPT', `the event log of ${id} does not start with its submission`);
    let [snapshot] = initialTransition(service.compiled.machine, first.payload.input as ApplicationInput);
    for (const event of rest) [snapshot] = transition(service.compiled.machine, snapshot, event.payload as unknown as ApplicationEvent);
    const replayed = persist(snapshot);
    return { consistent: canonicalJson(replayed) === canonicalJson(row.snapshot), stored: row.snapshot, replayed };
  }

  /** Carries out effects still pending in the outbox (after a crash, or a failed attempt). */
  async runPendingEffects(limit = 100): Promise<number> {
    const pending = await this.options.store.pendingEffects(limit);
    for (const entry of pending) {
      const cached = await this.load(entry.applicationId);
      await this.runEffects([entry], cached.row, cached.service);
    }
    return pending.length;
  }

  /** Forgets cached snapshots (e.g. after another process changed the database in tests). */
  clearCache(): void {
    this.cache.clear();
  }

  private checkEventRequest(request: unknown): EventRequest {
    if (!this.validateEventRequest(request)) {
      throw new OnevisitError('EVENT.INVALID', 'the event is malformed', { errors: issuesFromAjv(this.validateEventRequest.errors, '', 'EVENT') });
    }
    return request as EventRequest;
  }

  private async sendChecked(id: string, request: EventRequest, actor: ActorRef, options: SendOptions & { completes?: string }): Promise<void> {
    const committed = await this.serially(id, () => this.applyEvent(id, request, actor, options));
    // Effects run outside the application's turn: their result events take a turn of their own.
    await this.runEffects(committed.effects, committed.row, committed.service);
  }

  private async applyEvent(
    id: string,
    request: EventRequest,
    actor: ActorRef,
    options: SendOptions & { completes?: string },
  ): Promise<{ effects: OutboxEntry[]; row: ApplicationRow; service: LoadedService }> {
    let fresh = false;
    for (let attempt = 0; ; attempt++) {
      const fromCache = !fresh && this.cache.has(id);
      let cached = await this.load(id, fresh);
      if (options.expectedVersion !== undefined && options.expectedVersion !== cached.row.version) {
        cached = await this.load(id, true);
        if (options.expectedVersion !== cached.row.version) {
          throw new OnevisitError('APPLICATION.CONFLICT', `the application is at version ${cached.row.version}, not ${options.expectedVersion}`, {
            details: { currentVersion: cached.row.version },
          });
        }
      }
      const { row, snapshot, service } = cached;
      const compiled = service.compiled;
      if (MATTER_EVENTS.has(request.type) && request.matter === undefined && activeStep(compiled, snapshot.value)?.kind === 'review') {
        throw new OnevisitError('EVENT.INVALID', `${request.type} in a review names the matter it decides`, {
          errors: [{ path: '/matter', code: 'EVENT.REQUIRED', message: 'is required' }],
        });
      }
      if (request.type === 'SUPPLEMENT' && request.matter === undefined && activeStep(compiled, snapshot.value)?.kind === 'review') {
        // The applicant answers the department that sent the application back; with one, there is no need to name it.
        const returned = Object.entries(matterStates(compiled, snapshot.value)).filter(([, state]) => state === 'returned').map(([m]) => m);
        if (returned.length === 1) request = { ...request, matter: returned[0]! };
        else if (returned.length > 1) {
          throw new OnevisitError('EVENT.INVALID', `several matters are back with the applicant (${returned.join(', ')}): name the one this supplement answers`, {
            errors: [{ path: '/matter', code: 'EVENT.REQUIRED', message: `one of ${returned.join(', ')}` }],
          });
        }
      }
      authorizeActorKind(request.type, actor);
      const event = await this.buildEvent(request, actor, cached);
      if (!snapshot.can(event) && fromCache) {
        // A refusal from a cached snapshot is checked once against the database: another instance may have moved it.
        fresh = true;
        continue;
      }
      if (!snapshot.can(event)) {
        throw new OnevisitError('TRANSITION.NOT_ALLOWED', `${request.type}${request.matter ? ` (${request.matter})` : ''} is not allowed while the application is ${statusOf(snapshot)} (${stateLabel(snapshot.value)})`, {
          details: { applicationStatus: statusOf(snapshot), state: snapshot.value },
        });
      }
      authorizeDepartment(compiled, snapshot.value, request.type, actor, request.matter);
      const [next, actions] = transition(compiled.machine, snapshot, event);
      const seq = row.version + 1;
      const effects = effectsOf(actions, id, seq);
      const nextRow: ApplicationRow = {
        ...row,
        state: JSON.stringify(next.value),
        status: statusOf(next),
        snapshot: persist(next),
        version: seq,
        updatedAt: event.at,
        tracking: trackingOf(row.tracking, clockOf(snapshot), next, compiled, event.at, this.calendar()),
      };
      const committed = await this.options.store.commitTransition({
        id,
        fromVersion: row.version,
        snapshot: nextRow.snapshot,
        state: nextRow.state,
        status: nextRow.status,
        updatedAt: event.at,
        tracking: nextRow.tracking,
        event: { applicationId: id, seq, type: event.type, actor, payload: event as unknown as Record<string, unknown>, at: event.at },
        effects,
        ...(options.completes ? { completes: options.completes } : {}),
      });
      if (!committed) {
        this.cache.delete(id);
        if (options.expectedVersion !== undefined || attempt + 1 >= MAX_RETRIES) {
          throw new OnevisitError('APPLICATION.CONFLICT', 'the application was changed by someone else; reload it and try again');
        }
        continue;
      }
      this.remember(id, { row: nextRow, snapshot: next, service });
      return { effects, row: nextRow, service };
    }
  }

  /** The machine's event: the request, its materials verified, stamped with actor and server time. */
  private async buildEvent(request: EventRequest, actor: ActorRef, cached: Cached): Promise<ApplicationEvent> {
    const { service, snapshot, row } = cached;
    const context = snapshot.context as ApplicationInput;
    let form = context.form;
    const data = request.data ? { ...request.data } : undefined;
    if (request.type === 'SUPPLEMENT' && data?.form !== undefined) {
      form = service.checkForm(data.form, '/data/form');
      data.form = form;
    }
    if (request.type === 'EXTEND') {
      const days = data?.days;
      if (!Number.isInteger(days) || (days as number) < 1 || (days as number) > 365) {
        throw new OnevisitError('EVENT.INVALID', 'an extension gives a whole number of working days', { errors: [{ path: '/data/days', code: 'EVENT.RANGE', message: 'must be an integer from 1 to 365' }] });
      }
    }
    const materials = request.materials?.length
      ? Object.values(await resolveClaims(service.compiled, form, request.materials, row.applicantId, this.options.materials))
      : undefined;
    return {
      type: request.type,
      ...(request.matter !== undefined ? { matter: request.matter } : {}),
      ...(request.comment !== undefined ? { comment: request.comment } : {}),
      ...(request.items !== undefined ? { items: request.items } : {}),
      ...(materials ? { materials } : {}),
      ...(data ? { data } : {}),
      actor: { kind: actor.kind, id: actor.id } satisfies ActorRef,
      at: this.now().toISOString(),
    };
  }

  private async load(id: string, fresh = false): Promise<Cached> {
    const hit = fresh ? undefined : this.cache.get(id);
    if (hit) {
      this.cache.delete(id);
      this.cache.set(id, hit);
      return hit;
    }
    const row = await this.options.store.getApplication(id);
    if (!row) throw new OnevisitError('APPLICATION.NOT_FOUND', `no application ${id}`);
    const service = await this.services.pinned(row);
    const snapshot = service.compiled.machine.resolveState({ value: row.snapshot.value, context: row.snapshot.context });
    const cached = { row, snapshot, service };
    this.remember(id, cached);
    return cached;
  }

  private remember(id: string, cached: Cached): void {
    this.cache.delete(id);
    this.cache.set(id, cached);
    if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
  }

  private async runEffects(entries: readonly OutboxEntry[], row: ApplicationRow, service: LoadedService): Promise<void> {
    for (const entry of entries) {
      const context = { effectId: entry.id, application: row, definition: service.compiled.definition, at: this.now().toISOString() };
      try {
        const spec: EffectSpec = entry.effect;
        if (spec.effect === 'issueCertificates') {
          const certificates = await this.options.effects.issueCertificates(context, spec);
          await this.completeWithEvent(entry, { type: 'CERTIFICATES_ISSUED', data: { certificates } });
        } else {
          await this.options.effects.scheduleTimer(context, spec);
          await this.options.store.completeEffect(entry.id, context.at);
        }
      } catch (error) {
        await this.options.store.failEffect(entry.id, error instanceof Error ? error.message : String(error));
        this.options.onEffectError?.(entry.id, error);
      }
    }
  }

  /** Sends the effect's result event; the outbox entry is marked done in the same transaction. */
  private async completeWithEvent(entry: OutboxEntry, request: EventRequest): Promise<void> {
    const system: ActorRef = { kind: 'system' satisfies ActorKind, id: 'engine' };
    try {
      await this.sendChecked(entry.applicationId, request, system, { completes: entry.id });
    } catch (error) {
      // Already applied by an earlier attempt: the effect is done.
      if (!isOnevisitError(error, 'TRANSITION.NOT_ALLOWED')) throw error;
      await this.options.store.completeEffect(entry.id, this.now().toISOString());
    }
  }
}

function persist(snapshot: AnyMachineSnapshot): PersistedSnapshot {
  return { status: snapshot.status === 'done' ? 'done' : 'active', value: snapshot.value, context: snapshot.context };
}

function effectsOf(actions: readonly { type: string; params?: unknown }[], applicationId: string, seq: number): OutboxEntry[] {
  return actions
    .filter((action) => action.type === 'effect')
    .map((action, index) => ({ id: `${applicationId}:${seq}:${index}`, applicationId, seq, effect: action.params as EffectSpec }));
}
