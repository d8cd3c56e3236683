/**
 * Accounts through HTTP, on each database: admins disable and enable them (a disabled account's sessions end at
 * once on every instance), the password rule, and a registration that answers the same whether or not an account
 * stands in the way — told only to that account's owner — and is rate limited per client address.
 */
import { expect } from 'chai';
import { databaseKinds } from '../support/databases.js';
import { openTestServer, person, type Person, type TestServer } from '../support/server.js';
import { expectProblem, storedCounts } from '../support/problems.js';
import { makeResidentIdNumber } from '../../src/domain/ids.js';
import { REGISTRATION_ATTEMPTS } from '../../src/http/api.js';

const PASSWORD = 'correct horse battery';

let serial = 0;
/** A registration of a person of their own (one account per id number). */
function registration(overrides: Record<string, string> = {}) {
  const n = ++serial;
  return { username: `resident${n}`, password: PASSWORD, name: '陈静', idNumber: makeResidentIdNumber({ birthDate: `1980-02-${String(1 + (n % 28)).padStart(2, '0')}`, sequence: 100 + n }), ...overrides };
}

const userCount = async (server: TestServer) => Number((await server.onevisit.db('users').count({ n: '*' }).first())?.n);

for (const kind of databaseKinds) {
  describe(`HTTP accounts (${kind})`, function () {
    this.timeout(60000);
    let server: TestServer;
    let admin: Person;
    before(async () => {
      server = await openTestServer(kind);
      admin = await person(server, 'admin');
    });
    after(async () => server?.close());

    describe('disabling and enabling', () => {
      it('a disabled account cannot sign in (the answer of a wrong password), and its sessions end at once on every instance', async () => {
        const other = await server.openAnother();
        const clerk = await person(server, 'clerk', ['taxation']);
        // The other instance has just checked this session.
        await other.http.get('/api/v1/auth/me').set(...clerk.auth).expect(200);

        const disabled = await server.http.post(`/api/v1/users/${clerk.id}/disable`).set(...admin.auth).expect(200);
        expect(disabled.body).to.include({ id: clerk.id, username: clerk.username, disabled: true });
        expect(disabled.body.disabledAt).to.be.a('string');

        expectProblem(await other.http.get('/api/v1/auth/me').set(...clerk.auth), 401, 'AUTH.REQUIRED');
        expectProblem(await other.http.get('/api/v1/applications').set(...clerk.auth), 401, 'AUTH.REQUIRED');
        expectProblem(await server.http.get('/api/v1/auth/me').set(...clerk.auth), 401, 'AUTH.REQUIRED');
        const refused = await other.http.post('/api/v1/auth/login').send({ username: clerk.username, password: PASSWORD });
        const wrong = await other.http.post('/api/v1/auth/login').send({ username: clerk.username, password: 'not the password' });
        expectProblem(refused, 401, 'AUTH.INVALID_CREDENTIALS');
        expect(refused.body).to.deep.equal(wrong.body);
        expect(refused.headers['set-cookie']).to.equal(undefined);
      });

      it('GET /users shows whether each account is disabled; enabling lets it sign in again, its old sessions stay ended', async () => {
        const citizen = await person(server, 'citizen');
        await server.http.post(`/api/v1/users/${citizen.id}/disable`).set(...admin.auth).expect(200);
        const listed = await server.http.get('/api/v1/users').set(...admin.auth).expect(200);
        for (const account of listed.body) expect(account.disabled, account.username).to.be.a('boolean');
        expect(listed.body.find((a: { id: string }) => a.id === citizen.id)).to.include({ disabled: true });
        expect(listed.body.find((a: { id: string }) => a.id === admin.id)).to.include({ disabled: false, disabledAt: null });
        expect(JSON.stringify(listed.body)).to.not.contain(citizen.idNumber!);

        const enabled = await server.http.post(`/api/v1/users/${citizen.id}/enable`).set(...admin.auth).expect(200);
        expect(enabled.body).to.include({ id: citizen.id, disabled: false, disabledAt: null });
        expectProblem(await server.http.get('/api/v1/auth/me').set(...citizen.auth), 401, 'AUTH.REQUIRED');
        const login = await server.http.post('/api/v1/auth/login').send({ username: citizen.username, password: PASSWORD }).expect(200);
        await server.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${login.body.token}`).expect(200);
        // Twice is harmless, both ways.
        await server.http.post(`/api/v1/users/${citizen.id}/enable`).set(...admin.auth).expect(200);
        await server.http.post(`/api/v1/users/${citizen.id}/disable`).set(...admin.auth).expect(200);
        await server.http.post(`/api/v1/users/${citizen.id}/disable`).set(...admin.auth).expect(200);
      });

      it('an admin cannot disable their own account: 409 USER.OWN_ACCOUNT, still signed in; another admin can', async () => {
        const refused = await server.http.post(`/api/v1/users/${admin.id}/disable`).set(...admin.auth);
        expectProblem(refused, 409, 'USER.OWN_ACCOUNT');
        await server.http.get('/api/v1/users').set(...admin.auth).expect(200);
        const colleague = await person(server, 'admin');
        await server.http.post(`/api/v1/users/${colleague.id}/disable`).set(...admin.auth).expect(200);
        expectProblem(await server.http.get('/api/v1/users').set(...colleague.auth), 401, 'AUTH.REQUIRED');
      });

      it('an unknown account is 404 USER.NOT_FOUND', async () => {
        for (const action of ['disable', 'enable']) {
          for (const id of ['00000000-0000-4000-8000-000000000000', 'not-an-id', 'x'.repeat(300)]) {
            expectProblem(await server.http.post(`/api/v1/users/${id}/${action}`).set(...admin.auth), 404, 'USER.NOT_FOUND');
          }
        }
      });
    });

    describe('the password rule', () => {
      it('refuses 12345678 and a common password with 422 PASSWORD.WEAK naming /password, at registration and POST /users; nothing is created', async () => {
        const before = await storedCounts(server);
        for (const [password, code] of [['12345678', 'PASSWORD.TOO_SHORT'], ['qwertyuiop', 'PASSWORD.COMMON'], ['Password123', 'PASSWORD.COMMON']] as const) {
          const registered = await server.http.post('/api/v1/auth/register').send(registration({ password }));
          expectProblem(registered, 422, 'PASSWORD.WEAK');
          expect(registered.body.errors.map((e: { path: string; code: string }) => [e.path, e.code]), password).to.deep.equal([['/password', code]]);
          const added = await server.http.post('/api/v1/users').set(...admin.auth).send({ username: `weak${++serial}`, password, role: 'clerk', departments: ['taxation'] });
          expectProblem(added, 422, 'PASSWORD.WEAK');
          expect(added.body.errors.map((e: { path: string }) => e.path)).to.deep.equal(['/password']);
        }
        expect(await storedCounts(server)).to.deep.equal(before);
        await server.http.post('/api/v1/users').set(...admin.auth).send({ username: `strong${++serial}`, password: 'ten chars!', role: 'clerk', departments: ['taxation'] }).expect(201);
      });
    });

    describe('registration', () => {
      it('answers 202 with the same body whether or not the username or the id number has an account; only a free pair creates one', async () => {
        const first = registration();
        const created = await server.http.post('/api/v1/auth/register').send(first);
        expect(created.status).to.equal(202);
        const users = await userCount(server);

        const takenName = registration({ username: first.username.toUpperCase(), password: 'another good password' });
        const takenId = registration({ idNumber: first.idNumber });
        const answers = [created];
        for (const body of [takenName, takenId]) answers.push(await server.http.post('/api/v1/auth/register').send(body));
        for (const answer of answers) {
          expect(answer.status).to.equal(202);
          expect(answer.body).to.deep.equal(created.body);
          expect(answer.headers['content-type']).to.equal(created.headers['content-type']);
          expect(answer.headers['location']).to.equal(undefined);
          expect(answer.headers['set-cookie']).to.equal(undefined);
        }
        expect(JSON.stringify(created.body)).to.not.contain(first.username);
        expect(await userCount(server), 'nothing created for a taken username or id number').to.equal(users);

        await server.http.post('/api/v1/auth/login').send({ username: first.username, password: first.password }).expect(200);
        expectProblem(await server.http.post('/api/v1/auth/login').send({ username: takenName.username, password: takenName.password }), 401, 'AUTH.INVALID_CREDENTIALS');
        expectProblem(await server.http.post('/api/v1/auth/login').send({ username: takenId.username, password: takenId.password }), 401, 'AUTH.INVALID_CREDENTIALS');
      });

      it('tells the holder of an id number, at their next sign-in and once, that someone registered with it', async () => {
        const owner = registration();
        await server.http.post('/api/v1/auth/register').send(owner).expect(202);
        // Their first sign-in: nothing to tell.
        expect((await server.http.post('/api/v1/auth/login').send({ username: owner.username, password: owner.password }).expect(200)).body.notices).to.deep.equal([]);
        await server.http.post('/api/v1/auth/register').send(registration({ idNumber: owner.idNumber })).expect(202);
        await server.http.post('/api/v1/auth/register').send(registration({ idNumber: owner.idNumber })).expect(202);

        const told = await server.http.post('/api/v1/auth/login').send({ username: owner.username, password: owner.password }).expect(200);
        expect(told.body.notices).to.have.length(1);
        expect(told.body.notices[0]).to.include({ code: 'REGISTRATION.ID_NUMBER_USED', count: 2 });
        expect(told.body.notices[0].message).to.be.a('string').and.not.contain(owner.idNumber);
        const again = await server.http.post('/api/v1/auth/login').send({ username: owner.username, password: owner.password }).expect(200);
        expect(again.body.notices).to.deep.equal([]);
      });

      it('still refuses invalid input with the field named (which depends on the input alone)', async () => {
        const bad = await server.http.post('/api/v1/auth/register').send(registration({ idNumber: '110105199001011230' }));
        expectProblem(bad, 400, 'INPUT.INVALID');
        expect(bad.body.errors.map((e: { path: string }) => e.path)).to.deep.equal(['/idNumber']);
      });
    });

    describe('the registration limit', () => {
      let limited: TestServer;
      before(async () => {
        limited = await openTestServer(kind);
      });
      after(async () => limited?.close());

      it(`refuses the registration after ${REGISTRATION_ATTEMPTS} from one address with 429, on every instance, creating nothing; sign-in is not held up`, async () => {
        const other = await limited.openAnother();
        const instances = [limited.http, other.http];
        const citizen = await person(limited, 'citizen');
        // Every attempt counts, valid or not, on either instance.
        for (let i = 0; i < REGISTRATION_ATTEMPTS; i++) {
          const res = await instances[i % 2]!.post('/api/v1/auth/register').send(i % 5 === 0 ? registration() : { username: `probe${i}` });
          expect(res.status, `attempt ${i + 1}`).to.be.oneOf([202, 400]);
        }
        const users = await userCount(limited);
        for (const http of instances) {
          const refused = await http.post('/api/v1/auth/register').send(registration());
          expectProblem(refused, 429, 'AUTH.RATE_LIMITED');
        }
        expect(await userCount(limited)).to.equal(users);
        const rows = await limited.onevisit.db('rate_limits').select('key', 'hits');
        expect(rows.some((r) => String(r.key).startsWith('register:'))).to.equal(true);
        await other.http.post('/api/v1/auth/login').send({ username: citizen.username, password: PASSWORD }).expect(200);
      });
    });
  });
}
