/**
 * The citizen's portal after submission in Chromium: my applications with the deadline, the timeline per department,
 * the supplement notice answered in place (with JavaScript off), withdrawal, rating, the wallet with its PDF and QR
 * code, a conflict shown above the fresh state, another citizen refused, a hostile name escaped, a deferred material
 * sent after acceptance, a fee's payment recorded and the receipt printed again by the applicant and by the window
 * (with JavaScript off); every page type through axe and into a screenshot in each language.
 * State is built through the HTTP API, as clerks would.
 */
import { expect } from 'chai';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Locales } from '../../src/domain/i18n.js';
import { chinaDate } from '../../src/domain/time.js';
import { clerksOf, openTestServer, person, tinyPdf, type Person, type TestServer } from '../support/server.js';
import { approveAll, definitionOf, submitWithFiles } from '../support/services.js';
import { inspectPage, launchBrowser, listen, newContext, screenshot } from '../support/browser.js';

// jsqr is CommonJS with an `exports.default`: from ESM the function sits one level down.
const jsQR = jsQRModule.default;
const WINDOW = 'comprehensive-window';
/** No shipped service charges a fee: this one does, after intake (every other step as small as a definition allows). */
const FEE_SERVICE = {
  id: 'fee-test',
  version: 1,
  title: { 'zh-Hans': '缴费测试事项', 'zh-Hant': '繳費測試事項', en: 'A service with a fee' },
  applicant: 'person',
  promisedDays: 5,
  warning: { blue: 0.5, yellow: 0.8 },
  form: { type: 'object', additionalProperties: false, required: ['note'], properties: { note: { type: 'string', title: '说明', minLength: 1, maxLength: 50 } }, examples: [{ note: '测试' }] },
  materials: [],
  steps: [
    { kind: 'intake', window: 'comprehensive-window' },
    { kind: 'payment', amount: 50, department: 'taxation' },
    { kind: 'review', matters: [{ id: 'check', title: { 'zh-Hans': '审核', 'zh-Hant': '審核', en: 'Check' }, department: 'taxation', fields: ['/note'] }] },
  ],
};
/** Markup, both quotes and a right-to-left override: shown wherever the company's name shows, always as text. */
const HOSTILE = '<script>alert(1)</script>"\'\u202E兰州有限公司';

describe('citizen portal in Chromium', function () {
  this.timeout(180_000);
  let server: TestServer;
  let browser: Browser;
  let site: { base: string; close(): Promise<void> };
  let citizen: Person;
  let other: Person;
  let newcomer: Person;
  const clerkOf = clerksOf(() => server);
  /** answered in place, then approved, rated and its certificates used */
  let answered: { id: string; number: string };
  let withdrawn: { id: string; number: string };
  /** left waiting for a supplement: the notice in every language, then the conflict */
  let waiting: { id: string; number: string };
  /** completed and never rated: the rating page in every language */
  let completed: { id: string; number: string };
  /** accepted: in review, its deadline running */
  let reviewing: { id: string; number: string };
  /** accepted with the proof of premises to follow (容缺) */
  let owing: { id: string; number: string };
  const dialogs: string[] = [];

  const form = (name = '兰州青禾信息技术有限公司') => {
    const example = structuredClone(definitionOf('business-startup').form.examples![0]!) as Record<string, any>;
    example.company.name = name;
    return example;
  };
  const event = (id: string, who: Person, body: Record<string, unknown>) => server.http.post(`/api/v1/applications/${id}/events`).set(...who.auth).send(body);
  const status = async (id: string) => (await server.http.get(`/api/v1/applications/${id}`).set(...citizen.auth).expect(200)).body;

  async function signedIn(who: Person, options: Parameters<typeof newContext>[2] = {}): Promise<{ context: BrowserContext; page: Page }> {
    const context = await newContext(browser, site.base, options);
    const page = await context.newPage();
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`${site.base}/sign-in?return=/my/applications`);
    await page.fill('#username', who.username);
    await page.fill('#password', 'correct horse battery');
    await page.click('main button[type=submit]');
    await page.waitForURL(/\/my\/applications$/);
    return { context, page };
  }

  before(async () => {
    server = await openTestServer('sqlite');
    site = await listen(server);
    browser = await launchBrowser();
    [citizen, other, newcomer] = await Promise.all([person(server, 'citizen'), person(server, 'citizen'), person(server, 'citizen')]);
    answered = await submitWithFiles(server, citizen, 'business-startup', form(HOSTILE));
    await event(answered.id, await clerkOf(WINDOW), { type: 'REQUEST_SUPPLEMENT', items: ['articles-of-association', '/company/name'], comment: `章程缺签字页；${HOSTILE}` }).expect(200);
    withdrawn = await submitWithFiles(server, citizen, 'business-startup', form());
    completed = await submitWithFiles(server, citizen, 'business-startup', form('兰州已办结科技有限公司'));
    expect(await approveAll(server, completed.id, clerkOf)).to.equal('completed');
    reviewing = await submitWithFiles(server, citizen, 'business-startup', form('兰州审批中科技有限公司'));
    await event(reviewing.id, await clerkOf(WINDOW), { type: 'ACCEPT' }).expect(200);
    owing = await submitWithFiles(server, citizen, 'business-startup', form('兰州容缺科技有限公司'), ['premises-proof']);
    await event(owing.id, await clerkOf(WINDOW), { type: 'ACCEPT' }).expect(200);
    await server.http.post('/api/v1/definitions').set(...(await person(server, 'admin')).auth).send(FEE_SERVICE).expect(201);
    waiting = await submitWithFiles(server, citizen, 'business-startup', form('兰州待补正科技有限公司'));
    await event(waiting.id, await clerkOf(WINDOW), { type: 'REQUEST_SUPPLEMENT', items: ['premises-proof', '/company/address'], comment: '住所证明不清晰，请重新上传并核对地址' }).expect(200);
  });
  after(async () => {
    await browser?.close();
    await site?.close();
    await server?.close();
  });

  it('lists the citizen’s applications newest first, with status, deadline and warning in words', async () => {
    const { context, page } = await signedIn(citizen);
    const rows = page.locator('tr[data-application]');
    expect(await rows.count()).to.equal(6);
    expect(await rows.first().getAttribute('data-application')).to.equal(waiting.id);
    const row = page.locator(`tr[data-application="${completed.id}"]`);
    expect(await row.textContent()).to.contain(completed.number).and.contain('已办结').and.contain('开办企业一件事');
    expect(await page.locator(`tr[data-application="${waiting.id}"]`).textContent()).to.contain('待补正').and.contain('暂停计时');
    // In review: the due date and the working days left, counted on the server, and the warning level in words.
    const running = page.locator(`tr[data-application="${reviewing.id}"]`);
    const { dueAt } = await status(reviewing.id);
    expect(await running.textContent()).to.contain('审批中').and.contain(`${chinaDate(dueAt)} 前办结`).and.match(/剩余[1-4]个工作日/);
    expect(await running.locator('.ov-warning').textContent()).to.equal('正常');
    await inspectPage(page, 'portal-list-zh-Hans');
    await context.close();
  });

  it('shows one application with its timeline per department', async () => {
    const { context, page } = await signedIn(citizen);
    await page.goto(`${site.base}/my/applications/${completed.id}`);
    expect(await page.locator('h1').textContent()).to.contain(completed.number);
    const departments = await page.locator('.ov-department h3').allTextContents();
    expect(departments).to.include.members(['政务服务中心综合窗口', '市场监督管理局', '税务局']);
    const license = page.locator('.ov-department', { hasText: '市场监督管理局' });
    expect(await license.locator('.ov-part').first().textContent()).to.contain('企业设立登记').and.contain('已通过');
    expect(await page.locator('.ov-department', { hasText: '政务服务中心综合窗口' }).locator('.ov-event').allTextContents()).to.satisfy((events: string[]) => events.some((e) => e.includes('您提交了申请')) && events.some((e) => e.includes('窗口已受理')));
    // the materials given, downloadable through the API's owner access
    const file = page.locator('[data-material="articles-of-association"] a');
    const download = await page.request.get(`${site.base}${await file.getAttribute('href')}`);
    expect(download.status()).to.equal(200);
    expect(download.headers()['content-type']).to.contain('application/pdf');
    expect(await page.locator('.ov-certificates li').count()).to.be.greaterThan(2);
    await context.close();
  });

  it('answers the supplement notice in place with JavaScript off, every item in one form, and the application goes back to the window', async () => {
    const { context, page } = await signedIn(citizen, { javaScript: false });
    await page.goto(`${site.base}/my/applications/${answered.id}`);
    const notice = page.locator('#supplement');
    expect(await notice.locator('.govuk-inset-text').textContent()).to.contain('章程缺签字页').and.contain(HOSTILE);
    expect(await page.inputValue('#field-company-name')).to.equal(HOSTILE);
    // (axe runs in the page's JavaScript: without it, a screenshot; the same page passes axe below with JavaScript on)
    await screenshot(page, 'portal-detail-supplement-nojs-zh-Hans');
    // Nothing chosen for the material: the error at its field and in the summary linking to it.
    await page.click('#send-supplement');
    expect(await page.locator('.govuk-error-summary a[href="#material-articles-of-association"]').textContent()).to.contain('请上传');
    expect(await page.locator('#material-articles-of-association-error').count()).to.equal(1);
    await page.setInputFiles('#material-articles-of-association', { name: '章程签字页.pdf', mimeType: 'application/pdf', buffer: tinyPdf() });
    await page.fill('#field-company-name', `${HOSTILE}（更正）`);
    await page.fill('#supplement-note', '已补充签字页');
    await page.click('#send-supplement');
    await page.waitForURL(/done=supplement/);
    expect(await page.locator('#done').textContent()).to.contain('补正材料已提交');
    const detail = await status(answered.id);
    expect(detail.status).to.equal('submitted');
    expect(detail.tasks.map((t: { kind: string; party: string }) => `${t.kind}:${t.party}`)).to.deep.equal(['intake:clerk']);
    expect(detail.form.company.name).to.equal(`${HOSTILE}（更正）`);
    expect(detail.timeline.at(-1)).to.include({ type: 'SUPPLEMENT', comment: '已补充签字页' });
    expect(await page.locator('[data-material="articles-of-association"] a').textContent()).to.equal('章程签字页.pdf');
    expect(dialogs).to.deep.equal([]);
    await context.close();
  });

  it('withdraws an application after a confirmation page', async () => {
    const { context, page } = await signedIn(citizen);
    await page.goto(`${site.base}/my/applications/${withdrawn.id}`);
    await page.click(`a[href="/my/applications/${withdrawn.id}/withdraw"]`);
    expect(await page.locator('h1').textContent()).to.contain('撤回');
    await page.fill('#reason', '信息填写有误');
    await page.click('#confirm-withdraw');
    await page.waitForURL(/done=withdrawn/);
    expect((await status(withdrawn.id)).status).to.equal('withdrawn');
    expect(await page.locator('.ov-application-summary [data-status]').textContent()).to.contain('已撤回');
    expect(await page.locator(`a[href="/my/applications/${withdrawn.id}/withdraw"]`).count()).to.equal(0);
    // Ended without a decision: there is nothing to rate, as the rating use case says (mayRate).
    expect(await page.locator(`a[href="/my/applications/${withdrawn.id}/rate"]`).count()).to.equal(0);
    expect((await page.goto(`${site.base}/my/applications/${withdrawn.id}/rate`))?.url()).to.match(new RegExp(`/my/applications/${withdrawn.id}$`));
    await context.close();
  });

  it('once the reviewers approve, rates it, opens the wallet, downloads the PDF, and the QR code’s link shows it valid', async () => {
    expect(await approveAll(server, answered.id, clerkOf)).to.equal('completed');
    const { context, page } = await signedIn(citizen);
    await page.goto(`${site.base}/my/applications/${answered.id}`);
    await page.click(`a[href="/my/applications/${answered.id}/rate"]`);
    await page.click('#send-rating');
    expect(await page.locator('.govuk-error-summary a[href="#score"]').textContent()).to.contain('请选择');
    await page.check('input[name=score][value="4"]');
    await page.fill('#comment', `很方便 ${HOSTILE}`);
    await page.click('#send-rating');
    await page.waitForURL(/done=rated/);
    expect((await status(answered.id)).rating).to.include({ score: 4 });
    expect(await page.locator('#rating').textContent()).to.contain('满意').and.contain(HOSTILE);
    expect(await page.locator(`a[href="/my/applications/${answered.id}/rate"]`).count()).to.equal(0);

    await page.goto(`${site.base}/my/wallet`);
    const certificate = page.locator('.ov-certificate', { hasText: '营业执照' }).filter({ hasText: `${HOSTILE}（更正）` });
    expect(await certificate.count()).to.equal(1);
    expect(await certificate.locator('bdi').first().textContent()).to.equal(`${HOSTILE}（更正）`);
    const id = (await certificate.getAttribute('id'))!.replace('certificate-', '');
    const pdf = await page.request.get(`${site.base}/my/wallet/${id}/pdf`);
    expect(pdf.status()).to.equal(200);
    expect(pdf.headers()['content-type']).to.equal('application/pdf');
    expect(pdf.headers()['content-disposition']).to.match(/^inline/);
    expect((await pdf.body()).subarray(0, 5).toString()).to.equal('%PDF-');

    // The QR code, read back from its pixels, is the share link: opened here, the public page says valid.
    const png = PNG.sync.read(await certificate.locator('svg.ov-qr').screenshot());
    const link = jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
    expect(link).to.equal(await certificate.locator('input.ov-share').inputValue());
    const verify = await page.goto(`${site.base}${new URL(link!).pathname}`);
    expect(verify?.status()).to.equal(200);
    expect(await page.locator('[data-status]').getAttribute('data-status')).to.equal('valid');
    expect(dialogs).to.deep.equal([]);
    await context.close();
  });

  it('another citizen is told the application does not exist', async () => {
    const { context, page } = await signedIn(other);
    for (const path of [`/my/applications/${answered.id}`, `/my/applications/${waiting.id}/withdraw`, `/my/applications/${completed.id}/rate`]) {
      const response = await page.goto(`${site.base}${path}`);
      expect(response?.status(), path).to.equal(404);
      expect(await page.locator('h1').textContent()).to.contain('找不到');
    }
    const [mine] = (await server.http.get('/api/v1/certificates').set(...citizen.auth).expect(200)).body;
    const pdf = await page.request.get(`${site.base}/my/wallet/${mine.id}/pdf`);
    expect(pdf.status()).to.equal(404);
    await context.close();
  });

  it('shows the hostile name as text wherever it shows, never as markup', async () => {
    const { context, page } = await signedIn(citizen);
    for (const path of [`/my/applications/${answered.id}`, '/my/wallet']) {
      await page.goto(`${site.base}${path}`);
      const html = await page.content();
      expect(html, path).to.not.contain('<script>alert(1)</script>');
      expect(html, path).to.contain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(await page.locator('script:not([src])').count(), path).to.equal(0);
    }
    expect(dialogs).to.deep.equal([]);
    await context.close();
  });

  for (const locale of Locales) {
    it(`every page type passes axe in ${locale}`, async () => {
      const { context, page } = await signedIn(citizen, { locale });
      await inspectPage(page, `portal-list-${locale}`);
      await page.goto(`${site.base}/my/applications/${completed.id}`);
      await inspectPage(page, `portal-detail-${locale}`);
      await page.click('#reprint');
      expect(await page.locator('#replaced').count()).to.equal(1);
      await inspectPage(page, `portal-receipt-reprint-${locale}`);
      await page.goto(`${site.base}/my/applications/${waiting.id}`);
      expect(await page.locator('#supplement input[type=file]').count()).to.equal(1);
      await inspectPage(page, `portal-detail-supplement-${locale}`);
      await page.goto(`${site.base}/my/applications/${owing.id}`);
      expect(await page.locator('#owed input[type=file]').count()).to.equal(1);
      await inspectPage(page, `portal-detail-owed-${locale}`);
      await page.goto(`${site.base}/my/applications/${waiting.id}/withdraw`);
      await inspectPage(page, `portal-withdraw-${locale}`);
      await page.goto(`${site.base}/my/applications/${completed.id}/rate`);
      expect(await page.locator('input[name=score]').count()).to.equal(5);
      await inspectPage(page, `portal-rate-${locale}`);
      await page.goto(`${site.base}/my/wallet`);
      expect(await page.locator('svg.ov-qr').count()).to.be.greaterThan(2);
      await inspectPage(page, `portal-wallet-${locale}`);
      await context.close();

      const empty = await signedIn(newcomer, { locale });
      expect(await empty.page.locator('.ov-empty a[href="/"]').count()).to.equal(1);
      await inspectPage(empty.page, `portal-list-empty-${locale}`);
      await empty.page.goto(`${site.base}/my/wallet`);
      await inspectPage(empty.page, `portal-wallet-empty-${locale}`);
      await empty.context.close();
    });
  }

  it('a supplement sent on a stale page shows the conflict above the fresh state, not a crash', async () => {
    const { context, page } = await signedIn(citizen, { javaScript: false });
    await page.goto(`${site.base}/my/applications/${waiting.id}`);
    // Meanwhile, from another device, the supplement is answered.
    const fileId = (await server.http.post('/api/v1/files').set(...citizen.auth).attach('file', tinyPdf(), 'premises.pdf').expect(201)).body.fileId;
    await event(waiting.id, citizen, { type: 'SUPPLEMENT', materials: [{ materialId: 'premises-proof', fileId }] }).expect(200);
    await page.setInputFiles('#material-premises-proof', { name: 'again.pdf', mimeType: 'application/pdf', buffer: tinyPdf() });
    const response = await Promise.all([page.waitForNavigation(), page.click('#send-supplement')]).then(([r]) => r);
    expect(response?.status()).to.equal(409);
    expect(await page.locator('#conflict').textContent()).to.contain('最新情况');
    expect(await page.locator('.ov-application-summary [data-status]').textContent()).to.contain('待受理');
    expect(await page.locator('#supplement').count()).to.equal(0);
    await screenshot(page, 'portal-detail-conflict-nojs-zh-Hans');
    await context.close();
  });

  it('sends a deferred material after acceptance with JavaScript off: its formats, size limit and date shown first, errors at its input', async () => {
    const { context, page } = await signedIn(citizen, { javaScript: false });
    const { owedBy } = await status(owing.id);
    await page.goto(`${site.base}/my/applications/${owing.id}`);
    const owed = page.locator('#owed [data-owed="premises-proof"]');
    expect(await owed.textContent()).to.contain('上传“住所使用证明”').and.contain('PDF / JPG / PNG').and.contain('10MB').and.contain(`请在 ${chinaDate(owedBy)} 前补交`);
    expect(await page.locator('#owed').textContent()).to.contain(`请在 ${chinaDate(owedBy)} 前补交下列材料`);
    expect(await page.getAttribute('#owed-premises-proof', 'accept')).to.equal('application/pdf,image/jpeg,image/png');
    await screenshot(page, 'portal-detail-owed-nojs-zh-Hans');
    // Nothing chosen: the error at the input and in the summary linking to it.
    const empty = await Promise.all([page.waitForNavigation(), page.click('#send-owed')]).then(([r]) => r);
    expect(empty?.status()).to.equal(422);
    expect(await page.locator('.govuk-error-summary a[href="#owed-premises-proof"]').textContent()).to.contain('请选择要补交的文件');
    expect(await page.locator('#owed-premises-proof-error').textContent()).to.contain('请选择要补交的文件');
    // A file that is no PDF, JPEG or PNG: refused by the file use case, named at the input.
    await page.setInputFiles('#owed-premises-proof', { name: '住所.txt', mimeType: 'application/pdf', buffer: Buffer.from('not a document') });
    const refused = await Promise.all([page.waitForNavigation(), page.click('#send-owed')]).then(([r]) => r);
    expect(refused?.status()).to.equal(422);
    expect(await page.locator('#owed-premises-proof-error').textContent()).to.contain('文件格式不支持');
    expect((await status(owing.id)).owed).to.deep.equal(['premises-proof']);
    await page.setInputFiles('#owed-premises-proof', { name: '租赁合同.pdf', mimeType: 'application/pdf', buffer: tinyPdf() });
    await page.click('#send-owed');
    await page.waitForURL(/done=materials/);
    expect(await page.locator('#done').textContent()).to.contain('容缺材料已补交');
    const detail = await status(owing.id);
    expect(detail.owed).to.deep.equal([]);
    expect(detail.timeline.at(-1)).to.include({ type: 'PROVIDE_MATERIALS', actor: 'applicant' });
    expect(await page.locator('#owed').count()).to.equal(0);
    expect(await page.locator('[data-material="premises-proof"] a').textContent()).to.equal('租赁合同.pdf');
    expect(dialogs).to.deep.equal([]);
    await context.close();
  });

  it('offers the fee of a payment step with JavaScript off: the amount and whom to pay, the reference recorded as PAY; the clerk workbench offers PAY too', async () => {
    const payer = await person(server, 'citizen');
    const apply = async () => (await server.http.post('/api/v1/applications').set(...payer.auth).send({ serviceId: FEE_SERVICE.id, form: { note: '测试' } }).expect(201)).body as { id: string };
    const [paying, unpaid] = [await apply(), await apply()];
    for (const { id } of [paying, unpaid]) await event(id, await clerkOf(WINDOW), { type: 'ACCEPT' }).expect(200);
    const detailOf = async (id: string) => (await server.http.get(`/api/v1/applications/${id}`).set(...payer.auth).expect(200)).body;
    expect((await detailOf(paying.id)).actions).to.deep.include({ type: 'PAY' });

    const { context, page } = await signedIn(payer, { javaScript: false });
    await page.goto(`${site.base}/my/applications/${paying.id}`);
    const payment = page.locator('#payment');
    expect(await payment.locator('.ov-payment__amount').textContent()).to.contain('¥50.00');
    expect(await payment.textContent()).to.contain('税务局').and.contain('不在线收费');
    // The timeline says what the fee waits for: the payment, not a correction.
    expect(await page.locator('.ov-part[data-state="awaitingPayment"]').textContent()).to.contain('缴费').and.contain('等待您缴费');
    expect((await page.locator('.ov-parts').allTextContents()).join()).to.not.contain('补正');
    await screenshot(page, 'portal-detail-payment-nojs-zh-Hans');
    const empty = await Promise.all([page.waitForNavigation(), page.click('#send-payment')]).then(([r]) => r);
    expect(empty?.status()).to.equal(422);
    expect(await page.locator('.govuk-error-summary a[href="#payment-reference"]').textContent()).to.contain('请填写缴费凭证编号');
    expect(await page.locator('#payment-reference-error').count()).to.equal(1);
    await page.fill('#payment-reference', 'HX20260310000123');
    await page.click('#send-payment');
    await page.waitForURL(/done=paid/);
    expect(await page.locator('#done').textContent()).to.contain('缴费信息已提交');
    const paid = await detailOf(paying.id);
    expect(paid.status).to.equal('in_review');
    expect(paid.timeline.at(-1)).to.include({ type: 'PAY', actor: 'applicant', comment: 'HX20260310000123' });
    expect(await page.locator('#payment').count()).to.equal(0);
    await context.close();

    // The department's clerk may record the payment instead (or waive it): the workbench offers both.
    const clerkPage = await server.http.get(`/work/applications/${unpaid.id}`).set(...(await clerkOf('taxation')).auth).set('Accept', 'text/html').expect(200);
    expect(clerkPage.text).to.contain('data-action="PAY"').and.contain('data-action="WAIVE"');
  });

  for (const locale of Locales) {
    it(`the fee passes axe in ${locale}`, async () => {
      const payer = await person(server, 'citizen');
      const { id } = (await server.http.post('/api/v1/applications').set(...payer.auth).send({ serviceId: FEE_SERVICE.id, form: { note: '测试' } }).expect(201)).body;
      await event(id, await clerkOf(WINDOW), { type: 'ACCEPT' }).expect(200);
      const { context, page } = await signedIn(payer, { locale });
      await page.goto(`${site.base}/my/applications/${id}`);
      expect(await page.locator('#payment-reference').count()).to.equal(1);
      await inspectPage(page, `portal-detail-payment-${locale}`);
      await context.close();
    });
  }

  it('prints the receipt again with a new check code, from the portal and from the window’s workbench with JavaScript off; the old code stops working', async () => {
    const lookup = async (number: string, code: string) => (await server.http.get('/api/v1/progress').query({ number, code })).status;
    const app = await submitWithFiles(server, citizen, 'business-startup', form('兰州补打回执科技有限公司'));
    const { context, page } = await signedIn(citizen, { javaScript: false });
    await page.goto(`${site.base}/my/applications/${app.id}`);
    expect(await page.locator('#reprint-hint').textContent()).to.contain('原查询码随即失效');
    await page.click('#reprint');
    expect(await page.locator('.govuk-panel__title').textContent()).to.contain('回执已重新打印');
    expect(await page.locator('#replaced').textContent()).to.contain('原回执上的查询码已经失效');
    expect(await page.locator('.ov-receipt').textContent()).to.contain(app.number).and.contain('开办企业一件事');
    const mine = (await page.locator('.ov-check-code').textContent())!.trim();
    expect(mine).to.match(/^[2-9A-HJKMNP-Z]{6}$/);
    await screenshot(page, 'portal-receipt-reprint-nojs-zh-Hans');
    expect(await lookup(app.number, app.checkCode)).to.equal(404);
    expect(await lookup(app.number, mine)).to.equal(200);
    await context.close();

    // At the counter, the window's clerk prints it again for the applicant: the citizen's code stops working in turn.
    const window = await clerkOf(WINDOW);
    const clerkContext = await newContext(browser, site.base, { javaScript: false });
    const clerkPage = await clerkContext.newPage();
    await clerkPage.goto(`${site.base}/sign-in?return=/work/applications/${app.id}`);
    await clerkPage.fill('#username', window.username);
    await clerkPage.fill('#password', 'correct horse battery');
    await clerkPage.click('main button[type=submit]');
    await clerkPage.waitForURL(new RegExp(`/work/applications/${app.id}$`));
    await clerkPage.click('#reprint');
    expect(await clerkPage.locator('.govuk-panel__title').textContent()).to.contain('回执已重新打印');
    expect(await clerkPage.locator('#replaced').textContent()).to.contain('请把本回执交给申请人');
    const theirs = (await clerkPage.locator('.ov-check-code').textContent())!.trim();
    expect(await clerkPage.getAttribute(`a[href="/work/applications/${app.id}"]`, 'class')).to.contain('govuk-link');
    await screenshot(clerkPage, 'work-receipt-reprint-nojs-zh-Hans');
    expect(await lookup(app.number, mine)).to.equal(404);
    expect(await lookup(app.number, theirs)).to.equal(200);
    await clerkContext.close();

    // A reviewer is not offered it (the policy would refuse them).
    const reviewer = await server.http.get(`/work/applications/${app.id}`).set(...(await clerkOf('market-regulation')).auth).set('Accept', 'text/html').expect(200);
    expect(reviewer.text).to.not.contain('id="reprint"');
  });
});
