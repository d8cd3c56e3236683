/**
 * The reference data pages in Chromium: an admin adds a department and a certificate type it issues (errors at
 * their fields first), changes a template (an error with its path and line, then fixed) and sees its specimen PDF,
 * previews a template not yet saved in a new window, and a definition naming the new department publishes at once;
 * without JavaScript, and axe with screenshots of every page type in each language.
 */
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { Locales, type Locale } from '../../src/domain/i18n.js';
import { openTestServer, type TestServer } from '../support/server.js';
import { inspectPage, launchBrowser, listen, signedInPage } from '../support/browser.js';
import { hasPoppler, pdfText } from '../support/poppler.js';

const PASSWORD = 'correct horse battery';

describe('reference data pages in Chromium', function () {
  this.timeout(180_000);
  let server: TestServer;
  let browser: Browser;
  let site: { base: string; close(): Promise<void> };
  const username = 'admin.zhou';

  before(async () => {
    server = await openTestServer('sqlite');
    site = await listen(server);
    browser = await launchBrowser();
    await server.onevisit.identity.addUser({ username, password: PASSWORD, role: 'admin', name: '周管理' });
  });
  after(async () => {
    await browser?.close();
    await site?.close();
    await server?.close();
  });

  const signedIn = (locale: Locale = 'zh-Hans', javaScript = true): Promise<Page> => signedInPage(browser, site.base, { username, password: PASSWORD }, /\/admin$/, { locale, javaScript });

  const errorSummary = async (page: Page) => (await page.locator('.govuk-error-summary').textContent()) ?? '';

  it('adds a department and a certificate type it issues, without JavaScript, each error at its field first', async () => {
    const page = await signedIn('zh-Hans', false);
    await page.click('nav a[href="/admin/reference"]');
    await page.waitForURL(/\/admin\/reference$/);
    await page.click('a[href="/admin/reference/department/new"]');
    await page.fill('#id', 'Heritage Office');
    await page.click('main button[type=submit]');
    expect(await errorSummary(page)).to.contain('小写字母').and.contain('请输入简体中文名称').and.contain('请选择部门类别');
    expect(await page.locator('#id-error').textContent()).to.contain('小写字母');
    expect(await page.locator('#title-zh-Hans-error').isVisible()).to.equal(true);
    expect(await page.inputValue('#id'), 'what was typed stays').to.equal('Heritage Office');

    await page.fill('#id', 'heritage-office');
    await page.fill('#title-zh-Hans', '文物保护中心');
    await page.fill('#title-en', 'Heritage Protection Centre');
    await page.check('input[name=kind][value=department]');
    await page.click('main button[type=submit]');
    await page.waitForURL(/\/admin\/reference\?saved=/);
    expect(await page.locator('.govuk-notification-banner').textContent()).to.contain('文物保护中心');
    expect(await page.locator('tr[data-id="heritage-office"]').textContent()).to.contain('审批部门');

    // The id is taken now: a second "new" one with it does not replace it.
    await page.goto(`${site.base}/admin/reference/department/new`);
    await page.fill('#id', 'heritage-office');
    await page.fill('#title-zh-Hans', '另一个');
    await page.check('input[name=kind][value=partner]');
    await page.click('main button[type=submit]');
    expect(await page.locator('#id-error').textContent()).to.contain('已经有了');

    await page.goto(`${site.base}/admin/reference/certificate-type/new`);
    await page.fill('#id', 'heritage-permit');
    await page.fill('#title-zh-Hans', '文物修缮许可');
    await page.click('main button[type=submit]');
    expect(await page.locator('#issuer-error').textContent()).to.contain('请选择发证机关');
    await page.selectOption('#issuer', 'heritage-office');
    await page.click('main button[type=submit]');
    await page.waitForURL(/\/admin\/reference\?saved=/);
    expect(await page.locator('tr[data-id="heritage-permit"]').textContent()).to.contain('文物保护中心');

    // Changing a shipped department's name: the list says an admin changed it.
    await page.click('tr[data-id="taxation"] a');
    expect(await page.locator('#id').count(), 'an id is fixed once saved').to.equal(0);
    await page.fill('#title-zh-Hans', '国家税务总局本市税务局');
    await page.click('main button[type=submit]');
    await page.waitForURL(/\/admin\/reference\?saved=/);
    expect(await page.locator('tr[data-id="taxation"]').textContent()).to.contain('国家税务总局本市税务局').and.contain('由管理员修改');

    const reference = (await server.http.get('/api/v1/reference').expect(200)).body;
    expect(reference.departments.find((d: { id: string }) => d.id === 'heritage-office')).to.deep.equal({ id: 'heritage-office', title: { 'zh-Hans': '文物保护中心', en: 'Heritage Protection Centre' }, kind: 'department' });
    expect(reference.certificateTypes.find((c: { id: string }) => c.id === 'heritage-permit')).to.include({ issuer: 'heritage-office' });
    await page.context().close();
  });

  it('changes a template: an error with its path and line, fixed, then its specimen shown; a text not yet saved previews in a new window', async () => {
    const page = await signedIn('zh-Hans', false);
    await page.goto(`${site.base}/admin/reference/template/seal-filing-record`);
    const saved = await page.inputValue('#template');
    const broken = saved.replace('"position": "bottom-left"', '"position": "middle"');
    expect(broken).to.not.equal(saved);
    await page.fill('#template', broken);
    await page.click('#save');
    const problem = page.locator('#problem-list li').first();
    expect(await problem.textContent()).to.contain('/qr/position').and.match(/第 \d+ 行/);
    expect(await page.inputValue('#template'), 'the text is kept as typed').to.equal(broken);

    await page.fill('#template', saved.replace('印章刻制备案回执', '印章刻制备案凭证'));
    await page.click('#save');
    await page.waitForURL(/\/admin\/reference\?saved=/);
    await page.goto(`${site.base}/admin/reference/template/seal-filing-record`);
    const frame = page.locator('iframe.ov-preview');
    const specimen = await page.request.get(new URL((await frame.getAttribute('src'))!, site.base).toString());
    expect(specimen.headers()['content-type']).to.match(/application\/pdf/);
    const pdf = Buffer.from(await specimen.body());
    expect(pdf.subarray(0, 5).toString()).to.equal('%PDF-');
    if (hasPoppler) expect(pdfText(pdf).replace(/\s+/g, '')).to.contain('印章刻制备案凭证').and.contain('样本');
    await page.context().close();

    // With scripts: "Preview a specimen" posts the text being written and opens the PDF in a new window.
    const scripted = await signedIn('en');
    await scripted.goto(`${site.base}/admin/reference/template/new`);
    const starter = await scripted.inputValue('#template');
    await scripted.fill('#template', starter.replace('"New certificate"', '"Heritage Repair Permit"'));
    const [response] = await Promise.all([
      scripted.context().waitForEvent('response', (r) => r.url().endsWith('/admin/reference/template/specimen')),
      scripted.click('#preview'),
    ]);
    expect(response.status()).to.equal(200);
    expect(response.headers()['content-type']).to.match(/application\/pdf/);
    // (the new window's viewer holds the PDF; the same form posted again reads it)
    const again = await scripted.request.post(response.url(), { headers: { 'content-type': 'application/x-www-form-urlencoded' }, data: response.request().postData() ?? '' });
    expect(again.headers()['content-type']).to.match(/application\/pdf/);
    if (hasPoppler) expect(pdfText(Buffer.from(await again.body()))).to.contain('Heritage Repair Permit').and.contain('SPECIMEN');
    expect((await server.http.get('/api/v1/reference').expect(200)).body.templates.map((t: { id: string }) => t.id), 'a preview saves nothing').to.not.include('new-certificate');
    await scripted.context().close();
  });

  for (const locale of Locales) {
    it(`every reference page type passes axe in ${locale}`, async () => {
      const page = await signedIn(locale);
      await page.goto(`${site.base}/admin/reference`);
      await inspectPage(page, `admin-reference-${locale}`);
      await page.goto(`${site.base}/admin/reference/department/new`);
      await page.click('main button[type=submit]');
      expect(await page.locator('.govuk-error-summary').count()).to.equal(1);
      await inspectPage(page, `admin-reference-department-errors-${locale}`);
      await page.goto(`${site.base}/admin/reference/certificate-type/business-license`);
      await inspectPage(page, `admin-reference-certificate-type-${locale}`);
      await page.goto(`${site.base}/admin/reference/template/business-license`);
      await inspectPage(page, `admin-reference-template-${locale}`);
      await page.fill('#template', '{ "id": "business-license", ');
      await page.click('#save');
      expect(await page.locator('#problem-list li').count()).to.be.greaterThan(0);
      await inspectPage(page, `admin-reference-template-errors-${locale}`);
      await page.context().close();
    });
  }
});
