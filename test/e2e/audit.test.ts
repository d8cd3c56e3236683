/**
 * The audit trail through HTTP on each database: a whole start-a-business lifecycle leaves its submission,
 * every event, the sign-ins (a failed one too), the publications, account and calendar changes and the
 * certificates issued, verified, revoked and reissued in one hash chain; so do claims and releases of tasks,
 * ratings, commitments confirmed and refuted, sign-outs, accounts disabled and enabled and effects retried, each
 * once per change and none for a refusal; GET /audit filters and pages it for admins; `onevisit audit verify` (a
 * child process on the test database) passes it whole and names the row after an edit or a deletion; two
 * instances append to one chain; no full id number, no token and no free text of a person's is in it.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect } from 'chai';
import { AuditKinds } from '../../src/domain/audit.js';
import { makeResidentIdNumber } from '../../src/domain/ids.js';
import { verifyAuditChain } from '../../src/store/audit.js';
import { createOutboxStore, projectRoot } from '../../src/store/index.js';
import { databaseKinds, postgresUrl, type DatabaseKind } from '../support/databases.js';
import { openTestServer, person, type Person, type TestServer } from '../support/server.js';
import { expectProblem } from '../support/problems.js';
import { failedEffect } from '../support/effects.js';
import { act, businessStartup, exampleForm, materialsFor, matters, submitBusinessStartup } from '../support/businessStartup.js';

const PASSWORD = 'correct horse battery';
const START = new Date('2026-03-02T02:00:00.000Z'); // a Monday, 10:00 China Standard Time

interface Entry {
  seq: number;
  at: string;
  kind: string;
  actor: { kind: string; id: string | null };
  subject: { kind: string; id: string };
  detail: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

/** `onevisit audit verify` as a child process on the server's database. */
function auditVerify(server: TestServer, kind: DatabaseKind) {
  const env: NodeJS.ProcessEnv = { ...process.env, ONEVISIT_DATA_DIR: server.dataDir };
  delete env.ONEVISIT_DATABASE_URL;
  delete env.ONEVISIT_DATABASE_SCHEMA;
  if (kind === 'postgres') {
    env.ONEVISIT_DATABASE_URL = postgresUrl;
    env.ONEVISIT_DATABASE_SCHEMA = (server.onevisit.db.client.config.searchPath as string[])[0];
  }
  const result = spawnSync(process.execPath, [path.join(projectRoot(), 'bin', 'onevisit.js'), 'audit', 'verify', '--batch', '5'], { encoding: 'utf8', env });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Every full resident id number of the example form. */
function idNumbersIn(value: unknown): string[] {
  if (typeof value === 'string') return /^[1-8]\d{16}[\dX]$/.test(value) ? [value] : [];
  if (value && typeof value === 'object') return Object.values(value).flatMap(idNumbersIn);
  return [];
}

for (const kind of databaseKinds) {
  describe(`HTTP audit trail (${kind})`, function () {
    this.timeout(120_000);
    let server: TestServer;
    let admin: Person;
    let citizen: Person;
    let window: Person;
    const reviewers: Record<string, Person> = {};
    let application: string;
    const secrets: string[] = [];
    const idNumbers: string[] = idNumbersIn(exampleForm);

    const audit = async (query: Record<string, string | number> = {}): Promise<Entry[]> => (await server.http.get('/api/v1/audit').query(query).set(...admin.auth).expect(200)).body as Entry[];
    const everything = async (): Promise<Entry[]> => {
      const all: Entry[] = [];
      for (let before: number | undefined; ; ) {
        const page = await audit({ limit: 500, ...(before === undefined ? {} : { beforeSeq: before }) });
        all.push(...page);
        if (page.length < 500) return all.reverse();
        before = page.at(-1)!.seq;
      }
    };
    const signIn = async (role: 'citizen' | 'clerk' | 'admin', departments: string[] = []) => {
      const p = await person(server, role, departments);
      secrets.push(p.token, p.csrfToken);
      if (p.idNumber) idNumbers.push(p.idNumber);
      return p;
    };
    /** Accepts the application, approves each pending matter and works off the outbox until it is completed. */
    const complete = async (id: string, applicant: Person) => {
      await act(server, window, id, { type: 'ACCEPT' });
      const detail = await server.http.get(`/api/v1/applications/${id}`).set(...window.auth).expect(200);
      for (const [matter, state] of Object.entries(detail.body.matters as Record<string, string>)) {
        if (state === 'pending') await act(server, reviewers[matter]!, id, { type: 'APPROVE', matter });
      }
      for (let i = 0; ; i++) {
        const now = await server.http.get(`/api/v1/applications/${id}`).set(...applicant.auth).expect(200);
        if (now.body.status === 'completed') return;
        if (i > 100) throw new Error(`the application did not complete: ${now.body.status}`);
        await server.onevisit.outboxWorker.pollOnce();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };

    before(async () => {
      server = await openTestServer(kind, { now: START });
      admin = await signIn('admin');
      citizen = await signIn('citizen');
      window = await signIn('clerk', ['comprehensive-window']);
      for (const [id, matter] of Object.entries(matters)) reviewers[id] = await signIn('clerk', [matter.department]);

      // Failed sign-ins: a wrong password, an unknown username, and a username that is someone's id number.
      await server.http.post('/api/v1/auth/login').send({ username: citizen.username, password: 'not the password at all' }).expect(401);
      await server.http.post('/api/v1/auth/login').send({ username: 'nobody-here', password: PASSWORD }).expect(401);
      await server.http.post('/api/v1/auth/login').send({ username: citizen.idNumber, password: PASSWORD }).expect(401);
      // Self-registration, and an attempt with an id number that has an account.
      const registered = makeResidentIdNumber({ birthDate: '1988-08-08', sequence: 321 });
      idNumbers.push(registered);
      await server.http.post('/api/v1/auth/register').send({ username: 'audit-registrant', password: PASSWORD, name: '李娜', idNumber: registered }).expect(202);
      await server.http.post('/api/v1/auth/register').send({ username: 'audit-impostor', password: PASSWORD, name: '李娜', idNumber: registered }).expect(202);

      // An admin publishes a service (twice: the second is the same content, no new version), adds an account, saves a calendar.
      await server.http.post('/api/v1/definitions').set(...admin.auth).send({ ...businessStartup, id: 'audit-probe' }).expect(201);
      await server.http.post('/api/v1/definitions').set(...admin.auth).send({ ...businessStartup, id: 'audit-probe' }).expect(201);
      const added = makeResidentIdNumber({ birthDate: '1977-07-07', sequence: 77 });
      idNumbers.push(added);
      await server.http.post('/api/v1/users').set(...admin.auth).send({ username: 'audit-added', password: PASSWORD, role: 'citizen', name: '张伟', idNumber: added }).expect(201);
      const calendar = await server.http.get('/api/v1/calendar/2026').set(...admin.auth).expect(200);
      await server.http.put('/api/v1/calendar/2026').set(...admin.auth).send(calendar.body).expect(200);

      // The lifecycle, a day later.
      server.clock.now = new Date(START.getTime() + 86_400_000);
      application = await submitBusinessStartup(server, citizen, await materialsFor(server, citizen));
      await complete(application, citizen);
    });
    after(async () => server?.close());

    it('holds the submission, every event, the sign-ins and failed ones, the publications, accounts, calendar and certificates', async () => {
      const all = await everything();
      const of = (k: string) => all.filter((e) => e.kind === k);

      const events = all.filter((e) => e.kind === AuditKinds.applicationEvent && e.subject.id === application);
      const timeline = (await server.http.get(`/api/v1/applications/${application}`).set(...citizen.auth).expect(200)).body.timeline as { type: string }[];
      expect(events.map((e) => e.detail.type)).to.deep.equal(timeline.map((t) => t.type));
      expect(events[0]!.detail).to.deep.include({ type: 'SUBMIT', seq: 1, status: 'submitted', service: `${businessStartup.id}@1` });
      expect(events[0]!.actor).to.deep.equal({ kind: 'applicant', id: citizen.id });
      expect(events.find((e) => e.detail.type === 'ACCEPT')!.actor).to.deep.equal({ kind: 'clerk', id: window.id });
      const approvals = events.filter((e) => e.detail.type === 'APPROVE');
      expect(approvals.map((e) => e.detail.matter).sort()).to.deep.equal(Object.keys(matters).filter((m) => approvals.some((a) => a.detail.matter === m)).sort());
      for (const a of approvals) expect(a.actor.id).to.equal(reviewers[a.detail.matter as string]!.id);
      expect(events.at(-1)!.detail).to.include({ type: 'CERTIFICATES_ISSUED', status: 'completed' });

      const signIns = of(AuditKinds.signIn);
      for (const p of [admin, citizen, window, ...Object.values(reviewers)]) expect(signIns.some((e) => e.subject.id === p.id && e.actor.id === p.id), p.username).to.equal(true);
      const failed = of(AuditKinds.signInFailed);
      expect(failed.map((e) => [e.subject.kind, e.detail.reason])).to.deep.equal([
        ['user', 'wrong-password'],
        ['username', 'unknown-user'],
        ['username', 'unknown-user'],
      ]);
      expect(failed[0]!.subject.id).to.equal(citizen.id);
      expect(failed.every((e) => e.actor.kind === 'anonymous' && e.actor.id === null)).to.equal(true);

      const publications = of(AuditKinds.definitionPublished);
      expect(publications.filter((e) => e.subject.id === 'audit-probe@1').map((e) => e.actor)).to.deep.equal([{ kind: 'admin', id: admin.id }]);
      expect(publications.some((e) => e.subject.id === `${businessStartup.id}@1` && e.actor.kind === 'system' && e.actor.id === 'catalog')).to.equal(true);
      expect(publications.some((e) => e.subject.id.startsWith('audit-probe@2'))).to.equal(false);

      expect(of(AuditKinds.userRegistered).map((e) => e.detail.result)).to.deep.equal(['created', 'refused']);
      expect(of(AuditKinds.userAdded).map((e) => [e.actor.id, e.detail.username])).to.deep.equal([[admin.id, 'audit-added']]);
      expect(of(AuditKinds.calendarSaved).map((e) => [e.subject.id, e.actor.id])).to.deep.equal([['2026', admin.id]]);

      const wallet = (await server.http.get('/api/v1/certificates').set(...citizen.auth).expect(200)).body as { id: string; applicationId: string }[];
      const issued = wallet.filter((c) => c.applicationId === application).map((c) => c.id);
      expect(issued.length).to.be.greaterThan(0);
      expect(of(AuditKinds.certificateIssued).map((e) => e.subject.id).sort()).to.deep.equal([...issued].sort());

      expect((await verifyAuditChain(server.onevisit.db)).ok).to.equal(true);
    });

    it('records certificate verifications, revocations and reissues', async () => {
      const wallet = (await server.http.get('/api/v1/certificates').set(...citizen.auth).expect(200)).body as { id: string; applicationId: string; issuer: string; signature: string }[];
      const [first, second] = wallet.filter((c) => c.applicationId === application);
      expect(second, 'two certificates to work with').to.not.equal(undefined);
      await server.http.post('/api/v1/certificates/verify').send({ id: first!.id, signature: first!.signature }).expect(200);
      await server.http.post('/api/v1/certificates/verify').send({ id: citizen.idNumber }).expect(200);
      const issuerClerk = async (issuer: string) => signIn('clerk', [issuer]);
      await server.http.post(`/api/v1/certificates/${first!.id}/revoke`).set(...(await issuerClerk(first!.issuer)).auth).send({ reason: `登记信息有误 ${citizen.idNumber}` }).expect(200);
      const reissuer = await issuerClerk(second!.issuer);
      const reissued = await server.http.post(`/api/v1/certificates/${second!.id}/reissue`).set(...reissuer.auth).expect(201);

      const verified = await audit({ kind: AuditKinds.certificateVerified });
      expect(verified.map((e) => [e.subject.id, e.detail.result])).to.deep.equal([
        ['unknown', 'unknown'],
        [first!.id, 'valid'],
      ]);
      const revoked = await audit({ kind: AuditKinds.certificateRevoked });
      expect(revoked.map((e) => e.subject.id)).to.deep.equal([first!.id]);
      const reissues = await audit({ subjectKind: 'certificate', subjectId: second!.id });
      expect(reissues[0]).to.deep.include({ kind: AuditKinds.certificateReissued, actor: { kind: 'clerk', id: reissuer.id } });
      expect(reissues[0]!.detail.replacement).to.equal(reissued.body.id);
      expect(reissues.at(-1)!.kind).to.equal(AuditKinds.certificateIssued);
      expect((await verifyAuditChain(server.onevisit.db)).ok).to.equal(true);
    });

    it('records claims and releases, ratings, commitments confirmed and refuted, sign-outs, accounts disabled and enabled and effect retries: once per change, none for a refusal', async () => {
      const since = (await audit({ limit: 1 }))[0]!.seq;
      const added = (kind: string) => audit({ kind, afterSeq: since });
      const postCheck = 'postcheck:premises-commitment';
      const checker = await signIn('clerk', ['market-regulation']);
      const on = (id: string) => `/api/v1/applications/${id}`;

      // The completed application's post-check: taken, taken again (already the clerk's), given back, taken, found true.
      await server.http.post(`${on(application)}/claim`).set(...checker.auth).send({}).expect(200);
      await server.http.post(`${on(application)}/claim`).set(...checker.auth).send({}).expect(200);
      await server.http.post(`${on(application)}/release`).set(...checker.auth).send({}).expect(200);
      expectProblem(await server.http.post(`${on(application)}/release`).set(...checker.auth).send({}), 409, 'TASK.NOT_CLAIMED');
      await server.http.post(`${on(application)}/claim`).set(...checker.auth).send({}).expect(200);
      await server.http.post(`${on(application)}/materials/premises-commitment/confirm`).set(...checker.auth).expect(200);
      expectProblem(await server.http.post(`${on(application)}/materials/premises-commitment/confirm`).set(...checker.auth), 409, 'TRANSITION.NOT_ALLOWED');
      const task = { task: postCheck, department: 'market-regulation' };
      expect((await added(AuditKinds.taskClaimed)).map((e) => [e.subject, e.actor, e.detail])).to.deep.equal(
        Array.from({ length: 2 }, () => [{ kind: 'application', id: application }, { kind: 'clerk', id: checker.id }, task]),
      );
      expect((await added(AuditKinds.taskReleased)).map((e) => [e.subject, e.actor, e.detail])).to.deep.equal([[{ kind: 'application', id: application }, { kind: 'clerk', id: checker.id }, task]]);
      expect((await added(AuditKinds.commitmentConfirmed)).map((e) => [e.subject.id, e.actor.id, e.detail])).to.deep.equal([[application, checker.id, { material: 'premises-commitment', task: postCheck }]]);

      // The applicant rates it, once: the score is kept, the comment's text is not.
      const comment = '窗口办得快 rating-comment-text';
      await server.http.post(`${on(application)}/rating`).set(...citizen.auth).send({ score: 5, comment }).expect(201);
      expectProblem(await server.http.post(`${on(application)}/rating`).set(...citizen.auth).send({ score: 1 }), 409, 'RATING.NOT_ALLOWED');
      expect((await added(AuditKinds.applicationRated)).map((e) => [e.subject.id, e.actor, e.detail])).to.deep.equal([[application, { kind: 'citizen', id: citizen.id }, { score: 5, commented: true }]]);

      // Another completed application's commitment found false: its certificates revoked, the finding recorded once.
      const other = await signIn('citizen');
      const second = await submitBusinessStartup(server, other, await materialsFor(server, other));
      await complete(second, other);
      const reason = `现场核查不符 ${other.idNumber}`;
      const refuted = await server.http.post(`${on(second)}/materials/premises-commitment/refute`).set(...checker.auth).send({ reason }).expect(200);
      const revoked = (refuted.body.revoked as { id: string }[]).map((c) => c.id);
      expect(revoked.length).to.be.greaterThan(0);
      // Found false again: no task left and nothing valid left to revoke, so nothing changed and nothing is recorded.
      expect((await server.http.post(`${on(second)}/materials/premises-commitment/refute`).set(...checker.auth).send({ reason: '复查' }).expect(200)).body.revoked).to.deep.equal([]);
      expectProblem(await server.http.post(`${on(second)}/materials/premises-commitment/confirm`).set(...checker.auth), 409, 'TRANSITION.NOT_ALLOWED');
      expect((await added(AuditKinds.commitmentRefuted)).map((e) => [e.subject.id, e.actor.id, e.detail])).to.deep.equal([[second, checker.id, { material: 'premises-commitment', task: postCheck, revoked }]]);
      expect((await added(AuditKinds.commitmentConfirmed)).length).to.equal(1);
      expect((await added(AuditKinds.certificateRevoked)).map((e) => e.subject.id).sort()).to.deep.equal([...revoked].sort());

      // A sign-out, once: the session it ended is gone, so its token opens nothing the second time.
      const leaving = await signIn('citizen');
      await server.http.post('/api/v1/auth/logout').set(...leaving.auth).expect(204);
      expectProblem(await server.http.post('/api/v1/auth/logout').set(...leaving.auth), 401, 'AUTH.REQUIRED');
      expect((await added(AuditKinds.signOut)).map((e) => [e.subject, e.actor])).to.deep.equal([[{ kind: 'user', id: leaving.id }, { kind: 'citizen', id: leaving.id }]]);

      // An admin disables and enables that account; disabling their own is refused and recorded nowhere.
      await server.http.post(`/api/v1/users/${leaving.id}/disable`).set(...admin.auth).expect(200);
      await server.http.post(`/api/v1/users/${leaving.id}/enable`).set(...admin.auth).expect(200);
      expectProblem(await server.http.post(`/api/v1/users/${admin.id}/disable`).set(...admin.auth), 409, 'USER.OWN_ACCOUNT');
      for (const kind of [AuditKinds.userDisabled, AuditKinds.userEnabled]) {
        expect((await added(kind)).map((e) => [e.subject, e.actor, e.detail]), kind).to.deep.equal([[{ kind: 'user', id: leaving.id }, { kind: 'admin', id: admin.id }, { username: leaving.username }]]);
      }

      // An effect that gave up, put back to work by an admin; retrying it again is refused and recorded nowhere.
      const effect = await failedEffect(server, second);
      await server.http.post(`/api/v1/effects/${encodeURIComponent(effect)}/retry`).set(...admin.auth).expect(200);
      expectProblem(await server.http.post(`/api/v1/effects/${encodeURIComponent(effect)}/retry`).set(...admin.auth), 409, 'EFFECT.NOT_FAILED');
      expect((await audit({ subjectKind: 'effect', subjectId: effect })).map((e) => [e.kind, e.actor, e.detail])).to.deep.equal([
        [AuditKinds.effectRetried, { kind: 'admin', id: admin.id }, { application: second, effect: 'issueCertificates', attempts: 8 }],
      ]);
      expect((await added(AuditKinds.effectRetried)).length).to.equal(1);
      // Left failed again: the made-up effect is not for another instance to carry out.
      await createOutboxStore(server.onevisit.db).fail(effect, 'Error: left failed by the test', null, server.clock.now);

      // Nothing of the comment or the reason, and the chain still whole.
      const rows = (await server.onevisit.db('audit').where('seq', '>', since).select()) as Record<string, unknown>[];
      for (const row of rows) {
        const text = Object.values(row).map(String).join('\u0000');
        for (const words of [comment, 'rating-comment-text', reason, '现场核查不符']) expect(text.includes(words), `audit row ${String(row.seq)} holds "${words}"`).to.equal(false);
      }
      expect((await verifyAuditChain(server.onevisit.db)).ok).to.equal(true);
      const verified = auditVerify(server, kind);
      expect(verified.code, verified.stderr).to.equal(0);
    });

    it('filters by subject, actor, kind and period, newest first, paged by limit/offset and seq', async () => {
      const byApplication = await audit({ subjectKind: 'application', subjectId: application });
      expect(byApplication.length).to.be.greaterThan(3);
      expect(byApplication.every((e) => e.subject.id === application)).to.equal(true);
      const seqs = byApplication.map((e) => e.seq);
      expect(seqs).to.deep.equal([...seqs].sort((a, b) => b - a));
      expect(byApplication.at(-1)!.detail.type).to.equal('SUBMIT');

      const byActor = await audit({ actorId: window.id });
      expect(byActor.length).to.be.greaterThan(0);
      expect(byActor.every((e) => e.actor.id === window.id)).to.equal(true);
      expect((await audit({ actorKind: 'anonymous', kind: AuditKinds.signInFailed })).length).to.equal(3);

      // The first day held the sign-ins and the admin's work; the lifecycle came the next day (China Standard Time).
      const firstDay = await audit({ from: '2026-03-02', to: '2026-03-02', limit: 500 });
      expect(firstDay.some((e) => e.kind === AuditKinds.signInFailed)).to.equal(true);
      expect(firstDay.some((e) => e.kind === AuditKinds.applicationEvent)).to.equal(false);
      const secondDay = await audit({ from: '2026-03-03T00:00:00+08:00', limit: 500 });
      expect(secondDay.some((e) => e.subject.id === application)).to.equal(true);
      expect(secondDay.every((e) => e.at >= '2026-03-02T16:00:00.000Z')).to.equal(true);

      const page1 = await audit({ limit: 3 });
      const page2 = await audit({ limit: 3, offset: 3 });
      const cursor = await audit({ limit: 3, beforeSeq: page1.at(-1)!.seq });
      expect(page2.map((e) => e.seq)).to.deep.equal(cursor.map((e) => e.seq));
      expect(page1[0]!.seq - page2.at(-1)!.seq).to.equal(5);
      const newer = await audit({ afterSeq: page2[0]!.seq });
      expect(newer.map((e) => e.seq)).to.deep.equal(page1.map((e) => e.seq));

      expectProblem(await server.http.get('/api/v1/audit').query({ from: '2026-03-03', to: '2026-03-02' }).set(...admin.auth), 400, 'INPUT.INVALID');
      expectProblem(await server.http.get('/api/v1/audit').query({ limit: 'lots' }).set(...admin.auth), 400, 'INPUT.INVALID');
      expectProblem(await server.http.get('/api/v1/audit').query({ subjectKind: 'password' }).set(...admin.auth), 400, 'INPUT.INVALID');
      expectProblem(await server.http.get('/api/v1/audit').set(...citizen.auth), 403, 'AUTH.FORBIDDEN');
    });

    it('keeps no full resident id number and no token in any audit row', async () => {
      const rows = (await server.onevisit.db('audit').select()) as Record<string, unknown>[];
      expect(rows.length).to.be.greaterThan(20);
      expect(idNumbers.length).to.be.greaterThan(5);
      const sessions = (await server.onevisit.db('sessions').select('token_hash')) as { token_hash: string }[];
      const forbidden = [...new Set([...idNumbers, ...idNumbers.map((n) => n.toLowerCase()), ...secrets, ...sessions.map((s) => s.token_hash), PASSWORD])];
      for (const row of rows) {
        const text = Object.values(row).map(String).join('\u0000');
        for (const secret of forbidden) expect(text.includes(secret), `audit row ${String(row.seq)} holds ${secret.slice(0, 6)}…`).to.equal(false);
      }
      const registered = (await audit({ kind: AuditKinds.userRegistered })).find((e) => e.detail.result === 'created')!;
      expect(registered.detail.idNumberMasked).to.match(/^\d{6}\*{8}\d{3}[\dX]$/);
    });

    it('is passed whole by `onevisit audit verify`, which names the row after an edit or a deletion', async () => {
      const whole = auditVerify(server, kind);
      expect(whole.code, whole.stderr).to.equal(0);
      expect(whole.stdout).to.match(/the audit trail is whole: \d+ rows/);

      const db = server.onevisit.db;
      const picked = (await db('audit').where({ kind: AuditKinds.applicationEvent }).orderBy('seq').offset(2).first('seq')) as { seq: number | string };
      const seq = Number(picked.seq);
      const original = (await db('audit').where({ seq }).first()) as Record<string, unknown>;
      for (const [column, value] of Object.entries({ at: '2026-01-01T00:00:00.000Z', kind: 'calendar.save', actor_kind: 'admin', actor_id: admin.id, subject_kind: 'user', subject_id: citizen.id, detail: '{"type":"REJECT"}', prev_hash: '0'.repeat(64), hash: 'a'.repeat(64) })) {
        await db('audit').where({ seq }).update({ [column]: value });
        const result = await verifyAuditChain(db);
        expect(result, column).to.deep.include({ ok: false, seq });
        await db('audit').where({ seq }).update({ [column]: original[column] });
      }
      await db('audit').where({ seq }).update({ detail: '{"type":"REJECT"}' });
      const edited = auditVerify(server, kind);
      expect(edited.code).to.equal(1);
      expect(edited.stderr).to.include(`broken at seq ${seq} (edited)`);
      await db('audit').where({ seq }).update({ detail: original.detail });

      await db('audit').where({ seq }).delete();
      const deleted = auditVerify(server, kind);
      expect(deleted.code).to.equal(1);
      expect(deleted.stderr).to.include(`broken at seq ${seq} (missing)`);
      await db('audit').insert(original);
      expect(auditVerify(server, kind).code).to.equal(0);
    });

    it('writes one unbroken chain when two instances append at once', async () => {
      const other = await server.openAnother();
      const others: Person[] = [];
      for (let i = 0; i < 3; i++) others.push(await signIn('citizen'));
      const materials = await Promise.all(others.map((p) => materialsFor(server, p)));
      const before = Number((await server.onevisit.db('audit').count({ n: '*' }).first())!.n);
      const through = (i: number) => (i % 2 === 0 ? server.http : other.http);
      await Promise.all(
        others.flatMap((p, i) => [
          ...Array.from({ length: 4 }, (_, k) =>
            through(i + k).post('/api/v1/applications').set(...p.auth).send({ serviceId: businessStartup.id, form: exampleForm, materials: materials[i] }).expect(201),
          ),
          ...Array.from({ length: 3 }, (_, k) => through(i + k + 1).post('/api/v1/auth/login').send({ username: p.username, password: PASSWORD }).expect(200)),
          ...Array.from({ length: 2 }, (_, k) => through(i + k).post('/api/v1/auth/login').send({ username: p.username, password: 'wrong wrong wrong' }).expect(401)),
        ]),
      );
      const after = Number((await server.onevisit.db('audit').count({ n: '*' }).first())!.n);
      expect(after - before).to.equal(others.length * (4 + 3 + 2));
      const result = await verifyAuditChain(other.onevisit.db, { batchSize: 4 });
      expect(result).to.deep.include({ ok: true, rows: after });
    });
  });
}
