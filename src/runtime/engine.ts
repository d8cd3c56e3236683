/**
 * The engine: restore the snapshot → XState's pure transition → persist the next snapshot, the event
 * and any effects in one transaction → carry out the effects after commit.
 *
 * Snapshots of recently touched applications are kept in memory with their version. A read uses one only
 * after checking (an indexed read of the version) that it is still the row's; a write decides inside the
 * store's transaction, with the row locked, on the current state — the cached one when it is still current,
 * else the row the store read under the lock. So every instance tells the truth, and decisions arriving
 * through different instances at once are serialised instead of refused.
 */
import { randomUUID } from 'node:crypto';
import canonicalize from 'canonicalize';
import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import { OnevisitError, isOnevisitError } from '../domain/errors.js';
import type { ActorKind } from '../domain/vocabulary.js';
import {
  MATTER_EVENTS,
  activeStep,
  responsibleDepartment,
  taskOfEvent,
  matterStates,
  clockOf,
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
  possibleEvents,
  type PossibleEvent,
} from '../definitions/index.js';
import { toView, type ApplicationView } from './view.js';
import { checkCompleteness, resolveClaims, satisfyFromWallet } from './materials.js';
import type { ApplicationRow, ApplicationStore, DeadlineUpdate, DefinitionStore, EffectHandlers, EventRow, EventSenders, MaterialVerifier, OutboxEntry, OutboxStore, SubmissionAlongside, Transition } from './ports.js';
import { deadlineOf, parseClockRecord, warningThresholdsOf } from './deadline.js';
import { ServiceCache, type LoadedService } from './services.js';
import { trackingOf, warningLevelAt } from './tracking.js';
import { taskRowsOf } from './tasks.js';
import { submissionFigures, transitionFigures } from './figures.js';
import { createWorkingCalendar, type WorkingCalendar } from '../domain/calendar.js';

export interface EngineOptions {
  store: ApplicationStore;
  outbox: OutboxStore;
  /** This instance's name in effect leases; unique among the instances. */
  instance?: string;
  /** How long the effects a commit records stay this instance's to carry out before any worker may (default 5 s). */
  effectLeaseMs?: number;
  /** When a failed effect is first retried by a worker (default 1 s). */
  effectRetryMs?: number;
  definitions: DefinitionStore;
  effects: EffectHandlers;
  materials: MaterialVerifier;
  /** Who may send what (the authorization policy): asked on the state each decision is taken on. */
  senders: EventSenders;
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
  /** Called when an effect fails after commit; it stays in the outbox and a worker retries it. */
  onEffectError?: (effectId: string, error: unknown) => void;
}

export interface SubmitRequest {
  serviceId: string;
  /** A specific published version; the latest when absent. */
  version?: number;
  applicant: ActorRef;
  /**
   * Counter intake (窗口代录): the clerk who entered the application for the applicant. The files cited are theirs
   * (the scans they uploaded) and become the applicant's in the submission's transaction; the certificates cited
   * and taken from the wallet are the applicant's. The submission's event records them (payload `enteredBy`).
   */
  enteredBy?: ActorRef;
  form: unknown;
  materials?: MaterialClaim[];
  /** Written in the submission's transaction beside the application (a check code, a consumed draft). */
  alongside?: SubmissionAlongside;
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
/** Restarts of a decision whose cited materials were checked against a form that changed meanwhile. */
const MAX_RESTARTS = 3;

/** Thrown inside a decision to give the lock back and prepare the event again on the current state. */
class Restart extends Error {}

export class Engine {
  private readonly services: ServiceCache;
  private readonly cache = new Map<string, Cached>();
  private readonly queues = new Map<string, Promise<void>>();
  private readonly validateEventRequest = createAjv().compile(eventRequestSchema);
  private readonly now: () => Date;
  private readonly newId: () => string;
  private readonly cacheSize: number;
  private readonly calendar: () => WorkingCalendar;
  private readonly instance: string;

  constructor(private readonly options: EngineOptions) {
    this.services = new ServiceCache(options.definitions, options.latestDefinitionTtlMs ?? 0);
    this.now = options.now ?? (() => new Date());
    this.newId = options.newId ?? randomUUID;
    this.cacheSize = options.cacheSize ?? 2000;
    const fallback = createWorkingCalendar();
    this.calendar = options.calendar ?? (() => fallback);
    this.instance = options.instance ?? `engine-${randomUUID().slice(0, 8)}`;
  }

  async submit(request: SubmitRequest): Promise<ApplicationView> {
    this.options.senders.requireSubmitter(request.applicant, request.enteredBy);
    const service = await this.services.latestOrVersion(request.serviceId, request.version);
    const form = service.checkForm(request.form);
    const enteredBy = request.enteredBy ? ({ kind: request.enteredBy.kind, id: request.enteredBy.id } satisfies ActorRef) : undefined;
    const claimed = await resolveClaims(service.compiled, form, request.materials ?? [], request.applicant.id, this.options.materials, '/materials', enteredBy?.id);
    const records = await satisfyFromWallet(service.compiled, form, claimed, request.applicant.id, this.options.materials);
    const owed = checkCompleteness(service.compiled.definition, service.compiled, form, records);
    const input: ApplicationInput = { form, materials: records, owed };
    const [snapshot, actions] = initialTransition(service.compiled.machine, input);

    const at = this.now().toISOString();
    const id = this.newId();
    const persisted = persist(snapshot);
    const tracking = trackingOf(undefined, 'idle', snapshot, service.compiled, at, this.calendar(), false);
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
      tracking,
    };
    const event: EventRow = { applicationId: id, seq: 1, type: 'SUBMIT', actor: request.applicant, payload: { type: 'SUBMIT', input, actor: request.applicant, at, ...(enteredBy ? { enteredBy } : {}) }, at };
    const scans = enteredBy ? Object.values(records).flatMap((r) => (r.fileId !== undefined ? [r.fileId] : [])) : [];
    const alongside: SubmissionAlongside | undefined =
      scans.length > 0 ? { ...request.alongside, adoptsFiles: { fileIds: scans, from: enteredBy!.id, to: request.applicant.id } } : request.alongside;
    const effects = effectsOf(actions, id, 1);
    const number = await this.options.store.insertApplication({
      row: rowWithoutNumber,
      event,
      effects,
      ...(effects.length ? { effectLease: this.effectLease() } : {}),
      tasks: taskRowsOf(id, service.compiled, snapshot, tracking, this.calendar()),
      figures: submissionFigures(rowWithoutNumber.serviceId, records, at),
      ...(alongside ? { alongside } : {}),
    });
    const row = { ...rowWithoutNumber, number };
    this.remember(id, { row, snapshot, service });
    await this.runEffects(effects);
    return effects.length ? this.get(id) : toView(row, snapshot, service.compiled, this.now());
  }

  /** Applies one event. Throws EVENT.INVALID, AUTH.FORBIDDEN, TRANSITION.NOT_ALLOWED, APPLICATION.CONFLICT. */
  async send(id: string, request: unknown, actor: ActorRef, options: SendOptions = {}): Promise<ApplicationView> {
    const checked = this.checkEventRequest(request);
    const committed = await this.sendChecked(id, checked, actor, options);
    return committed.effects.length ? this.get(id) : toView(committed.row, committed.snapshot, committed.service.compiled, this.now());
  }

  /**
   * Events for one application from this process go one at a time, so concurrent decisions (several
   * departments approving at once) queue here rather than on the database's row lock, which keeps other
   * processes apart.
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

  /**
   * The view together with the compiled service it runs on (for authorization and field filtering), and the events
   * the machine takes in this state (worked out when asked: the policy cuts them to what one person may send).
   */
  async inspect(id: string): Promise<{ view: ApplicationView; compiled: CompiledService; possibleEvents: () => PossibleEvent[] }> {
    const cached = await this.load(id);
    const compiled = cached.service.compiled;
    return { view: toView(cached.row, cached.snapshot, compiled, this.now()), compiled, possibleEvents: () => possibleEvents(compiled, cached.snapshot) };
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

  /**
   * Carries out one effect from the outbox (a worker's, or this instance's right after commit) and marks it
   * done: through its result event's transaction, or directly. Throws when it fails; the caller counts it.
   */
  async runEffect(entry: OutboxEntry): Promise<void> {
    const { row, service } = await this.load(entry.applicationId);
    const context = { effectId: entry.id, application: row, definition: service.compiled.definition, at: this.now().toISOString() };
    const spec: EffectSpec = entry.effect;
    if (spec.effect === 'issueCertificates') {
      const certificates = await this.options.effects.issueCertificates(context, spec);
      await this.completeWithEvent(entry, { type: 'CERTIFICATES_ISSUED', data: { certificates } });
    } else {
      await this.options.effects.scheduleTimer(context, spec);
      await this.options.outbox.complete(entry.id, this.now());
    }
  }

  /** Forgets cached snapshots (their deadline instants, say, after the calendar changed). */
  clearCache(): void {
    this.cache.clear();
  }

  /**
   * Recomputes the deadline and warning instants of every application whose clock runs, on the current calendar
   * (after an admin edited it): on their rows and their open tasks. Resolves to how many changed.
   */
  async recomputeDeadlines(batch = 500): Promise<number> {
    let changed = 0;
    for (let after = ''; ; ) {
      const clocks = await this.options.store.runningClocks(after, batch);
      if (clocks.length === 0) break;
      after = clocks[clocks.length - 1]!.id;
      const updates: DeadlineUpdate[] = [];
      for (const c of clocks) {
        const definition = (await this.services.pinned(c)).compiled.definition;
        const deadline = deadlineOf(parseClockRecord(JSON.parse(c.tracking.clock)), definition.promisedDays, c.tracking.extensionDays, warningThresholdsOf(definition), this.calendar());
        const next = { dueAt: deadline.dueAt ?? null, blueAt: deadline.blueAt ?? null, yellowAt: deadline.yellowAt ?? null };
        if (next.dueAt !== c.tracking.dueAt || next.blueAt !== c.tracking.blueAt || next.yellowAt !== c.tracking.yellowAt) updates.push({ id: c.id, version: c.version, ...next });
      }
      changed += await this.options.store.updateDeadlines(updates);
    }
    this.cache.clear();
    return changed;
  }

  private checkEventRequest(request: unknown): EventRequest {
    if (!this.validateEventRequest(request)) {
      throw new OnevisitError('EVENT.INVALID', 'the event is malformed', { errors: issuesFromAjv(this.validateEventRequest.errors, '', 'EVENT') });
    }
    return request as EventRequest;
  }

  private async sendChecked(id: string, request: EventRequest, actor: ActorRef, options: SendOptions & { completes?: string }) {
    const committed = await this.serially(id, () => this.applyEvent(id, request, actor, options));
    // Effects run outside the application's turn: their result events take a turn of their own.
    await this.runEffects(committed.effects);
    return committed;
  }

  private async applyEvent(
    id: string,
    request: EventRequest,
    actor: ActorRef,
    options: SendOptions & { completes?: string },
  ): Promise<Cached & { effects: OutboxEntry[] }> {
    for (let restarts = 0; ; restarts++) {
      // The cache is not checked here: the decision below runs on the current row either way.
      const prepared = await this.load(id, { check: false });
      this.options.senders.requireKind(request.type, actor);
      const event = await this.buildEvent(request, actor, prepared);
      // Cited materials were checked against the form this snapshot holds; a supplement may have changed it.
      const formBound = (event.materials?.length ?? 0) > 0 || event.data?.form !== undefined;
      let decided: Cached | undefined;
      try {
        const transition = await this.options.store.commitTransition(id, prepared.row.version, (current) => {
          if (current && formBound && restarts < MAX_RESTARTS) throw new Restart();
          const base = current ? this.restore(current, prepared.service) : prepared;
          const result = this.decide(base, request, event, actor, options);
          decided = result.next;
          return result.transition;
        });
        this.remember(id, decided!);
        return { ...decided!, effects: transition.effects };
      } catch (error) {
        if (error instanceof Restart) {
          this.cache.delete(id);
          continue;
        }
        // What a refusal was decided on is not known to be current any more.
        if (!isOnevisitError(error)) this.cache.delete(id);
        throw error;
      }
    }
  }

  /**
   * The decision, on the application as it is now (the row is locked): every check that depends on its state,
   * then XState's pure transition and everything the commit writes beside it. Pure but for the clock.
   */
  private decide(
    base: Cached,
    request: EventRequest,
    built: ApplicationEvent,
    actor: ActorRef,
    options: SendOptions & { completes?: string },
  ): { transition: Transition; next: Cached } {
    const { row, snapshot, service } = base;
    const compiled = service.compiled;
    if (options.expectedVersion !== undefined && options.expectedVersion !== row.version) {
      throw new OnevisitError('APPLICATION.CONFLICT', `the application is at version ${row.version}, not ${options.expectedVersion}`, {
        details: { currentVersion: row.version },
      });
    }
    let event = built;
    if (MATTER_EVENTS.has(request.type) && request.matter === undefined && activeStep(compiled, snapshot.value)?.kind === 'review') {
      throw new OnevisitError('EVENT.INVALID', `${request.type} in a review names the matter it decides`, {
        errors: [{ path: '/matter', code: 'EVENT.REQUIRED', message: 'is required' }],
      });
    }
    if (request.type === 'SUPPLEMENT' && request.matter === undefined && activeStep(compiled, snapshot.value)?.kind === 'review') {
      // The applicant answers the department that sent the application back; with one, there is no need to name it.
      const returned = Object.entries(matterStates(compiled, snapshot.value)).filter(([, state]) => state === 'returned').map(([m]) => m);
      if (returned.length === 1) event = { ...event, matter: returned[0]! };
      else if (returned.length > 1) {
        throw new OnevisitError('EVENT.INVALID', `several matters are back with the applicant (${returned.join(', ')}): name the one this supplement answers`, {
          errors: [{ path: '/matter', code: 'EVENT.REQUIRED', message: `one of ${returned.join(', ')}` }],
        });
      }
    }
    if (!snapshot.can(event)) {
      throw new OnevisitError('TRANSITION.NOT_ALLOWED', `${request.type}${event.matter ? ` (${event.matter})` : ''} is not allowed while the application is ${statusOf(snapshot)} (${stateLabel(snapshot.value)})`, {
        details: { applicationStatus: statusOf(snapshot), state: snapshot.value },
      });
    }
    this.options.senders.requireDepartment(request.type, actor, responsibleDepartment(compiled, snapshot.value, request.type, event.matter));
    const [next, actions] = transition(compiled.machine, snapshot, event);
    const seq = row.version + 1;
    const effects = effectsOf(actions, row.id, seq);
    const sentBack = row.tracking.sentBack || request.type === 'REQUEST_SUPPLEMENT' || request.type === 'RETURN';
    const tracking = trackingOf(row.tracking, clockOf(snapshot), next, compiled, event.at, this.calendar(), sentBack);
    const nextRow: ApplicationRow = {
      ...row,
      state: JSON.stringify(next.value),
      status: statusOf(next),
      snapshot: persist(next),
      version: seq,
      updatedAt: event.at,
      tracking,
    };
    const claim = this.claimOf(compiled, snapshot, request.type, event.matter, actor);
    const transitionRow: Transition = {
      id: row.id,
      fromVersion: row.version,
      snapshot: nextRow.snapshot,
      state: nextRow.state,
      status: nextRow.status,
      updatedAt: event.at,
      tracking,
      event: { applicationId: row.id, seq, type: event.type, actor, payload: event as unknown as Record<string, unknown>, at: event.at },
      effects,
      ...(effects.length ? { effectLease: this.effectLease() } : {}),
      tasks: taskRowsOf(row.id, compiled, next, tracking, this.calendar()),
      ...(claim ? { claim } : {}),
      figures: transitionFigures(
        row.serviceId,
        row.status,
        nextRow.status,
        { sentBack, levelAtEnd: warningLevelAt(tracking, new Date(event.at)) },
        { before: (snapshot.context as ApplicationInput).materials, after: (next.context as ApplicationInput).materials },
        event.at,
      ),
      ...(options.completes ? { completes: options.completes } : {}),
    };
    return { transition: transitionRow, next: { row: nextRow, snapshot: next, service } };
  }

  /**
   * A clerk's decision works on a task: refused when another clerk holds it, and taken when nobody does.
   * Only a clerk of the responsible department claims; an extension (the window's) claims nothing.
   */
  private claimOf(compiled: CompiledService, snapshot: AnyMachineSnapshot, type: EventRequest['type'], matter: string | undefined, actor: ActorRef) {
    if (type === 'EXTEND') return undefined;
    const task = taskOfEvent(compiled, snapshot.value, matter);
    const department = responsibleDepartment(compiled, snapshot.value, type, matter);
    if (!task || !department || !this.options.senders.actsFor(actor, department)) return undefined;
    return { task, clerkId: actor.id };
  }

  private effectLease() {
    return { owner: this.instance, until: new Date(this.now().getTime() + (this.options.effectLeaseMs ?? 5_000)).toISOString() };
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

  /**
   * The application with its restored snapshot. A cached one is used when it is still the row's version (one
   * indexed read), or unchecked when the caller decides under the row's lock anyway (`check: false`).
   */
  private async load(id: string, { check = true }: { check?: boolean } = {}): Promise<Cached> {
    const hit = this.cache.get(id);
    if (hit && (!check || (await this.options.store.currentVersion(id)) === hit.row.version)) {
      this.remember(id, hit);
      return hit;
    }
    const row = await this.options.store.getApplication(id);
    if (!row) throw new OnevisitError('APPLICATION.NOT_FOUND', `no application ${id}`);
    const cached = this.restore(row, await this.services.pinned(row));
    this.remember(id, cached);
    return cached;
  }

  private restore(row: ApplicationRow, service: LoadedService): Cached {
    const snapshot = service.compiled.machine.resolveState({ value: row.snapshot.value, context: row.snapshot.context });
    return { row, snapshot, service };
  }

  private remember(id: string, cached: Cached): void {
    this.cache.delete(id);
    this.cache.set(id, cached);
    if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
  }

  /** Carries out the effects a commit recorded (leased to this instance); a failure is left to the workers' retries. */
  private async runEffects(entries: readonly OutboxEntry[]): Promise<void> {
    for (const entry of entries) {
      try {
        await this.runEffect(entry);
      } catch (error) {
        const at = this.now();
        await this.options.outbox.fail(entry.id, error instanceof Error ? error.message : String(error), new Date(at.getTime() + (this.options.effectRetryMs ?? 1_000)), at).catch(() => undefined);
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
      await this.options.outbox.complete(entry.id, this.now());
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
