/**
 * What a certificate page says, before any font or position: the template's texts in the locale and the
 * record's values formatted by its items. Pure. Nothing is masked: the PDF is the holder's own document.
 */
import { localize, type Locale } from '../domain/i18n.js';
import { formatDate, formatValue } from './format.js';
import type { CertificateTemplate, TemplateItem } from './templates.js';

/**
 * The record as the renderer reads it: the signed record (domain/certificate.ts) has all of these. It is embedded
 * in the PDF exactly as given, so pass the signed record itself; the authority's display name goes in the job.
 */
export interface RenderRecord {
  readonly id: string;
  readonly type: string;
  readonly holderId: string;
  readonly holderName: string;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly issuer: string;
  /** Read when the job names no issuerName; a record carrying it is embedded with it, as given. */
  readonly issuerName?: string | undefined;
  readonly issuedAt: string;
  readonly validUntil?: string | null | undefined;
  readonly applicationId?: string | undefined;
}

export interface SignedBy {
  readonly keyId: string;
  /** base64url Ed25519 signature of the canonical record. */
  readonly signature: string;
}

/** A piece of text and where it comes from (named in the error when a character cannot be drawn). */
export interface Text {
  readonly text: string;
  readonly source: string;
}

export interface Row {
  readonly label: Text;
  readonly value: Text;
  readonly span: 'full' | 'half';
}

export interface PageContent {
  readonly title: Text;
  readonly subtitle?: Text | undefined;
  readonly header: readonly Text[];
  readonly rows: readonly Row[];
  readonly authority: readonly Text[];
  readonly sealName: Text;
  readonly sealInscription?: Text | undefined;
  readonly qrCaption?: Text | undefined;
  readonly footer: readonly Text[];
  /** A specimen's watermark, drawn across the page. */
  readonly specimenMark?: Text | undefined;
}

const WORDS = {
  colon: { 'zh-Hans': '：', 'zh-Hant': '：', en: ': ' },
  certificateNo: { 'zh-Hans': '证照编号', 'zh-Hant': '證照編號', en: 'Certificate No.' },
  signature: { 'zh-Hans': '电子签名（Ed25519，密钥', 'zh-Hant': '電子簽章（Ed25519，金鑰', en: 'Signature (Ed25519, key' },
  signatureEnd: { 'zh-Hans': '）', 'zh-Hant': '）', en: ')' },
  verify: { 'zh-Hans': '核验地址', 'zh-Hant': '核驗網址', en: 'Verify at' },
  specimenMark: { 'zh-Hans': '样本', 'zh-Hant': '樣本', en: 'SPECIMEN' },
  specimen: { 'zh-Hans': '样本：仅供预览版式，未经签名，不具效力', 'zh-Hant': '樣本：僅供預覽版式，未經簽章，不具效力', en: 'Specimen: a preview of the layout, not signed, of no effect' },
} as const satisfies Record<string, Record<Locale, string>>;

/** What a page is drawn from. `issuerName` is the issuing department's name (the record holds its id). */
export interface PageSource {
  readonly template: CertificateTemplate;
  readonly record: RenderRecord;
  /** null for a specimen (a template's preview): nothing is signed. */
  readonly signed: SignedBy | null;
  readonly verifyUrl: string;
  readonly issuerName?: string | undefined;
}

function itemText(item: TemplateItem, record: RenderRecord, issuerName: string, locale: Locale): Text | undefined {
  const source = item.name !== undefined ? item.name : item.record;
  const raw = item.name !== undefined ? record.fields[item.name] : item.record === 'issuerName' ? issuerName : record[item.record];
  const text = formatValue(item, raw, locale) ?? (item.empty ? localize(item.empty, locale) : undefined);
  return text === undefined ? undefined : { text, source };
}

export function pageContent({ template, record, signed, verifyUrl, ...source }: PageSource, locale: Locale): PageContent {
  const issuerName = source.issuerName ?? record.issuerName ?? record.issuer;
  const label = (item: TemplateItem): Text => ({ text: localize(item.label, locale), source: 'template' });
  const colon = WORDS.colon[locale];
  const header = (template.header ?? []).flatMap((item) => {
    const value = itemText(item, record, issuerName, locale);
    return value ? [{ text: label(item).text + colon + value.text, source: value.source }] : [];
  });
  const rows = template.fields.flatMap((item) => {
    const value = itemText(item, record, issuerName, locale);
    return value ? [{ label: label(item), value, span: item.span ?? 'half' }] : [];
  });
  const issued = formatDate(record.issuedAt, locale);
  const authority: Text[] = [
    { text: localize(template.authority.label, locale) + colon + issuerName, source: 'issuerName' },
    { text: template.authority.dateLabel ? localize(template.authority.dateLabel, locale) + colon + issued : issued, source: 'issuedAt' },
  ];
  const footer: Text[] = [];
  if (template.footer?.note) footer.push({ text: localize(template.footer.note, locale), source: 'template' });
  footer.push({ text: `${WORDS.certificateNo[locale]}${colon}${record.id}`, source: 'id' });
  footer.push({ text: `${WORDS.verify[locale]}${colon}${verifyUrl}`, source: 'verifyUrl' });
  footer.push(
    signed
      ? { text: `${WORDS.signature[locale]} ${signed.keyId}${WORDS.signatureEnd[locale]}${colon}${signed.signature}`, source: 'signature' }
      : { text: WORDS.specimen[locale], source: 'specimen' },
  );
  return {
    title: { text: localize(template.title, locale), source: 'template' },
    subtitle: template.subtitle ? { text: localize(template.subtitle, locale), source: 'template' } : undefined,
    header,
    rows,
    authority,
    sealName: { text: issuerName, source: 'issuerName' },
    sealInscription: template.seal?.inscription ? { text: template.seal.inscription, source: 'template' } : undefined,
    qrCaption: template.qr.caption ? { text: localize(template.qr.caption, locale), source: 'template' } : undefined,
    footer,
    specimenMark: signed ? undefined : { text: WORDS.specimenMark[locale], source: 'specimen' },
  };
}
