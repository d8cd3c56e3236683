/**
 * Hostile requests over HTTP, on each database: fast-check sends ONEVISIT_HOSTILE_REQUESTS requests (default
 * 10,000 per database) over every route of the API document (`ROUTES`), as every kind of caller — nobody, a
 * citizen, another citizen, a window clerk, a clerk of a reviewing department, a clerk of an unrelated department,
 * an admin; by bearer token, by cookie with and without the CSRF header, with a bad token — with malformed,
 * truncated and too deep JSON, huge numbers and strings, NUL and odd Unicode, reserved keys, wrong content types,
 * encodings and methods, bad ids and queries, uploads cut short, changed certificate PDFs, and events of every
 * type sent to applications in every state.
 *
 * What must hold: no answer is a 5xx; every refusal is application/problem+json with a code of the error
 * registry, each of its issues with a code of the issue registry that comes under it; afterwards the server still
 * answers, the data made before the run (the witness applications — one in each state —, their events, tasks,
 * certificates and ratings, the accounts, files, definitions and calendar)
 * reads back exactly as it was, and every application's event log replays to its snapshot. Writes to witness
 * data are always sent in a form that must be refused (broken JSON, a bad token, no CSRF header, a stale
 * If-Match…), so a witness changes only if a refusal failed; the other applications (one in each state, and those
 * the run submits itself) take whatever the run sends.
 *
 * ONEVISIT_HOSTILE_SEED replays a run's choices (its seed is printed with any failure; answers may differ with
 * timing, as requests go 32 at a time).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import fc from 'fast-check';
import { ROUTES } from '../../src/http/openapi.js';
import { EventTypes } from '../../src/domain/vocabulary.js';
import { EVENT_SENDERS } from '../../src/identity/policy.js';
import { RequestSchemas, type RequestSchemaName } from '../../src/application/schemas.js';
import { makeResidentIdNumber } from '../../src/domain/ids.js';
import { databaseKinds } from '../support/databases.js';
import { registryFlaw } from '../support/problems.js';
import { openTestServer, person, tinyPdf, tinyPng, binaryBody, type Person, type TestServer } from '../support/server.js';
import { approveAll, definitionOf, submitWithFiles } from '../support/services.js';
import { businessStartup } from '../support/businessStartup.js';
import {
  JObject,
  bodyFor,
  fromPlain,
  hostileShortString,
  hostileString,
  hostileNumber,
  hostileValue,
  jsonBody,
  multipartBody,
  mutatedBody,
  mutatedPdf,
  pctEncode,
  type EncodedBody,
  type Jv,
} from '../support/hostile.js';

const REQUESTS = Number(process.env.ONEVISIT_HOSTILE_REQUESTS ?? 10_000);
const SEED = process.env.ONEVISIT_HOSTILE_SEED !== undefined ? Number(process.env.ONEVISIT_HOSTILE_SEED) : Date.now() % 2 ** 31;
const BATCH = 32;

const ROLES = ['anonymous', 'citizen', 'otherCitizen', 'windowClerk', 'reviewClerk', 'unrelatedClerk', 'admin'] as const;
type Role = (typeof ROLES)[number];
const AUTHS = ['bearer', 'bearer', 'bearer', 'bearer', 'bearer', 'bearer', 'cookie', 'cookieWithoutCsrf', 'badToken', 'oddHeader'] as const;
type Auth = (typeof AUTHS)[number];

/** One request as generated, before the caller's credentials are filled in. */
interface Plan {
  what: string;
  method: string;
  path: string;
  query: string;
  body: EncodedBody;
  role: Role;
  auth: Auth;
  headers: Record<string, string>;
  /** Which certain refusal to apply if this request writes witness data. */
  refusal: number;
}

interface Answer {
  status: number;
  type: string;
  body: Buffer;
}

/** What the run is given: ids to aim at, bodies to start from. */
interface Seeded {
  witnessApplications: string[];
  eventApplications: string[];
  witnessCertificates: { id: string; signature: string }[];
  eventCertificates: { id: string; signature: string }[];
  files: string[];
  materials: string[];
  matters: string[];
  services: string[];
  pdfs: Buffer[];
  calendar: unknown;
  usernames: string[];
  throwawayUsers: string[];
  /** A submission that is taken as it is: the example form with the materials of an application already made. */
  submission: unknown;
  /** Applications the run itself made (answered 201): events go to them too, while they are fresh. */
  created: string[];
}

for (const kind of databaseKinds) {
  describe(`hostile requests (${kind})`, function () {
    this.timeout(300_000);
    let server: TestServer;
    let listener: http.Server;
    let agent: http.Agent;
    let port: number;
    const people = {} as Record<Exclude<Role, 'anonymous'>, Person>;
    const seeded = {} as Seeded;
    let snapshotBefore: Record<string, unknown[]>;
    let scope: WitnessScope;

    before(async function () {
      this.timeout(120_000);
      server = await openTestServer(kind, { now: new Date('2026-11-02T02:00:00Z') });
      listener = server.onevisit.app.listen(0, '127.0.0.1');
      await new Promise<void>((resolve) => listener.once('listening', resolve));
      port = (listener.address() as AddressInfo).port;
      agent = new http.Agent({ keepAlive: true, maxSockets: BATCH });

      people.citizen = await person(server, 'citizen');
      people.otherCitizen = await person(server, 'citizen');
      people.windowClerk = await person(server, 'clerk', ['comprehensive-window']);
      people.reviewClerk = await person(server, 'clerk', ['market-regulation']);
      people.unrelatedClerk = await person(server, 'clerk', ['water-affairs']);
      people.admin = await person(server, 'admin');
      const helpers = new Map<string, Person>();
      const clerkOf = async (department: string) => helpers.get(department) ?? (helpers.set(department, await person(server, 'clerk', [department])), helpers.get(department)!);

      const startupForm = definitionOf('business-startup').form.examples![0]!;
      const talentForm = definitionOf('talent-medical-card').form.examples![0]!;
      const event = (id: string, who: Person, body: object) => server.http.post(`/api/v1/applications/${id}/events`).set(...who.auth).send(body).expect(200);
      /** One application in each state (and one of another citizen's), as `citizen` made them. */
      const inEveryState = async (): Promise<string[]> => {
        const submitted = (await submitWithFiles(server, people.citizen, 'business-startup', startupForm)).id as string;
        const supplement = (await submitWithFiles(server, people.citizen, 'business-startup', startupForm)).id as string;
        await event(supplement, await clerkOf('comprehensive-window'), { type: 'REQUEST_SUPPLEMENT', items: ['/company/name'], comment: '名称不清' });
        const review = (await submitWithFiles(server, people.citizen, 'business-startup', startupForm)).id as string;
        await event(review, await clerkOf('comprehensive-window'), { type: 'ACCEPT' });
        const notice = (await submitWithFiles(server, people.citizen, 'talent-medical-card', talentForm)).id as string;
        expect(await approveAll(server, notice, clerkOf)).to.equal('in_notice');
        const completed = (await submitWithFiles(server, people.citizen, 'business-startup', startupForm)).id as string;
        expect(await approveAll(server, completed, clerkOf)).to.equal('completed');
        const others = (await submitWithFiles(server, people.otherCitizen, 'business-startup', startupForm)).id as string;
        return [submitted, supplement, review, notice, completed, others];
      };
      seeded.witnessApplications = await inEveryState();
      seeded.eventApplications = await inEveryState();
      const { view } = await server.onevisit.engine.inspect(seeded.eventApplications[0]!);
      const claims = Object.values(view.materials).map((m) => (m.source === 'commitment' ? { materialId: m.materialId, commitment: true } : m.fileId ? { materialId: m.materialId, fileId: m.fileId } : { materialId: m.materialId, certificateId: m.certificateId }));
      seeded.submission = { serviceId: 'business-startup', form: startupForm, materials: claims };
      seeded.created = [];
      const certificatesOf = async (ids: string[]) =>
        (await server.onevisit.db('certificates').whereIn('application_id', ids).select('id', 'signature')) as { id: string; signature: string }[];
      seeded.witnessCertificates = await certificatesOf(seeded.witnessApplications);
      seeded.eventCertificates = await certificatesOf(seeded.eventApplications);
      expect(seeded.witnessCertificates.length).to.be.greaterThan(0);
      seeded.files = ((await server.onevisit.db('files').select('id')) as { id: string }[]).map((f) => f.id);
      seeded.materials = [...new Set([...definitionOf('business-startup').materials, ...definitionOf('talent-medical-card').materials].map((m) => m.id))];
      seeded.matters = [...new Set(['business-startup', 'talent-medical-card'].flatMap((s) => definitionOf(s).steps.flatMap((step) => (step.kind === 'review' ? step.matters.map((m) => m.id) : []))))];
      seeded.services = ((await server.http.get('/api/v1/services').expect(200)).body as { id: string }[]).map((s) => s.id);
      const pdfOf = async (id: string) =>
        (await server.http.get(`/api/v1/certificates/${id}/pdf`).set(...people.citizen.auth).buffer(true).parse(binaryBody as never).expect(200)).body as Buffer;
      seeded.pdfs = [await pdfOf(seeded.witnessCertificates[0]!.id), await pdfOf(seeded.eventCertificates[0]!.id)];
      seeded.calendar = (await server.http.get('/api/v1/calendar/2026').set(...people.admin.auth).expect(200)).body;
      seeded.usernames = Object.values(people).map((p) => p.username);
      // Accounts the run may disable or change: not compared afterwards.
      seeded.throwawayUsers = [(await person(server, 'citizen')).id, (await person(server, 'clerk', ['taxation'])).id];
      const db = server.onevisit.db;
      scope = {
        applications: seeded.witnessApplications,
        users: ((await db('users').select('id')) as { id: string }[]).map((u) => u.id).filter((id) => !seeded.throwawayUsers.includes(id)),
        files: seeded.files,
        definitions: ((await db('service_definitions').select('service_id', 'version')) as { service_id: string; version: number }[]).map((d) => `${d.service_id}@${d.version}`),
      };
      snapshotBefore = await witnessSnapshot(server, scope);
    });

    after(async () => {
      agent?.destroy();
      await new Promise<void>((resolve) => (listener ? listener.close(() => resolve()) : resolve()));
      await server?.close();
    });

    it(`answers ${REQUESTS} hostile requests with no 5xx, every refusal a problem+json with a registered code and registered issue codes`, async function () {
      const failures: string[] = [];
      const statuses = new Map<number, number>();
      let sent = 0;
      const started = Date.now();
      const arbitrary = planArbitrary(seeded);
      await fc.assert(
        fc.asyncProperty(fc.array(arbitrary, { minLength: BATCH, maxLength: BATCH }), async (plans) => {
          await Promise.all(
            plans.map(async (plan) => {
              const request = finish(plan, people, seeded);
              const answer = await send(port, agent, request).catch((error: Error) => error);
              sent++;
              if (answer instanceof Error) {
                failures.push(`${describeRequest(request)}: no answer (${answer.message})`);
                return;
              }
              if (answer.status === 201 && request.method === 'POST' && request.path === '/api/v1/applications') seeded.created.push((JSON.parse(answer.body.toString('utf8')) as { id: string }).id);
              statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
              const wrong = judge(request, answer);
              if (wrong) failures.push(`${describeRequest(request)} → ${answer.status} ${answer.type}: ${wrong}: ${answer.body.toString('utf8').slice(0, 300)}`);
            }),
          );
        }),
        { numRuns: Math.ceil(REQUESTS / BATCH), seed: SEED, endOnFailure: true },
      );
      const seconds = (Date.now() - started) / 1000;
      console.log(`      ${kind}: ${sent} hostile requests in ${seconds.toFixed(1)} s (seed ${SEED}); statuses ${[...statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}×${n}`).join(' ')}`);
      // Listed in the message (a diff of long lines is cut off), with what the server logged of its own failures.
      const logged = [...new Set(server.logs.filter((line) => Number(line.level) >= 50).map((line) => {
        const err = line.err as { message?: string; stack?: string } | undefined;
        return `${String(line.msg)}: ${err?.message ?? ''} ${(err?.stack ?? '').split('\n').slice(1, 4).join(' ').trim()}`;
      }))];
      expect(failures.length, `${failures.length} failures (ONEVISIT_HOSTILE_SEED=${SEED}):\n${failures.slice(0, 30).join('\n')}\nlogged:\n${logged.slice(0, 10).join('\n')}`).to.equal(0);
    });

    it('still answers afterwards: the catalog, a sign-in, each witness application for its owner', async () => {
      await server.http.get('/api/v1/services').expect(200);
      const late = await person(server, 'citizen');
      await server.http.get('/api/v1/auth/me').set(...late.auth).expect(200);
      for (const id of seeded.witnessApplications.slice(0, 5)) await server.http.get(`/api/v1/applications/${id}`).set(...people.citizen.auth).expect(200);
    });

    it('leaves the data made before the run as it was', async () => {
      const now = await witnessSnapshot(server, scope);
      const changed = Object.keys(snapshotBefore).flatMap((table) => {
        const [was, is] = [snapshotBefore[table]!.map((row) => JSON.stringify(row)), new Set(now[table]!.map((row) => JSON.stringify(row)))];
        const wasSet = new Set(was);
        return [...was.filter((row) => !is.has(row)).map((row) => `${table} was ${row}`), ...[...is].filter((row) => !wasSet.has(row)).map((row) => `${table} is ${row}`)];
      });
      expect(changed.length, `witness rows changed (ONEVISIT_HOSTILE_SEED=${SEED}):\n${changed.slice(0, 20).map((line) => line.slice(0, 400)).join('\n')}`).to.equal(0);
    });

    it('leaves every application, the run’s own too, replaying to its snapshot', async () => {
      const ids = ((await server.onevisit.db('applications').select('id')) as { id: string }[]).map((a) => a.id);
      const inconsistent: string[] = [];
      for (const id of ids) if (!(await server.onevisit.engine.verifyReplay(id)).consistent) inconsistent.push(id);
      expect(inconsistent).to.deep.equal([]);
    });
  });
}

/** The rows made before the run that it must leave alone. */
interface WitnessScope {
  applications: string[];
  users: string[];
  files: string[];
  /** `service_id@version` */
  definitions: string[];
}

/** What must not change: the witness applications and what hangs off them, the accounts, files, definitions, calendar. */
async function witnessSnapshot(server: TestServer, { applications, users, files, definitions }: WitnessScope): Promise<Record<string, unknown[]>> {
  const db = server.onevisit.db;
  const published = (await db('service_definitions').orderBy(['service_id', 'version'])) as { service_id: string; version: number }[];
  return {
    applications: await db('applications').whereIn('id', applications).orderBy('id'),
    events: await db('application_events').whereIn('application_id', applications).orderBy(['application_id', 'seq']),
    openTasks: await db('open_tasks').whereIn('application_id', applications).orderBy(['application_id', 'task']),
    certificates: await db('certificates').whereIn('application_id', applications).orderBy('id'),
    ratings: await db('ratings').whereIn('application_id', applications).orderBy('application_id'),
    users: await db('users').whereIn('id', users).orderBy('id'),
    files: await db('files').whereIn('id', files).orderBy('id'),
    definitions: published.filter((d) => definitions.includes(`${d.service_id}@${d.version}`)),
    calendarYears: await db('calendar_years').orderBy('year'),
    calendarDays: await db('calendar_days').orderBy('day'),
  };
}

/** Requests as they go out: the caller's credentials in, and a certain refusal applied to writes of witness data. */
interface Finished extends Plan {
  mustBeRefused: boolean;
}

function finish(plan: Plan, people: Record<Exclude<Role, 'anonymous'>, Person>, seeded: Seeded): Finished {
  const headers: Record<string, string> = { ...plan.body.headers, ...plan.headers };
  const who = plan.role === 'anonymous' ? undefined : people[plan.role];
  let auth: Auth = plan.auth;
  const write = !['GET', 'HEAD', 'OPTIONS'].includes(plan.method);
  const witness = [...seeded.witnessApplications, ...seeded.witnessCertificates.map((c) => c.id)];
  const mustBeRefused =
    write &&
    (witness.some((id) => plan.path.includes(id)) || plan.path.toLowerCase().startsWith('/api/v1/calendar/') || (plan.path.toLowerCase() === '/api/v1/auth/logout' && who !== undefined));
  let { query, body } = plan;
  // An application the run made, or one made before it while the run has made none.
  const path = plan.path.replace(/created-slot-(\d+)/, (_m, n: string) => seeded.created[Number(n) % Math.max(1, seeded.created.length)] ?? seeded.eventApplications[0]!);
  if (mustBeRefused && plan.path.endsWith('/events') && plan.refusal % 2 === 0) {
    // The event goes all the way to the engine, which refuses a stale version before it decides anything: every
    // type reaches the witnesses in their states, and none is taken.
    headers['if-match'] = '"0"';
  } else if (mustBeRefused) {
    // Each of these is refused before anything is read or written, whoever sends it.
    const refusal = plan.refusal % 6;
    if (refusal === 0) body = { headers: { 'content-type': 'application/json' }, body: Buffer.from('{"type":"ACCEPT",'), how: 'certainly refused: broken JSON' };
    else if (refusal === 1) body = { headers: { 'content-type': 'application/json' }, body: Buffer.from(`{"x":${'['.repeat(65)}${']'.repeat(65)}}`), how: 'certainly refused: nested 66 deep' };
    else if (refusal === 2) body = { headers: { 'content-type': 'application/json' }, body: Buffer.from('{"reason":"x","__proto__":{"admin":true}}'), how: 'certainly refused: a reserved key' };
    else if (refusal === 3) auth = 'badToken';
    else if (refusal === 4) auth = who ? 'cookieWithoutCsrf' : 'badToken';
    else query = `${query === '' ? '?' : `${query}&`}x=%00`;
    if (refusal <= 2) {
      for (const key of Object.keys(headers)) if (/^content-/i.test(key)) delete headers[key];
      Object.assign(headers, body.headers);
    }
  }
  if (who) {
    if (auth === 'bearer') headers.authorization = `Bearer ${who.token}`;
    else if (auth === 'cookie') Object.assign(headers, { cookie: `onevisit_session=${encodeURIComponent(who.token)}`, 'x-csrf-token': who.csrfToken });
    else if (auth === 'cookieWithoutCsrf') headers.cookie = `onevisit_session=${encodeURIComponent(who.token)}`;
  }
  if (auth === 'badToken') headers.authorization = `Bearer ${who ? `${who.token.slice(0, -2)}xx` : 'not-a-token'}`;
  if (auth === 'oddHeader' && !who) headers.authorization = 'Basic YWRtaW46YWRtaW4=';
  if (auth === 'oddHeader' && who) headers.authorization = `Bearer  ${who.token} extra`;
  return { ...plan, path, query, body, headers, auth, mustBeRefused };
}

function describeRequest(r: Finished): string {
  return `${r.method} ${r.path}${r.query} as ${r.role} (${r.auth}) [${r.what}; ${r.body.how}${r.mustBeRefused ? '; must be refused' : ''}]`.slice(0, 600);
}

/** Whether an Accept header lets a page answer: none, any type, or HTML named (as express's `req.accepts` decides it). */
function takesHtml(accept: string | undefined): boolean {
  return accept === undefined || accept.trim() === '' || /(^|,)\s*(\*\/\*|text\/\*|text\/html)\s*(;|,|$)/.test(accept);
}

/** Why the answer is wrong, or undefined. */
function judge(r: Finished, answer: Answer): string | undefined {
  if (answer.status >= 500) return 'a server error';
  if (r.mustBeRefused && answer.status < 400) return 'a write to witness data that should have been refused was taken';
  if (answer.status < 400 || r.method === 'HEAD') return undefined;
  // Outside the API, a browser (whose Accept takes HTML, or who sends none) is refused with a page.
  if (!r.path.startsWith('/api/') && answer.type.startsWith('text/html') && takesHtml(r.headers.accept)) return undefined;
  if (!/^application\/problem\+json/.test(answer.type)) return 'a refusal that is not application/problem+json';
  let problem: { code?: unknown; status?: unknown; errors?: unknown };
  try {
    problem = JSON.parse(answer.body.toString('utf8')) as typeof problem;
  } catch {
    return 'a problem that is not JSON';
  }
  const flaw = registryFlaw(problem);
  if (flaw) return flaw;
  if (problem.status !== answer.status) return `the problem says ${String(problem.status)}`;
  return undefined;
}

function send(port: number, agent: http.Agent, r: Finished): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...r.headers };
    if (r.body.body) headers['content-length'] = r.body.body.length;
    let answered = false;
    const req = http.request({ host: '127.0.0.1', port, method: r.method, path: `${r.path}${r.query}`, headers, agent, timeout: 20_000 }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    // A server that answers before reading the whole body may close the connection while we still write it.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    req.end(r.body.body);
  });
}

/** Every request the run sends: routes of the API document, events, wrong methods, odd paths, uploads, certificate PDFs. */
function planArbitrary(seeded: Seeded): fc.Arbitrary<Plan> {
  const role = fc.constantFrom(...ROLES);
  const auth = fc.constantFrom(...AUTHS);
  const refusal = fc.nat();
  const headers = extraHeaders();
  const uuid = fc.uuid().map(String);
  const ids = (known: readonly string[]) => fc.oneof({ weight: 6, arbitrary: known.length ? fc.constantFrom(...known) : uuid }, { weight: 1, arbitrary: uuid }, { weight: 2, arbitrary: hostileShortString });
  const applicationId = ids([...seeded.eventApplications, ...seeded.eventApplications, ...seeded.witnessApplications]);
  const certificateId = ids([...seeded.eventCertificates, ...seeded.witnessCertificates].map((c) => c.id));
  const paramFor = (path: string, name: string): fc.Arbitrary<string> => {
    if (path.startsWith('/applications/') && name === 'id') return applicationId;
    if (path.startsWith('/certificates/') && name === 'id') return certificateId;
    if (path.startsWith('/files/')) return ids(seeded.files);
    if (name === 'materialId') return ids(seeded.materials);
    if (path.startsWith('/services/') || path.startsWith('/definitions/')) return ids(seeded.services);
    if (name === 'year') return fc.oneof(fc.constantFrom('2026', '2027', '2025', '1999', '0000', '20260', 'abcd', '-2026', '2026.0', '２０２６', '2026%20'), hostileShortString);
    if (path.startsWith('/users/')) return ids(seeded.throwawayUsers);
    return ids([]);
  };
  const query = (route: (typeof ROUTES)[number]) => {
    const names = route.query ? Object.keys((RequestSchemas as Record<string, { properties: object }>)[route.query as RequestSchemaName]?.properties ?? {}) : [];
    const pair = fc.tuple(fc.oneof({ weight: 3, arbitrary: names.length ? fc.constantFrom(...names) : hostileShortString }, { weight: 1, arbitrary: hostileShortString }), fc.oneof(hostileShortString, fc.constantFrom('submitted', 'me', 'nobody', 'failed', '1', '200', '201', '-1', '1e3', '2026-01-01', '2026-02-30', `1${'0'.repeat(40)}`)));
    return fc.oneof(
      { weight: 3, arbitrary: fc.constant('') },
      { weight: 4, arbitrary: fc.array(pair, { maxLength: 4 }).map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${pctEncode(k)}=${pctEncode(v)}`).join('&')}` : '')) },
      { weight: 1, arbitrary: fc.constantFrom('?status=submitted&status=completed', '?a[b]=c', '?__proto__=x&constructor=y', '?%ZZ=1', '?=', '?&&&', '?limit=%', `?limit=${'9'.repeat(400)}`, '?code=SECRET', '?department=market-regulation', '?claimed=me&limit=5') },
    );
  };
  const template = templates(seeded);
  const bodyOf = (route: (typeof ROUTES)[number]): fc.Arbitrary<EncodedBody> => {
    if (route.body === 'multipart') return multipartBody([tinyPdf(), tinyPng(), seeded.pdfs[0]!]);
    if (route.path === '/certificates/verify') return fc.oneof(bodyFor(mutatedBody(template(route))), multipartBody([tinyPdf(), ...seeded.pdfs]), pdfUpload(seeded.pdfs));
    if (route.method === 'get') return fc.oneof({ weight: 6, arbitrary: fc.constant<EncodedBody>({ headers: {}, how: 'no body' }) }, { weight: 1, arbitrary: bodyFor(hostileValue) });
    return bodyFor(mutatedBody(template(route)));
  };
  // Mostly those the route is for, so that requests get past the door; anyone at all the rest of the time.
  const intended: Record<string, readonly Role[]> = {
    anyone: ROLES,
    'signed in': ROLES.filter((r) => r !== 'anonymous'),
    citizen: ['citizen', 'otherCitizen'],
    clerk: ['windowClerk', 'reviewClerk', 'unrelatedClerk'],
    'citizen or clerk': ['citizen', 'otherCitizen', 'windowClerk', 'reviewClerk', 'unrelatedClerk'],
    admin: ['admin'],
  };
  const roleFor = (route: (typeof ROUTES)[number]) => fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...(intended[route.who] ?? ROLES)) }, { weight: 1, arbitrary: role });
  const routeRequest = (route: (typeof ROUTES)[number]) => {
    const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    return fc
      .record({ params: fc.tuple(...names.map((n) => paramFor(route.path, n))), query: query(route), body: bodyOf(route), role: roleFor(route), auth, refusal, headers, ifMatch: fc.option(ifMatch(), { freq: 3 }) })
      .map(({ params, query, body, role, auth, refusal, headers, ifMatch }): Plan => {
        let path = route.path;
        names.forEach((n, i) => (path = path.replace(`{${n}}`, pctEncode(params[i]!))));
        return { what: `${route.method.toUpperCase()} ${route.path}`, method: route.method.toUpperCase(), path: `/api/v1${path}`, query, body, role, auth, refusal, headers: { ...headers, ...(ifMatch !== null ? { 'if-match': ifMatch } : {}) } };
      });
  };
  // Events of every type, to applications in every state, by everyone; mostly well-framed and by those who act on
  // applications, so that they reach the state machine.
  const events = eventBody(seeded);
  const target = fc.oneof({ weight: 3, arbitrary: applicationId }, { weight: 2, arbitrary: fc.nat(1000).map((n) => `created-slot-${n}`) });
  const eventRequest = fc
    .record({
      id: target,
      body: fc.oneof({ weight: 4, arbitrary: events.map((e) => jsonBody(e)) }, { weight: 1, arbitrary: bodyFor(events) }),
      role: fc.oneof({ weight: 3, arbitrary: fc.constantFrom<Role>('citizen', 'windowClerk', 'reviewClerk') }, { weight: 2, arbitrary: role }),
      auth,
      refusal,
      headers,
      ifMatch: fc.option(ifMatch(), { freq: 2 }),
    })
    .map(({ id, body, role, auth, refusal, headers, ifMatch }): Plan => ({ what: 'event', method: 'POST', path: `/api/v1/applications/${pctEncode(id)}/events`, query: '', body, role, auth, refusal, headers: { ...headers, ...(ifMatch !== null ? { 'if-match': ifMatch } : {}) } }));
  // Events as their senders would send them: the type's kind of sender (the applicant, a clerk, the public), a
  // matter or none, by bearer token; refused or taken by the state machine rather than at the door.
  const senders: Record<string, readonly Role[]> = { applicant: ['citizen'], clerk: ['windowClerk', 'reviewClerk'], citizen: ['otherCitizen'], scheduler: ['windowClerk', 'citizen'], system: ['windowClerk'] };
  const aimedEvent = fc
    .constantFrom(...(Object.keys(EVENT_SENDERS) as (keyof typeof EVENT_SENDERS)[]))
    .chain((type) =>
      fc.record({
        id: target,
        type: fc.constant(type),
        role: fc.constantFrom(...EVENT_SENDERS[type].flatMap((kind) => senders[kind] ?? [])),
        matter: fc.option(fc.constantFrom(...seeded.matters), { freq: 2 }),
        data: fc.option(fc.constantFrom({ form: businessStartup.form.examples[0] }, { days: 3 }), { freq: 4 }),
        refusal,
      }),
    )
    .map(({ id, type, role, matter, data, refusal }): Plan => ({
      what: 'aimed event',
      method: 'POST',
      path: `/api/v1/applications/${pctEncode(id)}/events`,
      query: '',
      body: jsonBody(fromPlain({ type, ...(matter !== null ? { matter } : {}), ...(data !== null ? { data } : {}), comment: '经办' })),
      role,
      auth: 'bearer',
      refusal,
      headers: {},
    }));
  // A path of the API with a method it does not have.
  const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'];
  const wrongMethod = fc.constantFrom(...ROUTES).chain((route) => {
    const taken = new Set(ROUTES.filter((r) => r.path === route.path).map((r) => r.method.toUpperCase()));
    return fc.tuple(routeRequest(route), fc.constantFrom(...methods.filter((m) => !taken.has(m) && !(m === 'HEAD' && taken.has('GET'))))).map(([plan, method]): Plan => ({ ...plan, what: `${method} ${route.path}`, method }));
  });
  const oddPath = fc
    .record({
      path: fc.oneof(
        fc.constantFrom('/api/v1/applications/%ZZ', '/api/v1/applications/%', '/api/v1/%00', '/api/v1//applications', '/api/v1/applications/..%2F..%2Fusers', '/api/v2/services', '/API/V1/SERVICES', '/api/v1/services/', '/api/v1/services/%E0%A4%A', '/verify/%ZZ', '/verify/', '/.well-known/onevisit-keys.json', '/.well-known/../api/v1/services', '/favicon.ico', '/api/v1/applications/x/events/extra', '/', '/api/v1', '/api/v1/openapi.json/..', 'http://evil.example/api/v1/services', '/api/v1/certificates/%C0%AF', '/api/v1/calendar/2026/../../users'),
        hostileShortString.map((s) => `/verify/${pctEncode(s)}`),
        hostileShortString.map((s) => `/api/v1/${pctEncode(s)}`),
      ),
      method: fc.constantFrom('GET', 'POST', 'HEAD', 'PUT', 'DELETE'),
      body: bodyFor(hostileValue),
      role,
      auth,
      refusal,
      headers,
    })
    .map((p): Plan => ({ what: 'odd path', ...p, query: '' }));
  // New applications, as their citizen sends them: the events above then go to them too.
  const submission = fc.constantFrom<Role>('citizen', 'citizen', 'otherCitizen').map((role): Plan => ({ what: 'submission', method: 'POST', path: '/api/v1/applications', query: '', body: jsonBody(fromPlain(seeded.submission)), role, auth: 'bearer', refusal: 0, headers: {} }));
  const routes = ROUTES.map((route) => ({ weight: 1, arbitrary: routeRequest(route) }));
  return fc.oneof(
    { weight: routes.length, arbitrary: fc.oneof(...routes) },
    { weight: 6, arbitrary: eventRequest },
    { weight: 6, arbitrary: aimedEvent },
    { weight: 1, arbitrary: submission },
    { weight: 4, arbitrary: wrongMethod },
    { weight: 3, arbitrary: oddPath },
    { weight: 2, arbitrary: pdfVerify(seeded, role, auth, refusal, headers) },
  );
}

function pdfUpload(pdfs: Buffer[]): fc.Arbitrary<EncodedBody> {
  return mutatedPdf(pdfs).map(({ pdf, how }) => {
    const boundary = '----onevisitPdf';
    const body = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="c.pdf"\r\nContent-Type: application/pdf\r\n\r\n`), pdf, Buffer.from(`\r\n--${boundary}--\r\n`)]);
    return { headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body, how: `certificate PDF, ${how}` };
  });
}

function pdfVerify(seeded: Seeded, role: fc.Arbitrary<Role>, auth: fc.Arbitrary<Auth>, refusal: fc.Arbitrary<number>, headers: fc.Arbitrary<Record<string, string>>): fc.Arbitrary<Plan> {
  return fc.record({ body: pdfUpload(seeded.pdfs), role, auth, refusal, headers }).map((p): Plan => ({ what: 'verify a changed PDF', method: 'POST', path: '/api/v1/certificates/verify', query: '', ...p }));
}

function ifMatch(): fc.Arbitrary<string> {
  return fc.oneof(fc.nat(12).map((n) => `"${n}"`), fc.constantFrom('"abc"', 'W/"3"', '*', '"-1"', '"99999999999"', '', '3', '"1", "2"'));
}

/** Headers a hostile client adds (values a real HTTP client can send). */
function extraHeaders(): fc.Arbitrary<Record<string, string>> {
  const latin = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 });
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant({}) },
    {
      weight: 1,
      arbitrary: fc.record(
        {
          'x-forwarded-for': fc.oneof(latin, fc.constantFrom('203.0.113.7', '::1', '1.1.1.1, 2.2.2.2', 'unknown')),
          'x-csrf-token': latin,
          accept: fc.constantFrom('application/json', 'text/html', '*/*', 'application/xml', ''),
          'accept-language': fc.constantFrom('en', 'zh-Hant', 'xx', '*'),
          range: fc.constantFrom('bytes=0-10', 'bytes=-1', 'bytes=99999999-'),
          cookie: fc.constantFrom('onevisit_session=%ZZ', 'onevisit_session=', 'a=b; onevisit_session=x', '=;='),
        },
        { requiredKeys: [] },
      ),
    },
  );
}

/** Well-formed bodies per route, for the mutations to start from. */
function templates(seeded: Seeded): (route: (typeof ROUTES)[number]) => Jv {
  const bodies: Record<string, unknown> = {
    Login: { username: seeded.usernames[0], password: 'wrong horse battery' },
    Register: { username: 'hostile-registrant', password: 'a long enough password 7', name: '王小明', idNumber: makeResidentIdNumber({ birthDate: '1991-03-04', sequence: 12 }) },
    SubmitApplication: seeded.submission,
    Draft: { serviceId: 'business-startup', form: { company: { name: '兰州青禾信息技术有限公司' } }, materials: [] },
    Claim: { matter: 'license' },
    Rating: { score: 4, comment: '很好' },
    VerifyCertificate: { id: seeded.eventCertificates[0]?.id ?? 'x', signature: seeded.eventCertificates[0]?.signature ?? 'AAAA' },
    RevokeCertificate: { reason: '核查不实' },
    NewUser: { username: 'hostile-clerk', password: 'a long enough password 8', role: 'clerk', departments: ['taxation'], name: '新同事' },
    definition: businessStartup,
  };
  return (route) => {
    if (route.path === '/calendar/{year}' && route.method === 'put') return fromPlain(seeded.calendar);
    return fromPlain(bodies[route.body ?? ''] ?? {});
  };
}

/** An event of any type, with a matter, comment, items, materials and data drawn from what the services use. */
function eventBody(seeded: Seeded): fc.Arbitrary<Jv> {
  const form = fromPlain(businessStartup.form.examples[0]!);
  const claim = fc.oneof(
    fc.record({ materialId: fc.constantFrom(...seeded.materials), fileId: fc.constantFrom(...seeded.files) }),
    fc.record({ materialId: fc.constantFrom(...seeded.materials), certificateId: fc.constantFrom(...[...seeded.eventCertificates, ...seeded.witnessCertificates].map((c) => c.id)) }),
    fc.record({ materialId: fc.constantFrom(...seeded.materials), commitment: fc.constant(true) }),
  );
  const data = fc.oneof(
    mutatedBody(form).map((f) => new JObject([['form', f]])),
    fc.constant(new JObject([['form', form]])),
    hostileNumber.map((days) => new JObject([['days', days]])),
    fc.integer({ min: 1, max: 30 }).map((days) => new JObject([['days', days]])),
    hostileValue,
  );
  const event = fc
    .record(
      {
        type: fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...Object.values(EventTypes)) }, { weight: 1, arbitrary: hostileShortString }),
        matter: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...seeded.matters) }, { weight: 1, arbitrary: hostileShortString }),
        comment: hostileString,
        items: fc.array(fc.oneof(fc.constantFrom('/company/name', 'id-card', '/applicant'), hostileShortString), { maxLength: 3 }),
        materials: fc.array(claim, { maxLength: 3 }),
        data,
      },
      { requiredKeys: ['type'] },
    )
    .map((e) => {
      const entries: [string, Jv][] = [];
      for (const [key, value] of Object.entries(e)) if (value !== undefined) entries.push([key, value instanceof JObject ? value : fromPlain(value)]);
      return new JObject(entries) as Jv;
    });
  // Most of them well-formed, so that they reach the state machine: a type, the matter it decides, a comment.
  const clean = fc
    .record({ type: fc.constantFrom(...Object.values(EventTypes)), matter: fc.constantFrom(...seeded.matters), comment: fc.constantFrom('请补充', '同意', 'ok') }, { requiredKeys: ['type'] })
    .map((e) => fromPlain(e));
  return fc.oneof({ weight: 4, arbitrary: clean }, { weight: 3, arbitrary: event }, { weight: 1, arbitrary: event.chain((e) => mutatedBody(e)) });
}
