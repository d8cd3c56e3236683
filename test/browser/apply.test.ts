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
async function citizenWithIdCard(server: TestServer, name: string, sequence = 31): Promise<{ username: string; idNumber: string }> {
  const idNumber = makeResidentIdNumber({ birthDate: new Date(Date.UTC(1980, 0, 1) + ++born * 86_400_000).toISOString().slice(0, 10), sequence });
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

  it('an unmarried mother gives the father who acknowledges their newborn, and the child registers with him (zh-Hans)', async () => {
    const service = (await suite.server.http.get('/api/v1/services/newborn').expect(200)).body;
    const example = (service.form.examples as Record<string, unknown>[]).find((e) => e.parentsMarried === false)!;
    const mother = example.mother as { name: string };
    const citizen = await citizenWithIdCard(suite.server, mother.name, 42);
    const father = { name: '陈浩', idNumber: makeResidentIdNumber({ birthDate: '1990-06-15', sequence: 57 }), ethnicity: '汉族' };
    const household = { ...(example.household as object), settleWith: 'father', headName: father.name };
    const form: Record<string, unknown> = { ...example, mother: { ...mother, idNumber: citizen.idNumber }, father, household };
    expect(form.parentsMarried).to.equal(false);

    const context = await newContext(suite.browser, suite.base, { locale: 'zh-Hans', javaScript: true });
    const page = await context.newPage();
    await page.goto(`${suite.base}/sign-in?return=/apply/newborn`);
    await page.fill('#username', citizen.username);
    await page.fill('#password', PASSWORD);
    await page.click('main button[type=submit]');
    const fatherTask = page.locator('.govuk-task-list__item', { has: page.locator('a[href="/apply/newborn/section/father"]') });
    // Before the parents' marriage is answered, and once it is answered no, the father may be given: optional.
    expect(await fatherTask.textContent()).to.contain('选填');
    await page.goto(`${suite.base}/apply/newborn/section/parentsMarried`);
    await fill(page, '/parentsMarried', false);
    await save(page);
    await page.goto(`${suite.base}/apply/newborn`);
    expect(await fatherTask.textContent()).to.contain('选填');

    const sections = await page.locator('.govuk-task-list__link').evaluateAll((links) => links.map((a) => a.getAttribute('href')!).filter((h) => h.includes('/section/')));
    for (const href of sections) {
      const key = href.split('/').pop()!;
      if (!(key in form) || key === 'parentsMarried') continue;
      await page.goto(`${suite.base}${href}`);
      if (key === 'father') {
        expect(await page.locator('main .govuk-body').first().textContent()).to.contain('父亲认领新生儿的请填写');
        await inspectPage(page, 'apply-newborn-father-unmarried');
      }
      await fill(page, `/${key}`, form[key]);
      await save(page);
      const summary = page.locator('.govuk-error-summary');
      expect((await summary.count()) > 0 ? `${key}: ${await summary.innerText()}` : '').to.equal('');
    }
    await page.goto(`${suite.base}/apply/newborn`);
    expect(await fatherTask.textContent()).to.contain('已完成');

    // The father is on the application, so his identity card is asked for; registering with an unmarried father
    // asks for the paternity test report besides his household register.
    await page.click('a[href="/apply/newborn/materials"]');
    expect(await page.locator('#material-applicant-id-card').textContent()).to.contain('已从您的证照夹调用：居民身份证');
    for (const material of ['other-parent-id-card', 'settling-household-register', 'paternity-test-report']) {
      await page.setInputFiles(`#file-${material}`, { name: `${material}.pdf`, mimeType: 'application/pdf', buffer: tinyPdf() });
      await page.click(`#material-${material} form[enctype] button`);
      expect(await page.locator(`#material-${material}`).textContent()).to.contain(`${material}.pdf`);
    }
    await page.check('#commit-non-marital-birth-statement');
    await page.click('#material-non-marital-birth-statement form button');
    await page.click('main a.govuk-button');
    expect(await page.locator('.govuk-task-list__status--cannot-start-yet').count()).to.equal(0);

    await page.click('a[href="/apply/newborn/check"]');
    expect(await page.locator('main').textContent()).to.contain(father.name).and.contain(father.idNumber);
    await page.click('main a.govuk-button');
    await page.check('#declare');
    await page.click('main form button');
    const number = /[A-Z]{0,4}\d{10,}/.exec((await page.locator('.govuk-panel').textContent()) ?? '')?.[0];
    expect(number).to.not.equal(undefined);
    const { id } = await suite.server.onevisit.db('applications').where({ number }).first('id');
    const login = await suite.server.http.post('/api/v1/auth/login').send({ username: citizen.username, password: PASSWORD }).expect(200);
    const submitted = (await suite.server.http.get(`/api/v1/applications/${id}`).set('Authorization', `Bearer ${login.body.token}`).expect(200)).body;
    expect(submitted.form.father).to.deep.equal(father);
    expect(submitted.form.household.settleWith).to.equal('father');
    await context.close();
  });
});
