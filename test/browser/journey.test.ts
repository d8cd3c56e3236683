/**
 * The whole of starting a business on the web, in Chromium, in zh-Hans, only through the pages: a citizen registers,
 * signs in, applies for business-startup (a form error at its field and in the summary, a draft saved, signed out,
 * signed in again and resumed, materials uploaded, the identity card taken from the wallet), submits and gets the
 * number and check code; the public progress lookup finds it by them; the window clerk claims it from the queue and
 * requests a supplement by ticking items, the citizen answers it on the application's page, the clerk accepts; a
 * reviewer of each department whose matter applies to the form approves it through the workbench, and the application
 * completes; the certificates the outbox issues reach the citizen's wallet, whose PDF downloads and whose QR code's
 * link shows the licence valid on the public verification page. Once with JavaScript (axe on the key pages), once
 * without, each with a fresh citizen. The API is only read, to compare the pages with the facts.
 */
import { expect } from 'chai';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { compileDefinition } from '../../src/definitions/index.js';
import type { ServiceDefinition } from '../../src/domain/definition.js';
import { makeResidentIdNumber } from '../../src/domain/ids.js';
import { openTestServer, person, tinyPdf, type TestServer } from '../support/server.js';
import { definitionOf } from '../support/services.js';
import { fillSection, inputOf, putIdCardInWallet } from '../support/applyPages.js';
import { hasPoppler, pdfQr } from '../support/poppler.js';
import { inspectPage, launchBrowser, listen, newContext } from '../support/browser.js';

// jsqr is CommonJS with an `exports.default`: from ESM the function sits one level down.
const jsQR = jsQRModule.default;
const SERVICE = 'business-startup';
const WINDOW = 'comprehensive-window';
/** What person() gives every account it makes. */
const CLERK_PASSWORD = 'correct horse battery';
/** The three reviewers the scenario names; the other matters that apply to the form follow them. */
const NAMED_REVIEWERS = ['market-regulation', 'taxation', 'public-security'];

describe('the whole journey of starting a business in Chromium', function () {
  this.timeout(600_000);
  let server: TestServer;
  let browser: Browser;
  let site: { base: string; close(): Promise<void> };
  let definition: ServiceDefinition;
  /** The first example form: an agent applies, with employees, a bank booking and a housing fund (all six matters). */
  let example: Record<string, any>;
  const dialogs: string[] = [];
  let citizens = 0;

  before(async () => {
    server = await openTestServer('sqlite');
    site = await listen(server);
    browser = await launchBrowser();
    definition = definitionOf(SERVICE);
    example = structuredClone(definition.form.examples![0]!) as Record<string, any>;
  });
  after(async () => {
    await browser?.close();
    await site?.close();
    await server?.close();
  });

  async function open(javaScript: boolean): Promise<{ context: BrowserContext; page: Page }> {
    const context = await newContext(browser, site.base, { locale: 'zh-Hans', javaScript });
    const page = await context.newPage();
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    return { context, page };
  }

  /** Signs in through /sign-in as a person would, landing on the role's home page. */
  async function signIn(page: Page, username: string, password: string, home: RegExp): Promise<void> {
    await page.goto(`${site.base}/sign-in`);
    await page.fill('#username', username);
    await page.fill('#password', password);
    await page.click('main button[type=submit]');
    await page.waitForURL(home);
    expect(await page.locator('.ov-user').count(), `${username} is signed in`).to.equal(1);
  }

  async function signOut(page: Page): Promise<void> {
    await page.click('.ov-header form[action="/sign-out"] button');
    await page.waitForURL(`${site.base}/`);
    expect(await page.locator('.ov-user').count()).to.equal(0);
  }

  /** What the API answers `path` with, read with the citizen's own sign-in (to compare the pages with). */
  async function read(citizen: { username: string; password: string }, path: string) {
    const login = await server.http.post('/api/v1/auth/login').send({ username: citizen.username, password: citizen.password }).expect(200);
    return (await server.http.get(`/api/v1${path}`).set('Authorization', `Bearer ${login.body.token}`).expect(200)).body;
  }
  const facts = (citizen: { username: string; password: string }, id: string) => read(citizen, `/applications/${id}`);

  const row = (page: Page, id: string) => page.locator(`tr[data-application="${id}"]`);
  const action = (page: Page, key: string) => page.locator(`[data-action="${key}"]`);
  const currentTab = (page: Page) => page.locator('.ov-tabs [aria-current="page"]').getAttribute('href');
  const summaryValue = (page: Page, key: string) => page.locator('.govuk-summary-list__row', { has: page.locator('dt', { hasText: key }) }).locator('dd');

  /** A clerk of `department`, made as `onevisit user add` would, signed in through the page: answers the page. */
  async function clerkPage(department: string, javaScript: boolean): Promise<{ context: BrowserContext; page: Page }> {
    const clerk = await person(server, 'clerk', [department]);
    const { context, page } = await open(javaScript);
    await signIn(page, clerk.username, CLERK_PASSWORD, /\/work(\?.*)?$/);
    return { context, page };
  }

  async function scenario(javaScript: boolean): Promise<void> {
    const tag = javaScript ? 'zh-Hans' : 'nojs-zh-Hans';
    const inspect = async (page: Page, name: string) => {
      // (axe runs in the page's JavaScript: without it the same pages were inspected in the first run)
      if (javaScript) await inspectPage(page, `journey-${name}-${tag}`);
    };
    const n = ++citizens;
    const citizen = {
      name: '王磊',
      idNumber: makeResidentIdNumber({ birthDate: `1990-05-${String(10 + n).padStart(2, '0')}`, sequence: 314 + n }),
      username: `wang.lei.${n}`,
      password: 'qinghe-startup-2026',
    };
    // The identity card the bureau issued to this id number: the wallet serves it once the account exists.
    await putIdCardInWallet(server, citizen);
    const form: Record<string, any> = structuredClone(example);
    form.applicant = { ...form.applicant, name: citizen.name, idNumber: citizen.idNumber };

    // ── 1. The citizen registers, signs in and applies ─────────────────────────────────────────────────────────
    let { context, page } = await open(javaScript);
    await page.goto(`${site.base}/`);
    await page.click('.ov-header a[href="/register"]');
    await page.fill('#name', citizen.name);
    await page.fill('#idNumber', citizen.idNumber);
    await page.fill('#username', citizen.username);
    await page.fill('#password', citizen.password);
    await page.click('main button[type=submit]');
    expect(await page.locator('h1').textContent()).to.contain('注册申请已收到');
    await page.click('main a.govuk-button[href="/sign-in"]');
    await page.fill('#username', citizen.username);
    await page.fill('#password', citizen.password);
    await page.click('main button[type=submit]');
    await page.waitForURL(/\/my\/applications$/);
    expect(await page.locator('.ov-user').textContent()).to.contain(citizen.name);

    // From the catalog to the service's guide and its start button.
    await page.goto(`${site.base}/`);
    await page.click(`a[href="/services/${SERVICE}"]`);
    await page.click(`main a.govuk-button[href="/apply/${SERVICE}"]`);
    await page.waitForURL(new RegExp(`/apply/${SERVICE}$`));
    await inspect(page, 'task-list');

    // A malformed mobile number: the error at its field, and in the summary linking to it.
    await page.click(`a[href="/apply/${SERVICE}/section/applicant"]`);
    await fillSection(page, '/applicant', { ...form.applicant, phone: '1391901' });
    await page.click('main .govuk-button-group button[value=save]');
    const phone = inputOf('/applicant/phone');
    // (the field has no hint: the message asks to check it, not to follow a hint that is not there)
    expect(await page.locator(`${phone}-hint`).count()).to.equal(0);
    expect((await page.locator(`.govuk-error-summary a[href="${phone}"]`).textContent())!.trim()).to.equal('手机号码的格式不正确，请检查后重新填写');
    expect(await page.locator(`${phone}-error`).textContent()).to.contain('手机号码的格式不正确，请检查后重新填写');
    expect(await page.locator(phone).count(), 'the summary links to the field itself').to.equal(1);
    expect(await page.inputValue(inputOf('/applicant/name')), 'what was typed stays').to.equal(citizen.name);
    await inspect(page, 'question-error');
    await page.fill(phone, form.applicant.phone);
    await page.click('main .govuk-button-group button[value=save]');
    await page.waitForURL(/\/section\/company$/);

    // The company's section, then "save and come back later": a draft; signed out.
    await fillSection(page, '/company', form.company);
    await page.click('main .govuk-button-group button[value=later]');
    await page.waitForURL(new RegExp(`/apply/${SERVICE}$`));
    await signOut(page);
    await page.goto(`${site.base}/apply/${SERVICE}`);
    expect(new URL(page.url()).pathname, 'signed out, the draft is not open').to.equal('/sign-in');
    await context.close();

    // Signed in again (a new browser session): the draft is offered and resumed where it was left.
    ({ context, page } = await open(javaScript));
    await signIn(page, citizen.username, citizen.password, /\/my\/applications$/);
    await page.click(`.ov-drafts a[href="/apply/${SERVICE}"]`);
    expect(await page.locator('main').textContent()).to.match(/已为您恢复 .* 保存的草稿/);
    const taskStatus = (key: string) => page.locator('.govuk-task-list__item', { has: page.locator(`a[href="/apply/${SERVICE}/section/${key}"]`) }).locator('.govuk-task-list__status');
    expect(await taskStatus('applicant').textContent()).to.contain('已完成');
    expect(await taskStatus('company').textContent()).to.contain('已完成');
    await page.click(`a[href="/apply/${SERVICE}/section/company"]`);
    expect(await page.inputValue(inputOf('/company/name'))).to.equal(form.company.name);

    // The other sections, in the order the pages lead (a section appears when an answer asks for it: employees).
    await page.goto(`${site.base}/apply/${SERVICE}/section/legalRepresentative`);
    const visited: string[] = [];
    for (let match = /\/section\/([^/?#]+)$/.exec(page.url()); match; match = /\/section\/([^/?#]+)$/.exec(page.url())) {
      const key = decodeURIComponent(match[1]!);
      expect(visited, 'the pages do not go round in circles').to.not.include(key);
      visited.push(key);
      if (key === 'tax') {
        // Invoice types are asked once the answer says invoices are needed (decided on the server, without script).
        const { invoiceTypes, ...asked } = form.tax;
        expect(await page.locator('[name="/tax/invoiceTypes"]').count()).to.equal(0);
        await fillSection(page, '/tax', asked);
        await page.click('main .govuk-button-group button[value=save]');
        // The same page again at the new question, which is asked, not reported as a problem.
        expect(new URL(page.url()).pathname).to.equal(`/apply/${SERVICE}/section/tax`);
        expect(new URL(page.url()).hash).to.equal(inputOf('/tax/invoiceTypes'));
        expect(await page.locator('[name="/tax/invoiceTypes"]').count()).to.be.greaterThan(0);
        expect(await page.locator('.govuk-error-summary, .govuk-error-message').count()).to.equal(0);
        await inspect(page, 'question-opened');
        await fillSection(page, '/tax/invoiceTypes', invoiceTypes);
      } else if (key in form) await fillSection(page, `/${key}`, form[key]);
      if (key === 'shareholders') await inspect(page, 'list');
      await page.click('main .govuk-button-group button[value=save]');
      const problems = page.locator('.govuk-error-summary');
      expect((await problems.count()) > 0 ? `${key}: ${await problems.innerText()}` : '').to.equal('');
    }
    expect(visited).to.include.members(['employees', 'bankAccount', 'housingFund']);
    expect(new URL(page.url()).pathname).to.equal(`/apply/${SERVICE}`);

    // Materials: the identity card from the wallet; uploads for the rest; the commitment ticked.
    await page.click(`a[href="/apply/${SERVICE}/materials"]`);
    expect(await page.locator('#material-id-card').textContent()).to.contain('已从您的证照夹调用：居民身份证').and.contain('无需上传');
    expect(await page.locator('#file-id-card').count(), 'nothing to upload for it').to.equal(0);
    const uploads = await page.locator('input[type=file][id^="file-"]').evaluateAll((inputs) => inputs.map((i) => i.id.slice('file-'.length)));
    expect(uploads).to.include.members(['agent-authorisation', 'articles-of-association', 'appointment-documents']);
    for (const material of uploads) {
      expect(await page.locator(`#file-${material}-hint`).textContent(), 'types and size shown before upload').to.match(/PDF/).and.match(/MB/);
      await page.setInputFiles(`#file-${material}`, { name: `${material}.pdf`, mimeType: 'application/pdf', buffer: tinyPdf() });
      await page.click(`#material-${material} form[enctype] button`);
      expect(await page.locator(`#material-${material}`).textContent()).to.contain(`${material}.pdf`);
    }
    await page.check('#commit-premises-commitment');
    await page.click('#material-premises-commitment form button');
    expect(await page.locator('#material-premises-commitment .govuk-tag').textContent()).to.not.equal('');
    await inspect(page, 'materials');
    await page.click('main a.govuk-button');
    expect(await page.locator('.govuk-task-list__status--cannot-start-yet').count()).to.equal(0);

    // Check the answers, declare, submit: the number and the check code.
    await page.click(`a[href="/apply/${SERVICE}/check"]`);
    expect(await page.locator('main').textContent()).to.contain(form.company.name).and.contain(form.bankAccount.branch);
    await page.click('main a.govuk-button');
    await page.check('#declare');
    await page.click('main form button');
    expect(await page.locator('.govuk-panel__title').textContent()).to.contain('申请已提交');
    const number = (await summaryValue(page, '办件编号').textContent())!.trim();
    const code = (await page.locator('.ov-check-code').textContent())!.trim();
    expect(number).to.match(/^[A-Z]{0,4}\d{10,}$/);
    expect(await page.locator('.govuk-panel').textContent()).to.contain(number);
    expect(code).to.match(/^[0-9A-Z]{6}$/);
    await inspect(page, 'confirmation');
    await page.click('main a[href="/my/applications"]');
    const mine = page.locator('tr[data-application]', { hasText: number });
    expect(await mine.count()).to.equal(1);
    const id = (await mine.getAttribute('data-application'))!;
    expect(await mine.textContent()).to.contain('待受理');
    const submitted = await facts(citizen, id);
    expect(submitted).to.include({ number, status: 'submitted' });
    expect(submitted.materials['id-card']).to.include({ source: 'certificate', fromWallet: true });
    expect(submitted.form.company.name).to.equal(form.company.name);
    await signOut(page);
    await context.close();

    // ── 2. Signed out, the progress lookup finds it by the receipt's pair ──────────────────────────────────────
    ({ context, page } = await open(javaScript));
    await page.goto(`${site.base}/`);
    await page.click('a[href="/progress"]');
    await page.fill('#number', number);
    await page.fill('#code', code.toLowerCase());
    await page.click('main button[type=submit]');
    expect(await page.locator('h1').textContent()).to.equal(number);
    expect(await summaryValue(page, '办理状态').textContent()).to.contain('待受理');
    expect(await page.locator('main').textContent()).to.not.contain(citizen.idNumber).and.not.contain(citizen.name);
    const progress = (await server.http.get('/api/v1/progress').query({ number, code }).expect(200)).body;
    expect(progress.status).to.equal('submitted');
    await inspect(page, 'progress');
    await context.close();

    // ── 3. The window clerk: claim from the queue, a supplement by ticking items ───────────────────────────────
    const windowClerk = await clerkPage(WINDOW, javaScript);
    expect(await currentTab(windowClerk.page), 'a window clerk starts where applications arrive').to.contain('tab=accept');
    expect(await row(windowClerk.page, id).textContent()).to.contain(number).and.contain('开办企业一件事').and.contain('无人认领');
    await row(windowClerk.page, id).locator('button', { hasText: '认领' }).click();
    await windowClerk.page.waitForURL(/msg=claimed/);
    expect(await row(windowClerk.page, id).textContent()).to.contain('我已认领');
    await row(windowClerk.page, id).locator('a', { hasText: number }).click();
    await windowClerk.page.waitForURL(new RegExp(`/work/applications/${id}$`));
    expect(await windowClerk.page.locator('#status').textContent()).to.equal('待受理');
    expect(await windowClerk.page.locator('[data-pointer="/company/name"] dd').textContent()).to.equal(form.company.name);
    await inspect(windowClerk.page, 'work-window');
    await action(windowClerk.page, 'REQUEST_SUPPLEMENT').locator('a').click();
    await windowClerk.page.check('input[name=items][value="articles-of-association"]');
    await windowClerk.page.check('input[name=items][value="/company/address"]');
    await windowClerk.page.fill('#note', '章程缺少股东签字页；住所请写到门牌号');
    await windowClerk.page.click('main button[type=submit]');
    expect(await windowClerk.page.inputValue('#notice')).to.contain(number).and.contain('公司章程').and.contain('住所').and.contain('章程缺少股东签字页');
    await inspect(windowClerk.page, 'work-supplement-preview');
    await windowClerk.page.click('main button[type=submit]');
    await windowClerk.page.waitForURL(new RegExp(`/work/applications/${id}\\?msg=done$`));
    expect(await windowClerk.page.locator('#status').textContent()).to.equal('待补正');
    expect((await facts(citizen, id)).timeline.at(-1)).to.deep.include({ type: 'REQUEST_SUPPLEMENT', items: ['articles-of-association', '/company/address'] });

    // The citizen answers it on the application's page: the material uploaded, the address corrected.
    ({ context, page } = await open(javaScript));
    await signIn(page, citizen.username, citizen.password, /\/my\/applications$/);
    expect(await row(page, id).textContent()).to.contain('待补正');
    await row(page, id).locator(`a[href="/my/applications/${id}"]`).click();
    const notice = page.locator('#supplement');
    expect(await notice.textContent()).to.contain('章程缺少股东签字页');
    // The notice as the window generated it, one item a line.
    expect(await notice.locator('.ov-request__comment').innerText()).to.contain('需要补正的材料：\n1. 公司章程');
    const address = notice.locator('[name="field:/company/address"]');
    expect(await address.inputValue()).to.equal(form.company.address);
    await inspect(page, 'portal-supplement');
    const corrected = `${form.company.address}（东岗西路588号3单元1502室）`;
    await page.setInputFiles('#material-articles-of-association', { name: '公司章程（含签字页）.pdf', mimeType: 'application/pdf', buffer: tinyPdf() });
    await address.fill(corrected);
    await page.fill('#supplement-note', '已补充签字页，住所已更正');
    await page.click('#send-supplement');
    await page.waitForURL(/done=supplement/);
    expect(await page.locator('[data-material="articles-of-association"] a').textContent()).to.equal('公司章程（含签字页）.pdf');
    const answered = await facts(citizen, id);
    expect(answered.status).to.equal('submitted');
    expect(answered.form.company.address).to.equal(corrected);
    await context.close();

    // The clerk sees it answered and accepts it.
    await windowClerk.page.goto(`${site.base}/work?tab=supplements`);
    expect(await row(windowClerk.page, id).textContent()).to.contain('申请人已补正');
    await windowClerk.page.goto(`${site.base}/work?tab=accept`);
    await row(windowClerk.page, id).locator('a', { hasText: number }).click();
    expect(await windowClerk.page.locator('[data-pointer="/company/address"] dd').textContent()).to.equal(corrected);
    await action(windowClerk.page, 'ACCEPT').locator('button').click();
    await windowClerk.page.waitForURL(new RegExp(`/work/applications/${id}\\?msg=done$`));
    expect(await windowClerk.page.locator('#status').textContent()).to.equal('审批中');
    await windowClerk.context.close();

    // ── The reviewers: the three named, then every other department whose matter applies to this form ──────────
    const compiled = compileDefinition(definition);
    const applying = definition.steps.flatMap((s) => (s.kind === 'review' ? s.matters : [])).filter((m) => compiled.applies(`matter:${m.id}`, answered.form));
    expect(applying.map((m) => m.department)).to.include.members(NAMED_REVIEWERS);
    const pending = Object.entries((await facts(citizen, id)).matters ?? {}).filter(([, state]) => state === 'pending').map(([matter]) => matter);
    expect(pending, 'the matters the engine waits for').to.have.members(applying.map((m) => m.id));
    const ordered = [...applying].sort((a, b) => Number(!NAMED_REVIEWERS.includes(a.department)) - Number(!NAMED_REVIEWERS.includes(b.department)));
    for (const [i, matter] of ordered.entries()) {
      const reviewer = await clerkPage(matter.department, javaScript);
      expect(await currentTab(reviewer.page), 'a reviewer starts where their matters wait').to.contain('tab=review');
      expect(await row(reviewer.page, id).textContent()).to.contain(matter.title['zh-Hans']);
      await row(reviewer.page, id).locator('a', { hasText: number }).click();
      await reviewer.page.waitForURL(new RegExp(`/work/applications/${id}$`));
      if (i === 0) await inspect(reviewer.page, 'work-reviewer');
      await action(reviewer.page, `APPROVE-${matter.id}`).locator('textarea').fill('材料齐全，符合要求');
      await action(reviewer.page, `APPROVE-${matter.id}`).locator('button').click();
      await reviewer.page.waitForURL(new RegExp(`/work/applications/${id}\\?msg=done$`));
      expect(await reviewer.page.locator('.ov-timeline__item', { hasText: '审查通过' }).first().textContent()).to.contain('材料齐全，符合要求');
      expect(await action(reviewer.page, `APPROVE-${matter.id}`).count(), 'nothing left for this reviewer').to.equal(0);
      await reviewer.context.close();
    }
    const completed = await facts(citizen, id);
    expect(completed.status).to.equal('completed');

    // ── 4. The citizen's wallet: the certificates, the PDF, the QR code's link valid on the public page ────────
    ({ context, page } = await open(javaScript));
    await signIn(page, citizen.username, citizen.password, /\/my\/applications$/);
    expect(await row(page, id).textContent()).to.contain('已办结');
    const certifying = applying.filter((m) => m.certificate);
    const wanted = ['营业执照', '新办纳税人涉税事项办理回执', '印章刻制备案回执', '单位社会保险登记回执'];
    expect(certifying).to.have.length(wanted.length);
    // The outbox issues them after the approval: the wallet page is read again until they are there.
    const deadline = Date.now() + 60_000;
    for (;;) {
      await page.goto(`${site.base}/my/wallet`);
      const titles = await page.locator('.ov-certificate h2').allTextContents();
      if (wanted.every((w) => titles.includes(w))) break;
      if (Date.now() > deadline) throw new Error(`the wallet shows ${JSON.stringify(titles)}, not yet ${JSON.stringify(wanted)}`);
      await page.waitForTimeout(500);
    }
    expect(await page.locator('.ov-certificate h2', { hasText: '居民身份证' }).count()).to.equal(1);
    await inspect(page, 'wallet');
    const licence = page.locator('.ov-certificate', { has: page.locator('h2', { hasText: '营业执照' }) });
    expect(await licence.locator('bdi').first().textContent()).to.equal(form.company.name);
    const pdfLink = licence.locator('a[href$="/pdf"]');
    const pdf = await page.request.get(`${site.base}${await pdfLink.getAttribute('href')}`);
    expect(pdf.status()).to.equal(200);
    expect(pdf.headers()['content-type']).to.equal('application/pdf');
    const bytes = await pdf.body();
    expect(bytes.subarray(0, 5).toString()).to.equal('%PDF-');

    // The QR code drawn on the page, read back from its pixels: the share link, and the one printed in the PDF.
    const png = PNG.sync.read(await licence.locator('svg.ov-qr').screenshot());
    const link = jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
    expect(link, 'the QR code decodes').to.be.a('string');
    expect(link).to.equal(await licence.locator('input.ov-share').inputValue());
    if (hasPoppler) expect(pdfQr(bytes), 'the PDF carries the same link').to.equal(link);
    await signOut(page);
    const verify = await page.goto(`${site.base}${new URL(link!).pathname}`);
    expect(verify?.status()).to.equal(200);
    expect(await page.locator('[data-status]').getAttribute('data-status')).to.equal('valid');
    expect(await page.locator('[data-status]').textContent()).to.equal('有效');
    const issued = ((await read(citizen, '/certificates')) as { id: string; type: string; applicationId: string; standing: string }[]).find((c) => link!.endsWith(`/verify/${c.id}`));
    expect(issued).to.include({ type: 'business-license', applicationId: id, standing: 'valid' });
    await inspect(page, 'verify');
    await context.close();
    expect(dialogs).to.deep.equal([]);
  }

  it('a citizen registers, applies, answers a supplement and verifies the licence; clerks and reviewers work it through the pages (JavaScript on)', async () => {
    await scenario(true);
  });

  it('the same citizen’s and clerks’ journey with JavaScript disabled', async () => {
    await scenario(false);
  });
});
