/**
 * The reference data in use — departments, certificate types, certificate templates — and its editing by
 * admins. The entries live in the database (seeded from the shipped files); every instance holds the latest it
 * read as one snapshot, and reloads it when the store's signature changed: at once after its own saves, before
 * any decision that depends on it (`fresh`), and for what pages show at most `ttlMs` after someone else's save.
 */
import { AuditKinds, type AuditLog } from '../domain/audit.js';
import type { CatalogContext, ServiceDefinition } from '../domain/definition.js';
import { OnevisitError, type Issue } from '../domain/errors.js';
import type { Locale } from '../domain/i18n.js';
import {
  ReferenceKinds,
  catalogContext,
  isReferenceKind,
  parseCertificateType,
  parseDepartment,
  type CertificateType,
  type Department,
  type ReferenceKind,
  type ReferenceRow,
  type ReferenceStore,
} from '../definitions/index.js';
import type { RenderJob } from '../certificates/render.js';
import { specimenJob } from '../certificates/specimen.js';
import { templateFieldNames, type CertificateTemplate } from '../certificates/templates.js';
import { requireCapability, type Subject } from '../identity/policy.js';
import { checkInput } from './input.js';

export interface Reference {
  /** Windows first, then departments, then partners; each by id. */
  departments: readonly Department[];
  certificateTypes: readonly CertificateType[];
  templates: ReadonlyMap<string, CertificateTemplate>;
  /** What definitions are checked against. */
  context: CatalogContext;
  /** When each entry was last saved and by whom (null: the shipped files), by `<kind>/<id>`. */
  saved: ReadonlyMap<string, { revision: number; updatedAt: string; editedBy: string | null }>;
}

/** Checks a template (its schema and meaning) and returns it typed; throws TEMPLATE.INVALID. `id`: the name it must carry. */
export type TemplateParser = (value: unknown, id?: string) => CertificateTemplate;

const KIND_ORDER: Record<Department['kind'], number> = { window: 0, department: 1, partner: 2 };

/** The snapshot of stored rows, each checked again as it is read (a row changed behind the product's back fails here). */
export function referenceOf(rows: readonly ReferenceRow[], parseTemplate: TemplateParser): Reference {
  const of = (kind: ReferenceKind) => rows.filter((r) => r.kind === kind);
  const departments = of(ReferenceKinds.department)
    .map((r) => parseDepartment(r.body, r.id))
    .sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.id.localeCompare(b.id));
  const departmentIds = new Set(departments.map((d) => d.id));
  const certificateTypes = of(ReferenceKinds.certificateType).map((r) => parseCertificateType(r.body, r.id, departmentIds));
  const templates = new Map(of(ReferenceKinds.template).map((r) => [r.id, parseTemplate(r.body, r.id)]));
  return {
    departments,
    certificateTypes,
    templates,
    context: catalogContext(departments, certificateTypes, templates.size > 0 ? [...templates].map(([id, t]) => [id, templateFieldNames(t)] as const) : undefined),
    saved: new Map(rows.map((r) => [`${r.kind}/${r.id}`, { revision: r.revision, updatedAt: r.updatedAt, editedBy: r.editedBy }])),
  };
}

export interface ReferenceCatalog {
  /** The snapshot held now; when it is older than the ttl, a reload starts in the background. */
  current(): Reference;
  /** The snapshot, reloaded first when the store changed (one small query: for decisions that depend on it). */
  fresh(): Promise<Reference>;
  /** Reloads now (after a save). */
  reload(): Promise<Reference>;
}

export async function openReferenceCatalog(options: { store: ReferenceStore; parseTemplate: TemplateParser; ttlMs?: number; onError?: (error: unknown) => void }): Promise<ReferenceCatalog> {
  const { store, parseTemplate } = options;
  const ttlMs = options.ttlMs ?? 2_000;
  let signature = await store.signature();
  let snapshot = referenceOf(await store.all(), parseTemplate);
  let checkedAt = Date.now();
  let checking: Promise<Reference> | undefined;

  const reload = async () => {
    const nextSignature = await store.signature();
    snapshot = referenceOf(await store.all(), parseTemplate);
    signature = nextSignature;
    checkedAt = Date.now();
    return snapshot;
  };
  const check = () =>
    (checking ??= (async () => {
      try {
        if ((await store.signature()) !== signature) return await reload();
        checkedAt = Date.now();
        return snapshot;
      } finally {
        checking = undefined;
      }
    })());
  const stale = () => Date.now() - checkedAt > ttlMs;

  return {
    current() {
      if (stale()) check().catch((error: unknown) => options.onError?.(error));
      return snapshot;
    },
    fresh: check,
    reload,
  };
}

export interface ReferenceDeps {
  catalog: ReferenceCatalog;
  store: ReferenceStore;
  parseTemplate: TemplateParser;
  /** Draws a render job (the render pool). */
  render(job: RenderJob): Promise<Buffer>;
  /** The verify link a specimen's QR code shows (of no certificate). */
  verifyUrl(certificateId: string): string;
  now: () => Date;
  audit?: AuditLog;
  /** The latest published version of every service: a template they print with must keep showing what they fill. */
  latestDefinitions?: () => Promise<readonly ServiceDefinition[]>;
}

/**
 * The fields the latest published services fill on certificates drawn with `template` that it does not show (they
 * would be signed and never printed): TEMPLATE.FIELD_IN_USE issues at the template's `/fields`.
 */
function fieldsStillFilled(template: CertificateTemplate, definitions: readonly ServiceDefinition[]): Issue[] {
  const shown = new Set(templateFieldNames(template));
  return definitions.flatMap((definition) =>
    definition.steps.flatMap((step) =>
      (step.kind === 'review' ? step.matters : []).flatMap((matter) =>
        matter.certificate?.template !== template.id
          ? []
          : Object.keys(matter.certificate.fields)
              .filter((name) => !shown.has(name))
              .map((name) => ({ path: '/fields', code: 'TEMPLATE.FIELD_IN_USE' as const, message: `the service ${definition.id} (matter ${matter.id}) fills "${name}", which the template must keep showing` })),
      ),
    ),
  );
}

/** Reading the reference data (anyone: it is what the public guides name) and editing it (admins). */
export function createReferenceUseCases({ catalog, store, parseTemplate, render, verifyUrl, now, audit, latestDefinitions }: ReferenceDeps) {
  const kindOf = (text: string): ReferenceKind => {
    if (!isReferenceKind(text)) throw new OnevisitError('ROUTE.NOT_FOUND', `no reference data of kind "${text}": departments are "department", certificate types "certificate-type", templates "template"`);
    return text;
  };
  const templateOf = (reference: Reference, id: string) => {
    const template = reference.templates.get(id);
    if (!template) throw new OnevisitError('REFERENCE.NOT_FOUND', `no certificate template "${id}"`);
    return template;
  };

  return {
    async list() {
      const { departments, certificateTypes, templates } = await catalog.fresh();
      return { departments, certificateTypes, templates: [...templates.values()].map((t) => ({ id: t.id, title: t.title })) };
    },

    async template(id: string) {
      return templateOf(await catalog.fresh(), id);
    },

    /** Everything, as admins manage it: each entry with when and by whom it was last saved. */
    async overview(subject: Subject) {
      requireCapability(subject, 'reference.edit');
      const reference = await catalog.fresh();
      const saved = (kind: ReferenceKind, id: string) => reference.saved.get(`${kind}/${id}`)!;
      return {
        departments: reference.departments.map((entry) => ({ entry, ...saved(ReferenceKinds.department, entry.id) })),
        certificateTypes: reference.certificateTypes.map((entry) => ({ entry, ...saved(ReferenceKinds.certificateType, entry.id) })),
        templates: [...reference.templates.values()].map((entry) => ({ entry, ...saved(ReferenceKinds.template, entry.id) })),
      };
    },

    /** One entry as an admin edits it, with when and by whom it was saved. */
    async entry(subject: Subject, kindText: string, id: string) {
      requireCapability(subject, 'reference.edit');
      const kind = kindOf(kindText);
      const reference = await catalog.fresh();
      const body =
        kind === ReferenceKinds.department
          ? reference.departments.find((d) => d.id === id)
          : kind === ReferenceKinds.certificateType
            ? reference.certificateTypes.find((t) => t.id === id)
            : reference.templates.get(id);
      const saved = reference.saved.get(`${kind}/${id}`);
      if (body === undefined || saved === undefined) throw new OnevisitError('REFERENCE.NOT_FOUND', `no ${kind} "${id}"`);
      return { kind, id, body, ...saved };
    },

    /**
     * Adds the entry or replaces it. A certificate type's issuer must be a department; a template is checked
     * against its schema. Ids are never renamed: definitions and issued certificates name them.
     */
    async save(subject: Subject, kindText: string, id: string, body: unknown) {
      requireCapability(subject, 'reference.edit');
      const kind = kindOf(kindText);
      const reference = await catalog.fresh();
      const entry =
        kind === ReferenceKinds.department
          ? parseDepartment(body, id)
          : kind === ReferenceKinds.certificateType
            ? parseCertificateType(body, id, reference.context.departments)
            : parseTemplate(body, id);
      if (kind === ReferenceKinds.template && latestDefinitions) {
        const issues = fieldsStillFilled(entry as CertificateTemplate, await latestDefinitions());
        if (issues.length > 0) throw new OnevisitError('TEMPLATE.INVALID', `published services fill fields the template "${id}" no longer shows`, { errors: issues });
      }
      const at = now().toISOString();
      const { created, revision } = await store.save({ kind, id, body: entry }, subject.userId, at);
      await audit?.append({ at, kind: AuditKinds.referenceSaved, actor: { kind: subject.role, id: subject.userId }, subject: { kind: 'reference', id: `${kind}/${id}` }, detail: { kind, id, created, revision } });
      await catalog.reload();
      return { kind, id, body: entry, created, revision, updatedAt: at, editedBy: subject.userId };
    },

    /**
     * A specimen PDF of a template: the saved one named `id`, or `body` (a template being written, checked
     * first, so its errors come back as TEMPLATE.INVALID before anything is drawn).
     */
    async specimen(subject: Subject, source: { id: string } | { body: unknown }, query: unknown = {}) {
      requireCapability(subject, 'reference.edit');
      const locale: Locale = checkInput<{ locale?: Locale }>('SpecimenQuery', query ?? {}).locale ?? 'zh-Hans';
      const template = 'id' in source ? templateOf(await catalog.fresh(), source.id) : parseTemplate(source.body);
      return render(specimenJob(template, { at: now().toISOString(), locale, verifyUrl: verifyUrl('SPECIMEN') }));
    },
  };
}

export type ReferenceUseCases = ReturnType<typeof createReferenceUseCases>;
