/**
 * Counter intake in Chromium: the window clerk signs in, enters the applicant's name and resident id number and the
 * service, fills the business-startup form page by page, sees the identity card taken from the applicant's wallet
 * (the pages speak to the clerk, not as to the citizen), uploads scans of the paper materials, ticks the commitment,
 * checks the answers, confirms the applicant signed, submits and prints the receipt; the public progress lookup finds
 * the application by the receipt's number and check code. In each language with JavaScript, and once without; every
 * page type passes axe and is photographed.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Locale } from '../../src/domain/i18n.js';
import { makeResidentIdNumber } from '../../src/domain/ids.js';
import { tinyPdf } from '../support/server.js';
import { fillSection, putIdCardInWallet } from '../support/applyPages.js';
import { inspectPage, newContext } from '../support/browser.js';
import { JOURNEYS, journeySuite } from '../support/journey.js';

const PASSWORD = 'correct horse battery';

/** The pages speak to the clerk of the applicant ("the applicant's wallet"), never as to the citizen ("your wallet"). */
const words: Record<Locale, { fromWallet: string; citizens: string; back: string }> = {
  'zh-Hans': { fromWallet: '已从申请人的证照夹调用：居民身份证', citizens: '您的证照夹', back: '返回本次代录' },
  'zh-Hant': { fromWallet: '已從申請人的證照夾調用：居民身份證', citizens: '您的證照夾', back: '返回本次代錄' },
  en: { fromWallet: "Taken from the applicant's wallet: Resident identity card", citizens: 'your wallet', back: 'Back to the application' },
};

describe('counter intake pages in Chromium', function () {
  this.timeout(300_000);
  let people = 0;
  const suite = journeySuite();

  for (const { locale, javaScript, tag } of JOURNEYS) {
    it(`a window clerk enters an application for a walk-in person and prints the receipt (${locale}, JavaScript ${javaScript ? 'on' : 'off'})`, async () => {
      const username = `window${++people}${randomUUID().slice(0, 4)}`;
      await suite.server.onevisit.identity.addUser({ username, password: PASSWORD, role: 'clerk', departments: ['comprehensive-window'], name: '窗口李娜' });
      const visitor = { name: '赵建国', idNumber: makeResidentIdNumber({ birthDate: `1960-05-1${people}`, sequence: 201 + people }) };
      const form: Record<string, unknown> = { ...suite.example, applicant: { ...(suite.example.applicant as object), name: visitor.name, idNumber: visitor.idNumber } };
      // The applicant's identity card is in their wallet already (issued before they ever had an account).
      await putIdCardInWallet(suite.server, visitor);
      const w = words[locale];

      const context = await newContext(suite.browser, suite.base, { locale, javaScript });
      const page = await context.newPage();
      await page.goto(`${suite.base}/work/intake`);
      expect(new URL(page.url()).pathname).to.equal('/sign-in');
      await page.fill('#username', username);
      await page.fill('#password', PASSWORD);
      await page.click('main button[type=submit]');
      expect(new URL(page.url()).pathname).to.equal('/work/intake');
      if (javaScript) await inspectPage(page, `intake-start-${tag}`);

      // A mistyped id number is refused at its field; then the person and the service.
      await page.fill('#name', visitor.name);
      await page.fill('#idNumber', `${visitor.idNumber.slice(0, 17)}${visitor.idNumber.endsWith('0') ? '1' : '0'}`);
      await page.selectOption('#serviceId', 'business-startup');
      await page.click('main form button');
      expect(await page.locator('.govuk-error-summary a[href="#idNumber"]').count()).to.equal(1);
      expect(await page.locator('#idNumber-error').count()).to.equal(1);
      if (javaScript) await inspectPage(page, `intake-start-errors-${tag}`);
      await page.fill('#idNumber', visitor.idNumber);
      await page.click('main form button');
      const base = new URL(page.url()).pathname;
      expect(base).to.match(/^\/work\/intake\/[0-9a-f-]{36}$/);
      const masked = `${visitor.idNumber.slice(0, 6)}********${visitor.idNumber.slice(14)}`;
      expect(await page.locator('main').textContent()).to.contain(masked);
      expect(await page.content()).to.not.contain(visitor.idNumber);
      if (javaScript) await inspectPage(page, `intake-task-list-${tag}`);

      // The same question pages as the citizen's, one section each.
      const sections = await page.locator('.govuk-task-list__link').evaluateAll((links) => links.map((a) => a.getAttribute('href')!).filter((h) => h.includes('/section/')));
      for (const [i, href] of sections.entries()) {
        const key = href.split('/').pop()!;
        if (!(key in form)) continue;
        await page.goto(`${suite.base}${href}`);
        if (i === 0 && javaScript) await inspectPage(page, `intake-question-${tag}`);
        await fillSection(page, `/${key}`, form[key]);
        await page.click('main .govuk-button-group button[value=save]');
        const summary = page.locator('.govuk-error-summary');
        expect((await summary.count()) > 0 ? `${key}: ${await summary.innerText()}` : '').to.equal('');
      }

      // The identity card from the applicant's wallet; scans of the paper materials, the commitment ticked, the deferrable left for later.
      await page.goto(`${suite.base}${base}/materials`);
      expect(await page.locator('#material-id-card').textContent()).to.contain(w.fromWallet);
      expect(await page.locator('main').textContent()).to.not.contain(w.citizens);
      expect((await page.locator('.govuk-back-link').textContent())?.trim()).to.equal(w.back);
      for (const material of ['id-card', 'articles-of-association', 'appointment-documents', 'agent-authorisation']) {
        if ((await page.locator(`#file-${material}`).count()) === 0) continue;
        await page.setInputFiles(`#file-${material}`, { name: `${material}-scan.pdf`, mimeType: 'application/pdf', buffer: tinyPdf() });
        await page.click(`#material-${material} form[enctype] button`);
        expect(await page.locator(`#material-${material}`).textContent()).to.contain(`${material}-scan.pdf`);
      }
      await page.check('#commit-premises-commitment');
      await page.click('#material-premises-commitment form button');
      if (javaScript) await inspectPage(page, `intake-materials-${tag}`);
      await page.click('main a.govuk-button');
      expect(await page.locator('.govuk-task-list__status--cannot-start-yet').count()).to.equal(0);

      // Check the answers, the applicant's signed confirmation, submit.
      await page.click(`a[href="${base}/check"]`);
      expect(await page.locator('.govuk-summary-card').count()).to.be.greaterThan(5);
      if (javaScript) await inspectPage(page, `intake-check-${tag}`);
      await page.click('main a.govuk-button');
      await page.click('main form button');
      expect(await page.locator('#signed-error').count(), 'the confirmation must be ticked').to.equal(1);
      if (javaScript) await inspectPage(page, `intake-confirm-${tag}`);
      await page.check('#signed');
      await page.click('main form button');

      // The receipt, printed: number, check code, service, date; no header or footer on paper.
      const number = (await page.locator('.ov-receipt-number').textContent())?.trim() ?? '';
      const code = (await page.locator('.ov-check-code').textContent())?.trim() ?? '';
      expect(number).to.match(/\d{10,}/);
      expect(code).to.match(/^[0-9A-Z]{6}$/);
      expect(await page.content()).to.not.contain(visitor.idNumber);
      if (javaScript) await inspectPage(page, `intake-receipt-${tag}`);
      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('.ov-header').isVisible()).to.equal(false);
      expect(await page.locator('.govuk-footer').isVisible()).to.equal(false);
      expect(await page.locator('.ov-check-code').isVisible()).to.equal(true);
      if (javaScript) await page.screenshot({ path: `test/browser/screenshots/intake-receipt-print-${tag}.png`, fullPage: true });
      await page.emulateMedia({ media: 'screen' });

      // The progress lookup finds it with the receipt's pair, on the public page too.
      const progress = await suite.server.http.get('/api/v1/progress').query({ number, code }).expect(200);
      expect(progress.body.status).to.equal('submitted');
      const anonymous = await newContext(suite.browser, suite.base, { locale, javaScript });
      const lookup = await anonymous.newPage();
      await lookup.goto(`${suite.base}/progress`);
      await lookup.fill('input[name=number]', number);
      await lookup.fill('input[name=code]', code);
      await lookup.click('main form button');
      expect(await lookup.locator('main').textContent()).to.contain(number);
      await anonymous.close();
      await context.close();
    });
  }
});
