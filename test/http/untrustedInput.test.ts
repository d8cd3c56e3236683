/**
 * What an outside probe (and the hostile-request suite after it) found, kept fixed, on each database: JSON nested
 * too deep refused in linear time before any other work (sign-in included); a number JSON cannot carry, a lone
 * surrogate and U+0000 refused; a sign-in whose username is not a string refused as input, not a 500; an uploaded
 * certificate whose record nests 30,000 deep or holds 1e999 answered `tampered`; an upload multer cannot read
 * refused as malformed; the request log's path as the client sent it; X-Forwarded-For ignored unless the proxies
 * are configured.
 */
import { expect } from 'chai';
import { databaseKinds } from '../support/databases.js';
import { expectProblem } from '../support/problems.js';
import { openTestServer, person, type TestServer } from '../support/server.js';
import { businessStartup } from '../support/businessStartup.js';

const nestedArray = (depth: number, inner = '0') => `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;
const nestedObject = (depth: number) => `${'{"a":'.repeat(depth)}0${'}'.repeat(depth)}`;

/** A PDF-looking file embedding `payload` as the onevisit record attachment, as embedded.ts writes it. */
function pdfEmbedding(payload: string): Buffer {
  const data = Buffer.from(payload, 'utf8');
  return Buffer.concat([
    Buffer.from(`%PDF-1.7\n1 0 obj\n<< /Type /EmbeddedFile /Subtype /application#2Fjson /Length ${data.length} >>\nstream\n`, 'latin1'),
    data,
    Buffer.from('\nendstream\nendobj\ntrailer\n<< >>\n%%EOF\n', 'latin1'),
  ]);
}

for (const kind of databaseKinds) {
  describe(`untrusted input over HTTP (${kind})`, function () {
    this.timeout(60000);
    let server: TestServer;
    before(async () => {
      server = await openTestServer(kind, { loginAttempts: 3 });
    });
    after(async () => server?.close());

    const json = (method: 'post' | 'put', path: string, body: string) => server.http[method](path).set('Content-Type', 'application/json').send(body);

    describe('deep JSON', () => {
      it('refuses a body nested deeper than 64 with 400 REQUEST.TOO_DEEP on any route, before sign-in', async () => {
        for (const [method, path] of [['post', '/api/v1/auth/login'], ['post', '/api/v1/applications'], ['put', '/api/v1/calendar/2026'], ['post', '/api/v1/definitions/validate'], ['post', '/api/v1/no-such-route']] as const) {
          expectProblem(await json(method, path, `{"username":${nestedArray(64)}}`), 400, 'REQUEST.TOO_DEEP');
          expectProblem(await json(method, path, nestedObject(65)), 400, 'REQUEST.TOO_DEEP');
        }
      });

      it('takes a body nested 64 deep on to validation; brackets inside strings do not count', async () => {
        expectProblem(await json('post', '/api/v1/auth/login', `{"username":${nestedArray(63)}}`), 400, 'INPUT.INVALID');
        expectProblem(await json('post', '/api/v1/auth/login', nestedObject(64)), 400, 'INPUT.INVALID');
        const bracketsInStrings = JSON.stringify({ username: `"\\${'['.repeat(40)}`, password: `${'{'.repeat(100)}\\"[` });
        expectProblem(await json('post', '/api/v1/auth/login', bracketsInStrings), 401, 'AUTH.INVALID_CREDENTIALS');
        // The reserved-key check still reaches the deepest level allowed.
        const reserved = `${'{"a":'.repeat(63)}{"__proto__":1}${'}'.repeat(63)}`;
        const res = await json('post', '/api/v1/auth/login', reserved);
        expectProblem(res, 400, 'INPUT.INVALID');
        expect(res.body.errors[0].code).to.equal('INPUT.RESERVED_KEY');
        expect(res.body.errors[0].path).to.equal(`${'/a'.repeat(63)}/__proto__`);
      });

      it('answers 40 bodies nested 6,500 deep at once within seconds, and 7,000 or 100,000 deep is no 500', async () => {
        const started = Date.now();
        const answers = await Promise.all(Array.from({ length: 40 }, () => json('post', '/api/v1/auth/login', `{"username":${nestedArray(6500)},"password":"x"}`)));
        for (const res of answers) expectProblem(res, 400, 'REQUEST.TOO_DEEP');
        // The probe measured 14.5 s for these; a linear scan takes milliseconds.
        expect(Date.now() - started, 'ms for 40 deep bodies').to.be.below(3000);
        expectProblem(await json('post', '/api/v1/auth/login', nestedObject(7000)), 400, 'REQUEST.TOO_DEEP');
        expectProblem(await json('post', '/api/v1/auth/login', nestedArray(100_000)), 400, 'REQUEST.TOO_DEEP');
        await server.http.post('/api/v1/auth/login').send({ username: 'nobody', password: 'x' }).expect(401);
      });
    });

    it('refuses a number JSON cannot carry (1e999 parses to Infinity) anywhere in a body with 400, naming its place', async () => {
      const admin = await person(server, 'admin');
      // In a definition, a default nothing type-checks: canonicalising it for the hash threw (a 500).
      const definition = JSON.stringify(businessStartup).replace('"title":"注册资本（万元）"', '"title":"注册资本（万元）","default":1e999');
      for (const path of ['/api/v1/definitions/validate', '/api/v1/definitions']) {
        const res = await json('post', path, definition).set(...admin.auth);
        expectProblem(res, 400, 'INPUT.INVALID');
        expect(res.body.errors[0]).to.include({ code: 'INPUT.NUMBER_RANGE', path: '/form/properties/company/properties/registeredCapital/default' });
      }
      for (const literal of ['1e999', '-1e400', `1${'0'.repeat(400)}`]) {
        const res = await json('post', '/api/v1/auth/login', `{"username":"a","password":"b","n":[0,${literal}]}`);
        expectProblem(res, 400, 'INPUT.INVALID');
        expect(res.body.errors[0]).to.include({ code: 'INPUT.NUMBER_RANGE', path: '/n/1' });
      }
    });

    it('refuses a lone surrogate anywhere in a body (a string or a property name) with 400, naming its place', async () => {
      const admin = await person(server, 'admin');
      // In a definition's title: canonicalising it for the hash threw (a 500).
      const definition = JSON.stringify({ ...businessStartup, title: { ...(businessStartup as unknown as { title: object }).title, en: 'Start \ud800' } });
      for (const path of ['/api/v1/definitions/validate', '/api/v1/definitions']) {
        const res = await json('post', path, definition).set(...admin.auth);
        expectProblem(res, 400, 'INPUT.INVALID');
        expect(res.body.errors[0]).to.include({ code: 'INPUT.UNICODE', path: '/title/en' });
      }
      const key = await json('post', '/api/v1/auth/login', '{"username":"a","password":"b","\\udc00x":1}');
      expectProblem(key, 400, 'INPUT.INVALID');
      expect(key.body.errors[0]).to.include({ code: 'INPUT.UNICODE', path: '/\udc00x' });
      // Well-formed pairs are text like any other.
      expectProblem(await json('post', '/api/v1/auth/login', JSON.stringify({ username: '𓀀😀', password: 'x' })), 401, 'AUTH.INVALID_CREDENTIALS');
      // A certificate record with one was never signed.
      const pdf = pdfEmbedding('{"record":{"id":"x","holderName":"\\ud800"},"keyId":"k","signature":"AAAA"}');
      expect((await server.http.post('/api/v1/certificates/verify').attach('file', pdf, 'lone.pdf').expect(200)).body).to.deep.equal({ status: 'tampered' });
    });

    it('refuses U+0000 anywhere in a body\'s text with 400 INPUT.NUL_CHARACTER, as in a URL', async () => {
      // A revoke reason with one reached a PostgreSQL text column: "invalid byte sequence for encoding UTF8: 0x00", a 500.
      const clerk = await person(server, 'clerk', ['market-regulation']);
      for (const [path, body, at] of [
        ['/api/v1/certificates/00000000-0000-4000-8000-000000000000/revoke', { reason: 'a\u0000b' }, '/reason'],
        ['/api/v1/auth/login', { username: 'x', password: 'y\u0000' }, '/password'],
        ['/api/v1/applications/00000000-0000-4000-8000-000000000000/events', { type: 'REJECT', comment: 'ok', data: { 'k\u0000': 1 } }, '/data/k\u0000'],
      ] as const) {
        const res = await server.http.post(path).set(...clerk.auth).send(body);
        expectProblem(res, 400, 'INPUT.INVALID');
        expect(res.body.errors[0]).to.include({ code: 'INPUT.NUL_CHARACTER', path: at });
      }
    });

    it('refuses a sign-in whose username or password is not a string with 400 INPUT.INVALID', async () => {
      for (const body of [{ username: { toString: 1 }, password: 'x' }, { username: { valueOf: 1, toString: 1 }, password: 'x' }, { username: ['admin'], password: 'x' }, { username: null, password: 'x' }, { username: 'admin', password: { toString: 1 } }, { username: 7 }]) {
        expectProblem(await server.http.post('/api/v1/auth/login').send(body), 400, 'INPUT.INVALID');
      }
      // Input refused as input is not a sign-in attempt: the limit (3) is untouched.
      const citizen = await person(server, 'citizen');
      for (let i = 0; i < 5; i++) expectProblem(await server.http.post('/api/v1/auth/login').send({ username: citizen.username, password: { toString: i } }), 400, 'INPUT.INVALID');
      await server.http.post('/api/v1/auth/login').send({ username: citizen.username, password: 'correct horse battery' }).expect(200);
    });

    it('answers an uploaded certificate whose record nests 30,000 deep, or holds 1e999, as tampered, without a 500', async () => {
      const record = `{"id":"00000000-0000-4000-8000-000000000000","fields":{"a":${nestedArray(30_000)}}}`;
      const pdf = pdfEmbedding(`{"record":${record},"keyId":"k-0000000000000000","signature":"AAAA"}`);
      const res = await server.http.post('/api/v1/certificates/verify').attach('file', pdf, 'deep.pdf');
      expect(res.status, res.text).to.equal(200);
      expect(res.body).to.deep.equal({ status: 'tampered' });
      const text = await server.http.post('/api/v1/certificates/verify').attach('file', pdfEmbedding(`{"record":{"id":${nestedArray(30_000, '"x"')}},"keyId":"k","signature":"AAAA"}`), 'deep.pdf');
      expect(text.status, text.text).to.equal(200);
      expect(text.body).to.deep.equal({ status: 'tampered' });
      // 1e999 parses to Infinity, which canonical JSON cannot write: no record we signed holds it.
      const huge = await server.http.post('/api/v1/certificates/verify').attach('file', pdfEmbedding('{"record":{"id":"x","fields":{"n":1e999}},"keyId":"k","signature":"AAAA"}'), 'huge.pdf');
      expect(huge.status, huge.text).to.equal(200);
      expect(huge.body).to.deep.equal({ status: 'tampered' });
    });

    it('refuses an upload multer cannot read (a part without a field name, one cut short) with 400 INPUT.INVALID', async () => {
      const citizen = await person(server, 'citizen');
      const part = (name: string, end = '--\r\n') => Buffer.from(`--xx\r\nContent-Disposition: form-data; name="${name}"; filename="m.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n\r\n--xx${end}`);
      for (const body of [part(''), part('file', ''), part('file').subarray(0, 60)]) {
        for (const path of ['/api/v1/files', '/api/v1/certificates/verify']) {
          expectProblem(await server.http.post(path).set(...citizen.auth).set('Content-Type', 'multipart/form-data; boundary=xx').send(body), 400, 'INPUT.INVALID');
        }
      }
    });

    it('logs each request under the path it was sent to, /api/v1 included, never its query string', async () => {
      const citizen = await person(server, 'citizen');
      const from = server.logs.length;
      await server.http.get('/api/v1/services?code=SECRET-CHECK-CODE').expect(200);
      await server.http.get('/api/v1/services/business-startup').expect(200);
      await server.http.get('/api/v1/applications?status=submitted').set(...citizen.auth).expect(200);
      await server.http.post('/api/v1/certificates/verify?code=SECRET-CHECK-CODE').send({ id: 'nope' }).expect(200);
      await server.http.get('/api/v1/no-such-route?code=SECRET-CHECK-CODE').expect(404);
      await server.http.get('/verify/nope?code=SECRET-CHECK-CODE').expect(404);
      const lines = server.logs.slice(from).filter((line) => line.msg === 'request');
      expect(lines.map((line) => `${line.method} ${line.path} ${line.status}`)).to.deep.equal([
        'GET /api/v1/services 200',
        'GET /api/v1/services/business-startup 200',
        'GET /api/v1/applications 200',
        'POST /api/v1/certificates/verify 200',
        'GET /api/v1/no-such-route 404',
        'GET /verify/nope 404',
      ]);
      expect(JSON.stringify(server.logs)).to.not.include('SECRET-CHECK-CODE');
    });

    it('ignores X-Forwarded-For by default: failed sign-ins from one connection are limited whatever address they claim', async () => {
      const citizen = await person(server, 'citizen');
      for (let i = 0; i < 3; i++) {
        expectProblem(await server.http.post('/api/v1/auth/login').set('X-Forwarded-For', `203.0.113.${i + 1}`).send({ username: citizen.username, password: 'wrong' }), 401, 'AUTH.INVALID_CREDENTIALS');
      }
      expectProblem(await server.http.post('/api/v1/auth/login').set('X-Forwarded-For', '203.0.113.99').send({ username: citizen.username, password: 'wrong' }), 429, 'AUTH.RATE_LIMITED');
    });

    it('takes the client address from X-Forwarded-For when the proxy is trusted (trustProxy: loopback)', async () => {
      const proxied = await openTestServer(kind, { loginAttempts: 3, http: { trustProxy: 'loopback' } });
      try {
        const citizen = await person(proxied, 'citizen');
        for (let i = 0; i < 5; i++) {
          expectProblem(await proxied.http.post('/api/v1/auth/login').set('X-Forwarded-For', `203.0.113.${i + 1}`).send({ username: citizen.username, password: 'wrong' }), 401, 'AUTH.INVALID_CREDENTIALS');
        }
        for (let i = 0; i < 3; i++) await proxied.http.post('/api/v1/auth/login').set('X-Forwarded-For', '198.51.100.7').send({ username: citizen.username, password: 'wrong' }).expect(401);
        expectProblem(await proxied.http.post('/api/v1/auth/login').set('X-Forwarded-For', '198.51.100.7').send({ username: citizen.username, password: 'wrong' }), 429, 'AUTH.RATE_LIMITED');
      } finally {
        await proxied.close();
      }
    });
  });
}
