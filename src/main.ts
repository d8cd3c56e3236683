/**
 * The composition root: the only file that wires everything. `startOnevisit` opens and migrates the
 * database, seeds the calendar and publishes the catalog, builds the engine, identity, files and
 * scheduler, and returns the express app (the caller listens) with a `close` for shutdown.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { createWorkingCalendar, type CalendarData, type WorkingCalendar } from './domain/calendar.js';
import { createDefinitionValidator, definitionHash } from './definitions/index.js';
import { Engine } from './runtime/index.js';
import {
  createApplicationStore,
  createBlobStore,
  createCertificateStore,
  createCounters,
  createDefinitionStore,
  createFileStore,
  createIdentityStore,
  createTimerStore,
  describeDatabase,
  loadCalendar,
  migrateLatest,
  openDatabase,
  projectRoot,
  readCatalog,
  saveCalendarYear,
  seedCalendars,
  type Database,
} from './store/index.js';
import { createApplicationQueries } from './store/applicationQueries.js';
import { createIdentity, readCommonPasswords, type Identity } from './identity/index.js';
import { createFileService } from './files/index.js';
import { createOutboxWorker, createScheduler, createTimerEffect, timerHandlers, type OutboxWorker, type Scheduler } from './scheduler/index.js';
import { createOutboxStore } from './store/outboxStore.js';
import { createEffectUseCases } from './application/effects.js';
import { createApplicationUseCases } from './application/applications.js';
import { createCatalogUseCases } from './application/catalog.js';
import { createAdminUseCases } from './application/admin.js';
import { createApp, type HttpOptions } from './http/app.js';
import { createLogger } from './http/logging.js';
import { withStartLock } from './store/startLock.js';
import { createRateLimitStore } from './store/rateLimitStore.js';
import { openKeyring, keysDir, jwks } from './certificates/keys.js';
import { loadTemplates, parseTemplate } from './certificates/templates.js';
import { createWallet } from './certificates/wallet.js';
import { createCertificateIssuer } from './certificates/issue.js';
import { createUsccAssigner } from './certificates/uscc.js';
import { createVerifier } from './certificates/verify.js';
import { createLifecycle } from './certificates/lifecycle.js';
import { createRenderPool } from './certificates/renderPool.js';
import { extractSignedRecord } from './certificates/embedded.js';
import { createGlyphCheck } from './certificates/fonts.js';
import { createCertificatePdfs } from './certificates/pdf.js';
import { createCertificateUseCases } from './application/certificates.js';
import { createFileUseCases } from './application/files.js';
import { createAuditStore } from './store/audit.js';
import { auditedIdentity } from './identity/audited.js';
import { eventSenders } from './identity/policy.js';
import { publicationAudit } from './application/catalog.js';
import { createAuditUseCases } from './application/audit.js';
import { createDraftStore } from './store/draftStore.js';
import { createCheckCodeStore } from './store/checkCodeStore.js';
import { createDraftUseCases } from './application/drafts.js';
import { createProgressUseCases } from './application/progress.js';
import { createIntakeUseCases } from './application/intake.js';
import { createWalkInStore } from './store/walkInStore.js';
import { createReferenceStore } from './store/referenceStore.js';
import { createReferenceUseCases, openReferenceCatalog, type ReferenceCatalog } from './application/reference.js';
import { ReferenceKinds, unknownIssuers } from './definitions/index.js';
import { OnevisitError } from './domain/errors.js';

export interface OnevisitConfig {
  dataDir: string;
  /** Where workflows/, schemas/, templates/ and lists/ are: by default the project this build belongs to. */
  projectRoot?: string;
  /** Where the service is reached from outside: the links in certificates' QR codes. */
  baseUrl?: string;
  databaseUrl?: string;
  /** PostgreSQL schema (tests). */
  databaseSchema?: string;
  logger?: Logger;
  now?: () => Date;
  http?: HttpOptions;
  /** How long a sign-in lasts (default 8 hours). */
  sessionTtlMs?: number;
  /** Scheduler poll interval; 0 leaves the scheduler stopped (tests drive `scheduler.pollOnce`). */
  pollIntervalMs?: number;
  /** While the scheduler runs: how often the calendar and the signing keys are read again (default a minute). */
  refreshIntervalMs?: number;
}

export interface Onevisit {
  app: ReturnType<typeof createApp>;
  db: Database;
  engine: Engine;
  identity: Identity;
  scheduler: Scheduler;
  outboxWorker: OutboxWorker;
  logger: Logger;
  close(): Promise<void>;
}

export async function startOnevisit(config: OnevisitConfig): Promise<Onevisit> {
  const logger = config.logger ?? createLogger();
  const now = config.now ?? (() => new Date());
  const catalog = readCatalog(config.projectRoot ?? projectRoot());
  const shippedTemplates = loadTemplates(catalog.templates);
  const issuerIssues = unknownIssuers(catalog.certificateTypes, new Set(catalog.departments.map((d) => d.id)));
  if (issuerIssues.length > 0) throw new OnevisitError('CONFIG.INVALID', 'certificate-types.json names issuers that are not departments', { errors: issuerIssues });
  const db = openDatabase({
    dataDir: config.dataDir,
    ...(config.databaseUrl ? { url: config.databaseUrl } : {}),
    ...(config.databaseSchema ? { schema: config.databaseSchema } : {}),
  });
  const definitions = createDefinitionStore(db);
  // The audit trail: one hash chain in the database, appended to by every part below that changes something.
  const audit = createAuditStore(db);
  const validator = createDefinitionValidator(catalog.definitionSchema);
  const referenceStore = createReferenceStore(db);
  const parseStoredTemplate = (value: unknown, id?: string) => parseTemplate(value, { schemaFile: catalog.templates.schemaFile, ...(id === undefined ? {} : { id }) });
  let reference: ReferenceCatalog | undefined;
  // Until it has started, a failure closes the database: nothing keeps a process that cannot start alive.
  const failed = async (error: unknown): Promise<never> => {
    await db.destroy().catch(() => undefined);
    throw error;
  };
  // Migrating, seeding and publishing are done by one instance at a time (instances may start together).
  await withStartLock(
    db,
    async () => {
      await migrateLatest(db);
      await seedCalendars(db, catalog.calendars);
      // The shipped departments, certificate types and templates, unless an admin has changed them since.
      await referenceStore.seed(
        [
          ...catalog.departments.map((body) => ({ kind: ReferenceKinds.department, id: body.id, body })),
          ...catalog.certificateTypes.map((body) => ({ kind: ReferenceKinds.certificateType, id: body.id, body })),
          ...[...shippedTemplates].map(([id, body]) => ({ kind: ReferenceKinds.template, id, body })),
        ],
        now().toISOString(),
      );
      reference = await openReferenceCatalog({ store: referenceStore, parseTemplate: parseStoredTemplate, onError: (error) => logger.error({ err: error }, 'reference data reload failed') });
      const { context } = reference.current();
      for (const file of catalog.definitionFiles) {
        const result = validator.validate(JSON.parse(fs.readFileSync(file, 'utf8')), context);
        if (!result.valid) throw new Error(`${path.basename(file)} is invalid: ${result.errors.map((e) => `${e.path} ${e.code}`).join('; ')}`);
        // A file is published again only when it changed: a version an admin published since stays the latest.
        const published = await definitions.publish(result.definition, definitionHash, 'catalog', now().toISOString(), { unlessPublisherHas: true });
        if (published.created) await audit.append(publicationAudit(published, { kind: 'system', id: 'catalog' }));
      }
    },
    { onWait: () => logger.info('another instance is starting on this database: waiting for it') },
  ).catch(failed);
  if (!reference) return failed(new Error('the reference data was not loaded'));
  const references = reference;
  const calendarYears = await loadCalendar(db).catch(failed);
  let calendar: WorkingCalendar = createWorkingCalendar(calendarYears);
  let calendarSource = JSON.stringify(calendarYears);

  const keyring = await openKeyring(keysDir(config.dataDir)).catch(failed);
  const certificateStore = createCertificateStore(db);
  const users = createIdentityStore(db);
  const wallet = createWallet({ store: certificateStore, keyring, now });
  const renderPool = createRenderPool();
  const baseUrl = (config.baseUrl ?? 'http://localhost:3000').replace(/\/$/, '');
  /** What a certificate's QR code opens: printed on its PDF, drawn in the wallet. */
  const verifyUrl = (id: string) => `${baseUrl}/verify/${id}`;
  const departmentTitle = (id: string) => references.current().departments.find((d) => d.id === id)?.title;
  /** People applications were entered for at a counter while they had no account (counter intake). */
  const walkIns = createWalkInStore(db);
  /**
   * The person an applicant id is: an account's name and resident id number, or, for an application entered at a
   * counter for a person without an account, the counter's record of them.
   */
  const applicantPerson = async (applicantId: string): Promise<{ name: string; idNumber: string | null; walkIn: boolean } | undefined> => {
    const user = await users.findUserById(applicantId);
    if (user) return { name: user.name, idNumber: user.idNumber, walkIn: false };
    const walkIn = await walkIns.byId(applicantId);
    return walkIn ? { name: walkIn.name, idNumber: walkIn.idNumber, walkIn: true } : undefined;
  };
  /** An applicant's holder of certificates: the person, when they have a resident id number. */
  const applicantHolder = async (applicantId: string): Promise<{ id: string; name: string } | undefined> => {
    const person = await applicantPerson(applicantId);
    return person?.idNumber ? { id: person.idNumber, name: person.name } : undefined;
  };
  /** A citizen's wallet: certificates held under their resident id number, and those issued on their applications. */
  const holderIdsOf = async (userId: string) => {
    const holder = await applicantHolder(userId);
    return holder ? [holder.id] : [];
  };

  const identity = auditedIdentity(createIdentity({ store: users, commonPasswords: readCommonPasswords(catalog.commonPasswordsFile), now, ...(config.sessionTtlMs ? { sessionTtlMs: config.sessionTtlMs } : {}), knownDepartments: async () => (await references.fresh()).context.departments }), audit, now);
  const files = createFileService({ files: createFileStore(db), blobs: createBlobStore(path.join(config.dataDir, 'blobs')), now });
  const timers = createTimerStore(db);
  const outbox = createOutboxStore(db);
  const instance = instanceName(os.hostname(), process.pid);
  const engine = new Engine({
    store: createApplicationStore(db),
    outbox,
    instance,
    definitions,
    now,
    calendar: () => calendar,
    latestDefinitionTtlMs: 2_000,
    senders: eventSenders,
    materials: {
      checkFile: files.verifier.checkFile,
      checkFiles: files.verifier.checkFiles,
      checkCertificate: async (owner, id, type) => wallet.checkCertificate(await holderIdsOf(owner), id, type, { applicantId: owner }),
      findCertificate: async (owner, type) => (await wallet.findUsable(await holderIdsOf(owner), type, now(), { applicantId: owner }))?.id,
    },
    effects: {
      issueCertificates: createCertificateIssuer({
        store: certificateStore,
        keyring,
        certificateTypes: async () => (await references.fresh()).certificateTypes,
        assignUscc: createUsccAssigner({ store: certificateStore, counters: createCounters(db) }),
        holderOf: applicantHolder,
        audit,
      }),
      scheduleTimer: createTimerEffect({ timers, calendar: () => calendar, now }),
    },
    onEffectError: (effectId, error) => logger.error({ effectId, err: error }, 'effect failed; a worker retries it'),
  });
  const outboxWorker = createOutboxWorker({
    outbox,
    run: (row) => engine.runEffect(row),
    owner: instance,
    now,
    onError: (error, row) => logger.error({ err: error, effectId: row?.id, effect: row?.effect.effect }, 'effect attempt failed'),
    onGiveUp: (row) => logger.error({ effectId: row.id, effect: row.effect.effect, attempts: row.attempts }, 'effect given up on: an admin can retry it'),
  });
  const scheduler = createScheduler({
    timers,
    owner: instance,
    handlers: timerHandlers(engine),
    now,
    onError: (error, timer) => logger.error({ err: error, timer: timer?.id }, 'timer failed'),
  });
  const queries = createApplicationQueries(db);
  const certificates = createCertificateUseCases({
    engine,
    store: certificateStore,
    wallet,
    verifier: createVerifier({ store: certificateStore, keyring, now, audit }),
    lifecycle: createLifecycle({ store: certificateStore, keyring, now, audit }),
    holderOf: async (subject) => ({ holderIds: await holderIdsOf(subject.userId), applicantId: subject.userId }),
    extractSigned: (pdf) => extractSignedRecord(pdf),
    closeTask: (applicationId, task, entry) => queries.closeTask(applicationId, task, entry),
    audit,
    now,
    pdfOf: createCertificatePdfs({
      render: (job) => renderPool.render(job),
      template: async (id) => (await references.fresh()).templates.get(id),
      definitionOf: async (applicationId) => (await engine.inspect(applicationId)).compiled.definition,
      issuerName: (id) => departmentTitle(id)?.['zh-Hans'] ?? id,
      verifyUrl,
    }),
  });
  // What certificates would print is checked drawable at submission, in supplements and in drafts: one font set.
  const drawable = createGlyphCheck();
  const drafts = createDraftStore(db);
  /** Whose applications a citizen also holds: the counter's record of the person with their resident id number. */
  const walkInOf = async (idNumber: string) => {
    const walkIn = await walkIns.byIdNumber(idNumber);
    return walkIn ? { id: walkIn.id, idNumber: walkIn.idNumber } : undefined;
  };
  const applications = createApplicationUseCases({
    engine,
    queries,
    files,
    now,
    drawable,
    accountName: async (userId) => (await users.findUserById(userId))?.name,
    // A person entered at a counter has an account once one is registered with their id number.
    applicantOf: async (applicantId) => {
      const person = await applicantPerson(applicantId);
      if (!person) return undefined;
      const hasAccount = !person.walkIn || (person.idNumber !== null && (await users.findUserByIdNumber(person.idNumber)) !== undefined);
      return { name: person.name, idNumber: person.idNumber, hasAccount };
    },
    drafts,
    walkInOf,
    // Each owed material's timer fires the millisecond after its period: the period's last instant is the one before.
    owedBy: async (applicationId, owed) => {
      const due = (await timers.listForApplication(applicationId))
        .filter((t) => t.kind === 'deferredMaterials' && t.status === 'pending')
        .filter((t) => typeof t.payload.material !== 'string' || owed.includes(t.payload.material))
        .map((t) => Date.parse(t.dueAt));
      return due.length > 0 ? new Date(Math.min(...due) - 1).toISOString() : undefined;
    },
  });
  /** The limiters' counts, in the database so every instance sees the same count; one store each (express-rate-limit takes one per limiter). */
  const limitStores = {
    login: createRateLimitStore(db, { prefix: 'login:', now: () => now().getTime() }),
    registration: createRateLimitStore(db, { prefix: 'register:', now: () => now().getTime() }),
    progress: createRateLimitStore(db, { prefix: 'progress:', now: () => now().getTime() }),
    progressNumber: createRateLimitStore(db, { prefix: 'progress-number:', now: () => now().getTime() }),
  };
  const app = createApp({
    identity,
    files: createFileUseCases({ files }),
    logger,
    applications,
    intake: createIntakeUseCases({
      engine,
      applications,
      drafts,
      walkIns,
      accountByIdNumber: async (idNumber) => {
        const user = await users.findUserByIdNumber(idNumber);
        return user ? { id: user.id, name: user.name } : undefined;
      },
      walletOf: (idNumber, applicantId) => wallet.walletOf([idNumber], applicantId ? { applicantId } : undefined),
      drawable,
      now,
    }),
    progress: createProgressUseCases({
      checkCodes: createCheckCodeStore(db),
      engine,
      walkInOf,
      calendar: () => calendar,
      departmentTitle,
      now,
    }),
    drafts: createDraftUseCases({ store: drafts, service: (serviceId) => engine.service(serviceId), drawable, now }),
    certificates,
    effects: createEffectUseCases({ outbox, now }),
    audit: createAuditUseCases({ audit }),
    keys: () => jwks(keyring),
    time: { now, calendar: () => calendar },
    verifyUrl,
    reference: () => references.current(),
    referenceData: createReferenceUseCases({ catalog: references, store: referenceStore, parseTemplate: parseStoredTemplate, render: (job) => renderPool.render(job), verifyUrl, now, audit, latestDefinitions: async () => (await definitions.latest()).map((p) => p.definition) }),
    definitionOf: async (serviceId, version) => (await engine.service(serviceId, version)).definition,
    describeCertificate: (type, issuer) => ({
      typeTitle: references.current().certificateTypes.find((t) => t.id === type)?.title['zh-Hans'] ?? type,
      issuerTitle: departmentTitle(issuer)?.['zh-Hans'] ?? issuer,
    }),
    catalog: createCatalogUseCases({ engine, definitions, validator, definitionSchema: catalog.definitionSchema, context: async () => (await references.fresh()).context, now, audit }),
    admin: createAdminUseCases({
      identity,
      queries,
      now,
      audit,
      calendar: {
        years: () => loadCalendar(db),
        async saveYear(data: CalendarData) {
          await saveCalendarYear(db, data);
          const years = await loadCalendar(db);
          calendar = createWorkingCalendar(years);
          calendarSource = JSON.stringify(years);
          // Open applications' deadlines move with the calendar.
          const moved = await engine.recomputeDeadlines();
          logger.info({ year: data.year, applications: moved }, 'calendar saved; deadlines recomputed');
        },
      },
    }),
    ...(config.http ? { options: config.http } : {}),
    loginLimitStore: limitStores.login,
    registrationLimitStore: limitStores.registration,
    progressLimitStore: limitStores.progress,
    progressNumberLimitStore: limitStores.progressNumber,
  });
  // Calendar edits made on another instance, and keys added by `onevisit keys rotate`, reach this one within a minute.
  let refreshing: Promise<unknown> = Promise.resolve();
  const refresh = () =>
    Promise.all([
      keyring.refresh().catch((error: unknown) => logger.error({ err: error }, 'signing keys reload failed')),
      loadCalendar(db).then(
        (years) => {
          const next = createWorkingCalendar(years);
          // Another instance edited it: the deadlines it recomputed are not those this one has cached.
          if (JSON.stringify(years) !== calendarSource) engine.clearCache();
          calendarSource = JSON.stringify(years);
          calendar = next;
        },
        (error: unknown) => logger.error({ err: error }, 'calendar reload failed'),
      ),
    ]);
  const calendarRefresh = config.pollIntervalMs
    ? setInterval(() => {
        refreshing = refresh();
      }, config.refreshIntervalMs ?? 60_000)
    : undefined;
  calendarRefresh?.unref();
  // The worker's first poll carries out effects a crash left pending; then it takes over any dead instance's.
  if (config.pollIntervalMs) {
    scheduler.start(config.pollIntervalMs);
    outboxWorker.start(config.pollIntervalMs);
  } else {
    await outboxWorker.pollOnce();
  }
  logger.info({ database: describeDatabase(db) }, 'onevisit ready');
  return {
    app,
    db,
    engine,
    identity,
    scheduler,
    outboxWorker,
    logger,
    async close() {
      if (calendarRefresh) clearInterval(calendarRefresh);
      await refreshing;
      await scheduler.stop();
      await outboxWorker.stop();
      await renderPool.close();
      // A limiter's statements can still be running after their response went out (a found lookup's hit taken back).
      await Promise.all(Object.values(limitStores).map((store) => store.shutdown()));
      await db.destroy();
    },
  };
}

/**
 * This instance's name in leases (effects, timers): unique among the instances and at most 48 characters, the
 * lease columns' width with room to spare, whatever the host is called (container names run long).
 */
export function instanceName(hostname: string, pid: number): string {
  const host = hostname.length <= 24 ? hostname : `${hostname.slice(0, 16)}~${createHash('sha256').update(hostname).digest('hex').slice(0, 7)}`;
  return `${host}:${pid}:${randomBytes(3).toString('hex')}`;
}
