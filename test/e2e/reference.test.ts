/**
 * Departments, certificate types and certificate templates kept in the database, on each database: seeded from
 * the shipped files, added and changed by admins over HTTP without a restart, in use at once on every instance
 * (a definition naming a new department publishes on another instance, a clerk account joins it), an admin's
 * edit kept across restarts, every refusal with its path, and a template's specimen PDF.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { databaseKinds } from '../support/databases.js';
import { binaryBody, openTestServer, person, type Person, type TestServer } from '../support/server.js';
import { expectProblem } from '../support/problems.js';
import { hasPoppler, pdfText } from '../support/poppler.js';
import { projectRoot } from '../../src/store/index.js';

const root = projectRoot();
const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8')) as Record<string, any>;
const shippedDepartments = (readJson('workflows/departments.json').departments as { id: string }[]).map((d) => d.id);

const heritageOffice = { id: 'heritage-office', title: { 'zh-Hans': '文物保护中心', 'zh-Hant': '文物保護中心', en: 'Heritage Protection Centre' }, kind: 'department' };
const heritagePermit = { id: 'heritage-permit', title: { 'zh-Hans': '文物修缮许可', 'zh-Hant': '文物修繕許可', en: 'Heritage repair permit' }, issuer: 'heritage-office' };
/** A new template: the talent card's layout under another name and title. */
const heritageTemplate = () => ({ ...readJson('templates/talent-medical-card.json'), id: 'heritage-permit', title: { 'zh-Hans': '文物修缮许可证', 'zh-Hant': '文物修繕許可證', en: 'Heritage Repair Permit' } });
/** The talent card's service, moved to the new department, certificate type and template. */
function heritageService() {
  const definition = readJson('workflows/talent-medical-card.json');
  definition.id = 'heritage-repair';
  for (const step of definition.steps) {
    for (const matter of step.matters ?? []) {
      if (!matter.certificate) continue;
      matter.department = 'heritage-office';
      matter.certificate.type = 'heritage-permit';
      matter.certificate.template = 'heritage-permit';
    }
  }
  return definition;
}

for (const kind of databaseKinds) {
  describe(`reference data in the database (${kind})`, function () {
    this.timeout(60000);
    let server: TestServer;
    let admin: Person;
    before(async () => {
      server = await openTestServer(kind);
      admin = await person(server, 'admin');
    });
    after(async () => server?.close());

    const put = (http: TestServer['http'], kindName: string, id: string, body: unknown, who: Person = admin) => http.put(`/api/v1/reference/${kindName}/${id}`).set(...who.auth).send(body as object);

    it('holds the shipped departments, certificate types and templates, for anyone to read', async () => {
      const res = await server.http.get('/api/v1/reference').expect(200);
      expect(res.body.departments.map((d: { id: string }) => d.id)).to.have.members(shippedDepartments);
      expect(res.body.departments[0].kind, 'windows come first').to.equal('window');
      expect(res.body.certificateTypes.map((t: { id: string }) => t.id)).to.include('business-license');
      expect(res.body.templates.map((t: { id: string }) => t.id)).to.include('talent-medical-card');
      const entry = await server.http.get('/api/v1/reference/department/taxation').set(...admin.auth).expect(200);
      expect(entry.body).to.include({ kind: 'department', id: 'taxation', revision: 1, editedBy: null });
    });

    it('refuses what is invalid with every error at its path, and anyone but an admin', async () => {
      expectProblem(await put(server.http, 'certificate-type', 'heritage-permit', heritagePermit), 422, 'REFERENCE.INVALID');
      const unknownIssuer = await put(server.http, 'certificate-type', 'heritage-permit', heritagePermit);
      expect(unknownIssuer.body.errors).to.deep.include({ path: '/issuer', code: 'REFERENCE.UNKNOWN_DEPARTMENT', message: '"heritage-office" is not a department (nor "external")' });
      const mismatch = await put(server.http, 'department', 'other-id', heritageOffice);
      expectProblem(mismatch, 422, 'REFERENCE.INVALID');
      expect(mismatch.body.errors.map((e: { path: string; code: string }) => `${e.path} ${e.code}`)).to.deep.equal(['/id REFERENCE.ID_MISMATCH']);
      const shape = await put(server.http, 'department', 'heritage-office', { ...heritageOffice, kind: 'ministry', title: { 'zh-Hans': '' }, extra: 1 });
      expectProblem(shape, 422, 'REFERENCE.INVALID');
      expect(shape.body.errors.map((e: { path: string; code: string }) => `${e.path} ${e.code}`)).to.have.members(['/kind REFERENCE.ENUM', '/title/zh-Hans REFERENCE.MIN_LENGTH', '/extra REFERENCE.ADDITIONAL_PROPERTIES']);
      const badTemplate = await put(server.http, 'template', 'heritage-permit', { ...heritageTemplate(), qr: { position: 'middle', size: 84 } });
      expectProblem(badTemplate, 422, 'TEMPLATE.INVALID');
      expect(badTemplate.body.errors.map((e: { path: string }) => e.path)).to.include('/qr/position');
      // A published service fills the licence's name: the template must keep showing it.
      const licence = readJson('templates/business-license.json');
      const nameless = { ...licence, fields: licence.fields.filter((f: { name?: string }) => f.name !== 'name') };
      const inUse = await put(server.http, 'template', 'business-license', nameless);
      expectProblem(inUse, 422, 'TEMPLATE.INVALID');
      expect(inUse.body.errors.map((e: { path: string; code: string }) => `${e.path} ${e.code}`)).to.include('/fields TEMPLATE.FIELD_IN_USE');
      expectProblem(await put(server.http, 'ministry', 'x', heritageOffice), 404, 'ROUTE.NOT_FOUND');
      expectProblem(await server.http.get('/api/v1/reference/department/nowhere').set(...admin.auth), 404, 'REFERENCE.NOT_FOUND');

      const citizen = await person(server, 'citizen');
      const clerk = await person(server, 'clerk', ['taxation']);
      for (const who of [citizen, clerk]) expectProblem(await put(server.http, 'department', 'heritage-office', heritageOffice, who), 403, 'AUTH.FORBIDDEN');
      expectProblem(await server.http.put('/api/v1/reference/department/heritage-office').send(heritageOffice), 401, 'AUTH.REQUIRED');
      expect((await server.http.get('/api/v1/reference').expect(200)).body.departments.map((d: { id: string }) => d.id)).to.not.include('heritage-office');
    });

    it('takes a new department, certificate type and template without a restart, and another instance uses them at once', async () => {
      const other = await server.openAnother();
      // The other instance has read the reference data before the additions.
      await other.http.get('/api/v1/reference').expect(200);
      expectProblem(await other.http.post('/api/v1/definitions').set(...admin.auth).send(heritageService()), 422, 'DEFINITION.INVALID');

      const created = await put(server.http, 'department', 'heritage-office', heritageOffice).expect(200);
      expect(created.body).to.include({ kind: 'department', id: 'heritage-office', created: true, revision: 1, editedBy: admin.id });
      await put(server.http, 'certificate-type', 'heritage-permit', heritagePermit).expect(200);
      await put(server.http, 'template', 'heritage-permit', heritageTemplate()).expect(200);

      const listed = (await other.http.get('/api/v1/reference').expect(200)).body;
      expect(listed.departments.find((d: { id: string }) => d.id === 'heritage-office')).to.deep.equal(heritageOffice);
      expect(listed.certificateTypes.find((t: { id: string }) => t.id === 'heritage-permit')).to.deep.equal(heritagePermit);
      const published = await other.http.post('/api/v1/definitions').set(...admin.auth).send(heritageService());
      expect(published.status, published.text).to.equal(201);
      // A clerk account joins the new department, through the other instance.
      const clerk = await other.http
        .post('/api/v1/users')
        .set(...admin.auth)
        .send({ username: 'heritage-clerk', password: 'correct horse battery', role: 'clerk', departments: ['heritage-office'], name: '文保窗口' });
      expect(clerk.status, clerk.text).to.equal(201);

      const audit = await server.http.get('/api/v1/audit').query({ kind: 'reference.save' }).set(...admin.auth).expect(200);
      expect(audit.body.map((e: { subject: { id: string } }) => e.subject.id)).to.include.members(['department/heritage-office', 'certificate-type/heritage-permit', 'template/heritage-permit']);
    });

    it("keeps an admin's change of a shipped entry across restarts (the files no longer write it)", async () => {
      const renamed = { id: 'taxation', title: { 'zh-Hans': '国家税务总局本市税务局', en: 'Municipal Tax Service' }, kind: 'department' };
      const saved = await put(server.http, 'department', 'taxation', renamed).expect(200);
      expect(saved.body).to.include({ created: false, revision: 2 });
      await server.restart();
      const entry = await server.http.get('/api/v1/reference/department/taxation').set(...admin.auth).expect(200);
      expect(entry.body).to.include({ revision: 2, editedBy: admin.id });
      expect(entry.body.body).to.deep.equal(renamed);
      // The guide names the department by its new title.
      const guide = await server.http.get('/services/business-startup').set('Accept-Language', 'zh-Hans').expect(200);
      expect(guide.text).to.contain('国家税务总局本市税务局');
    });

    it('draws a template as a specimen PDF, saved or not yet saved, marked as such and signed by nobody', async function () {
      const saved = await server.http.get('/api/v1/reference/template/heritage-permit/specimen').set(...admin.auth).buffer(true).parse(binaryBody as never).expect(200).expect('content-type', /application\/pdf/);
      const draft = await server.http.post('/api/v1/reference/template/specimen').query({ locale: 'en' }).set(...admin.auth).send(heritageTemplate()).buffer(true).parse(binaryBody as never).expect(200);
      for (const pdf of [saved.body, draft.body] as Buffer[]) expect(pdf.subarray(0, 5).toString()).to.equal('%PDF-');
      expectProblem(await server.http.post('/api/v1/reference/template/specimen').set(...admin.auth).send({ id: 'x' }), 422, 'TEMPLATE.INVALID');
      expectProblem(await server.http.get('/api/v1/reference/template/heritage-permit/specimen').query({ locale: 'fr' }).set(...admin.auth), 400, 'INPUT.INVALID');
      expectProblem(await server.http.get('/api/v1/reference/template/nowhere/specimen').set(...admin.auth), 404, 'REFERENCE.NOT_FOUND');
      if (!hasPoppler) this.skip();
      const text = pdfText(saved.body as Buffer).replace(/\s+/g, '');
      expect(text).to.contain('文物修缮许可证').and.contain('样本').and.contain('未经签名').and.not.contain('电子签名');
      const english = pdfText(draft.body as Buffer);
      expect(english).to.contain('Heritage Repair Permit').and.contain('SPECIMEN').and.contain('[Employer]');
    });
  });
}
