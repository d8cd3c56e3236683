/** Which language a page is in: the switcher's cookie, else Accept-Language mapped by script, else zh-Hans. */
import { expect } from 'chai';
import { localeOfTag, negotiateLocale, pageLocale } from '../../src/web/locale.js';

describe('page language', () => {
  it('maps Chinese tags by script: Taiwan, Hong Kong, Macau and zh-Hant-* read Traditional; the rest Simplified', () => {
    for (const tag of ['zh-TW', 'zh-HK', 'zh-MO', 'zh-Hant', 'zh-Hant-CN']) expect(localeOfTag(tag), tag).to.equal('zh-Hant');
    for (const tag of ['zh', 'zh-CN', 'zh-SG', 'zh-Hans', 'zh-Hans-HK']) expect(localeOfTag(tag), tag).to.equal('zh-Hans');
    for (const tag of ['en', 'en-GB', 'en-US']) expect(localeOfTag(tag), tag).to.equal('en');
    expect(localeOfTag('fr-FR')).to.equal(undefined);
    expect(localeOfTag('not a tag!')).to.equal(undefined);
  });

  it('takes the best of our languages by q-value, skipping those we do not serve', () => {
    expect(negotiateLocale('fr-FR,fr;q=0.9,zh-TW;q=0.8,en;q=0.7')).to.equal('zh-Hant');
    expect(negotiateLocale('en;q=0.5, zh-CN;q=0.9')).to.equal('zh-Hans');
    expect(negotiateLocale('de, *;q=0.1')).to.equal(undefined);
    expect(negotiateLocale('zh-HK;q=0')).to.equal(undefined);
  });

  it('the switcher’s cookie wins over the header; without either the page is in Simplified Chinese', () => {
    expect(pageLocale('en', 'zh-CN')).to.equal('en');
    expect(pageLocale('xx', 'zh-HK')).to.equal('zh-Hant');
    expect(pageLocale(undefined, undefined)).to.equal('zh-Hans');
  });
});
