/**
 * Bad input through HTTP, on each database: every refusal is a 4xx problem+json with a code from the
 * registry (never a 500), and a refused request stores nothing — no row, no blob. The logs never carry a
 * full resident id number or a bearer token.
 */
import { expect } from 'chai';
import type { Response } from 'supertest';
import { databaseKinds } from '../support/databases.js';
import { openTestServer, person, tinyPdf, tinyPng, type Person, type TestServer } from '../support/server.js';
import { expectProblem, storedCounts } from '../support/problems.js';
import { act, businessStartup, exampleForm, materialsFor, submitBusinessStartup, type MaterialClaim } from '../support/businessStartup.js';

/** Resident id numbers of the example form: none may reach a log line. */
const FORM_ID_NUMBERS = [...JSON.stringify(exampleForm).matchAll(/"idNumber":"([0-9X]{18})"/g)].map((m) => m[1]!);

/** The example form with the applicant's id number given a wrong check character. */
function formWithBadIdNumber(): Record<string, unknown> {
  const applicant = exampleForm.applicant as { idNumber: string };
  const last = applicant.idNumber.at(-1) === '0' ? '1' : '0';
  return { ...exampleForm, applicant: { ...applicant, idNumber: `${applicant.idNumber.slice(0, 17)}${last}` } };
}

for (const kind of databaseKinds) {
  describe(`HTTP bad input (${kind})`, function () {
    this.timeout(60000);
    let server: TestServer;
    let citizen: Person;
    let clerk: Person;
    let admin: Person;
    let materials: MaterialClaim[];

    before(async () => {
      server = await openTestServer(kind);
      citizen = await person(server, 'citizen');
      clerk = await person(server, 'clerk', ['comprehensive-window']);
      admin = await person(server, 'admin');
      materials = await materialsFor(server, citizen);
    });
    after(async () => server?.close());

    /** Sends the request and expects the problem, with every table and the blob directory as they were. */
    async function refusedUnchanged(send: () => PromiseLike<Response>, status: number, code: string): Promise<Response> {
      const before = await storedCounts(server);
      const res = await send();
      expectProblem(res, status, code);
      expect(await storedCounts(server), `${status} ${code} stored nothing`).to.deep.equal(before);
      return res;
    }

    const submit = () => server.http.post('/api/v1/applications').set(...citizen.auth);

    describe('JSON bodies', () => {
      it('refuses malformed JSON with 400 REQUEST.MALFORMED', async () => {
        await refusedUnchanged(() => submit().set('Content-Type', 'application/json').send('{"serviceId": "business-startup", "form": {'), 400, 'REQUEST.MALFORMED');
        await refusedUnchanged(() => submit().set('Content-Type', 'application/json').send('"just a string"'), 400, 'REQUEST.MALFORMED');
      });

      it('refuses wrong types with 400 INPUT.INVALID naming each field', async () => {
        const res = await refusedUnchanged(() => submit().send({ serviceId: 5, form: 'x', materials }), 400, 'INPUT.INVALID');
        const paths = (res.body.errors as { path: string }[]).map((e) => e.path);
        expect(paths).to.include.members(['/serviceId', '/form']);
        await refusedUnchanged(() => submit().send([]), 400, 'INPUT.INVALID');
        await refusedUnchanged(() => submit().send({ serviceId: businessStartup.id, form: null, materials }), 400, 'INPUT.INVALID');
        await refusedUnchanged(() => submit().set('Content-Type', 'text/plain').send('serviceId=business-startup'), 400, 'INPUT.INVALID');
        await refusedUnchanged(() => submit().send({ serviceId: businessStartup.id, form: exampleForm, materials: [{ materialId: 'id-card', fileId: 7 }] }), 400, 'INPUT.INVALID');
      });

      it('refuses unknown fields with 400, in submissions, events, ratings and sign-in', async () => {
        const res = await refusedUnchanged(() => submit().send({ serviceId: businessStartup.id, form: exampleForm, materials, priority: 'urgent' }), 400, 'INPUT.INVALID');
        expect(JSON.stringify(res.body.errors)).to.include('priority');
        const id = await submitBusinessStartup(server, citizen, materials);
        await refusedUnchanged(() => server.http.post(`/api/v1/applications/${id}/events`).set(...clerk.auth).send({ type: 'ACCEPT', skipReview: true }), 400, 'EVENT.INVALID');
        await refusedUnchanged(() => server.http.post(`/api/v1/applications/${id}/claim`).set(...clerk.auth).send({ task: 'intake' }), 400, 'INPUT.INVALID');
        await refusedUnchanged(() => server.http.post(`/api/v1/applications/${id}/rating`).set(...citizen.auth).send({ score: 6 }), 400, 'INPUT.INVALID');
        await refusedUnchanged(() => server.http.post('/api/v1/auth/login').send({ username: citizen.username, password: 'x', remember: true }), 400, 'INPUT.INVALID');
        await refusedUnchanged(() => server.http.post('/api/v1/users').set(...admin.auth).send({ username: 'newclerk', password: 'long enough pw', role: 'root' }), 400, 'INPUT.INVALID');
      });

      it('refuses a JSON body over 1 MiB with 413 REQUEST.TOO_LARGE', async () => {
        const big = { serviceId: businessStartup.id, form: { ...exampleForm, padding: 'x'.repeat(1024 * 1024 + 1) }, materials };
        await refusedUnchanged(() => submit().send(big), 413, 'REQUEST.TOO_LARGE');
      });

      it('refuses __proto__ and constructor keys anywhere with 400 INPUT.INVALID and their path', async () => {
        const proto = `{"serviceId":"business-startup","form":{"applicant":{"__proto__":{"isAdmin":true},"name":"王磊"}},"materials":[]}`;
        const res = await refusedUnchanged(() => submit().set('Content-Type', 'application/json').send(proto), 400, 'INPUT.INVALID');
        expect(res.body.errors).to.deep.include({ path: '/form/applicant/__proto__', code: 'INPUT.RESERVED_KEY', message: res.body.errors[0].message });
        const ctor = `{"serviceId":"business-startup","form":{"company":{"constructor":{"prototype":{"polluted":1}}}},"materials":[]}`;
        const res2 = await refusedUnchanged(() => submit().set('Content-Type', 'application/json').send(ctor), 400, 'INPUT.INVALID');
        expect(res2.body.errors[0].path).to.equal('/form/company/constructor');
        const inEvent = `{"type":"ACCEPT","data":{"__proto__":{"x":1}}}`;
        const id = await submitBusinessStartup(server, citizen, materials);
        const res3 = await refusedUnchanged(() => server.http.post(`/api/v1/applications/${id}/events`).set(...clerk.auth).set('Content-Type', 'application/json').send(inEvent), 400, 'INPUT.INVALID');
        expect(res3.body.errors[0].path).to.equal('/data/__proto__');
        expect(({} as Record<string, unknown>).isAdmin, 'no prototype was polluted').to.equal(undefined);
        expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
      });
    });

    describe('ids and routes that do not exist', () => {
      it('answers an unknown application id with 404 APPLICATION.NOT_FOUND, whatever its shape', async () => {
        for (const id of ['00000000-0000-4000-8000-000000000000', 'nope', 'x'.repeat(300), '..%2F..%2Fetc', '%E4%B8%AD', '%2500']) {
          expectProblem(await server.http.get(`/api/v1/applications/${id}`).set(...citizen.auth), 404, 'APPLICATION.NOT_FOUND');
          await refusedUnchanged(() => server.http.post(`/api/v1/applications/${id}/events`).set(...clerk.auth).send({ type: 'ACCEPT' }), 404, 'APPLICATION.NOT_FOUND');
          await refusedUnchanged(() => server.http.post(`/api/v1/applications/${id}/claim`).set(...clerk.auth).send({}), 404, 'APPLICATION.NOT_FOUND');
        }
      });

      it('answers an unknown file id with 404 FILE.NOT_FOUND, whatever its shape', async () => {
        for (const id of ['00000000-0000-4000-8000-000000000000', 'x'.repeat(300), '%E4%B8%AD']) {
          expectProblem(await server.http.get(`/api/v1/files/${id}`).set(...citizen.auth), 404, 'FILE.NOT_FOUND');
          expectProblem(await server.http.get(`/api/v1/files/${id}/content`).set(...citizen.auth), 404, 'FILE.NOT_FOUND');
        }
      });

      it('answers an unknown service with 404 SERVICE.NOT_FOUND, and stores no application for it', async () => {
        expectProblem(await server.http.get('/api/v1/services/no-such-service'), 404, 'SERVICE.NOT_FOUND');
        expectProblem(await server.http.get('/api/v1/services/x%20y'), 404, 'SERVICE.NOT_FOUND');
        await refusedUnchanged(() => submit().send({ serviceId: 'no-such-service', form: {}, materials: [] }), 404, 'SERVICE.NOT_FOUND');
        await refusedUnchanged(() => submit().send({ serviceId: businessStartup.id, version: 99, form: exampleForm, materials }), 404, 'SERVICE.NOT_FOUND');
      });

      it('refuses a NUL character in the URL with 400 INPUT.INVALID, on both databases alike', async () => {
        for (const url of ['/api/v1/applications/%00', '/api/v1/files/%00', '/api/v1/files/%00/content', '/api/v1/services/%00', '/api/v1/definitions/%00/versions', '/api/v1/applications?department=%00']) {
          const res = await server.http.get(url).set(...(url.includes('definitions') ? admin : citizen).auth);
          expectProblem(res, 400, 'INPUT.INVALID');
          expect(res.body.errors[0]).to.include({ path: '/url', code: 'INPUT.NUL_CHARACTER' });
        }
        await refusedUnchanged(() => server.http.post('/api/v1/applications/a%00b/events').set(...clerk.auth).send({ type: 'ACCEPT' }), 400, 'INPUT.INVALID');
        // A broken percent-escape is no id either.
        expectProblem(await server.http.get('/api/v1/applications/%E4%B8').set(...citizen.auth), 400, 'INPUT.INVALID');
      });

      it('answers an unknown route with 404 ROUTE.NOT_FOUND in the API; outside it, a page for browsers and problem+json for clients asking JSON', async () => {
        expectProblem(await server.http.get('/api/v1/nope'), 404, 'ROUTE.NOT_FOUND');
        expectProblem(await server.http.delete(`/api/v1/applications/anything`).set(...citizen.auth), 404, 'ROUTE.NOT_FOUND');
        expectProblem(await server.http.get('/nope').set('Accept', 'application/json'), 404, 'ROUTE.NOT_FOUND');
        // Under /api/ (another version, a typo) it is the API's answer whatever the client accepts.
        expectProblem(await server.http.get('/api/v2/services').set('Accept', 'text/html'), 404, 'ROUTE.NOT_FOUND');
        const page = await server.http.get('/nope').set('Accept', 'text/html,application/xhtml+xml,*/*;q=0.8').set('Accept-Language', 'en');
        expect(page.status).to.equal(404);
        expect(page.type).to.equal('text/html');
        expect(page.text).to.contain('Page not found');
        // A page route too: the verification page of an unknown certificate is a page for a browser only.
        expectProblem(await server.http.get('/verify/no-such-certificate').set('Accept', 'application/json'), 404, 'CERTIFICATE.NOT_FOUND');
        const unknown = await server.http.get('/verify/no-such-certificate').set('Accept', 'text/html');
        expect([unknown.status, unknown.type]).to.deep.equal([404, 'text/html']);
      });
    });

    describe('uploads and materials', () => {
      it('sniffs a PNG named .pdf as image/png, and refuses it for a PDF-only material with 422 MATERIALS.INVALID', async () => {
        const upload = await server.http.post('/api/v1/files').set(...citizen.auth).attach('file', tinyPng(), { filename: 'articles.pdf', contentType: 'application/pdf' }).expect(201);
        expect(upload.body.mediaType).to.equal('image/png');
        const index = materials.findIndex((m) => m.materialId === 'articles-of-association');
        const cited = materials.map((m, i) => (i === index ? { materialId: m.materialId, fileId: upload.body.fileId } : m));
        const res = await refusedUnchanged(() => submit().send({ serviceId: businessStartup.id, form: exampleForm, materials: cited }), 422, 'MATERIALS.INVALID');
        expect(res.body.errors.map((e: { path: string }) => e.path)).to.deep.equal([`/materials/${index}`]);
        expect(res.body.errors[0].message).to.include('image/png');
      });

      it('refuses a file that is not a PDF, JPEG or PNG with 415, storing nothing', async () => {
        const text = Buffer.from('#!/bin/sh\necho not a document\n');
        await refusedUnchanged(() => server.http.post('/api/v1/files').set(...citizen.auth).attach('file', text, { filename: 'scan.pdf', contentType: 'application/pdf' }), 415, 'FILE.TYPE_UNSUPPORTED');
        const gif = Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1');
        await refusedUnchanged(() => server.http.post('/api/v1/files').set(...citizen.auth).attach('file', gif, 'photo.png'), 415, 'FILE.TYPE_UNSUPPORTED');
      });

      it('refuses a 50 MB upload with 413 FILE.TOO_LARGE: no row in files, no blob', async () => {
        const huge = Buffer.concat([tinyPdf(), Buffer.alloc(50 * 1024 * 1024)]);
        const res = await refusedUnchanged(() => server.http.post('/api/v1/files').set(...citizen.auth).attach('file', huge, 'huge.pdf'), 413, 'FILE.TOO_LARGE');
        expect(res.body.detail).to.be.a('string');
      });

      it('refuses multipart without a file, or with the file in another field, with 400', async () => {
        await refusedUnchanged(() => server.http.post('/api/v1/files').set(...citizen.auth).field('note', 'no file here'), 400, 'FILE.MISSING');
        await refusedUnchanged(() => server.http.post('/api/v1/files').set(...citizen.auth).send({ file: 'JVBERi0xLjQK' }), 400, 'FILE.MISSING');
        await refusedUnchanged(() => server.http.post('/api/v1/files').set(...citizen.auth).attach('document', tinyPdf(), 'a.pdf'), 400, 'INPUT.INVALID');
        await refusedUnchanged(
          () => server.http.post('/api/v1/files').set(...citizen.auth).set('Content-Type', 'multipart/form-data; boundary=xyz').send('--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.4'),
          400,
          'INPUT.INVALID',
        );
      });

      it('refuses a form whose id number fails its checksum with 422 FORM.INVALID at that field', async () => {
        const res = await refusedUnchanged(() => submit().send({ serviceId: businessStartup.id, form: formWithBadIdNumber(), materials }), 422, 'FORM.INVALID');
        const paths = (res.body.errors as { path: string }[]).map((e) => e.path);
        expect(paths).to.deep.equal(['/form/applicant/idNumber']);
      });
    });

    describe('events and queries', () => {
      it('refuses an event the state does not allow with 409 TRANSITION.NOT_ALLOWED, the version unchanged', async () => {
        const id = await submitBusinessStartup(server, citizen, materials);
        await act(server, clerk, id, { type: 'ACCEPT' });
        const seen = await server.http.get(`/api/v1/applications/${id}`).set(...clerk.auth).expect(200);
        await refusedUnchanged(() => server.http.post(`/api/v1/applications/${id}/events`).set(...clerk.auth).send({ type: 'ACCEPT' }), 409, 'TRANSITION.NOT_ALLOWED');
        await refusedUnchanged(() => server.http.post(`/api/v1/applications/${id}/events`).set(...citizen.auth).send({ type: 'SUPPLEMENT', materials }), 409, 'TRANSITION.NOT_ALLOWED');
        const after = await server.http.get(`/api/v1/applications/${id}`).set(...clerk.auth).expect(200);
        expect(after.body.version).to.equal(seen.body.version);
        expect(after.body.timeline).to.deep.equal(seen.body.timeline);
      });

      it('refuses an event of an unknown type or for an unknown matter with 400, nothing stored', async () => {
        const id = await submitBusinessStartup(server, citizen, materials);
        await refusedUnchanged(() => server.http.post(`/api/v1/applications/${id}/events`).set(...clerk.auth).send({ type: 'DELETE' }), 400, 'EVENT.INVALID');
        await refusedUnchanged(() => server.http.post(`/api/v1/applications/${id}/events`).set(...clerk.auth).send({}), 400, 'EVENT.INVALID');
        await refusedUnchanged(() => server.http.post(`/api/v1/applications/${id}/events`).set(...clerk.auth).send({ type: 'ACCEPT', comment: 12 }), 400, 'EVENT.INVALID');
      });

      it('refuses an If-Match that is not a version with 400, the version unchanged', async () => {
        const id = await submitBusinessStartup(server, citizen, materials);
        for (const header of ['"abc"', 'W/"1.5"', '*', '"-1"', '"99999999999999999999"']) {
          const res = await refusedUnchanged(() => server.http.post(`/api/v1/applications/${id}/events`).set(...clerk.auth).set('If-Match', header).send({ type: 'ACCEPT' }), 400, 'INPUT.INVALID');
          expect(res.body.errors[0].path).to.equal('/headers/if-match');
        }
        const after = await server.http.get(`/api/v1/applications/${id}`).set(...clerk.auth).expect(200);
        expect(after.body.version).to.equal(1);
        expect(after.body.status).to.equal('submitted');
      });

      it('refuses query filters with bad values with 400, for citizens and clerks', async () => {
        for (const query of ['status=nope', 'limit=abc', 'limit=0', 'limit=1000', 'offset=-1', 'warning=purple', 'status=submitted&status=completed', 'sort=dueAt', 'department=Not%20An%20Id']) {
          for (const who of [citizen, clerk]) {
            const res = await server.http.get(`/api/v1/applications?${query}`).set(...who.auth);
            expectProblem(res, 400, 'INPUT.INVALID');
            expect(res.body.errors, query).to.be.an('array').that.is.not.empty;
          }
        }
        await server.http.get('/api/v1/applications?status=submitted&limit=5').set(...clerk.auth).expect(200);
      });

      it('refuses a calendar year that is not a year, and a calendar that is not one, without saving', async () => {
        expectProblem(await server.http.get('/api/v1/calendar/abcd').set(...admin.auth), 400, 'INPUT.INVALID');
        await refusedUnchanged(() => server.http.put('/api/v1/calendar/2026').set(...admin.auth).send({ year: 2026, holidays: 'none' }), 422, 'CALENDAR.INVALID');
        await refusedUnchanged(() => server.http.put('/api/v1/calendar/2026').set(...admin.auth).send([1, 2, 3]), 422, 'CALENDAR.INVALID');
      });

      it('refuses an invalid definition with 422 DEFINITION.INVALID, publishing nothing', async () => {
        await refusedUnchanged(() => server.http.post('/api/v1/definitions').set(...admin.auth).send({ ...businessStartup, id: 'broken-probe', steps: 'none' }), 422, 'DEFINITION.INVALID');
        await refusedUnchanged(() => server.http.post('/api/v1/definitions').set(...admin.auth).send('[]').set('Content-Type', 'application/json'), 422, 'DEFINITION.INVALID');
        const validated = await server.http.post('/api/v1/definitions/validate').set(...admin.auth).send({ id: 5 }).expect(200);
        expect(validated.body.valid).to.equal(false);
      });
    });

    // Last, so that it reads the log lines of every request above.
    describe('the log', () => {
      it('holds no full resident id number, bearer token or server-side failure', () => {
      const text = server.logs.map((line) => JSON.stringify(line)).join('\n');
      expect(server.logs.length, 'the requests were logged').to.be.greaterThan(50);
      const secrets = [...FORM_ID_NUMBERS, citizen.idNumber!, citizen.token, clerk.token, admin.token, citizen.csrfToken];
      for (const secret of secrets) expect(text.includes(secret), `the log holds ${secret.slice(0, 4)}…`).to.equal(false);
      expect(text, 'no request failed on our side').to.not.match(/"level":50/);
      });
    });
  });
}
