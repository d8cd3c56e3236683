/**
 * The clerk workbench in Chromium: the window clerk finds a submitted application in "to accept", claims it, opens
 * it, requests a supplement by ticking items (the notice generated and shown before it is sent), and accepts it once
 * the citizen has answered; three reviewers each approve their matter seeing nothing outside it, and the application
 * completes. Another clerk's claim and a stale page are shown as messages above the fresh state; the journeys pass
 * again with JavaScript off; a hostile applicant name stays text; every page type through axe into a screenshot in
 * each language. Citizens submit and answer through the HTTP API.
 */
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Locales } from '../../src/domain/i18n.js';
import type { ServiceDefinition } from '../../src/domain/definition.js';
import { clerksOf, openTestServer, person, tinyPdf, type Person, type TestServer } from '../support/server.js';
import { definitionOf, enterWithFiles, submitWithFiles } from '../support/services.js';
import { makeResidentIdNumber, maskResidentId } from '../../src/domain/ids.js';
import { inspectPage, launchBrowser, listen, newContext, signedInPage } from '../support/browser.js';

const WINDOW = 'comprehensive-window';
const PASSWORD = 'correct horse battery';
/** Markup, both quotes and a right-to-left override, as an applicant's name (30 characters, the field's limit). */
const HOSTILE = '<script>alert(1)</script>"\'\u202E马建';
/** The three matters the second example form asks for, and their departments. */
const REVIEWS = [
  { matter: 'license', department: 'market-regulation' },
  { matter: 'tax', department: 'taxation' },
  { matter: 'seal', department: 'public-security' },
] as const;

interface Clerk {
  username: string;
  name: string;
}

describe('clerk workbench in Chromium', function () {
  this.timeout(300_000);
  let server: TestServer;
  let browser: Browser;
  let site: { base: string; close(): Promise<void> };
  let citizen: Person;
  let definition: ServiceDefinition;
  const clerkOf = clerksOf(() => server);
  const dialogs: string[] = [];
  let windowClerk: Clerk;
  let secondClerk: Clerk;
  let accounts = 0;

  /** The second example: a sole-shareholder company without employees, so three matters are reviewed. */
  const form = (applicantName?: string) => {
    const example = structuredClone(definition.form.examples![1]!) as Record<string, any>;
    if (applicantName) example.applicant.name = applicantName;
    return example;
  };
  const submit = async (applicantName?: string): Promise<{ id: string; number: string }> => submitWithFiles(server, citizen, 'business-startup', form(applicantName));
  const event = (id: string, who: Person, body: Record<string, unknown>) => server.http.post(`/api/v1/applications/${id}/events`).set(...who.auth).send(body);
  const state = async (id: string) => (await server.http.get(`/api/v1/applications/${id}`).set(...citizen.auth).expect(200)).body;

  async function addClerk(name: string, departments: string[]): Promise<Clerk> {
    const username = `work${++accounts}${Date.now().toString(36)}`;
    await server.onevisit.identity.addUser({ username, password: PASSWORD, role: 'clerk', departments, name });
    return { username, name };
  }

  async function signedIn(who: { username: string }, options: Parameters<typeof newContext>[2] = {}): Promise<{ context: BrowserContext; page: Page }> {
    const page = await signedInPage(browser, site.base, { username: who.username, password: PASSWORD }, /\/work(\?.*)?$/, { ...options, returnTo: '/work' });
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    return { context: page.context(), page };
  }

  const row = (page: Page, id: string) => page.locator(`tr[data-application="${id}"]`);
  const action = (page: Page, key: string) => page.locator(`[data-action="${key}"]`);

  /** Answers a supplement as the applicant would: a new file for the material, through the API. */
  async function answer(id: string, materialId = 'articles-of-association') {
    const fileId = (await server.http.post('/api/v1/files').set(...citizen.auth).attach('file', tinyPdf(), `${materialId}.pdf`).expect(201)).body.fileId;
    await event(id, citizen, { type: 'SUPPLEMENT', materials: [{ materialId, fileId }] }).expect(200);
  }

  /** Every form pointer and material the page shows falls inside what the matter may see. */
  async function expectOnlyMatter(page: Page, matter: string) {
    const spec = definition.steps.flatMap((s) => (s.kind === 'review' ? s.matters : [])).find((m) => m.id === matter)!;
    const pointers = await page.locator('[data-pointer]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-pointer')!));
    expect(pointers.length, `${matter} sees some fields`).to.be.greaterThan(0);
    const outside = pointers.filter((p) => !spec.fields.some((f) => p === f || p.startsWith(`${f}/`)));
    expect(outside, `fields outside ${matter}`).to.deep.equal([]);
    const materials = await page.locator('[data-material]').evaluateAll((els) => els.map((e) => e.getAttribute('data-material')!));
    const allowed = definition.materials.filter((m) => m.matters === undefined || m.matters.includes(matter)).map((m) => m.id);
    expect(materials.filter((m) => !allowed.includes(m)), `materials outside ${matter}`).to.deep.equal([]);
    return { pointers, materials };
  }

  /** The window clerk's journey: claim from "to accept", request a supplement by ticking, accept once answered. */
  async function windowJourney(page: Page, app: { id: string; number: string }, { screenshots = false } = {}) {
    await page.goto(`${site.base}/work?tab=accept`);
    expect(await row(page, app.id).textContent()).to.contain(app.number).and.contain('开办企业一件事').and.contain('窗口受理').and.contain('无人认领');
    if (screenshots) await inspectPage(page, `work-queue-accept-zh-Hans`);
    await row(page, app.id).locator('button', { hasText: '认领' }).click();
    await page.waitForURL(/\/work\?tab=accept&msg=claimed$/);
    expect(await page.locator('.govuk-notification-banner--success').textContent()).to.contain('您已认领该任务');
    expect(await row(page, app.id).textContent()).to.contain('我已认领');

    await row(page, app.id).locator('a', { hasText: app.number }).click();
    await page.waitForURL(new RegExp(`/work/applications/${app.id}$`));
    expect(await page.locator('h1').textContent()).to.contain(app.number);
    expect(await page.locator('#status').textContent()).to.equal('待受理');
    // The window sees the whole application: every section, every material with its preview.
    expect(await page.locator('[data-pointer="/company/name"] dd').textContent()).to.equal('兰州建国餐饮管理有限公司');
    expect(await page.locator('[data-pointer="/tax/taxpayerType"]').count()).to.equal(1);
    expect(await page.locator('[data-material="articles-of-association"] iframe').getAttribute('src')).to.equal(`/work/applications/${app.id}/materials/articles-of-association`);
    expect(await page.locator('.ov-action').allTextContents()).to.satisfy((labels: string[]) => ['受理', '一次性告知补正', '不予受理'].every((l) => labels.some((x) => x.includes(l))));
    if (screenshots) await inspectPage(page, `work-application-window-zh-Hans`);

    await action(page, 'REQUEST_SUPPLEMENT').locator('a').click();
    await page.waitForURL(/\/supplement\?type=REQUEST_SUPPLEMENT/);
    // Nothing ticked: the error at the items and in the summary.
    await page.click('main button[type=submit]');
    expect(await page.locator('.govuk-error-summary a[href="#items"]').textContent()).to.contain('请至少勾选一项');
    await page.locator('input[name=items][value="articles-of-association"]').check();
    await page.locator('input[name=items][value="/company/address"]').check();
    await page.fill('#note', '章程缺少股东签字页');
    await page.click('main button[type=submit]');
    const notice = await page.inputValue('#notice');
    expect(notice).to.contain(app.number).and.contain('公司章程').and.contain('住所').and.contain('章程缺少股东签字页');
    expect(await page.locator('.ov-ticked li').allTextContents()).to.have.length(2);
    if (screenshots) await inspectPage(page, `work-supplement-preview-zh-Hans`);
    await page.click('main button[type=submit]');
    await page.waitForURL(new RegExp(`/work/applications/${app.id}\\?msg=done$`));
    expect(await page.locator('#status').textContent()).to.equal('待补正');
    expect(await page.locator('.ov-timeline__item').first().textContent()).to.contain('一次性告知补正').and.contain('公司章程').and.contain('章程缺少股东签字页');
    const sent = (await state(app.id)).timeline.at(-1);
    expect(sent.type).to.equal('REQUEST_SUPPLEMENT');
    expect(sent.items).to.deep.equal(['articles-of-association', '/company/address']);

    await page.goto(`${site.base}/work?tab=supplements`);
    expect(await row(page, app.id).textContent()).to.contain('等待申请人补正');
    await answer(app.id);
    await page.goto(`${site.base}/work?tab=supplements`);
    expect(await row(page, app.id).textContent()).to.contain('申请人已补正');
    await page.goto(`${site.base}/work?tab=accept`);
    expect(await row(page, app.id).textContent()).to.contain('我已认领');
    await row(page, app.id).locator('a', { hasText: app.number }).click();
    await action(page, 'ACCEPT').locator('button').click();
    await page.waitForURL(new RegExp(`/work/applications/${app.id}\\?msg=done$`));
    expect(await page.locator('#status').textContent()).to.equal('审批中');
    expect((await state(app.id)).status).to.equal('in_review');
  }

  /** A reviewer's journey: the matter in "in review", nothing outside it on its page, approved through the page. */
  async function reviewJourney(page: Page, app: { id: string; number: string }, matter: string, screenshots = '') {
    await page.goto(`${site.base}/work`);
    expect(page.url()).to.not.contain('tab=accept');
    const title = (definition.steps.flatMap((s) => (s.kind === 'review' ? s.matters : [])).find((m) => m.id === matter)!.title['zh-Hans']);
    expect(await row(page, app.id).textContent()).to.contain(title);
    await row(page, app.id).locator('a', { hasText: app.number }).click();
    await page.waitForURL(new RegExp(`/work/applications/${app.id}$`));
    await expectOnlyMatter(page, matter);
    expect(await page.locator('.ov-minimised').count()).to.equal(1);
    if (screenshots) await inspectPage(page, screenshots);
    await action(page, `APPROVE-${matter}`).locator('textarea').fill('材料齐全，符合要求');
    await action(page, `APPROVE-${matter}`).locator('button').click();
    await page.waitForURL(new RegExp(`/work/applications/${app.id}\\?msg=done$`));
    const approved = page.locator('.ov-timeline__item', { hasText: '审查通过' });
    expect(await approved.first().textContent()).to.contain('材料齐全，符合要求');
  }

  before(async () => {
    server = await openTestServer('sqlite');
    site = await listen(server);
    browser = await launchBrowser();
    definition = definitionOf('business-startup');
    citizen = await person(server, 'citizen');
    windowClerk = await addClerk('窗口 李静', [WINDOW]);
    secondClerk = await addClerk('窗口 赵强', [WINDOW]);
  });
  after(async () => {
    await browser?.close();
    await site?.close();
    await server?.close();
  });

  it('the window clerk claims, requests a supplement by ticking items, accepts; three reviewers approve their matters and the application completes', async () => {
    const app = await submit(HOSTILE);
    const { context, page } = await signedIn(windowClerk);
    await windowJourney(page, app, { screenshots: true });
    await context.close();
    for (const { matter, department } of REVIEWS) {
      const reviewer = await addClerk(`审查 ${department}`, [department]);
      const signed = await signedIn(reviewer);
      await reviewJourney(signed.page, app, matter, matter === 'license' ? 'work-application-reviewer-zh-Hans' : '');
      await signed.context.close();
    }
    expect((await state(app.id)).status).to.equal('completed');
    expect(dialogs).to.deep.equal([]);
  });

  it('a matter its department returned and the applicant answered is in the reviewer’s supplements, tagged answered, and only that matter', async () => {
    const app = await submit();
    await event(app.id, await clerkOf(WINDOW), { type: 'ACCEPT' }).expect(200);
    const reviewer = await addClerk('审查 市场 退回', ['market-regulation']);
    const { context, page } = await signedIn(reviewer);
    await page.goto(`${site.base}/work/applications/${app.id}`);
    await action(page, 'RETURN-license').locator('a').click();
    await page.waitForURL(/\/supplement\?type=RETURN/);
    await page.locator('input[name=items][value="articles-of-association"]').check();
    await page.click('main button[type=submit]');
    await page.click('main button[type=submit]');
    await page.waitForURL(new RegExp(`/work/applications/${app.id}\\?msg=done$`));

    await page.goto(`${site.base}/work?tab=supplements`);
    expect(await row(page, app.id).textContent()).to.contain('等待申请人补正');
    await answer(app.id);
    for (const tab of ['supplements', 'review']) {
      await page.goto(`${site.base}/work?tab=${tab}`);
      expect(await row(page, app.id).locator('.govuk-tag', { hasText: '申请人已补正' }).count(), tab).to.equal(1);
    }

    // Returned is the matter's: the application was sent back, but taxation's matter never was.
    const queue = async (clerk: Person, stage: string) => (await server.http.get(`/api/v1/applications?stage=${stage}`).set(...clerk.auth).expect(200)).body as { id: string; matter: string; returned: boolean; sentBack: boolean }[];
    const license = (await queue(await clerkOf('market-regulation'), 'supplements')).find((r) => r.id === app.id);
    expect(license).to.include({ matter: 'license', returned: true, sentBack: true });
    const taxation = await clerkOf('taxation');
    expect((await queue(taxation, 'supplements')).some((r) => r.id === app.id)).to.equal(false);
    expect((await queue(taxation, 'review')).find((r) => r.id === app.id)).to.include({ matter: 'tax', returned: false, sentBack: true });

    // Decided, the task is closed and leaves the tab.
    await row(page, app.id).locator('a', { hasText: app.number }).click();
    await action(page, 'APPROVE-license').locator('button').click();
    await page.waitForURL(new RegExp(`/work/applications/${app.id}\\?msg=done$`));
    await page.goto(`${site.base}/work?tab=supplements`);
    expect(await row(page, app.id).count()).to.equal(0);
    await context.close();
  });

  it('a reviewer’s page shows no field and no material outside its matter, and no action of another department', async () => {
    const app = await submit();
    await event(app.id, await clerkOf(WINDOW), { type: 'ACCEPT' }).expect(200);
    const reviewer = await addClerk('审查 公安', ['public-security']);
    const { context, page } = await signedIn(reviewer);
    await page.goto(`${site.base}/work/applications/${app.id}`);
    const { pointers } = await expectOnlyMatter(page, 'seal');
    expect(pointers).to.include('/applicant/name').and.not.include('/tax/taxpayerType');
    expect(await page.locator('[data-material="articles-of-association"]').count()).to.equal(0);
    const actions = await page.locator('[data-action]').evaluateAll((els) => els.map((e) => e.getAttribute('data-action')));
    expect(actions).to.have.members(['APPROVE-seal', 'REJECT-seal', 'RETURN-seal']);
    // The material of another matter is not there for this reviewer, not even by its address.
    expect((await page.request.get(`${site.base}/work/applications/${app.id}/materials/articles-of-association`)).status()).to.equal(404);
    await context.close();
  });

  it('another clerk sees who holds the task and is told so when acting on it', async () => {
    const app = await submit();
    const first = await signedIn(windowClerk);
    await first.page.goto(`${site.base}/work?tab=accept`);
    await row(first.page, app.id).locator('button', { hasText: '认领' }).click();
    await first.page.waitForURL(/msg=claimed/);
    const second = await signedIn(secondClerk);
    await second.page.goto(`${site.base}/work?tab=accept`);
    expect(await row(second.page, app.id).textContent()).to.contain(`已由${windowClerk.name}认领`);
    expect(await row(second.page, app.id).locator('button').count()).to.equal(0);
    await row(second.page, app.id).locator('a', { hasText: app.number }).click();
    expect(await second.page.locator('#tasks + ul').textContent()).to.contain(`已由${windowClerk.name}认领`);
    await action(second.page, 'ACCEPT').locator('button').click();
    expect(await second.page.locator('.ov-conflict').textContent()).to.contain('该任务已由其他工作人员认领');
    expect(await second.page.locator('#status').textContent()).to.equal('待受理');
    expect((await state(app.id)).status).to.equal('submitted');
    // Released, the second clerk can take it.
    await first.page.goto(`${site.base}/work/applications/${app.id}`);
    await first.page.locator('#tasks + ul button', { hasText: '释放' }).click();
    await first.page.waitForURL(/msg=released/);
    await second.page.goto(`${site.base}/work/applications/${app.id}`);
    await action(second.page, 'ACCEPT').locator('button').click();
    await second.page.waitForURL(/msg=done/);
    expect((await state(app.id)).status).to.equal('in_review');
    await first.context.close();
    await second.context.close();
  });

  it('a stale page shows the conflict message above the fresh state and changes nothing', async () => {
    const app = await submit();
    const { context, page } = await signedIn(windowClerk);
    await page.goto(`${site.base}/work/applications/${app.id}`);
    const shown = Number(await page.locator('#version').textContent());
    // Meanwhile another window clerk asks for a supplement and the citizen answers: the same state, two versions on.
    await event(app.id, await clerkOf(WINDOW), { type: 'REQUEST_SUPPLEMENT', items: ['articles-of-association'], comment: '请补充' }).expect(200);
    await answer(app.id);
    await action(page, 'ACCEPT').locator('button').click();
    expect(await page.locator('.ov-conflict').textContent()).to.contain('已被其他人更新');
    expect(Number(await page.locator('#version').textContent())).to.equal(shown + 2);
    expect(await page.locator('.ov-timeline__item').first().textContent()).to.contain('申请人补正');
    expect((await state(app.id)).status).to.equal('submitted');
    // Acting again on the fresh page goes through.
    await action(page, 'ACCEPT').locator('button').click();
    await page.waitForURL(/msg=done/);
    await context.close();
  });

  it('the window clerk’s journey and a reviewer’s journey pass with JavaScript off', async () => {
    const app = await submit();
    const windowSide = await signedIn(windowClerk, { javaScript: false });
    // (axe runs in the page's JavaScript: the pages are inspected with it on, in the tests above and below)
    await windowJourney(windowSide.page, app);
    await windowSide.context.close();
    for (const { matter, department } of REVIEWS) {
      if (matter !== 'tax') {
        await event(app.id, await clerkOf(department), { type: 'APPROVE', matter }).expect(200);
        continue;
      }
      const reviewer = await addClerk('审查 税务', [department]);
      const signed = await signedIn(reviewer, { javaScript: false });
      await reviewJourney(signed.page, app, matter);
      await signed.context.close();
    }
    expect((await state(app.id)).status).to.equal('completed');
  });

  it('a rejection asks for its reason; a hostile applicant name is shown as text everywhere', async () => {
    const app = await submit(HOSTILE);
    const { context, page } = await signedIn(windowClerk);
    await page.goto(`${site.base}/work/applications/${app.id}`);
    expect(await page.locator('[data-pointer="/applicant/name"] dd').textContent()).to.equal(HOSTILE);
    expect(await page.locator('main script').count()).to.equal(0);
    expect(await page.content()).to.contain('&lt;script&gt;alert(1)&lt;/script&gt;');
    await action(page, 'REJECT').locator('a').click();
    await page.click('main button[type=submit]');
    expect(await page.locator('#comment-error').textContent()).to.contain('请填写理由');
    await page.fill('#comment', `申请人身份信息有误 ${HOSTILE}`);
    await page.click('main button[type=submit]');
    await page.waitForURL(/msg=done/);
    expect(await page.locator('#status').textContent()).to.equal('不予办理');
    expect(await page.locator('.ov-comment').first().textContent()).to.contain(HOSTILE);
    expect(dialogs).to.deep.equal([]);
    await context.close();
  });

  it('reprints the receipt naming the applicant by name and masked id number, and says how they follow it online by how it was made', async () => {
    const { context, page } = await signedIn(windowClerk);
    const reprint = async (id: string) => {
      await page.goto(`${site.base}/work/applications/${id}`);
      await page.click('#reprint');
      expect(await page.locator('.govuk-panel__title').textContent()).to.contain('回执已重新打印');
      return { applicant: (await page.locator('.ov-receipt-applicant').textContent())!.trim(), follow: await page.locator('#follow-online').textContent(), content: await page.content() };
    };
    // Made online: the citizen's account holds it.
    const online = await reprint((await submit()).id);
    expect(online.applicant).to.equal(`测试citizen ${maskResidentId(citizen.idNumber!)}`);
    expect(online.content).to.not.contain(citizen.idNumber!);
    expect(online.follow).to.contain('已有网上账号').and.not.contain('注册');
    await inspectPage(page, 'work-receipt-reprint-zh-Hans');

    // Entered at the counter for a person without an account: they register with the id number to follow it online.
    const visitor = { name: '赵建国', idNumber: makeResidentIdNumber({ birthDate: '1958-06-15', sequence: 412 }) };
    const entered = await enterWithFiles(server, await clerkOf(WINDOW), visitor, 'business-startup', form());
    const counter = await reprint(entered.id);
    expect(counter.applicant).to.equal(`赵建国 ${maskResidentId(visitor.idNumber)}`);
    expect(counter.content).to.not.contain(visitor.idNumber);
    expect(counter.follow).to.contain('尚无网上账号').and.contain('用此身份证号码注册');
    await context.close();
  });

  it('refuses the workbench to citizens and sends the signed-out to sign in', async () => {
    const anonymous = await server.http.get('/work');
    expect(anonymous.status).to.equal(303);
    expect(anonymous.headers.location).to.equal('/sign-in?return=%2Fwork');
    const asCitizen = await server.http.get('/work').set('Cookie', `onevisit_session=${citizen.token}`);
    expect(asCitizen.status).to.equal(403);
    const app = await submit();
    expect((await server.http.get(`/work/applications/${app.id}`).set('Cookie', `onevisit_session=${citizen.token}`)).status).to.equal(403);
    // A claim without the form's CSRF token changes nothing.
    const clerk = await clerkOf(WINDOW);
    expect((await server.http.post(`/work/applications/${app.id}/claim`).set('Cookie', `onevisit_session=${clerk.token}`).type('form').send({ matter: '' })).status).to.equal(403);
    expect((await state(app.id)).tasks[0].claimedBy).to.equal(null);
  });

  for (const locale of Locales) {
    it(`every page type passes axe and is kept as a screenshot in ${locale}`, async () => {
      const shot = (name: string) => `work-${name}-${locale}`;
      const inReview = await submit();
      await event(inReview.id, await clerkOf(WINDOW), { type: 'ACCEPT' }).expect(200);
      const submitted = await submit();
      const returned = await submit();
      await event(returned.id, await clerkOf(WINDOW), { type: 'REQUEST_SUPPLEMENT', items: ['articles-of-association'], comment: '请补充章程签字页' }).expect(200);
      const { context, page } = await signedIn(windowClerk, { locale });
      for (const tab of ['accept', 'supplements', 'review', 'overdue'] as const) {
        const r = await page.goto(`${site.base}/work?tab=${tab}`);
        expect(r?.status(), tab).to.equal(200);
        expect(await page.getAttribute('html', 'lang')).to.equal(locale);
        expect(await page.locator('.ov-tabs [aria-current="page"]').count()).to.equal(1);
        await inspectPage(page, shot(`queue-${tab}`));
      }
      await page.goto(`${site.base}/work?tab=accept&claimed=nobody&sort=submitted`);
      expect(await row(page, submitted.id).count()).to.equal(1);
      await page.goto(`${site.base}/work/applications/${submitted.id}`);
      await inspectPage(page, shot('application-window'));
      await page.goto(`${site.base}/work/applications/${submitted.id}/supplement?type=REQUEST_SUPPLEMENT`);
      await inspectPage(page, shot('supplement'));
      await page.locator('input[name=items]').first().check();
      await page.click('main button[type=submit]');
      await inspectPage(page, shot('supplement-preview'));
      await page.goto(`${site.base}/work/applications/${submitted.id}/decide?type=REJECT`);
      await page.click('main button[type=submit]');
      expect(await page.locator('#comment-error').count()).to.equal(1);
      await inspectPage(page, shot('reject'));
      // A stale page: the conflict shown above the fresh state.
      await page.goto(`${site.base}/work/applications/${submitted.id}`);
      await event(submitted.id, await clerkOf(WINDOW), { type: 'REQUEST_SUPPLEMENT', items: ['articles-of-association'] }).expect(200);
      await answer(submitted.id);
      await action(page, 'ACCEPT').locator('button').click();
      expect(await page.locator('.ov-conflict').count()).to.equal(1);
      await inspectPage(page, shot('conflict'));
      await context.close();

      const reviewer = await signedIn(await addClerk('审查 市场', ['market-regulation']), { locale });
      // Ten days on, what was accepted before is past its promised three working days.
      const before = server.clock.now;
      server.clock.now = new Date(before.getTime() + 10 * 86_400_000);
      await reviewer.page.goto(`${site.base}/work?tab=overdue`);
      expect(await row(reviewer.page, inReview.id).locator('.ov-warning--red').count()).to.equal(1);
      await inspectPage(reviewer.page, shot('queue-overdue-reviewer'));
      server.clock.now = before;
      await reviewer.page.goto(`${site.base}/work/applications/${inReview.id}`);
      await expectOnlyMatter(reviewer.page, 'license');
      await inspectPage(reviewer.page, shot('application-reviewer'));
      await reviewer.context.close();

      const idle = await signedIn(await addClerk('银行 柜员', ['banking']), { locale });
      await idle.page.goto(`${site.base}/work?tab=review`);
      expect(await idle.page.locator('.ov-queue-empty').count()).to.equal(1);
      await inspectPage(idle.page, shot('queue-empty'));
      await idle.context.close();
    });
  }
});
