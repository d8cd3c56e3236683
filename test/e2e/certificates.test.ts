/**
 * Certificates end to end over HTTP: issued on completion into the wallet, rendered as a PDF whose text and QR
 * code read back, verified by id, by page and by upload (tampered, revoked, expired, unknown), reused as a
 * material without an upload (免提交), and a character no font has refused before anything is issued.
 */
import { expect } from 'chai';
import { databaseKinds } from '../support/databases.js';
import { openTestServer, person, type Person, type TestServer, clerksOf, binaryBody } from '../support/server.js';
import { approveAll, definitionOf, submitWithFiles } from '../support/services.js';
import { hasPoppler, pdfQr, pdfText } from '../support/poppler.js';

/** The PDF with `from` replaced by `to` (same length) inside the embedded record. */
function alter(pdf: Buffer, from: string, to: string): Buffer {
  const text = pdf.toString('latin1');
  const at = text.indexOf(Buffer.from(from, 'utf8').toString('latin1'), text.indexOf('"record"') - 2000);
  expect(at, `"${from}" in the PDF`).to.be.greaterThan(-1);
  return Buffer.concat([pdf.subarray(0, at), Buffer.from(to, 'utf8'), pdf.subarray(at + Buffer.byteLength(from))]);
}

for (const kind of databaseKinds) {
  describe(`certificates over HTTP (${kind})`, function () {
    this.timeout(60000);
    let server: TestServer;
    let citizen: Person;
    const clerkOf = clerksOf(() => server);
    let license: { id: string; signature: string; keyId: string; holderId: string; holderName: string; applicationId: string };
    let licensePdf: Buffer;

    before(async () => {
      server = await openTestServer(kind, { now: new Date('2026-11-02T02:00:00Z') });
      citizen = await person(server, 'citizen');
      const startup = definitionOf('business-startup');
      const submitted = await submitWithFiles(server, citizen, 'business-startup', startup.form.examples![0]!);
      expect(await approveAll(server, submitted.id, clerkOf)).to.equal('completed');
      const wallet = await server.http.get('/api/v1/certificates').set(...citizen.auth).expect(200);
      const listed = wallet.body.find((c: { type: string }) => c.type === 'business-license');
      expect(listed, 'a business licence in the wallet').to.not.equal(undefined);
      license = (await server.http.get(`/api/v1/certificates/${listed.id}`).set(...citizen.auth).expect(200)).body;
      licensePdf = (await server.http.get(`/api/v1/certificates/${license.id}/pdf`).set(...citizen.auth).buffer(true).parse(binaryBody as never).expect(200).expect('content-type', /application\/pdf/)).body as Buffer;
    });
    after(async () => server.close());

    it('issues one certificate per approved matter that declares one, into the holder’s wallet', async () => {
      const wallet = await server.http.get('/api/v1/certificates').set(...citizen.auth).expect(200);
      const types = wallet.body.map((c: { type: string }) => c.type).sort();
      expect(types).to.include.members(['business-license', 'seal-filing-record', 'tax-registration-record']);
      expect(new Set(wallet.body.map((c: { id: string }) => c.id)).size).to.equal(wallet.body.length);
      // The licence registers a new company: it holds them under the code the market regulator assigned.
      expect(license.holderName).to.equal('兰州青禾信息技术有限公司');
      expect(license.holderId).to.match(/^91620100[0-9A-HJ-NPQRTUWXY]{10}$/);
      const company = wallet.body.filter((c: { applicationId: string }) => c.applicationId === license.applicationId);
      expect(new Set(company.map((c: { holderId: string }) => c.holderId))).to.deep.equal(new Set([license.holderId]));
    });

    it('renders the PDF with the Chinese title and the company, and a QR code of the verify page', function () {
      if (!hasPoppler) this.skip();
      const text = pdfText(licensePdf).replace(/\s+/g, '');
      expect(text).to.include('营业执照');
      expect(text).to.include('兰州青禾信息技术有限公司');
      expect(text).to.include(license.holderId);
      expect(pdfQr(licensePdf)).to.equal(`http://localhost:3000/verify/${license.id}`);
    });

    it('verifies by id and signature, by the public page, and by the uploaded PDF', async () => {
      const byId = await server.http.post('/api/v1/certificates/verify').send({ id: license.id, signature: license.signature }).expect(200);
      expect(byId.body.status).to.equal('valid');
      expect(byId.body.certificate.holderNameMasked).to.not.include('citizen');
      const page = await server.http.get(`/verify/${license.id}`).expect(200).expect('content-type', /html/);
      expect(page.text).to.include('有效');
      expect(page.text).to.not.include('测试citizen');
      const upload = await server.http.post('/api/v1/certificates/verify').attach('file', licensePdf, 'licence.pdf').expect(200);
      expect(upload.body.status).to.equal('valid');
      const keys = await server.http.get('/.well-known/onevisit-keys.json').expect(200);
      expect(keys.body.keys.map((k: { kid: string }) => k.kid)).to.include(license.keyId);
    });

    it('says tampered for one changed byte of the embedded record, of the signature, or of a field', async () => {
      const record = JSON.parse(JSON.stringify(license));
      const changedName = alter(licensePdf, `"holderName":"${license.holderName}"`, `"holderName":"${license.holderName.slice(0, -1)}N"`);
      expect((await server.http.post('/api/v1/certificates/verify').attach('file', changedName, 'x.pdf').expect(200)).body.status).to.equal('tampered');
      const field = Object.values(record.fields as Record<string, unknown>).find((v): v is string => typeof v === 'string' && v.length >= 2)!;
      const changedField = alter(licensePdf, `"${field}"`, `"${field.slice(1, 2)}${field.slice(0, 1)}${field.slice(2)}"`);
      expect((await server.http.post('/api/v1/certificates/verify').attach('file', changedField, 'x.pdf').expect(200)).body.status).to.equal('tampered');
      const sig = license.signature;
      const flipped = sig.slice(0, 10) + (sig[10] === 'A' ? 'B' : 'A') + sig.slice(11);
      expect((await server.http.post('/api/v1/certificates/verify').send({ id: license.id, signature: flipped }).expect(200)).body.status).to.equal('tampered');
      const changedSignature = alter(licensePdf, sig.slice(0, 16), flipped.slice(0, 16));
      expect((await server.http.post('/api/v1/certificates/verify').attach('file', changedSignature, 'x.pdf').expect(200)).body.status).to.equal('tampered');
    });

    it('says unknown for an id never issued, and refuses a file that is not a certificate PDF with a 4xx', async () => {
      expect((await server.http.post('/api/v1/certificates/verify').send({ id: '00000000-0000-4000-8000-000000000000' }).expect(200)).body.status).to.equal('unknown');
      await server.http.get('/verify/00000000-0000-4000-8000-000000000000').expect(404);
      const random = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251));
      const refused = await server.http.post('/api/v1/certificates/verify').attach('file', random, 'random.pdf');
      expect(refused.status).to.be.within(400, 499);
      expect(refused.headers['content-type']).to.match(/problem\+json/);
    });

    it('says revoked once the issuing department revokes it, and superseded after a reissue', async () => {
      const wallet = await server.http.get('/api/v1/certificates').set(...citizen.auth).expect(200);
      const tax = wallet.body.find((c: { type: string }) => c.type === 'tax-registration-record');
      const seal = wallet.body.find((c: { type: string }) => c.type === 'seal-filing-record');
      await server.http.post(`/api/v1/certificates/${tax.id}/revoke`).set(...(await clerkOf('taxation')).auth).send({ reason: '登记信息有误' }).expect(200);
      expect((await server.http.post('/api/v1/certificates/verify').send({ id: tax.id }).expect(200)).body.status).to.equal('revoked');
      const reissued = await server.http.post(`/api/v1/certificates/${seal.id}/reissue`).set(...(await clerkOf('public-security')).auth).expect(201);
      expect(reissued.body.id).to.not.equal(seal.id);
      expect((await server.http.post('/api/v1/certificates/verify').send({ id: seal.id }).expect(200)).body.status).to.equal('superseded');
      expect((await server.http.post('/api/v1/certificates/verify').send({ id: reissued.body.id }).expect(200)).body.status).to.equal('valid');
    });

    it('says expired past validUntil (the talent card is valid three years)', async () => {
      const talent = definitionOf('talent-medical-card');
      const app = await submitWithFiles(server, citizen, 'talent-medical-card', talent.form.examples![0]!);
      expect(await approveAll(server, app.id, clerkOf)).to.equal('in_notice');
      server.clock.now = new Date('2026-11-20T02:00:00Z');
      expect(await server.onevisit.scheduler.pollOnce()).to.equal(1);
      expect(await approveAll(server, app.id, clerkOf)).to.equal('completed');
      const wallet = await server.http.get('/api/v1/certificates').set(...citizen.auth).expect(200);
      const card = wallet.body.find((c: { type: string }) => c.type === 'talent-medical-card');
      expect((await server.http.post('/api/v1/certificates/verify').send({ id: card.id }).expect(200)).body.status).to.equal('valid');
      if (hasPoppler) {
        // The card is the holder's own: the PDF prints the holder's name.
        const pdf = (await server.http.get(`/api/v1/certificates/${card.id}/pdf`).set(...citizen.auth).buffer(true).parse(binaryBody as never).expect(200)).body as Buffer;
        const text = pdfText(pdf).replace(/\s+/g, '');
        expect(text).to.include('高层次人才就医服务保障卡');
        expect(text).to.include('测试citizen');
      }
      server.clock.now = new Date(new Date(card.validUntil).getTime() + 1000);
      expect((await server.http.post('/api/v1/certificates/verify').send({ id: card.id }).expect(200)).body.status).to.equal('expired');
      server.clock.now = new Date('2026-11-20T02:00:00Z');
    });

    it('takes a birth medical certificate from the wallet for the newborn bundle, without an upload, and counts it as no-submit', async () => {
      const newborn = definitionOf('newborn');
      const [first, second] = [newborn.form.examples![0]!, newborn.form.examples![1]!];
      expect(first.birthCertificateIssued).to.equal(false);
      const parent = await person(server, 'citizen');
      const born = await submitWithFiles(server, parent, 'newborn', first);
      expect(await approveAll(server, born.id, clerkOf)).to.equal('completed');
      const wallet = await server.http.get('/api/v1/certificates').set(...parent.auth).expect(200);
      const birth = wallet.body.find((c: { type: string }) => c.type === 'birth-medical-certificate');
      expect(birth, 'the first bundle issued a birth medical certificate').to.not.equal(undefined);

      const again = await submitWithFiles(server, parent, 'newborn', { ...second, baby: { ...(second.baby as object), hospitalRecordNumber: birth.holderId } }, ['birth-medical-certificate']);
      expect(again.materials['birth-medical-certificate']).to.deep.include({ source: 'certificate', certificateId: birth.id, fromWallet: true });
      const admin = await person(server, 'admin');
      const metrics = await server.http.get('/api/v1/metrics').set(...admin.auth).expect(200);
      expect(metrics.body.materials.noSubmit).to.be.greaterThan(0);
      expect(metrics.body.noSubmitRate).to.be.greaterThan(0);
    });

    it('refuses a holder name with a character no certificate font can draw, naming it, and stores nothing', async () => {
      const newborn = definitionOf('newborn');
      const form = newborn.form.examples![0]!;
      const before = (await server.onevisit.db('applications').count({ n: '*' }))[0]!.n;
      const refused = await submitWithFiles(server, citizen, 'newborn', { ...form, baby: { ...(form.baby as object), name: '张𠀀' } }, [], 422);
      expect(refused.code).to.equal('CERTIFICATE.GLYPH_MISSING');
      expect(refused.detail).to.include('U+20000');
      expect(refused.detail).to.include('/form/baby/name');
      expect((await server.onevisit.db('applications').count({ n: '*' }))[0]!.n).to.equal(before);
    });

    it('refuses a supplement whose corrected form holds a character no certificate font can draw, as at submission', async () => {
      const startup = definitionOf('business-startup');
      const form = startup.form.examples![0]!;
      const app = await submitWithFiles(server, citizen, 'business-startup', form);
      const events = `/api/v1/applications/${app.id}/events`;
      await server.http.post(events).set(...(await clerkOf('comprehensive-window')).auth).send({ type: 'REQUEST_SUPPLEMENT', items: ['/company/name'], comment: '名称不清' }).expect(200);
      const asked = (await server.http.get(`/api/v1/applications/${app.id}`).set(...citizen.auth).expect(200)).body;
      // 𓀀 (U+13000) in the company name: printed on the licence, the tax and seal records and as their holder.
      const refused = await server.http.post(events).set(...citizen.auth).send({ type: 'SUPPLEMENT', data: { form: { ...form, company: { ...(form.company as object), name: '兰州𓀀信息技术有限公司' } } } });
      expect(refused.status, refused.text).to.equal(422);
      expect(refused.headers['content-type']).to.match(/^application\/problem\+json/);
      expect(refused.body.code).to.equal('CERTIFICATE.GLYPH_MISSING');
      expect(refused.body.detail).to.include('U+13000');
      expect(refused.body.detail).to.include('/data/form/company/name');
      const after = (await server.http.get(`/api/v1/applications/${app.id}`).set(...citizen.auth).expect(200)).body;
      expect([after.version, after.status, after.form.company.name]).to.deep.equal([asked.version, asked.status, form.company && (form.company as { name: string }).name]);
      // A drawable correction goes through.
      await server.http.post(events).set(...citizen.auth).send({ type: 'SUPPLEMENT', data: { form: { ...form, company: { ...(form.company as object), name: '兰州青禾软件有限公司' } } } }).expect(200);
    });

    it('answers a certificate read the database cannot serve with a 500, never as CERTIFICATE.NOT_FOUND', async () => {
      const db = server.onevisit.db;
      const clerk = await clerkOf('market-regulation');
      // The table out of reach, as in an outage: every reader's lookup fails.
      await db.schema.renameTable('certificates', 'certificates_out_of_reach');
      try {
        for (const [who, path] of [[citizen, ''], [citizen, '/pdf'], [clerk, ''], [clerk, '/pdf']] as const) {
          const res = await server.http.get(`/api/v1/certificates/${license.id}${path}`).set(...who.auth);
          expect(res.status, res.text).to.equal(500);
          expect(res.headers['content-type']).to.match(/^application\/problem\+json/);
          expect(res.body.code).to.equal('INTERNAL');
        }
        const revoke = await server.http.post(`/api/v1/certificates/${license.id}/revoke`).set(...clerk.auth).send({ reason: '登记信息有误' });
        expect([revoke.status, revoke.body.code]).to.deep.equal([500, 'INTERNAL']);
      } finally {
        await db.schema.renameTable('certificates_out_of_reach', 'certificates');
      }
      await server.http.get(`/api/v1/certificates/${license.id}`).set(...citizen.auth).expect(200);
    });
  });
}
