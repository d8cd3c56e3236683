/**
 * Unified social credit codes (GB 32100) for enterprises registered by an application: the registering
 * authority's code (9, market regulation), the category, its region and a sequence per region and category.
 * An application gets one code, for good: a retried issue, or a reissue, finds the code its certificates carry.
 */
import type { AssignedHolder } from '../domain/definition.js';
import { isUnifiedSocialCreditCode, makeUnifiedSocialCreditCode } from '../domain/ids.js';
import type { CertificateRepository, Counters } from './ports.js';

export interface UsccAssignerOptions {
  store: Pick<CertificateRepository, 'byApplication'>;
  /** The sequences, one counter per authority, category and region (`uscc:<prefix>`). */
  counters: Counters;
}

export function createUsccAssigner(options: UsccAssignerOptions): (applicationId: string, holder: AssignedHolder) => Promise<string> {
  return async (applicationId, holder) => {
    const category = holder.category ?? '1';
    const prefix = `9${category}${holder.region}`;
    const existing = (await options.store.byApplication(applicationId)).find((c) => isUnifiedSocialCreditCode(c.holderId) && c.holderId.startsWith(prefix));
    if (existing) return existing.holderId;
    const sequence = await options.counters.next(`uscc:${prefix}`);
    return makeUnifiedSocialCreditCode({ authority: '9', category, region: holder.region, sequence });
  };
}
