/**
 * The public page a certificate's QR code opens: whether the certificate is valid, and whose it is with the
 * name masked. No sign-in; nothing but what the verification answered. Server-rendered, no scripts.
 */
import { chinaDate } from '../domain/time.js';

export type VerificationStatus = 'valid' | 'revoked' | 'expired' | 'tampered' | 'unknown' | 'superseded';

export interface VerifyPageModel {
  id: string;
  status: VerificationStatus;
  certificate?: {
    typeTitle: string;
    holderNameMasked: string;
    issuerTitle: string;
    issuedAt: string;
    validUntil: string | null;
  };
}

const STATUS_TEXT: Record<VerificationStatus, { zh: string; en: string; colour: string }> = {
  valid: { zh: '有效', en: 'Valid', colour: '#1a7f37' },
  revoked: { zh: '已撤销', en: 'Revoked', colour: '#b42318' },
  expired: { zh: '已过期', en: 'Expired', colour: '#b54708' },
  tampered: { zh: '内容与签发记录不符', en: 'Does not match the issued record', colour: '#b42318' },
  unknown: { zh: '未找到该证照', en: 'No such certificate', colour: '#475467' },
  superseded: { zh: '已换发新证', en: 'Replaced by a reissued certificate', colour: '#b54708' },
};

export function verifyPage(model: VerifyPageModel): string {
  const status = STATUS_TEXT[model.status];
  const c = model.certificate;
  const day = (iso: string) => chinaDate(iso);
  const rows = c
    ? [
        ['证照类型 Type', c.typeTitle],
        ['持证人 Holder', c.holderNameMasked],
        ['发证机关 Issuer', c.issuerTitle],
        ['签发日期 Issued', day(c.issuedAt)],
        ['有效期至 Valid until', c.validUntil ? day(c.validUntil) : '长期 No expiry'],
      ]
    : [];
  return `<!doctype html>
<html lang="zh-Hans">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>电子证照核验 · Certificate check</title>
<style>
body { font-family: system-ui, "Noto Sans SC", sans-serif; margin: 0; background: #f5f6f8; color: #101828; }
main { max-width: 32rem; margin: 2rem auto; background: #fff; border-radius: 8px; padding: 1.5rem; box-shadow: 0 1px 3px rgba(0,0,0,.1); }
h1 { font-size: 1.25rem; margin: 0 0 1rem; }
.status { font-size: 1.5rem; font-weight: 700; color: ${status.colour}; margin: 0 0 1rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .5rem 1rem; margin: 0; }
dt { color: #475467; } dd { margin: 0; }
small { display: block; margin-top: 1.5rem; color: #667085; word-break: break-all; }
</style>
</head>
<body>
<main>
<h1>电子证照核验 · Certificate check</h1>
<p class="status" role="status">${escapeHtml(status.zh)} · ${escapeHtml(status.en)}</p>
${rows.length ? `<dl>${rows.map(([k, v]) => `<dt>${escapeHtml(k!)}</dt><dd>${escapeHtml(v!)}</dd>`).join('')}</dl>` : ''}
<small>证照编号 Certificate id: ${escapeHtml(model.id)}</small>
</main>
</body>
</html>
`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}
