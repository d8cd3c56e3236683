/**
 * What the browser tests of the application journey share, the citizen's (apply) and the window clerk's (intake):
 * the runs each makes (every language with JavaScript, zh-Hans once more without) and the suite's site, a SQLite
 * server with its pages listening and Chromium, opened before the suite and closed after it, with business-startup's
 * second example form to fill the pages from (filled by `fillSection` of ./applyPages.ts).
 */
import type { Browser } from 'playwright-core';
import { Locales, type Locale } from '../../src/domain/i18n.js';
import { openTestServer, type TestServer } from './server.js';
import { launchBrowser, listen } from './browser.js';

/** Each journey's run: its language, whether JavaScript is on, and the tag its screenshots are named by. */
export const JOURNEYS: readonly { locale: Locale; javaScript: boolean; tag: string }[] = [
  ...Locales.map((locale) => ({ locale, javaScript: true, tag: locale })),
  { locale: 'zh-Hans', javaScript: false, tag: 'zh-Hans-nojs' },
];

export interface JourneySuite {
  server: TestServer;
  /** Where the pages are served (`http://127.0.0.1:<port>`). */
  base: string;
  browser: Browser;
  /** business-startup's second example form, as the API serves it. */
  example: Record<string, unknown>;
}

/** Registers the suite's `before` (which opens it) and `after` (which closes it); the fields are set once `before` ran. */
export function journeySuite(): JourneySuite {
  const suite = {} as JourneySuite;
  let close: (() => Promise<void>) | undefined;
  before(async () => {
    suite.server = await openTestServer('sqlite');
    const site = await listen(suite.server);
    close = () => site.close();
    suite.base = site.base;
    suite.browser = await launchBrowser();
    const service = await suite.server.http.get('/api/v1/services/business-startup').expect(200);
    suite.example = (service.body.form.examples as Record<string, unknown>[])[1]!;
  });
  after(async () => {
    await suite.browser?.close();
    await close?.();
    await suite.server?.close();
  });
  return suite;
}
