/** The public pages in Chromium, in each language: what they show, that they pass axe, and their screenshots. */
import { expect } from 'chai';
import { UPLOAD_LIMIT_BYTES } from '../../src/domain/uploads.js';
import type { Browser } from 'playwright-core';
import { Locales } from '../../src/domain/i18n.js';
import { makeResidentIdNumber } from '../../src/domain/ids.js';
import { openTestServer, person, type TestServer } from '../support/server.js';
import { definitionOf, submitWithFiles } from '../support/services.js';
import { exampleForm } from '../support/world.js';
import { inspectPage, launchBrowser, listen, newContext } from '../support/browser.js';

describe('public pages in Chromium', function () {
  this.timeout(120_000);
  let server: TestServer;
  let browser: Browser;
  let site: { base: string; close(): Promise<void> };

  before(async () => {
    server = await openTestServer('sqlite');
    site = await listen(server);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await site?.close();
    await server?.close();
  });

  for (const locale of Locales) {
    describe(locale, () => {
      it('the catalog lists the services by life event, searches them, and each page type passes axe', async () => {
        const context = await newContext(browser, site.base, { locale });
        const page = await context.newPage();
        const response = await page.goto(`${site.base}/`);
        expect(response?.status()).to.equal(200);
        expect(await page.getAttribute('html', 'lang')).to.equal(locale);
        const titles = await page.locator('.ov-card h3').allTextContents();
        expect(titles.length).to.equal(4);
        await inspectPage(page, `public-catalog-${locale}`);

        const search = locale === 'en' ? 'restaurant' : locale === 'zh-Hant' ? '餐飲' : '餐饮';
        await page.fill('#q', search);
        await page.click('form[role=search] button');
        expect(await page.locator('.ov-card h3').count()).to.equal(1);
        await inspectPage(page, `public-catalog-search-${locale}`);

        await page.goto(`${site.base}/services/business-startup`);
        expect(await page.locator('h1').textContent()).to.contain(locale === 'en' ? 'Start a business' : locale === 'zh-Hant' ? '開辦企業' : '开办企业');
        expect(await page.locator('svg.ov-flow title').count()).to.equal(1);
        expect(await page.locator('#materials + ol > li').count()).to.be.greaterThan(4);
        await inspectPage(page, `public-guide-${locale}`);

        await page.goto(`${site.base}/services/business-startup/notice`);
        await inspectPage(page, `public-notice-${locale}`);

        for (const [path, name] of [['/sign-in', 'sign-in'], ['/register', 'register'], ['/verify', 'verify'], ['/accessibility', 'accessibility'], ['/privacy', 'privacy']] as const) {
          const r = await page.goto(`${site.base}${path}`);
          expect(r?.status(), path).to.equal(200);
          await inspectPage(page, `public-${name}-${locale}`);
        }
        // The PDF upload's limit is the one the server keeps.
        await page.goto(`${site.base}/verify`);
        expect(await page.locator('#file-hint').textContent()).to.contain(String(UPLOAD_LIMIT_BYTES / 1024 / 1024));
        const missing = await page.goto(`${site.base}/no/such/page`);
        expect(missing?.status()).to.equal(404);
        await inspectPage(page, `public-not-found-${locale}`);
        const unknown = await page.goto(`${site.base}/verify/00000000-0000-4000-8000-000000000000`);
        expect(unknown?.status()).to.equal(404);
        await inspectPage(page, `public-verify-unknown-${locale}`);
        await context.close();
      });
    });
  }

  it('sign-in shows its errors at their fields and in a summary that links to them, then signs in', async () => {
    const context = await newContext(browser, site.base, { locale: 'zh-Hans' });
    const page = await context.newPage();
    await server.onevisit.identity.addUser({ username: 'wang.fang', password: 'correct horse battery', role: 'citizen', name: '王芳', idNumber: makeResidentIdNumber({ birthDate: '1990-03-07', sequence: 21 }) });
    await page.goto(`${site.base}/sign-in`);
    await page.click('main button[type=submit]');
    expect(await page.locator('.govuk-error-summary a[href="#username"]').textContent()).to.contain('请输入用户名');
    expect(await page.locator('#username-error').textContent()).to.contain('请输入用户名');
    expect(await page.title()).to.match(/^出错了/);
    await inspectPage(page, 'public-sign-in-errors-zh-Hans');
    await page.fill('#username', 'wang.fang');
    await page.fill('#password', 'wrong password here');
    await page.click('main button[type=submit]');
    expect(await page.locator('#username-error').textContent()).to.contain('用户名或密码不正确');
    await page.fill('#password', 'correct horse battery');
    await page.click('main button[type=submit]');
    await page.waitForURL(/\/my\/applications$/);
    // (the citizen's pages come with the portal; the header already says who is signed in)
    expect(await page.locator('.ov-user').textContent()).to.contain('王芳');
    await context.close();
  });

  it('progress lookup finds an application by its number and check code; a wrong code tells nothing and is limited', async () => {
    const citizen = await person(server, 'citizen');
    const submitted = await submitWithFiles(server, citizen, 'business-startup', exampleForm(definitionOf('business-startup')));
    expect(submitted.checkCode).to.match(/^[A-Z0-9]{6}$/);
    for (const locale of Locales) {
      const context = await newContext(browser, site.base, { locale });
      const page = await context.newPage();
      await page.goto(`${site.base}/progress`);
      await inspectPage(page, `public-progress-${locale}`);
      await page.fill('#number', submitted.number);
      await page.fill('#code', submitted.checkCode.toLowerCase());
      await page.click('main button[type=submit]');
      expect(await page.locator('h1').textContent()).to.contain(submitted.number);
      const body = (await page.locator('main').textContent()) ?? '';
      expect(body).to.not.contain('测试citizen');
      expect(body).to.not.contain(citizen.idNumber!);
      await inspectPage(page, `public-progress-result-${locale}`);
      await context.close();
    }
    // A wrong code and an unknown number read the same, without naming either.
    const context = await newContext(browser, site.base, { locale: 'en' });
    const page = await context.newPage();
    const answers: string[] = [];
    for (const [number, code] of [[submitted.number, 'ZZZZZZ'], ['20991231999999', submitted.checkCode]] as const) {
      await page.goto(`${site.base}/progress`);
      await page.fill('#number', number);
      await page.fill('#code', code);
      const response = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/progress') && r.request().method() === 'POST'), page.click('main button[type=submit]')]);
      expect(response[0].status()).to.equal(404);
      answers.push((await page.locator('.govuk-error-summary').textContent())!.trim());
    }
    expect(answers[0]).to.equal(answers[1]);
    await inspectPage(page, 'public-progress-not-found-en');
    await context.close();
  });

  it('a form posted without its CSRF token is refused and changes nothing', async () => {
    const res = await server.http.post('/sign-in').type('form').send({ username: 'x', password: 'y' });
    expect(res.status).to.equal(403);
    expect(res.type).to.equal('text/html');
  });

  it('serves pages with a Content-Security-Policy that allows no inline script', async () => {
    const res = await server.http.get('/').expect(200);
    const csp = String(res.headers['content-security-policy']);
    const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1] ?? '';
    expect(scriptSrc).to.equal("'self'");
    expect(res.text).to.not.match(/<script(?![^>]*\bsrc=)[^>]*>/);
  });
});
