/**
 * Counter intake (窗口代录) over HTTP, on each database: a window clerk enters an application for a person who walked
 * in, by name and resident id number; reviewers, clerks of other windows and citizens are refused; the person finds it
 * theirs once they register with that id number; an account holder's wallet serves a material of an application
 * entered for them; the history and the audit trail name the clerk; the full id number is answered nowhere it was not
 * typed, and logged nowhere.
 */
import { expect } from 'chai';
import { databaseKinds } from '../support/databases.js';
import { clerksOf, openTestServer, person, tinyPdf, type Person, type TestServer } from '../support/server.js';
import { expectProblem, storedCounts } from '../support/problems.js';
import { businessStartup, exampleForm, type MaterialClaim } from '../support/businessStartup.js';
import { approveAll, definitionOf } from '../support/services.js';
import { compileDefinition } from '../../src/definitions/index.js';
import { makeResidentIdNumber, maskResidentId } from '../../src/domain/ids.js';

const PASSWORD = 'correct horse battery';
const intake = '/api/v1/intake/applications';

for (const kind of databaseKinds) {
  describe(`counter intake (${kind})`, function () {
    this.timeout(120000);
    let server: TestServer;
    let window: Person;
    let clerkOf: (department: string) => Promise<Person>;
    /** Every response body the window clerk was sent, to look for id numbers in. */
    const windowAnswers: string[] = [];
    let people = 0;

    /** A person who walked in: a name and an id number no account has. */
    const walkIn = () => ({ name: '赵建国', idNumber: makeResidentIdNumber({ birthDate: '1962-04-0' + ((++people % 9) + 1), sequence: 300 + people }) });

    /** Scans of every material of `serviceId` that applies to `form`, uploaded by the clerk (commitments ticked), but `leaveOut`. */
    async function scans(clerk: Person, serviceId: string, form: Record<string, unknown>, leaveOut: string[] = []): Promise<MaterialClaim[]> {
      const definition = definitionOf(serviceId);
      const compiled = compileDefinition(definition);
      const claims: MaterialClaim[] = [];
      for (const m of definition.materials) {
        if (leaveOut.includes(m.id) || !compiled.applies(`material:${m.id}`, form)) continue;
        if (m.commitment) claims.push({ materialId: m.id, commitment: true });
        else claims.push({ materialId: m.id, fileId: (await server.http.post('/api/v1/files').set(...clerk.auth).attach('file', tinyPdf(), `${m.id}-scan.pdf`).expect(201)).body.fileId });
      }
      return claims;
    }

    async function enter(clerk: Person, body: object, status = 201) {
      const res = await server.http.post(intake).set(...clerk.auth).send(body);
      if (clerk === window) windowAnswers.push(res.text);
      expect(res.status, res.text).to.equal(status);
      return res;
    }

    before(async () => {
      server = await openTestServer(kind);
      window = await person(server, 'clerk', ['comprehensive-window']);
      clerkOf = clerksOf(() => server);
    });
    after(async () => server?.close());

    it('enters an application for a person without an account: the window sees it, the receipt has its number and check code, the history names the clerk', async () => {
      const visitor = walkIn();
      const materials = await scans(window, businessStartup.id, exampleForm);
      const res = await enter(window, { applicant: visitor, serviceId: businessStartup.id, form: exampleForm, materials });
      const entered = res.body;
      expect(res.headers['cache-control']).to.equal('no-store');
      expect(entered.number).to.match(/^\d{8}\d{6}$|^[A-Z0-9-]+$/);
      expect(entered.checkCode).to.be.a('string').with.length(6);
      expect(entered.access).to.equal('window');
      expect(entered.status).to.equal('submitted');
      expect(entered.applicant).to.deep.equal({ name: visitor.name, idNumberMasked: maskResidentId(visitor.idNumber), hasAccount: false });
      expect(entered.timeline).to.have.length(1);
      expect(entered.timeline[0]).to.deep.include({ type: 'SUBMIT', actor: 'applicant', enteredBy: { id: window.id, name: '测试clerk' } });
      expect(entered.actions.map((a: { type: string }) => a.type)).to.include('ACCEPT');
      expect(res.text).to.not.include(visitor.idNumber);

      // The scans are the application's materials, read by the window as any applicant's upload.
      const scan = await server.http.get(`/api/v1/applications/${entered.id}/materials/articles-of-association`).set(...window.auth).buffer(true).expect(200);
      expect(scan.headers['content-type']).to.match(/^application\/pdf/);

      // The receipt's pair finds it without signing in.
      const progress = await server.http.get('/api/v1/progress').query({ number: entered.number, code: entered.checkCode }).expect(200);
      expect(progress.body.number).to.equal(entered.number);

      // The queue shows it to the window; the detail names the clerk for the window again.
      const detail = await server.http.get(`/api/v1/applications/${entered.id}`).set(...window.auth).expect(200);
      windowAnswers.push(detail.text);
      expect(detail.body.timeline[0].enteredBy).to.deep.equal({ id: window.id, name: '测试clerk' });
      const queue = await server.http.get('/api/v1/applications').set(...window.auth).expect(200);
      windowAnswers.push(queue.text);
      expect(queue.body.map((q: { id: string }) => q.id)).to.include(entered.id);

      // The audit trail: the clerk acted, for the applicant.
      const admin = await person(server, 'admin');
      const audit = await server.http.get('/api/v1/audit').query({ subjectKind: 'application', subjectId: entered.id }).set(...admin.auth).expect(200);
      const submit = (audit.body as { actor: { kind: string; id: string }; detail: { type: string; onBehalfOf?: unknown } }[]).find((e) => e.detail.type === 'SUBMIT');
      expect(submit?.actor).to.deep.equal({ kind: 'clerk', id: window.id });
      expect(submit?.detail.onBehalfOf).to.deep.equal({ kind: 'applicant', id: entered.applicantId });
      expect(audit.text).to.not.include(visitor.idNumber);
    });

    it('refuses a reviewer, a clerk of another window, a citizen and an admin, writing nothing', async () => {
      const visitor = walkIn();
      const materials = await scans(window, businessStartup.id, exampleForm);
      const body = { applicant: visitor, serviceId: businessStartup.id, form: exampleForm, materials };
      const refused = [await clerkOf('taxation'), await clerkOf('water-affairs'), await person(server, 'citizen'), await person(server, 'admin')];
      const before = await storedCounts(server);
      for (const who of refused) {
        const res = await server.http.post(intake).set(...who.auth).send(body);
        expectProblem(res, 403, 'AUTH.FORBIDDEN');
      }
      expectProblem(await server.http.post(intake).send(body), 401, 'AUTH.REQUIRED');
      expect(await storedCounts(server)).to.deep.equal(before);

      // A service whose intake is another window's: the comprehensive window does not take it in.
      const elsewhere = JSON.parse(JSON.stringify(businessStartup)) as { id: string; steps: { kind: string; window?: string }[] };
      elsewhere.id = 'business-startup-east';
      elsewhere.steps.find((s) => s.kind === 'intake')!.window = 'urban-management';
      const publisher = await person(server, 'admin');
      const published = await server.http.post('/api/v1/definitions').set(...publisher.auth).send(elsewhere);
      expect(published.status, published.text).to.equal(201);
      const counted = await storedCounts(server);
      expectProblem(await server.http.post(intake).set(...window.auth).send({ ...body, serviceId: elsewhere.id }), 403, 'AUTH.FORBIDDEN');
      const east = await clerkOf('urban-management');
      const ownFiles = await scans(east, businessStartup.id, exampleForm);
      const eastEntered = await server.http.post(intake).set(...east.auth).send({ ...body, serviceId: elsewhere.id, materials: ownFiles });
      expect(eastEntered.status, eastEntered.text).to.equal(201);
      expect((await storedCounts(server)).applications).to.equal(counted.applications + 1);
    });

    it('refuses an invalid id number and a name other than the one kept for it, without echoing the number', async () => {
      const visitor = walkIn();
      const materials = await scans(window, businessStartup.id, exampleForm);
      const wrong = `${visitor.idNumber.slice(0, 17)}${visitor.idNumber.endsWith('0') ? '1' : '0'}`;
      const invalid = await enter(window, { applicant: { ...visitor, idNumber: wrong }, serviceId: businessStartup.id, form: exampleForm, materials }, 400);
      expectProblem(invalid, 400, 'INPUT.INVALID');
      expect(invalid.body.errors).to.deep.include({ path: '/applicant/idNumber', code: 'ID_NUMBER.INVALID', message: 'not a valid 18-character resident id number (check the last character)' });
      expect(invalid.text).to.not.include(wrong);

      await enter(window, { applicant: visitor, serviceId: businessStartup.id, form: exampleForm, materials });
      const again = await scans(window, businessStartup.id, exampleForm);
      const mismatch = await enter(window, { applicant: { ...visitor, name: '赵建华' }, serviceId: businessStartup.id, form: exampleForm, materials: again }, 409);
      expectProblem(mismatch, 409, 'APPLICANT.MISMATCH');
      expect(mismatch.text).to.not.include(visitor.idNumber);
    });

    it('gives the application to the person once they register with the same id number: in their list, its detail theirs, the clerk named', async () => {
      const visitor = walkIn();
      const materials = await scans(window, businessStartup.id, exampleForm);
      const entered = (await enter(window, { applicant: visitor, serviceId: businessStartup.id, form: exampleForm, materials })).body;
      // A second one for the same person: the same record of them.
      const second = (await enter(window, { applicant: visitor, serviceId: businessStartup.id, form: exampleForm, materials: await scans(window, businessStartup.id, exampleForm) })).body;
      expect(second.applicantId).to.equal(entered.applicantId);

      const other = await person(server, 'citizen');
      expectProblem(await server.http.get(`/api/v1/applications/${entered.id}`).set(...other.auth), 404, 'APPLICATION.NOT_FOUND');
      // The window reads whom it is for, masked, without an account yet: they follow it online by registering.
      const shown = { name: visitor.name, idNumberMasked: maskResidentId(visitor.idNumber) };
      const atWindow = async () => {
        const res = await server.http.get(`/api/v1/applications/${entered.id}`).set(...window.auth).expect(200);
        windowAnswers.push(res.text);
        return res.body.applicant;
      };
      expect(await atWindow()).to.deep.equal({ ...shown, hasAccount: false });

      const username = `walkin${people}`;
      await server.http.post('/api/v1/auth/register').send({ username, password: PASSWORD, name: visitor.name, idNumber: visitor.idNumber }).expect(202);
      const login = await server.http.post('/api/v1/auth/login').send({ username, password: PASSWORD }).expect(200);
      const auth: [string, string] = ['Authorization', `Bearer ${login.body.token}`];
      const list = await server.http.get('/api/v1/applications').set(...auth).expect(200);
      expect(list.body.map((a: { id: string }) => a.id)).to.include.members([entered.id, second.id]);
      const detail = await server.http.get(`/api/v1/applications/${entered.id}`).set(...auth).expect(200);
      expect(detail.body.access).to.equal('owner');
      expect(detail.body.applicant).to.deep.equal({ ...shown, hasAccount: true });
      expect(await atWindow()).to.deep.equal({ ...shown, hasAccount: true });
      expect(detail.body.timeline[0]).to.deep.include({ type: 'SUBMIT', enteredBy: { id: window.id, name: '测试clerk' } });
      expect(detail.body.actions.map((a: { type: string }) => a.type)).to.deep.equal(['WITHDRAW']);
      // Their scans are theirs to read, and the application theirs to withdraw.
      await server.http.get(`/api/v1/applications/${entered.id}/materials/articles-of-association`).set(...auth).buffer(true).expect(200);
      await server.http.post(`/api/v1/applications/${second.id}/events`).set(...auth).send({ type: 'WITHDRAW' }).expect(200);
      // The other citizen still sees nothing of it.
      const theirs = await server.http.get('/api/v1/applications').set(...other.auth).expect(200);
      expect(theirs.body.map((a: { id: string }) => a.id)).to.not.include(entered.id);
    });

    it('enters an application for a citizen with an account: theirs at once, their wallet serving a material', async () => {
      const citizen = await person(server, 'citizen');
      // Their business licence, from a business start-up they applied for online and completed.
      const startupMaterials = [];
      for (const m of businessStartup.materials) {
        if (m.commitment) startupMaterials.push({ materialId: m.id, commitment: true });
        else startupMaterials.push({ materialId: m.id, fileId: (await server.http.post('/api/v1/files').set(...citizen.auth).attach('file', tinyPdf(), `${m.id}.pdf`).expect(201)).body.fileId });
      }
      const startup = await server.http.post('/api/v1/applications').set(...citizen.auth).send({ serviceId: businessStartup.id, form: exampleForm, materials: startupMaterials }).expect(201);
      expect(await approveAll(server, startup.body.id, clerkOf)).to.equal('completed');
      const wallet = await server.http.get('/api/v1/certificates').set(...citizen.auth).expect(200);
      const licence = wallet.body.find((c: { type: string; standing: string }) => c.type === 'business-license' && c.standing === 'valid');
      expect(licence, 'a business licence in the wallet').to.not.equal(undefined);

      const restaurant = definitionOf('restaurant-opening').form.examples![0] as Record<string, unknown>;
      // Holding a licence, the business gives its code; what a licence would register (composition, scope) is not asked.
      const { composition: _composition, businessScope: _scope, ...business } = restaurant.business as Record<string, unknown>;
      const form = { ...restaurant, businessLicenseHeld: true, business: { ...business, uscc: '91620102MA71K3P23X' } };
      const materials = await scans(window, 'restaurant-opening', form, ['business-license']);
      const res = await enter(window, { applicant: { name: '测试citizen', idNumber: citizen.idNumber }, serviceId: 'restaurant-opening', form, materials });
      expect(res.body.applicant).to.deep.equal({ name: '测试citizen', idNumberMasked: maskResidentId(citizen.idNumber!), hasAccount: true });
      expect(res.body.applicantId).to.equal(citizen.id);
      expect(res.body.materials['business-license']).to.deep.include({ source: 'certificate', certificateId: licence.id, fromWallet: true });

      const mine = await server.http.get('/api/v1/applications').set(...citizen.auth).expect(200);
      expect(mine.body.map((a: { id: string }) => a.id)).to.include(res.body.id);
      const detail = await server.http.get(`/api/v1/applications/${res.body.id}`).set(...citizen.auth).expect(200);
      expect(detail.body.access).to.equal('owner');
      expect(detail.body.timeline[0].enteredBy).to.deep.equal({ id: window.id, name: '测试clerk' });
      // The clerk typed the number; the answer does not repeat it (the form's own id numbers are the form's).
      expect(res.text).to.not.include(citizen.idNumber!);
    });

    it('keeps intake drafts for the clerk and submits one, consuming it', async () => {
      const visitor = walkIn();
      const started = await server.http.post('/api/v1/intake/drafts').set(...window.auth).send({ applicant: visitor, serviceId: businessStartup.id }).expect(201);
      windowAnswers.push(started.text);
      expect(started.body.applicant).to.deep.equal({ name: visitor.name, idNumberMasked: maskResidentId(visitor.idNumber) });
      const materials = await scans(window, businessStartup.id, exampleForm);
      const put = await server.http.put(`/api/v1/intake/drafts/${started.body.id}`).set(...window.auth).send({ serviceId: businessStartup.id, form: exampleForm, materials }).expect(200);
      windowAnswers.push(put.text);
      const listed = await server.http.get('/api/v1/intake/drafts').set(...window.auth).expect(200);
      windowAnswers.push(listed.text);
      expect(listed.body.map((d: { id: string }) => d.id)).to.include(started.body.id);
      // Not another clerk's, not a citizen's.
      expectProblem(await server.http.get(`/api/v1/intake/drafts/${started.body.id}`).set(...(await clerkOf('taxation')).auth), 404, 'DRAFT.NOT_FOUND');
      expectProblem(await server.http.get(`/api/v1/intake/drafts/${started.body.id}`).set(...(await person(server, 'citizen')).auth), 403, 'AUTH.FORBIDDEN');
      expectProblem(await server.http.get('/api/v1/drafts').set(...window.auth), 403, 'AUTH.FORBIDDEN');

      const entered = await enter(window, { draftId: started.body.id });
      expect(entered.body.applicant.name).to.equal(visitor.name);
      expectProblem(await server.http.get(`/api/v1/intake/drafts/${started.body.id}`).set(...window.auth), 404, 'DRAFT.NOT_FOUND');
      expectProblem(await server.http.post(intake).set(...window.auth).send({ draftId: started.body.id }), 404, 'DRAFT.NOT_FOUND');
    });

    it('answers the clerk no full id number of the people entered, and logs none', () => {
      const typed = server.logs.map((line) => JSON.stringify(line));
      for (let n = 1; n <= people; n++) {
        const idNumber = makeResidentIdNumber({ birthDate: '1962-04-0' + ((n % 9) + 1), sequence: 300 + n });
        for (const text of windowAnswers) expect(text.includes(idNumber), `a window answer holds ${maskResidentId(idNumber)}`).to.equal(false);
        for (const line of typed) expect(line.includes(idNumber), `a log line holds ${maskResidentId(idNumber)}`).to.equal(false);
      }
      expect(windowAnswers.length).to.be.greaterThan(5);
    });
  });
}
