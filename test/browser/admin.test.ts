/**
 * The admin console in Chromium: the definition editor (live validation, errors with their paths, the diagram,
 * publishing a version while applications on the previous one go on unchanged), with and without JavaScript; the
 * dashboard against GET /api/v1/metrics; accounts; the working-day calendar; axe and screenshots of every page type
 * in each language; and nobody but an admin gets in.
 */
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { Locales, type Locale } from '../../src/domain/i18n.js';
import { chinaDate } from '../../src/domain/time.js';
import { clerksOf, openTestServer, person, type Person, type TestServer } from '../support/server.js';
import { approveAll, definitionOf, submitWithFiles } from '../support/services.js';
import { inspectPage, launchBrowser, listen, newContext, signedInPage } from '../support/browser.js';

const PASSWORD = 'correct horse battery';
const pretty = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

describe('admin console in Chromium', function () {
  this.timeout(180_000);
  let server: TestServer;
  let browser: Browser;
  let site: { base: string; close(): Promise<void> };
  let admin: Person;
  let adminUsername: string;
  const clerkOf = clerksOf(() => server);

  before(async () => {
    server = await openTestServer('sqlite');
    site = await listen(server);
    browser = await launchBrowser();
    adminUsername = 'admin.li';
    await server.onevisit.identity.addUser({ username: adminUsername, password: PASSWORD, role: 'admin', name: '李管理' });
    const login = await server.http.post('/api/v1/auth/login').send({ username: adminUsername, password: PASSWORD }).expect(200);
    admin = { id: login.body.user.id, username: adminUsername, token: login.body.token, csrfToken: login.body.csrfToken, auth: ['Authorization', `Bearer ${login.body.token}`] };
  });
  after(async () => {
    await browser?.close();
    await site?.close();
    await server?.close();
  });

  const signedIn = (locale: Locale = 'zh-Hans', javaScript = true): Promise<Page> => signedInPage(browser, site.base, { username: adminUsername, password: PASSWORD }, /\/admin$/, { locale, javaScript });

  /** Replaces the whole text of the CodeMirror editor as a person would: select all, then paste. */
  async function replaceEditorText(page: Page, text: string): Promise<void> {
    await page.click('.cm-content');
    await page.keyboard.press('Control+A');
    // (typing 30 kB key by key takes a minute; a paste is one edit, as it is for a person)
    await page.evaluate(`(() => {
      const data = new DataTransfer();
      data.setData('text/plain', ${JSON.stringify(text)});
      document.querySelector('.cm-content').dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    })()`);
  }

  /**
   * The editor's form preview is the form the apply pages draw, in each language's tab: the restaurant's floor area
   * as a real input under its label in that language, disabled, outside any form; no id on the page twice.
   */
  async function expectFormPreview(page: Page, definition: ReturnType<typeof definitionOf>): Promise<void> {
    const restaurant = definition.form.properties.restaurant as { properties: { floorArea: { 'x-i18n': { title: Record<Locale, string> } } } };
    const label = restaurant.properties.floorArea['x-i18n'].title;
    for (const shown of Locales) {
      const tab = page.locator(`a.govuk-tabs__tab[href="#preview-${shown}"]`);
      if (await tab.isVisible()) await tab.click();
      const input = page.locator(`#preview-${shown} input#preview-${shown}-f-restaurant-floorArea`);
      expect(await input.isVisible(), shown).to.equal(true);
      expect(await input.isDisabled(), shown).to.equal(true);
      expect((await page.locator(`#preview-${shown} label[for="preview-${shown}-f-restaurant-floorArea"]`).textContent())?.trim()).to.equal(label[shown]);
      expect(await page.locator(`#preview-${shown} [lang="${shown}"] .govuk-form-group`).count(), shown).to.be.greaterThan(10);
    }
    expect(await page.locator('form .ov-form-preview').count()).to.equal(0);
    expect(await page.locator('.ov-form-preview :is(input, select, textarea, button):enabled').count()).to.equal(0);
    expect(await page.evaluate('(() => { const ids = [...document.querySelectorAll("[id]")].map((e) => e.id); return ids.length - new Set(ids).size; })()')).to.equal(0);
  }

  it('refuses the admin pages to citizens and clerks (403) and sends the signed-out to sign in', async () => {
    const citizen = await person(server, 'citizen');
    const clerk = await person(server, 'clerk', ['comprehensive-window']);
    for (const path of ['/admin', '/admin/services', '/admin/services/newborn', '/admin/services/newborn/edit', '/admin/services/new', '/admin/users', '/admin/users/new', '/admin/calendar']) {
      for (const who of [citizen, clerk]) {
        const res = await server.http.get(path).set('Cookie', `onevisit_session=${who.token}`);
        expect(res.status, `${path} as ${who.username}`).to.equal(403);
        expect(res.type).to.equal('text/html');
      }
      const anonymous = await server.http.get(path);
      expect(anonymous.status, path).to.equal(303);
      expect(anonymous.headers.location).to.match(/^\/sign-in\?return=/);
    }
    const context = await newContext(browser, site.base, { locale: 'zh-Hans' });
    const page = await context.newPage();
    await page.goto(`${site.base}/sign-in`);
    await page.fill('#username', clerk.username);
    await page.fill('#password', PASSWORD);
    await page.click('main button[type=submit]');
    await page.waitForURL(/\/work/);
    const response = await page.goto(`${site.base}/admin`);
    expect(response?.status()).to.equal(403);
    await context.close();
  });

  it('edits a definition with live validation: an error with its path, fixed, the diagram, version 2 published while a version-1 application goes on unchanged', async () => {
    const serviceId = 'newborn';
    const v1 = definitionOf(serviceId);
    const citizen = await person(server, 'citizen');
    const application = await submitWithFiles(server, citizen, serviceId, v1.form.examples![0] as Record<string, unknown>);
    expect(application.serviceVersion).to.equal(1);

    const page = await signedIn('zh-Hans');
    await page.goto(`${site.base}/admin/services/${serviceId}/edit`);
    await page.waitForSelector('.cm-content');
    expect(await page.isHidden('#definition')).to.equal(true);
    // The published definition is valid: its diagram is drawn by mermaid at once.
    await page.waitForSelector('#mermaid-diagram svg');

    const broken = pretty({ ...v1, promisedDays: 'soon' });
    await replaceEditorText(page, broken);
    await page.waitForSelector('#problem-list li[data-code] a[data-path="/promisedDays"]');
    expect(await page.locator('#editor-status').textContent()).to.contain('问题');
    const link = page.locator('#problem-list a[data-path="/promisedDays"]');
    expect(await link.textContent()).to.contain('/promisedDays');
    expect(await link.textContent()).to.match(/第 \d+ 行/);
    await link.click();
    // The cursor jumped to the value at that path.
    const selected = await page.evaluate('window.getSelection()?.toString() ?? ""');
    expect(selected).to.equal('"soon"');

    const fixed = pretty({ ...v1, promisedDays: v1.promisedDays + 2 });
    await replaceEditorText(page, fixed);
    await page.locator('#editor-status', { hasText: '有效' }).waitFor();
    expect(await page.locator('#problem-list li').count()).to.equal(0);
    await page.locator('#mermaid-diagram[data-drawn]:not([data-drawn="1"]) svg').waitFor();
    expect(await page.locator('#mermaid-diagram svg').count()).to.equal(1);
    expect(await page.locator('#mermaid-source').textContent()).to.contain('stateDiagram-v2');

    await page.click('button[value=publish]');
    await page.waitForSelector('#diff');
    expect(await page.locator('.ov-diff__added').allTextContents()).to.satisfy((rows: string[]) => rows.some((r) => r.includes(`"promisedDays": ${v1.promisedDays + 2}`)));
    expect(await page.locator('.ov-diff__removed').allTextContents()).to.satisfy((rows: string[]) => rows.some((r) => r.includes(`"promisedDays": ${v1.promisedDays}`)));
    await page.click('#confirm-publish');
    await page.waitForURL(new RegExp(`/admin/services/${serviceId}\\?published=2$`));
    expect(await page.locator('.govuk-notification-banner').textContent()).to.contain('第 2 版');
    expect(await page.locator('#versions tbody tr').count()).to.equal(2);

    const versions = (await server.http.get(`/api/v1/definitions/${serviceId}/versions`).set(...admin.auth).expect(200)).body;
    expect(versions.map((v: { version: number }) => v.version)).to.deep.equal([1, 2]);
    const served = (await server.http.get(`/api/v1/services/${serviceId}`).expect(200)).body;
    expect(served.version).to.equal(2);
    expect(served.promisedDays).to.equal(v1.promisedDays + 2);

    // The version-1 application is approved to the end on version 1.
    expect(await approveAll(server, application.id, clerkOf)).to.equal('completed');
    const { view, compiled } = await server.onevisit.engine.inspect(application.id);
    expect(view.serviceVersion).to.equal(1);
    expect(compiled.definition.version).to.equal(1);
    expect(compiled.definition.promisedDays).to.equal(v1.promisedDays);
    const read = (await server.http.get(`/api/v1/applications/${application.id}`).set(...citizen.auth).expect(200)).body;
    expect(read.serviceVersion).to.equal(1);
    expect(read.status).to.equal('completed');
    // A new application is on version 2.
    const next = await submitWithFiles(server, await person(server, 'citizen'), serviceId, v1.form.examples![0] as Record<string, unknown>);
    expect(next.serviceVersion).to.equal(2);
    await page.context().close();
  });

  it('works without JavaScript: Check lists the errors with their paths and lines, Publish shows the diff, then publishes', async () => {
    const serviceId = 'talent-medical-card';
    const v1 = definitionOf(serviceId);
    const page = await signedIn('en', false);
    await page.goto(`${site.base}/admin/services/${serviceId}/edit`);
    expect(await page.isVisible('#definition')).to.equal(true);
    expect(await page.locator('svg.ov-flow').count()).to.equal(1);
    expect(await page.locator('#simulation-table tbody tr').count()).to.be.greaterThan(3);
    // Without script the preview's tabs are three panels one after another, each the form drawn in its language.
    for (const shown of Locales) {
      expect(await page.isVisible(`#preview-${shown} fieldset.ov-form-preview[disabled]`), shown).to.equal(true);
      expect(await page.locator(`#preview-${shown} .ov-form-preview :is(input, select, textarea):disabled`).count(), shown).to.be.greaterThan(3);
    }

    const broken = { ...v1, steps: v1.steps.map((s, i) => (i === 0 ? { ...s, window: 'no-such-department' } : s)) };
    await page.fill('#definition', pretty(broken));
    await page.click('button[value=validate]');
    expect(await page.locator('.govuk-error-summary').count()).to.equal(1);
    const item = page.locator('#problem-list li', { hasText: '/steps/0/window' });
    expect(await item.count()).to.equal(1);
    expect(await item.textContent()).to.contain('There is no such department');
    expect(await item.locator('a').getAttribute('href')).to.equal('#definition');
    expect(await item.textContent()).to.match(/line \d+/);
    expect(await page.locator('.govuk-error-summary a[href^="#issue-"]').count()).to.be.greaterThan(0);

    await page.fill('#definition', pretty({ ...v1, promisedDays: 8 }));
    await page.click('button[value=publish]');
    await page.waitForSelector('#diff');
    expect(await page.locator('#diff-summary').textContent()).to.contain('1 lines added, 1 lines removed');
    await page.click('#confirm-publish');
    await page.waitForURL(new RegExp(`/admin/services/${serviceId}\\?published=2$`));
    const served = (await server.http.get(`/api/v1/services/${serviceId}`).expect(200)).body;
    expect(served.promisedDays).to.equal(8);
    await page.context().close();
  });

  it('the dashboard shows the figures GET /api/v1/metrics gives for the same period', async () => {
    const today = chinaDate(server.clock.now);
    const from = chinaDate(new Date(server.clock.now.getTime() - 6 * 86_400_000));
    const api = (await server.http.get(`/api/v1/metrics?from=${from}&to=${today}`).set(...admin.auth).expect(200)).body;
    expect(api.submitted).to.be.greaterThan(0);
    expect(api.finished.completed).to.be.greaterThan(0);
    const page = await signedIn('zh-Hans', false);
    await page.goto(`${site.base}/admin?from=${from}&to=${today}`);
    const figure = async (key: string) => (await page.locator(`[data-metric="${key}"]`).textContent())?.trim();
    const rate = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);
    expect(await figure('submitted')).to.equal(String(api.submitted));
    expect(await figure('completed')).to.equal(String(api.finished.completed));
    expect(await figure('oneVisitRate')).to.equal(rate(api.oneVisitRate));
    expect(await figure('noSubmitRate')).to.equal(rate(api.noSubmitRate));
    expect(await figure('onTimeRate')).to.equal(rate(api.onTimeRate));
    expect(await figure('inProgress')).to.equal(String(api.inProgress));
    expect(await figure('ratings.count')).to.equal(String(api.ratings.count));
    expect(await figure('finished.rejected')).to.equal(String(api.finished.rejected));
    // The per-day table beside the chart: every day of the period, the API's days with their numbers.
    expect(await page.locator('#per-day-table tbody tr').count()).to.equal(7);
    for (const day of api.perDay as { day: string; submitted: number; completed: number }[]) {
      const row = page.locator(`#per-day-table tr[data-day="${day.day}"]`);
      expect(await row.locator('[data-col=submitted]').textContent(), day.day).to.equal(String(day.submitted));
      expect(await row.locator('[data-col=completed]').textContent(), day.day).to.equal(String(day.completed));
    }
    for (const [department, w] of Object.entries(api.warningsByDepartment as Record<string, Record<string, number>>)) {
      const row = page.locator(`#departments-table tr[data-department="${department}"]`);
      for (const level of ['none', 'blue', 'yellow', 'red']) expect(await row.locator(`[data-col=${level}]`).textContent(), `${department} ${level}`).to.equal(String(w[level] ?? 0));
    }
    for (const [service, s] of Object.entries(api.byService as Record<string, { submitted: number; completed: number }>)) {
      expect(await page.locator(`#services-table tr[data-service="${service}"] [data-col=submitted]`).textContent()).to.equal(String(s.submitted));
    }
    expect(await page.locator('svg.ov-chart[role=img] title').count()).to.equal(2);
    // A period that ends before it begins is an error at its field.
    await page.goto(`${site.base}/admin?from=${today}&to=${from}`);
    expect(await page.locator('#to-error').textContent()).to.contain('结束日期不能早于开始日期');
    await page.goto(`${site.base}/admin?from=2026-1-1&to=`);
    expect(await page.locator('#from-error').textContent()).to.contain('YYYY-MM-DD');
    await page.context().close();
  });

  it('creates a clerk (errors at their fields first), disables them so their session stops working, and refuses to disable oneself', async () => {
    const page = await signedIn('zh-Hans', false);
    await page.goto(`${site.base}/admin/users/new`);
    await page.fill('#username', 'clerk.zhao');
    await page.fill('#name', '赵窗口');
    await page.check('#role');
    await page.fill('#password', 'short');
    await page.click('main button[type=submit]');
    expect(await page.locator('#password-error').textContent()).to.contain('至少需要10个字符');
    expect(await page.locator('#departments-error').textContent()).to.contain('至少要选择一个部门');
    expect(await page.locator('#username').inputValue()).to.equal('clerk.zhao');
    await page.check('input[name=departments][value="comprehensive-window"]');
    await page.fill('#password', PASSWORD);
    await page.click('main button[type=submit]');
    await page.waitForURL(/\/admin\/users\?done=created/);
    const row = page.locator('#users tr[data-username="clerk.zhao"]');
    expect(await row.textContent()).to.contain('赵窗口');

    const login = await server.http.post('/api/v1/auth/login').send({ username: 'clerk.zhao', password: PASSWORD }).expect(200);
    await server.http.get('/api/v1/applications').set('Authorization', `Bearer ${login.body.token}`).expect(200);
    await row.locator('button[data-action=disable]').click();
    await page.waitForURL(/\/admin\/users\?done=disabled/);
    expect(await page.locator('#users tr[data-username="clerk.zhao"]').textContent()).to.contain('已停用');
    await server.http.get('/api/v1/applications').set('Authorization', `Bearer ${login.body.token}`).expect(401);
    await server.http.post('/api/v1/auth/login').send({ username: 'clerk.zhao', password: PASSWORD }).expect(401);

    // No disable button on one's own row; a posted one is refused with the reason.
    expect(await page.locator(`#users tr[data-username="${adminUsername}"] button[data-action=disable]`).count()).to.equal(0);
    const csrf = await page.locator('input[name=_csrf]').first().inputValue();
    const own = await page.request.post(`${site.base}/admin/users/${admin.id}/disable`, { form: { _csrf: csrf }, maxRedirects: 0 });
    expect(own.status()).to.equal(409);
    expect(await own.text()).to.contain('不能停用自己的账户');

    await page.locator('#users tr[data-username="clerk.zhao"] button[data-action=enable]').click();
    await page.waitForURL(/\/admin\/users\?done=enabled/);
    await server.http.post('/api/v1/auth/login').send({ username: 'clerk.zhao', password: PASSWORD }).expect(200);
    await page.context().close();
  });

  it('edits a day of the working-day calendar; a wrong line is shown at its field', async () => {
    const page = await signedIn('zh-Hans', false);
    await page.goto(`${site.base}/admin/calendar?year=2026`);
    expect(await page.locator('.ov-month').count()).to.equal(12);
    expect(await page.getAttribute('td[data-date="2026-10-01"]', 'data-kind')).to.equal('holiday');
    expect(await page.getAttribute('td[data-date="2026-05-06"]', 'data-kind')).to.equal('working');
    const holidays = await page.locator('#holidays').inputValue();
    await page.fill('#holidays', `${holidays}\n2026-02-30 | 不存在的日子`);
    await page.click('main form button[type=submit]');
    expect(await page.locator('#holidays-error').textContent()).to.match(/第 \d+ 行：日期不存在/);
    await page.fill('#holidays', `${holidays}\n2026-05-06 | 城市纪念日 | 城市紀念日 | City Day`);
    await page.click('main form button[type=submit]');
    await page.waitForURL(/\/admin\/calendar\?year=2026&saved=1/);
    expect(await page.getAttribute('td[data-date="2026-05-06"]', 'data-kind')).to.equal('holiday');
    const saved = (await server.http.get('/api/v1/calendar/2026').set(...admin.auth).expect(200)).body as { holidays: { date: string; name: unknown }[] };
    expect(saved.holidays.find((h) => h.date === '2026-05-06')?.name).to.deep.equal({ 'zh-Hans': '城市纪念日', 'zh-Hant': '城市紀念日', en: 'City Day' });
    await page.context().close();
  });

  for (const locale of Locales) {
    it(`every admin page type passes axe in ${locale}`, async () => {
      const page = await signedIn(locale);
      await inspectPage(page, `admin-dashboard-${locale}`);
      await page.goto(`${site.base}/admin/services`);
      expect(await page.locator('#services tbody tr').count()).to.equal(4);
      await inspectPage(page, `admin-services-${locale}`);
      await page.goto(`${site.base}/admin/services/newborn`);
      await inspectPage(page, `admin-versions-${locale}`);

      const serviceId = 'restaurant-opening';
      const definition = definitionOf(serviceId);
      await page.goto(`${site.base}/admin/services/${serviceId}/edit`);
      await page.waitForSelector('#mermaid-diagram svg');
      await inspectPage(page, `admin-editor-valid-${locale}`);
      await expectFormPreview(page, definition);
      await replaceEditorText(page, pretty({ ...definition, promisedDays: 0, materials: [...definition.materials, { id: 'id-card' }] }));
      await page.waitForSelector('#problem-list li');
      await inspectPage(page, `admin-editor-errors-${locale}`);
      await replaceEditorText(page, pretty({ ...definition, promisedDays: definition.promisedDays + 1 }));
      await page.locator('#editor-status .govuk-tag--green').waitFor();
      await page.click('button[value=publish]');
      await page.waitForSelector('#diff');
      await inspectPage(page, `admin-publish-diff-${locale}`);

      await page.goto(`${site.base}/admin/services/new`);
      await inspectPage(page, `admin-editor-new-${locale}`);
      await page.goto(`${site.base}/admin/users`);
      await inspectPage(page, `admin-users-${locale}`);
      await page.goto(`${site.base}/admin/users/new`);
      await page.click('main button[type=submit]');
      await inspectPage(page, `admin-new-user-errors-${locale}`);
      await page.goto(`${site.base}/admin/calendar?year=2026`);
      await inspectPage(page, `admin-calendar-${locale}`);
      await page.context().close();
    });
  }
});
