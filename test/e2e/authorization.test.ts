/**
 * Who may do what, through HTTP, on each database: every route of the API document against every kind of
 * caller — its status, and what its answer shows that caller (nothing of citizen A's applications the policy
 * does not show them, an application's contents as their standing cuts them, list rows bare) —, then the rules
 * behind the table — existence hidden from other citizens, data minimisation for
 * reviewers, CSRF for cookie sessions, revoked sessions, uniform sign-in failures, the sign-in rate limit.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { Response } from 'supertest';
import { databaseKinds } from '../support/databases.js';
import { openTestServer, person, tinyPdf, type Person, type TestServer } from '../support/server.js';
import { expectProblem, storedCounts } from '../support/problems.js';
import { act, businessStartup, exampleForm, materialsFor, matters, submitBusinessStartup, type MaterialClaim } from '../support/businessStartup.js';
import { makeResidentIdNumber } from '../../src/domain/ids.js';
import { ROUTES } from '../../src/http/openapi.js';
import { failedEffect } from '../support/effects.js';
import { getByPointer } from '../../src/domain/pointer.js';
import { QUEUE_KEYS, SUMMARY_KEYS, expectBareRows, expectNoneOf, expectReviewerAnswer, formTexts, hiddenTexts, leaves, reviewerScope, within } from '../support/visibility.js';
import { definitionOf } from '../support/services.js';
import { projectRoot } from '../../src/store/index.js';

const ROLES = ['anonymous', 'citizenOwner', 'citizenOther', 'clerkWindow', 'clerkMatter', 'clerkOther', 'admin'] as const;
type Role = (typeof ROLES)[number];
type SignedIn = Exclude<Role, 'anonymous'>;
type Expectation = Record<Role, number>;

const PASSWORD = 'correct horse battery';
/** A department that exists but has no part in start-a-business. */
const UNINVOLVED_DEPARTMENT = 'water-affairs';

/** What the matrix shares: the people, citizen A's application and file, and ways to make fresh applications. */
interface World {
  server: TestServer;
  people: Record<SignedIn, Person>;
  /** A's application, submitted and left as it is. */
  application: string;
  /** A's file, not cited by any application. */
  file: string;
  materials: Record<'citizenOwner' | 'citizenOther', MaterialClaim[]>;
  /** A new application of A's, submitted. */
  submitted(): Promise<string>;
  /** A new application of A's, accepted by the window (in review). */
  accepted(): Promise<string>;
  /** A new application of A's, rejected at intake. */
  rejected(): Promise<string>;
  /** A new application of A's, completed: its certificates issued. Answers the application and its tax registration record. */
  completed(): Promise<{ application: string; certificate: string }>;
  /** A's tax registration record (issued by the department of clerkMatter), from a completed application. */
  certificate: string;
  /** A new session of the role's account (for calls that end their session). */
  freshToken(role: SignedIn): Promise<string>;
  /** Every application of A's the world made. */
  owned: string[];
  /** The receipt of A's application: its number and check code. */
  receipt: { number: string; code: string };
  /** A's draft, kept as it is. */
  draft: string;
  /** A new draft of A's. */
  freshDraft(): Promise<string>;
  /** A new counter-intake draft of the window clerk's. */
  intakeDraft(): Promise<string>;
}

/** One request of a row: path parameters (defaults below), a JSON body or a file, a token other than the role's. */
interface Call {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  file?: Buffer;
  token?: string;
}

interface Row {
  route: string;
  expect: Expectation;
  call?: (role: Role, world: World) => Call | Promise<Call>;
}

const everyone = (status: number): Expectation => ({ anonymous: status, citizenOwner: status, citizenOther: status, clerkWindow: status, clerkMatter: status, clerkOther: status, admin: status });
const signedIn = (status: number): Expectation => ({ ...everyone(status), anonymous: 401 });
const adminOnly = (status: number): Expectation => ({ ...everyone(403), anonymous: 401, admin: status });

let registrations = 0;
let walkIns = 0;
/** A person at the counter without an account: a name and an id number of their own. */
const walkInPerson = () => ({ name: '赵建国', idNumber: makeResidentIdNumber({ birthDate: '1955-06-15', sequence: 100 + ++walkIns }) });
let newUsers = 0;
/** A draft as a citizen starts it: the service and the first answers. */
const draftBody = { serviceId: businessStartup.id, form: { company: { name: '兰州青禾信息技术有限公司' } } };

/**
 * The matrix. Each state-changing call is valid in shape for the role making it, and runs on a fresh
 * application where success would change state other rows rely on, so the status shows authorization.
 */
const MATRIX: Row[] = [
  { route: 'GET /openapi.json', expect: everyone(200) },
  {
    route: 'POST /auth/login',
    expect: everyone(200),
    call: (role, w) => ({ body: { username: w.people[role === 'anonymous' ? 'citizenOwner' : role].username, password: PASSWORD } }),
  },
  // Signing out is idempotent: without a session there is nothing to revoke, and the cookie is cleared anyway.
  { route: 'POST /auth/logout', expect: everyone(204), call: async (role, w) => (role === 'anonymous' ? {} : { token: await w.freshToken(role) }) },
  {
    route: 'POST /auth/register',
    expect: everyone(202),
    call: () => {
      const n = ++registrations;
      return { body: { username: `registrant${n}`, password: PASSWORD, name: '李娜', idNumber: makeResidentIdNumber({ sequence: 500 + n }) } };
    },
  },
  { route: 'GET /auth/me', expect: signedIn(200) },
  { route: 'GET /services', expect: everyone(200) },
  { route: 'GET /services/{id}', expect: everyone(200) },
  {
    route: 'POST /applications',
    expect: { anonymous: 401, citizenOwner: 201, citizenOther: 201, clerkWindow: 403, clerkMatter: 403, clerkOther: 403, admin: 403 },
    call: (role, w) => ({ body: { serviceId: businessStartup.id, form: exampleForm, materials: w.materials[role === 'citizenOther' ? 'citizenOther' : 'citizenOwner'] } }),
  },
  { route: 'GET /applications', expect: { ...signedIn(200), admin: 403 } },
  {
    route: 'GET /applications/{id}',
    expect: { anonymous: 401, citizenOwner: 200, citizenOther: 404, clerkWindow: 200, clerkMatter: 200, clerkOther: 404, admin: 403 },
  },
  {
    route: 'POST /applications/{id}/events',
    expect: { anonymous: 401, citizenOwner: 200, citizenOther: 404, clerkWindow: 200, clerkMatter: 200, clerkOther: 404, admin: 403 },
    call: async (role, w) => {
      if (role === 'citizenOwner') return { params: { id: await w.submitted() }, body: { type: 'WITHDRAW' } };
      if (role === 'citizenOther') return { body: { type: 'WITHDRAW' } };
      if (role === 'clerkWindow') return { params: { id: await w.submitted() }, body: { type: 'ACCEPT' } };
      if (role === 'clerkMatter') return { params: { id: await w.accepted() }, body: { type: 'APPROVE', matter: 'tax' } };
      return { body: { type: 'ACCEPT' } };
    },
  },
  {
    route: 'POST /applications/{id}/claim',
    expect: { anonymous: 401, citizenOwner: 403, citizenOther: 404, clerkWindow: 200, clerkMatter: 200, clerkOther: 404, admin: 403 },
    call: async (role, w) => {
      if (role === 'clerkWindow') return { params: { id: await w.submitted() }, body: {} };
      if (role === 'clerkMatter') return { params: { id: await w.accepted() }, body: { matter: 'tax' } };
      return { body: {} };
    },
  },
  {
    route: 'POST /applications/{id}/release',
    expect: { anonymous: 401, citizenOwner: 403, citizenOther: 404, clerkWindow: 200, clerkMatter: 200, clerkOther: 404, admin: 403 },
    call: async (role, w) => {
      const claimed = async (id: string, body: Record<string, string>) => {
        await w.server.http.post(`/api/v1/applications/${id}/claim`).set(...w.people[role as SignedIn].auth).send(body).expect(200);
        return { params: { id }, body };
      };
      if (role === 'clerkWindow') return claimed(await w.submitted(), {});
      if (role === 'clerkMatter') return claimed(await w.accepted(), { matter: 'tax' });
      return { body: {} };
    },
  },
  {
    route: 'POST /applications/{id}/rating',
    expect: { anonymous: 401, citizenOwner: 201, citizenOther: 404, clerkWindow: 403, clerkMatter: 403, clerkOther: 404, admin: 403 },
    // Rated once decided: every role rates a rejected application, so the state does not decide the answer.
    call: async (_role, w) => ({ params: { id: await w.rejected() }, body: { score: 4, comment: '窗口服务很好' } }),
  },
  {
    // The applicant, and the window's clerk for them; a reviewer stands to it but may not. Each success replaces a
    // fresh application's check code, so the receipt other rows use keeps working.
    route: 'POST /applications/{id}/check-code',
    expect: { anonymous: 401, citizenOwner: 201, citizenOther: 404, clerkWindow: 201, clerkMatter: 403, clerkOther: 404, admin: 403 },
    call: async (role, w) => (role === 'citizenOwner' || role === 'clerkWindow' ? { params: { id: await w.submitted() } } : {}),
  },
  { route: 'POST /files', expect: { ...signedIn(201), admin: 403 }, call: () => ({ file: tinyPdf() }) },
  {
    // The articles of association support the licence only: the tax reviewer (clerkMatter) is not shown them.
    route: 'GET /applications/{id}/materials/{materialId}',
    expect: { anonymous: 401, citizenOwner: 200, citizenOther: 404, clerkWindow: 200, clerkMatter: 404, clerkOther: 404, admin: 403 },
    call: () => ({ params: { materialId: 'articles-of-association' } }),
  },
  { route: 'GET /certificates', expect: { ...everyone(403), anonymous: 401, citizenOwner: 200, citizenOther: 200 } },
  { route: 'POST /certificates/verify', expect: everyone(200), call: (_role, w) => ({ body: { id: w.certificate } }) },
  { route: 'GET /certificates/{id}', expect: { anonymous: 401, citizenOwner: 200, citizenOther: 404, clerkWindow: 200, clerkMatter: 200, clerkOther: 404, admin: 403 } },
  { route: 'GET /certificates/{id}/pdf', expect: { anonymous: 401, citizenOwner: 200, citizenOther: 404, clerkWindow: 200, clerkMatter: 200, clerkOther: 404, admin: 403 } },
  {
    // Only the issuing department's clerks change a certificate; each success runs on a fresh one.
    route: 'POST /certificates/{id}/revoke',
    expect: { anonymous: 401, citizenOwner: 403, citizenOther: 404, clerkWindow: 403, clerkMatter: 200, clerkOther: 404, admin: 403 },
    call: async (role, w) => ({ ...(role === 'clerkMatter' ? { params: { id: (await w.completed()).certificate } } : {}), body: { reason: '登记信息有误' } }),
  },
  {
    route: 'POST /certificates/{id}/reissue',
    expect: { anonymous: 401, citizenOwner: 403, citizenOther: 404, clerkWindow: 403, clerkMatter: 201, clerkOther: 404, admin: 403 },
    call: async (role, w) => (role === 'clerkMatter' ? { params: { id: (await w.completed()).certificate } } : {}),
  },
  {
    // Only market regulation, which post-checks the premises commitment, may find it false (see test/e2e/minimisation.test.ts).
    route: 'POST /applications/{id}/materials/{materialId}/refute',
    expect: { anonymous: 401, citizenOwner: 403, citizenOther: 403, clerkWindow: 403, clerkMatter: 403, clerkOther: 404, admin: 403 },
    call: async (role, w) => ({
      params: { id: role === 'clerkWindow' || role === 'clerkMatter' ? (await w.completed()).application : w.application, materialId: 'premises-commitment' },
      body: { reason: '现场核查发现经营场所与承诺不符' },
    }),
  },
  {
    // Only market regulation, which post-checks the premises commitment, may confirm it.
    route: 'POST /applications/{id}/materials/{materialId}/confirm',
    expect: { anonymous: 401, citizenOwner: 403, citizenOther: 403, clerkWindow: 403, clerkMatter: 403, clerkOther: 404, admin: 403 },
    call: async (role, w) => ({ params: { id: role === 'clerkWindow' || role === 'clerkMatter' ? (await w.completed()).application : w.application, materialId: 'premises-commitment' } }),
  },
  { route: 'GET /files/{id}', expect: { ...everyone(404), anonymous: 401, citizenOwner: 200 } },
  { route: 'GET /files/{id}/content', expect: { ...everyone(404), anonymous: 401, citizenOwner: 200 } },
  { route: 'POST /definitions/validate', expect: adminOnly(200), call: () => ({ body: businessStartup }) },
  // Another service id, so publishing leaves start-a-business as it is.
  { route: 'POST /definitions', expect: adminOnly(201), call: () => ({ body: { ...businessStartup, id: 'matrix-probe' } }) },
  { route: 'GET /definitions/{id}/versions', expect: adminOnly(200) },
  { route: 'GET /users', expect: adminOnly(200) },
  {
    route: 'POST /users',
    expect: adminOnly(201),
    call: () => ({ body: { username: `added${++newUsers}`, password: PASSWORD, role: 'clerk', departments: ['taxation'], name: '张伟' } }),
  },
  // Each role is refused before any lookup; the admin disables (or enables) an account of its own for the row.
  {
    route: 'POST /users/{id}/disable',
    expect: adminOnly(200),
    call: async (role, w) => (role === 'admin' ? { params: { id: (await person(w.server, 'clerk', ['taxation'])).id } } : { params: { id: w.people.clerkOther.id } }),
  },
  {
    route: 'POST /users/{id}/enable',
    expect: adminOnly(200),
    call: async (role, w) => (role === 'admin' ? { params: { id: (await person(w.server, 'clerk', ['taxation'])).id } } : { params: { id: w.people.clerkOther.id } }),
  },
  { route: 'GET /calendar/{year}', expect: adminOnly(200) },
  {
    route: 'PUT /calendar/{year}',
    expect: adminOnly(200),
    call: async (_role, w) => ({ body: (await w.server.http.get('/api/v1/calendar/2026').set(...w.people.admin.auth).expect(200)).body }),
  },
  // The reference data is public to read; only admins see an entry's history, change it, or draw a specimen.
  { route: 'GET /reference', expect: everyone(200) },
  { route: 'GET /reference/{kind}/{id}', expect: adminOnly(200), call: async () => ({ params: { kind: 'department', id: 'taxation' } }) },
  {
    route: 'PUT /reference/{kind}/{id}',
    expect: adminOnly(200),
    call: async (_role, w) => ({ params: { kind: 'department', id: 'taxation' }, body: (await w.server.http.get('/api/v1/reference/department/taxation').set(...w.people.admin.auth).expect(200)).body.body }),
  },
  { route: 'GET /reference/template/{id}/specimen', expect: adminOnly(200), call: async () => ({ params: { id: 'business-license' } }) },
  { route: 'POST /reference/template/specimen', expect: adminOnly(200), call: async () => ({ body: JSON.parse(fs.readFileSync(path.join(projectRoot(), 'templates', 'business-license.json'), 'utf8')) }) },
  { route: 'GET /metrics', expect: adminOnly(200) },
  { route: 'GET /effects', expect: adminOnly(200) },
  // Each role is refused before any lookup; the admin retries an effect that gave up.
  { route: 'POST /effects/{id}/retry', expect: adminOnly(200), call: async (role, w) => (role === 'admin' ? { params: { id: await failedEffect(w.server, w.application) } } : {}) },
  { route: 'GET /audit', expect: adminOnly(200) },
  // Anyone holding the receipt of A's application, signed in or not; found lookups are not counted against anyone.
  { route: 'GET /progress', expect: everyone(200), call: (_role, w) => ({ query: { number: w.receipt.number, code: w.receipt.code } }) },
  // Drafts are each citizen's own; the others are refused before any lookup.
  { route: 'GET /drafts', expect: { ...everyone(403), anonymous: 401, citizenOwner: 200, citizenOther: 200 } },
  {
    route: 'POST /intake/applications',
    expect: { ...everyone(403), anonymous: 401, clerkWindow: 201 },
    call: async (role, w) => ({ body: { applicant: walkInPerson(), serviceId: businessStartup.id, form: exampleForm, materials: role === 'clerkWindow' ? await materialsFor(w.server, w.people.clerkWindow) : w.materials.citizenOwner } }),
  },
  { route: 'GET /intake/drafts', expect: { ...everyone(403), anonymous: 401, clerkWindow: 200, clerkMatter: 200, clerkOther: 200 } },
  {
    route: 'POST /intake/drafts',
    expect: { ...everyone(403), anonymous: 401, clerkWindow: 201 },
    call: () => ({ body: { applicant: walkInPerson(), serviceId: businessStartup.id } }),
  },
  { route: 'GET /intake/drafts/{id}', expect: { ...everyone(403), anonymous: 401, clerkWindow: 200, clerkMatter: 404, clerkOther: 404 }, call: async (_role, w) => ({ params: { id: await w.intakeDraft() } }) },
  {
    route: 'PUT /intake/drafts/{id}',
    expect: { ...everyone(403), anonymous: 401, clerkWindow: 200, clerkMatter: 404, clerkOther: 404 },
    call: async (_role, w) => ({ params: { id: await w.intakeDraft() }, body: draftBody }),
  },
  {
    route: 'DELETE /intake/drafts/{id}',
    expect: { ...everyone(403), anonymous: 401, clerkWindow: 204, clerkMatter: 404, clerkOther: 404 },
    call: async (_role, w) => ({ params: { id: await w.intakeDraft() } }),
  },
  { route: 'POST /drafts', expect: { ...everyone(403), anonymous: 401, citizenOwner: 201, citizenOther: 201 }, call: () => ({ body: draftBody }) },
  { route: 'GET /drafts/{id}', expect: { ...everyone(403), anonymous: 401, citizenOwner: 200, citizenOther: 404 } },
  { route: 'PUT /drafts/{id}', expect: { ...everyone(403), anonymous: 401, citizenOwner: 200, citizenOther: 404 }, call: () => ({ body: draftBody }) },
  {
    route: 'DELETE /drafts/{id}',
    expect: { ...everyone(403), anonymous: 401, citizenOwner: 204, citizenOther: 404 },
    call: async (role, w) => (role === 'citizenOwner' ? { params: { id: await w.freshDraft() } } : {}),
  },
];

/** How each signed-in role stands to A's applications when an answer carries their contents. */
const STANDING: Record<SignedIn, string | undefined> = { citizenOwner: 'owner', citizenOther: 'owner', clerkWindow: 'window', clerkMatter: 'reviewer', clerkOther: undefined, admin: undefined };

/** The window's comment on A's rejected applications: for the window and A only. */
const WINDOW_COMMENT = '经营范围表述不规范';

/**
 * What `role` must not be sent by any route: of A's applications, what the policy does not show them. Another
 * citizen submits the same example form, so what keeps A's apart from theirs is ids: A's files, applications and
 * certificates. A reviewer (clerkMatter, taxation) is kept from the texts outside the tax matter's fields, the files
 * of materials not supporting it and the certificates of other matters.
 */
async function hiddenFrom(world: World, role: Role, route: string): Promise<string[]> {
  const fileOf = (claims: MaterialClaim[]) => claims.flatMap((c) => (c.fileId ? [c.fileId] : []));
  const aFiles = [...fileOf(world.materials.citizenOwner), world.file];
  const certificates = (await world.server.onevisit.db('certificates').whereIn('application_id', world.owned).select('id', 'matter_id', 'issuer')) as { id: string; matter_id: string; issuer: string }[];
  // Verifying is public: the answer names the certificate it was asked about.
  const certificateIds = route === 'POST /certificates/verify' ? [] : certificates.map((c) => c.id);
  switch (role) {
    case 'anonymous':
      return [...formTexts(exampleForm), ...aFiles, WINDOW_COMMENT];
    case 'citizenOther':
      return [...aFiles, ...world.owned, ...certificateIds, WINDOW_COMMENT];
    case 'clerkOther':
      return [...formTexts(exampleForm), ...aFiles, ...world.owned, ...certificateIds, WINDOW_COMMENT];
    case 'admin':
      // Admins list effects and the audit trail, which name applications and certificates by id.
      return [...formTexts(exampleForm), ...aFiles, WINDOW_COMMENT];
    case 'clerkMatter': {
      const scope = reviewerScope(definitionOf(businessStartup.id), [matters.tax!.department]);
      const unsupported = world.materials.citizenOwner.filter((c) => c.fileId && !scope.materials.has(c.materialId)).map((c) => c.fileId!);
      const others = route === 'POST /certificates/verify' ? [] : certificates.filter((c) => !scope.matters.has(c.matter_id) && c.issuer !== matters.tax!.department).map((c) => c.id);
      return [...hiddenTexts(exampleForm, scope.fields), ...unsupported, world.file, ...others, WINDOW_COMMENT];
    }
    case 'clerkWindow':
    case 'citizenOwner':
      return fileOf(world.materials.citizenOther);
  }
}

/**
 * Asserts what an answer shows `role`, besides its status: none of what is hidden from them; an application's
 * contents as their standing cuts them (a reviewer only the tax matter's); rows of a list bare. The catalog's
 * routes answer the published definitions, example forms included, to anyone: they are not looked into.
 */
async function expectShownOnly(world: World, route: string, role: Role, res: Response): Promise<void> {
  if (res.status >= 300 || !/json/.test(String(res.headers['content-type'] ?? ''))) return;
  if (/^\w+ \/(services|openapi\.json|definitions)/.test(route)) return;
  const label = `${route} as ${role}`;
  expectNoneOf(res.text, await hiddenFrom(world, role, route), label);
  const body = res.body as Record<string, unknown>;
  if (body && typeof body === 'object' && !Array.isArray(body) && 'access' in body && 'form' in body && role !== 'anonymous') {
    if (role === 'clerkMatter') expectReviewerAnswer(body, reviewerScope(definitionOf(businessStartup.id), [matters.tax!.department]), label);
    else expect(body.access, label).to.equal(STANDING[role]);
  }
  if (route === 'GET /applications') expectBareRows(body as unknown as Record<string, unknown>[], role.startsWith('clerk') ? QUEUE_KEYS : SUMMARY_KEYS, label);
}

/** The path parameters a row uses unless it names its own: A's application and file, start-a-business, 2026. */
function defaultParams(path: string, world: World): Record<string, string> {
  if (path.startsWith('/applications/')) return { id: world.application };
  if (path.startsWith('/files/')) return { id: world.file };
  if (path.startsWith('/certificates/')) return { id: world.certificate };
  if (path.startsWith('/calendar/')) return { year: '2026' };
  if (path.startsWith('/drafts/')) return { id: world.draft };
  return { id: businessStartup.id };
}

async function perform(world: World, route: string, role: Role, call: Call): Promise<Response> {
  const [method, template] = route.split(' ') as [string, string];
  const params = { ...defaultParams(template, world), ...call.params };
  const query = call.query ? `?${new URLSearchParams(call.query).toString()}` : '';
  const url = `/api/v1${template.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(params[name]!))}${query}`;
  const http = world.server.http;
  let req = method === 'GET' ? http.get(url) : method === 'POST' ? http.post(url) : method === 'PUT' ? http.put(url) : http.delete(url);
  const token = call.token ?? (role === 'anonymous' ? undefined : world.people[role].token);
  if (token) req = req.set('Authorization', `Bearer ${token}`);
  if (call.file) return req.attach('file', call.file, 'probe.pdf');
  return call.body === undefined ? req : req.send(call.body as object);
}

/** Asserts that `form` holds exactly the values `fields` point at in the example form, and nothing else. */
function expectOnlyFields(form: Record<string, unknown>, fields: readonly string[], what: string): void {
  for (const leaf of leaves(form)) expect(within(leaf, fields), `${what}: ${leaf} is outside the matter's fields`).to.equal(true);
  for (const field of fields) {
    const expected = getByPointer(exampleForm, field);
    if (expected !== undefined) expect(getByPointer(form, field), `${what}: ${field}`).to.deep.equal(expected);
  }
}

for (const kind of databaseKinds) {
  describe(`HTTP authorization (${kind})`, function () {
    this.timeout(60000);
    let world: World;

    before(async () => {
      const server = await openTestServer(kind);
      const people: Record<SignedIn, Person> = {
        citizenOwner: await person(server, 'citizen'),
        citizenOther: await person(server, 'citizen'),
        clerkWindow: await person(server, 'clerk', ['comprehensive-window']),
        clerkMatter: await person(server, 'clerk', [matters.tax!.department]),
        clerkOther: await person(server, 'clerk', [UNINVOLVED_DEPARTMENT]),
        admin: await person(server, 'admin'),
      };
      const materials = { citizenOwner: await materialsFor(server, people.citizenOwner), citizenOther: await materialsFor(server, people.citizenOther) };
      const owned: string[] = [];
      const submitted = async () => {
        const id = await submitBusinessStartup(server, people.citizenOwner, materials.citizenOwner);
        owned.push(id);
        return id;
      };
      const file = await server.http.post('/api/v1/files').set(...people.citizenOwner.auth).attach('file', tinyPdf(), 'own.pdf').expect(201);
      const receipt = await server.http.post('/api/v1/applications').set(...people.citizenOwner.auth).send({ serviceId: businessStartup.id, form: exampleForm, materials: materials.citizenOwner }).expect(201);
      const freshDraft = async () => (await server.http.post('/api/v1/drafts').set(...people.citizenOwner.auth).send(draftBody).expect(201)).body.id as string;
      world = {
        server,
        people,
        owned,
        application: await submitted(),
        file: file.body.fileId,
        materials,
        submitted,
        async accepted() {
          const id = await submitted();
          await act(server, people.clerkWindow, id, { type: 'ACCEPT' });
          return id;
        },
        async rejected() {
          const id = await submitted();
          await act(server, people.clerkWindow, id, { type: 'REJECT', comment: '经营范围表述不规范' });
          return id;
        },
        async completed() {
          const id = await submitted();
          await act(server, people.clerkWindow, id, { type: 'ACCEPT' });
          const detail = await server.http.get(`/api/v1/applications/${id}`).set(...people.clerkWindow.auth).expect(200);
          for (const [matter, state] of Object.entries(detail.body.matters as Record<string, string>)) {
            if (state !== 'pending') continue;
            const reviewer = (reviewers[matter] ??= await person(server, 'clerk', [matters[matter]!.department]));
            await act(server, reviewer, id, { type: 'APPROVE', matter });
          }
          const wallet = await server.http.get('/api/v1/certificates').set(...people.citizenOwner.auth).expect(200);
          const tax = wallet.body.find((c: { applicationId: string; type: string }) => c.applicationId === id && c.type === 'tax-registration-record');
          expect(tax, 'the completed application issued a tax registration record').to.not.equal(undefined);
          return { application: id, certificate: tax.id as string };
        },
        certificate: '',
        async freshToken(role) {
          const res = await server.http.post('/api/v1/auth/login').send({ username: people[role].username, password: PASSWORD }).expect(200);
          return res.body.token as string;
        },
        receipt: { number: receipt.body.number as string, code: receipt.body.checkCode as string },
        draft: await freshDraft(),
        freshDraft,
        intakeDraft: async () => (await server.http.post('/api/v1/intake/drafts').set(...people.clerkWindow.auth).send({ applicant: walkInPerson(), serviceId: businessStartup.id }).expect(201)).body.id as string,
      };
    });
    after(async () => world?.server.close());
    const reviewers: Record<string, Person> = {};
    before(async () => {
      world.certificate = (await world.completed()).certificate;
    });

    describe('the route × role matrix', () => {
      const routes = ROUTES.map((r) => `${r.method.toUpperCase()} ${r.path}`);

      it('has exactly one row for every route of the API document', () => {
        expect(MATRIX.map((r) => r.route).sort()).to.deep.equal([...routes].sort());
      });

      for (const route of routes) {
        const row = MATRIX.find((r) => r.route === route);
        if (!row) {
          it(`${route}: has a matrix row`, () => expect.fail(`${route} is served but the authorization matrix has no row for it`));
          continue;
        }
        it(`${route}: ${ROLES.map((role) => `${role} ${row.expect[role]}`).join(', ')}`, async () => {
          const actual = {} as Expectation;
          for (const role of ROLES) {
            const res = await perform(world, route, role, (await row.call?.(role, world)) ?? {});
            actual[role] = res.status;
            await expectShownOnly(world, route, role, res);
            if (res.status >= 400) {
              expectProblem(res, res.status, res.body.code);
              // A hidden resource is "not found" in the resource's own words, never "no such route".
              expect(res.body.code, `${route} as ${role}`).to.not.equal('ROUTE.NOT_FOUND');
              if (res.status === 401) expect(res.body.code, `${route} as ${role}`).to.equal('AUTH.REQUIRED');
            }
          }
          expect(actual).to.deep.equal(row.expect);
        });
      }
    });

    it("never gives a citizen another citizen's application or file: 404 problem+json, as for an id that does not exist", async () => {
      const { server, people, application, file } = world;
      const other = people.citizenOther;
      const company = (exampleForm.company as { name: string }).name;

      const hidden = await server.http.get(`/api/v1/applications/${application}`).set(...other.auth);
      expectProblem(hidden, 404, 'APPLICATION.NOT_FOUND');
      expect(hidden.text).to.not.include(company);
      const missing = await server.http.get('/api/v1/applications/00000000-0000-4000-8000-000000000000').set(...other.auth);
      expectProblem(missing, 404, 'APPLICATION.NOT_FOUND');
      expect({ ...hidden.body, detail: undefined }).to.deep.equal({ ...missing.body, detail: undefined });

      const own = await server.http.get('/api/v1/applications').set(...other.auth).expect(200);
      expect(own.body.map((a: { id: string }) => a.id)).to.not.include(application);
      const objection = await server.http.post(`/api/v1/applications/${application}/events`).set(...other.auth).send({ type: 'OBJECTION', comment: '异议' });
      expectProblem(objection, 404, 'APPLICATION.NOT_FOUND');

      const meta = await server.http.get(`/api/v1/files/${file}`).set(...other.auth);
      expectProblem(meta, 404, 'FILE.NOT_FOUND');
      const content = await server.http.get(`/api/v1/files/${file}/content`).set(...other.auth);
      expectProblem(content, 404, 'FILE.NOT_FOUND');
      expect(content.text).to.not.include('%PDF');
      const ownFile = await server.http.get(`/api/v1/files/${file}/content`).set(...people.citizenOwner.auth).buffer(true).expect(200);
      expect(ownFile.headers['content-type']).to.match(/^application\/pdf/);

      // Nor can another citizen's file be cited as one's own material.
      const before = await storedCounts(server);
      const borrowed = world.materials.citizenOther.map((m) => (m.materialId === 'articles-of-association' ? { ...m, fileId: file } : m));
      const refused = await server.http.post('/api/v1/applications').set(...other.auth).send({ serviceId: businessStartup.id, form: exampleForm, materials: borrowed });
      expectProblem(refused, 422, 'MATERIALS.INVALID');
      expect(await storedCounts(server)).to.deep.equal(before);
    });

    it('refuses an admin the same 403 for every application and certificate id, whether it exists or not', async () => {
      const { server, people, application, certificate } = world;
      const missing = '00000000-0000-4000-8000-000000000000';
      const answers = async (path: (id: string) => string, method: 'get' | 'post', body?: object) => {
        const bodies = [];
        for (const id of [application, certificate, missing, 'no-such-id']) {
          let req = server.http[method](`/api/v1${path(id)}`).set(...people.admin.auth);
          if (body) req = req.send(body);
          const res = await req;
          expectProblem(res, 403, 'AUTH.FORBIDDEN');
          bodies.push(res.body);
        }
        for (const b of bodies) expect(b, path('{id}')).to.deep.equal(bodies[0]);
      };
      await answers((id) => `/applications/${id}`, 'get');
      await answers((id) => `/applications/${id}/events`, 'post', { type: 'ACCEPT' });
      await answers((id) => `/applications/${id}/claim`, 'post', {});
      await answers((id) => `/applications/${id}/release`, 'post', {});
      await answers((id) => `/applications/${id}/rating`, 'post', { score: 5 });
      await answers((id) => `/applications/${id}/materials/articles-of-association`, 'get');
      await answers((id) => `/applications/${id}/materials/premises-commitment/refute`, 'post', { reason: '核查' });
      await answers((id) => `/certificates/${id}`, 'get');
      await answers((id) => `/certificates/${id}/pdf`, 'get');
      await answers((id) => `/certificates/${id}/revoke`, 'post', { reason: '登记信息有误' });
      await answers((id) => `/certificates/${id}/reissue`, 'post');
    });

    it("shows a reviewer only their matter's fields, in every answer that carries the form", async () => {
      const { server, people } = world;
      const tax = matters.tax!;
      const id = await world.accepted();
      const read = await server.http.get(`/api/v1/applications/${id}`).set(...people.clerkMatter.auth).expect(200);
      expect(read.body.access).to.equal('reviewer');
      expectOnlyFields(read.body.form, tax.fields, 'GET');
      const claimed = await server.http.post(`/api/v1/applications/${id}/claim`).set(...people.clerkMatter.auth).send({ matter: tax.id }).expect(200);
      expectOnlyFields(claimed.body.form, tax.fields, 'claim');
      const approved = await server.http.post(`/api/v1/applications/${id}/events`).set(...people.clerkMatter.auth).send({ type: 'APPROVE', matter: tax.id }).expect(200);
      expectOnlyFields(approved.body.form, tax.fields, 'APPROVE');
      expect(JSON.stringify(approved.body)).to.not.include((exampleForm.applicant as { idNumber: string }).idNumber);

      const window = await server.http.get(`/api/v1/applications/${id}`).set(...people.clerkWindow.auth).expect(200);
      expect(window.body.form).to.deep.equal(exampleForm);
    });

    it("refuses a reviewer's decision outside their department, and another department's intake task", async () => {
      const { server, people } = world;
      const id = await world.submitted();
      const accept = await server.http.post(`/api/v1/applications/${id}/events`).set(...people.clerkMatter.auth).send({ type: 'ACCEPT' });
      expectProblem(accept, 403, 'AUTH.FORBIDDEN');
      const claim = await server.http.post(`/api/v1/applications/${id}/claim`).set(...people.clerkMatter.auth).send({});
      expectProblem(claim, 403, 'AUTH.FORBIDDEN');
      const inReview = await world.accepted();
      const license = await server.http.post(`/api/v1/applications/${inReview}/events`).set(...people.clerkMatter.auth).send({ type: 'APPROVE', matter: 'license' });
      expectProblem(license, 403, 'AUTH.FORBIDDEN');
      const after = await server.http.get(`/api/v1/applications/${inReview}`).set(...people.clerkWindow.auth).expect(200);
      expect(after.body.version).to.equal(2);
      expect(after.body.matters.license).to.equal('pending');
    });

    it('requires X-CSRF-Token on a cookie-authenticated write, and takes the write with it', async () => {
      const { server, people } = world;
      const login = await server.http.post('/api/v1/auth/login').send({ username: people.citizenOwner.username, password: PASSWORD }).expect(200);
      const setCookie = ([] as string[]).concat(login.headers['set-cookie'] ?? []);
      const session = setCookie.find((c) => c.startsWith('onevisit_session='));
      expect(session, 'the session cookie').to.be.a('string');
      expect(session).to.match(/HttpOnly/i).and.match(/SameSite=Strict/i);
      const cookie = session!.split(';')[0]!;
      const body = { serviceId: businessStartup.id, form: exampleForm, materials: world.materials.citizenOwner };

      await server.http.get('/api/v1/auth/me').set('Cookie', cookie).expect(200);
      const before = await storedCounts(server);
      expectProblem(await server.http.post('/api/v1/applications').set('Cookie', cookie).send(body), 403, 'AUTH.CSRF');
      expectProblem(await server.http.post('/api/v1/applications').set('Cookie', cookie).set('X-CSRF-Token', people.citizenOther.csrfToken).send(body), 403, 'AUTH.CSRF');
      expectProblem(await server.http.post('/api/v1/files').set('Cookie', cookie).attach('file', tinyPdf(), 'x.pdf'), 403, 'AUTH.CSRF');
      expect(await storedCounts(server), 'a refused write stores nothing').to.deep.equal(before);

      const taken = await server.http.post('/api/v1/applications').set('Cookie', cookie).set('X-CSRF-Token', login.body.csrfToken).send(body).expect(201);
      expect(taken.body.status).to.equal('submitted');
      await server.http.post('/api/v1/files').set('Cookie', cookie).set('X-CSRF-Token', login.body.csrfToken).attach('file', tinyPdf(), 'x.pdf').expect(201);
    });

    it('revokes the session at logout: the token then gets 401, by bearer and by cookie', async () => {
      const { server, people } = world;
      const token = await world.freshToken('citizenOwner');
      await server.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`).expect(200);
      await server.http.post('/api/v1/auth/logout').set('Authorization', `Bearer ${token}`).expect(204);
      expectProblem(await server.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`), 401, 'AUTH.REQUIRED');
      expectProblem(await server.http.get('/api/v1/applications').set('Authorization', `Bearer ${token}`), 401, 'AUTH.REQUIRED');

      const login = await server.http.post('/api/v1/auth/login').send({ username: people.clerkWindow.username, password: PASSWORD }).expect(200);
      const cookie = `onevisit_session=${login.body.token}`;
      expectProblem(await server.http.post('/api/v1/auth/logout').set('Cookie', cookie), 403, 'AUTH.CSRF');
      const out = await server.http.post('/api/v1/auth/logout').set('Cookie', cookie).set('X-CSRF-Token', login.body.csrfToken).expect(204);
      expect(([] as string[]).concat(out.headers['set-cookie'] ?? []).join(';')).to.match(/onevisit_session=;/);
      expectProblem(await server.http.get('/api/v1/auth/me').set('Cookie', cookie), 401, 'AUTH.REQUIRED');
      // The other sessions of the same account stay open.
      await server.http.get('/api/v1/auth/me').set(...people.citizenOwner.auth).expect(200);
    });

    it('answers an unknown user and a wrong password with the same 401', async () => {
      const { server, people } = world;
      const unknown = await server.http.post('/api/v1/auth/login').send({ username: 'nobody-here', password: PASSWORD });
      const wrong = await server.http.post('/api/v1/auth/login').send({ username: people.citizenOther.username, password: 'not the password' });
      expectProblem(unknown, 401, 'AUTH.INVALID_CREDENTIALS');
      expectProblem(wrong, 401, 'AUTH.INVALID_CREDENTIALS');
      expect(unknown.body).to.deep.equal(wrong.body);
      expect(unknown.headers['set-cookie']).to.equal(undefined);
      expect(wrong.headers['set-cookie']).to.equal(undefined);
    });

    describe('the sign-in rate limit', () => {
      let limited: TestServer;
      before(async () => {
        limited = await openTestServer(kind, { loginAttempts: 3 });
      });
      after(async () => limited?.close());

      it('refuses the attempt after the limit with 429 AUTH.RATE_LIMITED, even with the right password', async () => {
        const citizen = await person(limited, 'citizen');
        for (let i = 0; i < 3; i++) {
          expectProblem(await limited.http.post('/api/v1/auth/login').send({ username: citizen.username, password: `wrong ${i}` }), 401, 'AUTH.INVALID_CREDENTIALS');
        }
        expectProblem(await limited.http.post('/api/v1/auth/login').send({ username: citizen.username, password: 'wrong again' }), 429, 'AUTH.RATE_LIMITED');
        expectProblem(await limited.http.post('/api/v1/auth/login').send({ username: citizen.username, password: PASSWORD }), 429, 'AUTH.RATE_LIMITED');
        // The limit is per address and account: a colleague at the same address still signs in.
        const colleague = await person(limited, 'clerk', ['comprehensive-window']);
        await limited.http.post('/api/v1/auth/login').send({ username: colleague.username, password: PASSWORD }).expect(200);
        // Sessions opened before are untouched.
        await limited.http.get('/api/v1/auth/me').set(...citizen.auth).expect(200);
      });
    });
  });
}
