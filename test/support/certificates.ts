/** A business licence ready to render, as the issue step would hand it over (a fresh id per call). */
import { randomUUID } from 'node:crypto';
import type { RenderJob, RenderRecord, SignedBy } from '../../src/certificates/render.js';
import { loadTemplates } from '../../src/certificates/templates.js';
import { readCatalog } from '../../src/store/catalogFiles.js';

export const templates = loadTemplates(readCatalog().templates);

export function businessLicenceJob(
  overrides: { record?: Partial<RenderRecord>; fields?: Record<string, unknown>; issuerName?: string; locale?: RenderJob['locale'] } = {},
): RenderJob & { signed: SignedBy } {
  const id = overrides.record?.id ?? randomUUID();
  const record: RenderRecord = {
    id,
    type: 'business-license',
    holderId: '91620102MA71K3P23X',
    holderName: '兰州青禾信息技术有限公司',
    fields: {
      name: '兰州青禾信息技术有限公司',
      type: 'llc',
      address: '甘肃省兰州市城关区东岗西路588号3单元1502室',
      legalRepresentative: '陈晓燕',
      registeredCapital: 100,
      businessScope: ['软件开发', '信息系统集成服务', '信息技术咨询服务'],
      ...overrides.fields,
    },
    issuer: 'market-regulation',
    issuedAt: '2026-03-18T02:30:00.000Z',
    validUntil: null,
    applicationId: 'application-1',
    ...overrides.record,
  };
  return {
    record,
    signed: { keyId: 'key-2026-01', signature: 'mFJ3dOXEd6mGTDn3x1Bz9kq2hM0Zp8Yc4T7Qe1sVwUaRk5LgNf2Hj6Xb9Cy0Di3Eo8Pl4Wt7Ar1Sm5Gu2Kn6Bv9Zx0Qw' },
    template: templates.get('business-license')!,
    verifyUrl: `https://onevisit.example.gov.cn/verify/${id}`,
    issuerName: overrides.issuerName ?? '兰州市城关区市场监督管理局',
    ...(overrides.locale ? { locale: overrides.locale } : {}),
  };
}
