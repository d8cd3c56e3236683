/**
 * Progress lookup (办件查询) over HTTP, on each database: the check code is given once, in the answer to the
 * submission, and stored only as a hash; GET /progress answers the application's number and code without signing
 * in, with each department's part and the deadline and nothing personal; a wrong code, an unknown number and a
 * malformed one answer byte-identical 404s; wrong lookups are limited per client address and per number, found ones
 * are not counted. A receipt reprinted (by the applicant, or the window's clerk for them) carries a new code, and the
 * old one stops working; a reviewer, another citizen and an uninvolved clerk cannot reprint it.
 */
import { expect } from 'chai';
import { databaseKinds } from '../support/databases.js';
import { clerksOf, openTestServer, person, type Person, type TestServer } from '../support/server.js';
import { expectProblem } from '../support/problems.js';
import { act, businessStartup, exampleForm, materialsFor, matters } from '../support/businessStartup.js';
import { CHECK_CODE_ALPHABET } from '../../src/identity/checkCode.js';

const cst = (local: string) => new Date(`${local}+08:00`);
const CODE_SHAPE = /^[2-9A-HJKMNP-Z]{6}$/;

/** Addresses the lookups come from (X-Forwarded-For, believed from loopback in these tests): one per test unless it says. */
let addresses = 0;
const nextAddress = () => `198.51.100.${++addresses}`;

for (const kind of databaseKinds) {
  describe(`progress lookup (${kind})`, function () {
    this.timeout(60000);
    let server: TestServer;
    let citizen: Person;
    const clerkOf = clerksOf(() => server);

    before(async () => {
      server = await openTestServer(kind, { now: cst('2026-03-10T10:00:00'), http: { trustProxy: 'loopback' } });
      citizen = await person(server, 'citizen');
    });
    after(async () => server?.close());

    /** A new start-a-business application of a citizen's: the answer to its submission. */
    async function submitted(on: TestServer = server): Promise<{ id: string; number: string; checkCode: string }> {
      const applicant = on === server ? citizen : await person(on, 'citizen');
      const materials = await materialsFor(on, applicant);
      const res = await on.http.post('/api/v1/applications').set(...applicant.auth).send({ serviceId: businessStartup.id, form: exampleForm, materials }).expect(201);
      return res.body;
    }

    function lookupOn(on: TestServer, number: string, code: string, from: string) {
      return on.http.get('/api/v1/progress').query({ number, code }).set('X-Forwarded-For', from);
    }
    const lookup = (number: string, code: string, from: string) => lookupOn(server, number, code, from);

    /** Another code of the alphabet than `code`. */
    const wrong = (code: string) => code.replace(/^./, (c) => CHECK_CODE_ALPHABET[(CHECK_CODE_ALPHABET.indexOf(c) + 1) % CHECK_CODE_ALPHABET.length]!);

    it('gives the check code once, in the answer to the submission, and stores only a salted hash of it', async () => {
      const app = await submitted();
      expect(app.checkCode).to.match(CODE_SHAPE);
      expect(app.number).to.match(/^2026031000\d{4}$/);
      const detail = await server.http.get(`/api/v1/applications/${app.id}`).set(...citizen.auth).expect(200);
      expect(detail.body).to.not.have.property('checkCode');
      const list = await server.http.get('/api/v1/applications').set(...citizen.auth).expect(200);
      expect(JSON.stringify(list.body)).to.not.include(app.checkCode);
      const stored = await server.onevisit.db('application_check_codes').where({ application_id: app.id });
      expect(stored).to.have.length(1);
      expect(JSON.stringify(stored)).to.not.include(app.checkCode);
      expect(stored[0].hash).to.have.length(43);
      // Every submission draws its own code and salt.
      const other = await submitted();
      const [again] = await server.onevisit.db('application_check_codes').where({ application_id: other.id });
      expect(again.salt).to.not.equal(stored[0].salt);
    });

    it('answers status, service, each department’s part and the deadline to the number and code, without signing in', async () => {
      const app = await submitted();
      const from = nextAddress();
      const first = await lookup(app.number, app.checkCode, from).expect(200);
      expect(first.headers['cache-control']).to.equal('no-store');
      expect(first.body).to.deep.include({ number: app.number, status: 'submitted' });
      expect(first.body.service).to.deep.equal({ id: businessStartup.id, version: 1, title: (businessStartup as unknown as { title: object }).title });
      const steps = first.body.steps as { kind: string; matter?: string; department: string; state: string; at: string | null; departmentTitle: { 'zh-Hans': string } }[];
      expect(steps[0]).to.deep.include({ kind: 'intake', department: 'comprehensive-window', state: 'in_progress' });
      expect(steps[0]!.departmentTitle['zh-Hans']).to.equal('政务服务中心综合窗口');
      expect(steps.filter((s) => s.kind === 'review').map((s) => s.matter)).to.deep.equal(Object.keys(matters));
      expect(steps.filter((s) => s.kind === 'review').every((s) => s.state === 'not_started' && s.at === null)).to.equal(true);
      expect(first.body.deadline).to.deep.include({ promisedDays: 3, clock: 'idle', dueAt: null, workingDaysLeft: null, warning: 'none' });

      // Accepted on the Tuesday at 10:00, the tax registration approved an hour later.
      await act(server, await clerkOf('comprehensive-window'), app.id, { type: 'ACCEPT' });
      server.clock.now = cst('2026-03-10T11:00:00');
      await act(server, await clerkOf(matters.tax!.department), app.id, { type: 'APPROVE', matter: 'tax' });
      const later = await lookup(app.number, app.checkCode.toLowerCase().replace(/^(...)/, '$1-'), from).expect(200);
      const by = (matter: string) => (later.body.steps as typeof steps).find((s) => s.matter === matter)!;
      expect(later.body.status).to.equal('in_review');
      expect(later.body.steps[0]).to.deep.include({ state: 'approved', at: cst('2026-03-10T10:00:00').toISOString() });
      expect(by('tax')).to.deep.include({ state: 'approved', department: 'taxation', at: cst('2026-03-10T11:00:00').toISOString() });
      expect(by('license')).to.deep.include({ state: 'in_progress', department: 'market-regulation' });
      expect(later.body.deadline.clock).to.equal('running');
      expect(later.body.deadline.dueAt).to.be.a('string');
      // Accepted on a Tuesday with 3 promised working days: due on the Friday, three working days after today.
      expect(later.body.deadline).to.deep.include({ workingDaysLeft: 3, overdue: false, warning: 'none' });
      const left = 3;

      // A working day later one day fewer is left; past the deadline the count is negative and the warning red.
      server.clock.now = cst('2026-03-11T11:00:00');
      expect((await lookup(app.number, app.checkCode, from).expect(200)).body.deadline.workingDaysLeft).to.equal(left - 1);
      server.clock.now = cst('2026-03-20T12:00:00');
      expect(new Date(later.body.deadline.dueAt).getTime()).to.be.below(cst('2026-03-19T00:00:00').getTime());
      const overdue = (await lookup(app.number, app.checkCode, from).expect(200)).body.deadline;
      // Due on Friday the 13th: Monday the 16th to Friday the 20th are five working days late.
      expect(overdue).to.deep.include({ workingDaysLeft: -5, overdue: true, warning: 'red' });
      server.clock.now = cst('2026-03-10T10:00:00');
    });

    it('carries nothing personal: no form, no names, no id numbers, no comments, no account', async () => {
      const app = await submitted();
      const comment = '请补充股东会决议原件（核查编号 QX-7781）';
      await act(server, await clerkOf('comprehensive-window'), app.id, { type: 'ACCEPT' });
      await act(server, await clerkOf(matters.license!.department), app.id, { type: 'RETURN', matter: 'license', comment });
      const res = await lookup(app.number, app.checkCode, nextAddress()).expect(200);
      expect(res.body.steps.find((s: { matter?: string }) => s.matter === 'license').state).to.equal('with_applicant');
      const text = res.text;
      const applicant = exampleForm.applicant as { name: string; idNumber: string; phone: string };
      const company = exampleForm.company as { name: string; address: string };
      for (const secret of [applicant.name, applicant.idNumber, applicant.phone, company.name, company.address, citizen.id, citizen.username, citizen.idNumber!, app.id, app.checkCode, comment]) {
        expect(text, secret).to.not.include(secret);
      }
      expect(res.body).to.not.have.any.keys('form', 'materials', 'applicantId', 'timeline', 'id');
    });

    it('answers a wrong code, an unknown number and a malformed one with byte-identical 404s', async () => {
      const app = await submitted();
      const unknownNumber = `${app.number.slice(0, 8)}999999`;
      const answers = [
        await lookup(app.number, wrong(app.checkCode), nextAddress()),
        await lookup(app.number, 'AB', nextAddress()),
        await lookup(unknownNumber, app.checkCode, nextAddress()),
        await lookup('not-a-number', app.checkCode, nextAddress()),
        await lookup('', '', nextAddress()),
        await lookup(`${app.number}0`, app.checkCode, nextAddress()),
      ];
      for (const res of answers) {
        expectProblem(res, 404, 'PROGRESS.NOT_FOUND');
        expect(res.headers['cache-control']).to.equal('no-store');
        expect(res.text).to.equal(answers[0]!.text);
      }
      expect(answers[0]!.text).to.not.include(app.number);
      // The right pair still answers (the number's tries are far from used up).
      await lookup(app.number, app.checkCode, nextAddress()).expect(200);
    });

    it('answers an application submitted before check codes (none stored) as it answers an unknown number', async () => {
      // As migration 011 leaves the applications in flight: their rows and no check code.
      const earlier = await submitted();
      await server.onevisit.db('application_check_codes').where({ application_id: earlier.id }).delete();
      const unknown = await lookup(`${earlier.number.slice(0, 8)}999998`, earlier.checkCode, nextAddress());
      const before = await lookup(earlier.number, earlier.checkCode, nextAddress());
      expectProblem(before, 404, 'PROGRESS.NOT_FOUND');
      expect(before.text).to.equal(unknown.text);
      // Its applicant follows it signed in.
      await server.http.get(`/api/v1/applications/${earlier.id}`).set(...citizen.auth).expect(200);
    });

    describe('reprinting the receipt', () => {
      const reprint = (id: string, who: Person) => server.http.post(`/api/v1/applications/${id}/check-code`).set(...who.auth);

      it('gives a new check code that replaces the old one, for the applicant and for the window’s clerk; no code in the audit trail or the logs', async () => {
        const app = await submitted();
        await lookup(app.number, app.checkCode, nextAddress()).expect(200);
        const first = await reprint(app.id, citizen).expect(201);
        expect(first.headers['cache-control']).to.equal('no-store');
        expect(Object.keys(first.body)).to.deep.equal(['checkCode']);
        expect(first.body.checkCode).to.match(CODE_SHAPE);
        expectProblem(await lookup(app.number, app.checkCode, nextAddress()), 404, 'PROGRESS.NOT_FOUND');
        expect((await lookup(app.number, first.body.checkCode, nextAddress()).expect(200)).body).to.include({ number: app.number, status: 'submitted' });

        // The window reprints it for the applicant at the counter: the citizen's reprinted code stops working in turn.
        const window = await clerkOf('comprehensive-window');
        const second = await reprint(app.id, window).expect(201);
        expectProblem(await lookup(app.number, first.body.checkCode, nextAddress()), 404, 'PROGRESS.NOT_FOUND');
        await lookup(app.number, second.body.checkCode, nextAddress()).expect(200);
        expect(await server.onevisit.db('application_check_codes').where({ application_id: app.id })).to.have.length(1);

        const admin = await person(server, 'admin');
        const rows = (await server.http.get('/api/v1/audit').query({ subjectKind: 'application', subjectId: app.id, kind: 'application.check-code' }).set(...admin.auth).expect(200)).body as { actor: { kind: string; id: string } }[];
        expect(rows.map((r) => r.actor).reverse()).to.deep.equal([{ kind: 'citizen', id: citizen.id }, { kind: 'clerk', id: window.id }]);
        const trail = JSON.stringify(await server.onevisit.db('audit'));
        const logs = JSON.stringify(server.logs);
        for (const code of [app.checkCode, first.body.checkCode, second.body.checkCode]) {
          expect(trail, 'the audit trail').to.not.include(code);
          expect(logs, 'the logs').to.not.include(code);
        }
      });

      it('is refused to a reviewer (403), and to another citizen and an uninvolved clerk as for an application that does not exist (404); the code still works', async () => {
        const app = await submitted();
        expectProblem(await reprint(app.id, await clerkOf(matters.license!.department)), 403, 'AUTH.FORBIDDEN');
        const nobody = '00000000-0000-4000-8000-000000000000';
        for (const who of [await person(server, 'citizen'), await clerkOf('water-affairs')]) {
          const refused = await reprint(app.id, who);
          expectProblem(refused, 404, 'APPLICATION.NOT_FOUND');
          expect(refused.text.replaceAll(app.id, '<id>')).to.equal((await reprint(nobody, who)).text.replaceAll(nobody, '<id>'));
        }
        expectProblem(await reprint(app.id, await person(server, 'admin')), 403, 'AUTH.FORBIDDEN');
        await lookup(app.number, app.checkCode, nextAddress()).expect(200);
      });

      it('gives an application from before check codes its first one', async () => {
        const earlier = await submitted();
        await server.onevisit.db('application_check_codes').where({ application_id: earlier.id }).delete();
        const { checkCode } = (await reprint(earlier.id, citizen).expect(201)).body;
        await lookup(earlier.number, checkCode, nextAddress()).expect(200);
      });
    });

    describe('the limits on wrong lookups', () => {
      // On the real clock: express-rate-limit takes a found lookup off the count only while the window is open by
      // the process's clock, so these run at the time it is now.
      let limited: TestServer;
      before(async () => {
        limited = await openTestServer(kind, { http: { trustProxy: 'loopback', progressAttempts: 3, progressAttemptsPerNumber: 5 } });
      });
      after(async () => limited?.close());

      it('refuses a client address with 429 after 3 wrong lookups, the right pair too, while another address finds it; found lookups are not counted', async () => {
        const app = await submitted(limited);
        const mine = nextAddress();
        for (let i = 0; i < 5; i++) await lookupOn(limited, app.number, app.checkCode, mine).expect(200);
        for (let i = 0; i < 3; i++) expectProblem(await lookupOn(limited, app.number, wrong(app.checkCode), mine), 404, 'PROGRESS.NOT_FOUND');
        expectProblem(await lookupOn(limited, app.number, wrong(app.checkCode), mine), 429, 'AUTH.RATE_LIMITED');
        expectProblem(await lookupOn(limited, app.number, app.checkCode, mine), 429, 'AUTH.RATE_LIMITED');
        // The address is refused whatever it asks, another application's right pair too.
        const other = await submitted(limited);
        expectProblem(await lookupOn(limited, other.number, other.checkCode, mine), 429, 'AUTH.RATE_LIMITED');
        await lookupOn(limited, app.number, app.checkCode, nextAddress()).expect(200);
        await lookupOn(limited, other.number, other.checkCode, nextAddress()).expect(200);
      });

      it('refuses one number after 5 wrong lookups from any addresses, even to its right code; other numbers still answer', async () => {
        const app = await submitted(limited);
        for (let i = 0; i < 5; i++) expectProblem(await lookupOn(limited, app.number, wrong(app.checkCode), nextAddress()), 404, 'PROGRESS.NOT_FOUND');
        expectProblem(await lookupOn(limited, app.number, wrong(app.checkCode), nextAddress()), 429, 'AUTH.RATE_LIMITED');
        expectProblem(await lookupOn(limited, app.number, app.checkCode, nextAddress()), 429, 'AUTH.RATE_LIMITED');
        const other = await submitted(limited);
        await lookupOn(limited, other.number, other.checkCode, nextAddress()).expect(200);
        // A day later the number answers again.
        limited.clock.now = new Date(limited.clock.now.getTime() + 24 * 3600_000 + 1000);
        await lookupOn(limited, app.number, app.checkCode, nextAddress()).expect(200);
      });

      it('refuses a malformed query (a missing or repeated parameter) with 400, before counting it', async () => {
        const from = nextAddress();
        for (let i = 0; i < 4; i++) {
          expectProblem(await limited.http.get('/api/v1/progress').query({ number: '20260310000001' }).set('X-Forwarded-For', from), 400, 'INPUT.INVALID');
          expectProblem(await limited.http.get('/api/v1/progress?number=1&number=2&code=ABCDEF').set('X-Forwarded-For', from), 400, 'INPUT.INVALID');
        }
        const app = await submitted(limited);
        await lookupOn(limited, app.number, app.checkCode, from).expect(200);
      });
    });
  });
}
