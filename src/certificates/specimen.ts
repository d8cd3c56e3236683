/**
 * A template's specimen (样本): the template drawn on sample values, so an admin sees its layout before any
 * certificate is issued with it. Every field shows its own label in brackets (a coded field its first value, a
 * date field the day), the record sample words; the renderer marks the page as a specimen and signs nothing.
 */
import { localize, type I18nText, type Locale } from '../domain/i18n.js';
import type { RenderJob, RenderRecord } from './render.js';
import type { CertificateTemplate, TemplateItem } from './templates.js';

const SAMPLE = {
  holderName: { 'zh-Hans': '样本持证人', 'zh-Hant': '樣本持證人', en: 'Specimen Holder' },
  issuerName: { 'zh-Hans': '样本发证机关', 'zh-Hant': '樣本發證機關', en: 'Specimen Issuing Authority' },
} as const satisfies Record<string, I18nText>;

const BRACKETS: Record<Locale, [string, string]> = { 'zh-Hans': ['〔', '〕'], 'zh-Hant': ['〔', '〕'], en: ['[', ']'] };

function sampleValue(item: TemplateItem, at: string, locale: Locale): unknown {
  const coded = item.values && Object.keys(item.values)[0];
  if (coded !== undefined) return coded;
  if (item.format === 'date') return at.slice(0, 10);
  const [open, close] = BRACKETS[locale];
  return `${open}${localize(item.label, locale)}${close}`;
}

/** What rendering a specimen of `template` takes, dated `at` (ISO), in `locale`; `issuerName` when one is chosen. */
export function specimenJob(template: CertificateTemplate, options: { at: string; locale: Locale; verifyUrl: string; issuerName?: string }): RenderJob {
  const { at, locale } = options;
  const fields = Object.fromEntries(
    [...(template.header ?? []), ...template.fields].flatMap((item) => (item.name === undefined ? [] : [[item.name, sampleValue(item, at, locale)]])),
  );
  const record: RenderRecord = {
    id: 'SPECIMEN',
    type: template.id,
    holderId: '000000000000000000',
    holderName: localize(SAMPLE.holderName, locale),
    fields,
    issuer: 'specimen',
    issuedAt: at,
    validUntil: null,
  };
  return { record, signed: null, template, verifyUrl: options.verifyUrl, issuerName: options.issuerName ?? localize(SAMPLE.issuerName, locale), locale };
}
