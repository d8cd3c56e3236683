/**
 * What the certificate suites share: a fresh key directory, bare application rows for certificates to belong to,
 * and the effect context the engine hands the issuer, built from a shipped workflow and its example form.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createUsccAssigner } from '../../src/certificates/uscc.js';
import { createCertificateIssuer } from '../../src/certificates/issue.js';
import { openKeyring, type Keyring } from '../../src/certificates/keys.js';
import type { ServiceDefinition } from '../../src/domain/definition.js';
import type { MatterDecision } from '../../src/domain/vocabulary.js';
import type { CertificateStore, StoredCertificate } from '../../src/certificates/ports.js';
import type { ApplicationRow, EffectContext } from '../../src/runtime/ports.js';
import { createCertificateStore, createCounters, projectRoot, type Database } from '../../src/store/index.js';
import { openTestDatabase, type DatabaseKind, type TestDatabase } from '../support/databases.js';
import { catalog, exampleForm, loadDefinition } from '../support/world.js';

export const T0 = new Date('2026-03-02T02:00:00.000Z');
export const certificateTypes = catalog.certificateTypes;

export const workflow = (id: string): ServiceDefinition => loadDefinition(path.join(projectRoot(), 'workflows', `${id}.json`));

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'onevisit-certificates-'));
}

export async function tempKeyring(): Promise<{ keyring: Keyring; dir: string; remove(): void }> {
  const root = tempDir();
  const dir = path.join(root, 'keys');
  return { keyring: await openKeyring(dir), dir, remove: () => fs.rmSync(root, { recursive: true, force: true }) };
}

let sequence = 0;

/** A bare application row (certificates reference applications); returns its id. */
export async function insertApplication(db: Database, applicantId = 'citizen-1'): Promise<string> {
  const at = T0.toISOString();
  if (!(await db('service_definitions').where({ service_id: 'certificate-test' }).first())) {
    await db('service_definitions').insert({ service_id: 'certificate-test', version: 1, hash: 'h'.repeat(64), definition: '{}', published_at: at });
  }
  const id = `00000000-0000-4000-8000-${String(++sequence).padStart(12, '0')}`;
  await db('applications').insert({
    id,
    number: `CT${sequence}`,
    service_id: 'certificate-test',
    service_version: 1,
    service_hash: 'h'.repeat(64),
    applicant_id: applicantId,
    state: '"issue"',
    status: 'issuing',
    snapshot: '{}',
    version: 1,
    created_at: at,
    updated_at: at,
  });
  return id;
}

/** Every matter of the definition decided `decision` unless `decisions` says otherwise. */
export function decide(definition: ServiceDefinition, decisions: Record<string, MatterDecision> = {}, decision: MatterDecision = 'approved'): Record<string, MatterDecision> {
  const all = definition.steps.flatMap((s) => (s.kind === 'review' ? s.matters : []));
  return Object.fromEntries(all.map((m) => [m.id, decisions[m.id] ?? decision]));
}

/** The context the engine hands `issueCertificates` when the application reaches its issue step. */
export function issueContext(
  definition: ServiceDefinition,
  applicationId: string,
  options: { form?: Record<string, unknown>; decisions?: Record<string, MatterDecision>; applicantId?: string; at?: Date; effectId?: string } = {},
): EffectContext {
  const form = options.form ?? exampleForm(definition);
  const at = (options.at ?? T0).toISOString();
  const application = {
    id: applicationId,
    number: 'CT',
    serviceId: definition.id,
    serviceVersion: definition.version,
    serviceHash: 'h'.repeat(64),
    applicantId: options.applicantId ?? 'citizen-1',
    state: '"issue"',
    status: 'issuing',
    snapshot: {
      status: 'active',
      value: 'issue',
      context: { form, materials: {}, owed: [], decisions: options.decisions ?? decide(definition), noticeElapsed: false, extensionDays: 0 },
    },
    version: 9,
    createdAt: at,
    updatedAt: at,
    tracking: { clock: '{}', dueAt: null, blueAt: null, yellowAt: null, warningLevel: 'none', extensionDays: 0, sentBack: false },
  } satisfies ApplicationRow;
  return { effectId: options.effectId ?? `${applicationId}:9:0`, application, definition, at };
}

export const spec = { effect: 'issueCertificates', step: 'issue' } as const;

/** The applicant's account as the issuer sees it. */
/** New enterprises' codes, numbered in the test database as in production. */
export const assignUsccIn = (setting: CertificateSetting) =>
  createUsccAssigner({ store: setting.store, counters: createCounters(setting.database.db) });

export const holderOf = async (applicantId: string) => (applicantId === 'citizen-1' ? { id: '62010219830719201X', name: '马强' } : undefined);

export interface CertificateSetting {
  database: TestDatabase;
  store: CertificateStore;
  keyring: Keyring;
  keysDir: string;
}

/**
 * Registers the hooks of a database suite: one key directory for the suite, a fresh migrated database and
 * certificate store for each test. The returned object is filled in by the hooks.
 */
export function useCertificateSetting(kind: DatabaseKind): CertificateSetting {
  const setting = {} as CertificateSetting;
  let removeKeys: () => void;
  before(async () => {
    const keys = await tempKeyring();
    Object.assign(setting, { keyring: keys.keyring, keysDir: keys.dir });
    removeKeys = keys.remove;
  });
  after(() => removeKeys());
  beforeEach(async () => {
    setting.database = await openTestDatabase(kind);
    setting.store = createCertificateStore(setting.database.db);
  });
  afterEach(() => setting.database.close());
  return setting;
}

/** Issues the talent medical card (valid three years, held by the applicant) on a new application; returns its row. */
export async function issueTalentCard(setting: CertificateSetting, keyring = setting.keyring): Promise<StoredCertificate> {
  const applicationId = await insertApplication(setting.database.db);
  const issue = createCertificateIssuer({ store: setting.store, keyring, certificateTypes: async () => certificateTypes, holderOf });
  const [id] = await issue(issueContext(workflow('talent-medical-card'), applicationId), spec);
  return (await setting.store.get(id!))!;
}
