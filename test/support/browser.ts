/**
 * Browser tests drive Debian's Chromium (`/usr/bin/chromium`, or ONEVISIT_CHROMIUM) with playwright-core against a
 * listening onevisit, check each page with axe-core (WCAG 2.1 A and AA: no serious or critical violation) and keep a
 * screenshot of it under test/browser/screenshots/ (git-ignored). Chromium is required: these tests fail, never
 * skip, without it (CI installs it).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { expect } from 'chai';
import type { Locale } from '../../src/domain/i18n.js';
import type { TestServer } from './server.js';

export const CHROMIUM = process.env.ONEVISIT_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.resolve(import.meta.dirname, '../../../test/browser/screenshots');

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`browser tests need Chromium at ${CHROMIUM} (apt-get install -y chromium fonts-noto-cjk)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage'],
  });
}

/** A test server's app listening on a free port of 127.0.0.1; `base` is its origin. */
export async function listen(server: TestServer): Promise<{ base: string; close(): Promise<void> }> {
  const http: Server = await new Promise((resolve) => {
    const s = server.onevisit.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = http.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => http.close(() => resolve())),
  };
}

/** A fresh browser context in one language (the switcher's cookie), with or without JavaScript. */
export async function newContext(browser: Browser, base: string, { locale = 'zh-Hans', javaScript = true }: { locale?: Locale; javaScript?: boolean } = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ javaScriptEnabled: javaScript, locale: locale === 'en' ? 'en-GB' : locale === 'zh-Hant' ? 'zh-TW' : 'zh-CN', viewport: { width: 1200, height: 900 } });
  await context.addCookies([{ name: 'onevisit_lang', value: locale, url: base }]);
  return context;
}

/**
 * A new page (its own context: language, scripts on or off) signed in through the sign-in page, waiting for the
 * page sign-in lands on (`landing`, a path pattern).
 */
export async function signedInPage(
  browser: Browser,
  base: string,
  account: { username: string; password: string },
  landing: RegExp,
  options: { locale?: Locale; javaScript?: boolean; returnTo?: string } = {},
): Promise<Page> {
  const page = await (await newContext(browser, base, options)).newPage();
  await page.goto(`${base}/sign-in${options.returnTo ? `?return=${encodeURIComponent(options.returnTo)}` : ''}`);
  await page.fill('#username', account.username);
  await page.fill('#password', account.password);
  await page.click('main button[type=submit]');
  await page.waitForURL(landing);
  return page;
}

/** axe-core on the page as it is now: fails with the list of serious and critical WCAG 2.1 AA violations. */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`), `axe on ${label}`).to.deep.equal([]);
}

/** Saves a full-page screenshot as test/browser/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name.replace(/[^a-zA-Z0-9_.-]+/g, '_')}.png`), fullPage: true });
}

/** Checks the page with axe and keeps its screenshot: what every page type gets in every language. */
export async function inspectPage(page: Page, name: string): Promise<void> {
  await expectAccessible(page, name);
  await screenshot(page, name);
}
