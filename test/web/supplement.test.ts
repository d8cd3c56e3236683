/**
 * The supplement notice as the portal answers it: every field a request names is labelled, hinted and offered in
 * the page's language (the schema's `x-i18n`), never in the schema's plain Chinese title alone; materials keep
 * their titles in every language, and their uploads are hinted with the size limit the page is given (the code's).
 */
import { expect } from 'chai';
import type { ApplicationDetail } from '../../src/application/applications.js';
import { Locales, localize } from '../../src/domain/i18n.js';
import { translator } from '../../src/web/messages/index.js';
import { createRenderer } from '../../src/web/render.js';
import { itemTitle, supplementRequests } from '../../src/web/supplement.js';
import { definitionOf } from '../support/services.js';
import { exampleForm } from '../support/world.js';

const definition = definitionOf('business-startup');
const window = definition.steps[0]!.kind === 'intake' ? definition.steps[0]!.window : '';

function asked(items: string[]): Pick<ApplicationDetail, 'tasks' | 'timeline' | 'form'> {
  return {
    form: exampleForm(definition),
    tasks: [{ task: 'intake', kind: 'supplement', party: 'applicant', department: window, matter: null, openedAt: '2026-03-02T02:00:00.000Z', claimedBy: null, claimedAt: null } as never],
    timeline: [{ seq: 2, type: 'REQUEST_SUPPLEMENT', actor: 'clerk', at: '2026-03-02T02:00:00.000Z', items } as never],
  };
}

describe('the supplement notice in the page language', () => {
  it('labels the fields and the values it asks for by the schema in each language', () => {
    const wanted = ['/company/name', '/company/type', 'id-card'];
    const labels = { 'zh-Hans': '企业名称', 'zh-Hant': '企業名稱', en: 'Company name' } as const;
    for (const locale of ['zh-Hans', 'zh-Hant', 'en'] as const) {
      const [request] = supplementRequests(asked(wanted), definition, locale);
      const fields = request!.items.flatMap((item) => (item.kind === 'field' ? item.fields : []));
      expect(fields.find((f) => f.pointer === '/company/name')?.label, locale).to.equal(labels[locale]);
      const type = fields.find((f) => f.pointer === '/company/type')!;
      expect(type.options?.find((o) => o.value === 'llc')?.text, locale).to.equal({ 'zh-Hans': '有限责任公司', 'zh-Hant': '有限責任公司', en: 'Limited liability company' }[locale]);
      expect(request!.items.some((item) => item.kind === 'material' && item.materialId === 'id-card'), locale).to.equal(true);
    }
  });

  it('hints a material’s upload with the size limit the page is given, in every language', () => {
    const limits = { 'zh-Hans': '不超过 7MB', 'zh-Hant': '不超過 7MB', en: 'at most 7 MB' } as const;
    for (const locale of Locales) {
      const html = createRenderer().render('portal/supplementForm.njk', {
        t: translator(locale),
        l: (text: Parameters<typeof localize>[0] | undefined) => (text ? localize(text, locale) : ''),
        errorOf: () => false,
        csrf: 'x',
        a: { id: 'a-1', version: 2 },
        requests: supplementRequests(asked(['id-card']), definition, locale),
        errors: [],
        limitMb: 7,
      });
      const hint = /id="material-id-card-hint"[^>]*>([^<]*)</.exec(html)?.[1];
      expect(hint, locale).to.contain(limits[locale]).and.not.contain('10');
    }
  });

  it('titles a pointer item in every language the schema gives, for timelines and errors', () => {
    expect(itemTitle('/company/name', definition)).to.deep.equal({ 'zh-Hans': '企业名称', 'zh-Hant': '企業名稱', en: 'Company name' });
    expect(itemTitle('/no/such/field', definition)).to.equal('/no/such/field');
  });
});
