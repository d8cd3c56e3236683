/**
 * The sign-in limit is one count for every instance on the database: failed sign-ins split over two instances
 * (two startOnevisit on one database, as two processes would be) are limited as if they had all gone to one.
 */
import { expect } from 'chai';
import { databaseKinds } from '../support/databases.js';
import { expectProblem } from '../support/problems.js';
import { openTestServer, person, type TestServer } from '../support/server.js';

const LIMIT = 4;

for (const kind of databaseKinds) {
  describe(`the sign-in limit shared by instances (${kind})`, function () {
    this.timeout(30_000);
    let server: TestServer;
    let second: Awaited<ReturnType<TestServer['openAnother']>>;
    before(async () => {
      server = await openTestServer(kind, { loginAttempts: LIMIT });
      second = await server.openAnother();
    });
    after(async () => server?.close());

    it('failed sign-ins alternating between two instances are refused after the limit on both', async () => {
      const citizen = await person(server, 'citizen');
      const instances = [server.http, second.http];
      for (let i = 0; i < LIMIT; i++) {
        expectProblem(await instances[i % 2]!.post('/api/v1/auth/login').send({ username: citizen.username, password: `wrong ${i}` }), 401, 'AUTH.INVALID_CREDENTIALS');
      }
      // Each instance has seen only LIMIT / 2 failures itself.
      for (const http of instances) {
        expectProblem(await http.post('/api/v1/auth/login').send({ username: citizen.username, password: 'correct horse battery' }), 429, 'AUTH.RATE_LIMITED');
      }
      // Another account at the same address is not held up.
      const colleague = await person(server, 'clerk', ['comprehensive-window']);
      await second.http.post('/api/v1/auth/login').send({ username: colleague.username, password: 'correct horse battery' }).expect(200);
    });

    it('failures sent to both instances at once are all counted', async () => {
      const citizen = await person(server, 'citizen');
      const attempts = await Promise.all(
        Array.from({ length: 3 * LIMIT }, (_, i) => [server.http, second.http][i % 2]!.post('/api/v1/auth/login').send({ username: citizen.username, password: `wrong ${i}` })),
      );
      const statuses = attempts.map((res) => res.status);
      expect(statuses.filter((s) => s === 401)).to.have.length(LIMIT);
      expect(statuses.filter((s) => s === 429)).to.have.length(2 * LIMIT);
    });

    it('a successful sign-in is not counted, on either instance', async () => {
      const citizen = await person(server, 'citizen'); // signed in once already
      for (let i = 0; i < 2 * LIMIT; i++) {
        await [server.http, second.http][i % 2]!.post('/api/v1/auth/login').send({ username: citizen.username, password: 'correct horse battery' }).expect(200);
      }
    });

    it('the count is kept under the address and a hash of the username, never the username itself', async () => {
      const citizen = await person(server, 'citizen');
      await second.http.post('/api/v1/auth/login').send({ username: citizen.username.toUpperCase(), password: 'wrong' }).expect(401);
      await server.http.post('/api/v1/auth/login').send({ username: citizen.username, password: 'wrong' }).expect(401);
      const rows = await server.onevisit.db('rate_limits').select('key', 'hits');
      expect(rows.length).to.be.greaterThan(0);
      for (const row of rows) {
        expect(String(row.key)).to.match(/^login:/);
        expect(String(row.key).toLowerCase()).to.not.contain(citizen.username.toLowerCase());
      }
      // The same name in another case is the same account, so the same count.
      expect(rows.map((r) => Number(r.hits))).to.include(2);
    });
  });
}
