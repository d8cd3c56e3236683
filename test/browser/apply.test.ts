/**
 * The citizen's application journey in Chromium: sign in, fill the business-startup form page by page (an error
 * shown at its field and in the summary), leave and resume the draft, upload materials, see the identity card taken
 * from the wallet, tick the commitment, check the answers, declare and submit, and get the number and check code —
 * in each language with JavaScript, and once more without. Every page type passes axe and is photographed.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import type { Locale } from '../../src/domain/i18n.js';
import { makeResidentIdNumber } from '../../src/domain/ids.js';
import { tinyPdf, type TestServer } from '../support/server.js';
import { fillSection as fill, inputOf as id, putIdCardInWallet } from '../support/applyPages.js';
import { inspectPage, newContext } from '../support/browser.js';
import { JOURNEYS, journeySuite } from '../support/journey.js';

const PASSWORD = 'correct horse battery';
let born = 0;

/** A citizen account, and a resident identity card in their wallet (as the public security bureau would have issued). */
async function citizenWithIdCard(server: TestServer, name: string): Promise<{ username: string; idNumber: string }> {
  const idNumber = makeResidentIdNumber({ birthDate: new Date(Date.UTC(1980, 0, 1) + ++born * 86_400_000).toISOString().slice(0, 10), sequence: 31 });
  const username = `applicant${born}${randomUUID().slice(0, 4)}`;
  await server.onevisit.identity.addUser({ username, password: PASSWORD, role: 'citizen', name, idNumber });
  await putIdCardInWallet(server, { idNumber, name });
  return { username, idNumber };
}

const save = (page: Page) => page.click('main .govuk-button-group button[value=save]');

const words: Record<Locale, { completed: string; fromWallet: string; resumed: RegExp; required: string }> = {
  'zh-Hans': { completed: '已完成', fromWallet: '已从您的证照夹调用：居民身份证', resumed: /已为您恢复/, required: '请填写姓名' },
  'zh-Hant': { completed: '已完成', fromWallet: '已從您的證照夾調用：居民身份證', resumed: /已為您恢復/, required: '請填寫姓名' },
  en: { completed: 'Completed', fromWallet: 'Taken from your wallet: Resident identity card', resumed: /Your draft saved on/, required: 'Enter full name' },
};

describe('apply pages in Chromium', function () {
  this.timeout(300_000);
  const suite = journeySuite();

  for (const { locale, javaScript, tag } of JOURNEYS) {
    it(`a citizen applies for business-startup through the pages (${locale}, JavaScript ${javaScript ? 'on' : 'off'})`, async () => {
      const name = '马建国';
      const citizen = await citizenWithIdCard(suite.server, name);
      const w = words[locale];
      const form: Record<string, unknown> = { ...suite.example, applicant: { ...(suite.example.applicant as object), idNumber: citizen.idNumber } };

      // Signing in first, and back to the task list.
      let context = await newContext(suite.browser, suite.base, { locale, javaScript });
      let page = await context.newPage();
      await page.goto(`${suite.base}/apply/business-startup`);
      expect(new URL(page.url()).pathname).to.equal('/sign-in');
      await page.fill('#username', citizen.username);
      await page.fill('#password', PASSWORD);
      await page.click('main button[type=submit]');
      expect(new URL(page.url()).pathname).to.equal('/apply/business-startup');
      expect(await page.locator('.govuk-task-list__item').count(), JSON.stringify(suite.server.logs.filter((l) => l.level === 50).map((l) => l.err)).slice(0, 3000)).to.be.greaterThan(10);
      if (javaScript) await inspectPage(page, `apply-task-list-${tag}`);

      // A question page, its errors at their fields and in the summary.
      await page.click('a[href="/apply/business-startup/section/applicant"]');
      if (javaScript) await inspectPage(page, `apply-question-${tag}`);
      await fill(page, '/applicant', { ...(form.applicant as object), name: '' });
      await save(page);
      expect(await page.locator(`.govuk-error-summary a[href="${id('/applicant/name')}"]`).textContent()).to.contain(w.required);
      expect(await page.locator(`${id('/applicant/name')}-error`).textContent()).to.contain(w.required);
      if (javaScript) await inspectPage(page, `apply-question-errors-${tag}`);
      await fill(page, '/applicant/name', name);
      await save(page);
      expect(new URL(page.url()).pathname).to.equal('/apply/business-startup/section/company');

      // Leave, come back in a new session: the draft is resumed.
      await context.close();
      context = await newContext(suite.browser, suite.base, { locale, javaScript });
      page = await context.newPage();
      await page.goto(`${suite.base}/sign-in?return=/apply/business-startup`);
      await page.fill('#username', citizen.username);
      await page.fill('#password', PASSWORD);
      await page.click('main button[type=submit]');
      expect(await page.locator('main').textContent()).to.match(w.resumed);
      expect(await page.locator('.govuk-task-list__item').first().textContent()).to.contain(w.completed);

      // The other sections, one page each; lists grow with their add buttons.
      const sections = await page.locator('.govuk-task-list__link').evaluateAll((links) => links.map((a) => a.getAttribute('href')!).filter((h) => h.includes('/section/')));
      for (const href of sections.slice(1)) {
        const key = href.split('/').pop()!;
        if (!(key in form)) continue;
        await page.goto(`${suite.base}${href}`);
        if (process.env.APPLY_TRACE) console.log(new Date().toISOString(), key);
        await fill(page, `/${key}`, form[key]);
        if (key === 'shareholders' && javaScript) await inspectPage(page, `apply-list-${tag}`);
        await save(page);
        const summary = page.locator('.govuk-error-summary');
        expect((await summary.count()) > 0 ? `${key}: ${await summary.innerText()}` : '').to.equal('');
      }
      await page.goto(`${suite.base}/apply/business-startup`);

      // Materials: the identity card from the wallet, uploads, the commitment ticked, the deferrable left for later.
      await page.click('a[href="/apply/business-startup/materials"]');
      expect(await page.locator('#material-id-card').textContent()).to.contain(w.fromWallet);
      expect(await page.locator('#file-articles-of-association-hint').textContent()).to.match(/PDF/);
      for (const material of ['articles-of-association', 'appointment-documents']) {
        await page.setInputFiles(`#file-${material}`, { name: `${material}.pdf`, mimeType: 'application/pdf', buffer: tinyPdf() });
        await page.click(`#material-${material} form[enctype] button`);
        expect(await page.locator(`#material-${material}`).textContent()).to.contain(`${material}.pdf`);
      }
      await page.check('#commit-premises-commitment');
      await page.click('#material-premises-commitment form button');
      expect(await page.locator('#material-premises-proof .govuk-tag').textContent()).to.not.equal('');
      if (javaScript) await inspectPage(page, `apply-materials-${tag}`);
      await page.click('main a.govuk-button');
      expect(await page.locator('.govuk-task-list__status--cannot-start-yet').count()).to.equal(0);

      // Check your answers, the declaration, the confirmation.
      await page.click('a[href="/apply/business-startup/check"]');
      expect(await page.locator('.govuk-summary-card').count()).to.be.greaterThan(8);
      expect(await page.locator('main').textContent()).to.contain(String((form.company as Record<string, unknown>).name));
      if (javaScript) await inspectPage(page, `apply-check-${tag}`);
      await page.click('main a.govuk-button');
      if (javaScript) await inspectPage(page, `apply-declaration-${tag}`);
      await page.click('main form button');
      expect(await page.locator('#declare-error').count(), 'the declaration must be ticked').to.equal(1);
      await page.check('#declare');
      await page.click('main form button');
      const panel = await page.locator('.govuk-panel').textContent();
      const number = /[A-Z]{0,4}\d{10,}/.exec(panel ?? '')?.[0];
      expect(number, panel ?? '').to.not.equal(undefined);
      const code = (await page.locator('.ov-check-code').textContent())?.trim() ?? '';
      expect(code).to.match(/^[0-9A-Za-z]{4,12}$/);
      if (javaScript) await inspectPage(page, `apply-confirmation-${tag}`);

      // The receipt's pair finds it without signing in.
      const progress = await suite.server.http.get('/api/v1/progress').query({ number, code }).expect(200);
      expect(progress.body.status).to.equal('submitted');
      await context.close();
    });
  }
});
