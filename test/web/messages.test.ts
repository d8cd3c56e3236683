/** The message files: every key in every language, the same placeholders, and each language written in its own script. */
import { expect } from 'chai';
import { Locales } from '../../src/domain/i18n.js';
import { AREAS, MESSAGES, translator } from '../../src/web/messages/index.js';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
/** Simplified characters whose Traditional form differs: none of them belongs in zh-Hant. */
const SIMPLIFIED_ONLY = [...'们这发证请办号码录务时间对应门账户认议关说钮选择复删单书详页网图达过还进处导计统据传'];
/** Keys whose text is a language's own name, shown in that language whatever the page's language. */
const OWN_NAME = /^language\.(zh-Hans|zh-Hant|en)$/;

describe('web messages', () => {
  for (const [name, area] of Object.entries(AREAS)) {
    describe(`area ${name}`, () => {
      const keys = Object.keys(area['zh-Hans']).sort();
      for (const locale of Locales) {
        it(`${locale} has every key of zh-Hans, no other, none empty, and the same placeholders`, () => {
          const table = area[locale] as Record<string, string>;
          expect(Object.keys(table).sort()).to.deep.equal(keys);
          for (const key of keys) {
            expect(table[key]!.trim(), `${locale} ${key}`).to.not.equal('');
            expect(placeholders(table[key]!), `${locale} ${key}`).to.deep.equal(placeholders((area['zh-Hans'] as Record<string, string>)[key]!));
          }
        });
      }
      it('zh-Hant is written in Traditional characters', () => {
        const bad = Object.entries(area['zh-Hant'] as Record<string, string>).filter(([key, text]) => !OWN_NAME.test(key) && SIMPLIFIED_ONLY.some((ch) => text.includes(ch)));
        expect(bad.map(([key, text]) => `${key}: ${text}`)).to.deep.equal([]);
      });
      it('English has no Chinese in it', () => {
        const bad = Object.entries(area.en as Record<string, string>).filter(([key, text]) => !OWN_NAME.test(key) && /[\u4e00-\u9fff]/.test(text));
        expect(bad.map(([key, text]) => `${key}: ${text}`)).to.deep.equal([]);
      });
    });
  }

  it('no two areas define the same key', () => {
    const seen = new Map<string, string>();
    const clashes: string[] = [];
    for (const [name, area] of Object.entries(AREAS)) {
      for (const key of Object.keys(area['zh-Hans'])) {
        if (seen.has(key)) clashes.push(`${key} in ${seen.get(key)} and ${name}`);
        seen.set(key, name);
      }
    }
    expect(clashes).to.deep.equal([]);
  });

  it('the translator fills placeholders, and throws on a key that does not exist', () => {
    expect(translator('en')('common.workingDays', { days: 3 })).to.equal('3 working days');
    expect(translator('zh-Hans')('common.workingDays', { days: 3 })).to.equal('3个工作日');
    expect(() => translator('en')('no.such.key')).to.throw(/no message/);
    expect(Object.keys(MESSAGES['zh-Hant']).length).to.equal(Object.keys(MESSAGES['zh-Hans']).length);
  });
});
