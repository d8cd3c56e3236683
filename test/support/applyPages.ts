/**
 * What the browser tests of the citizen's application pages share: a resident identity card put into a citizen's
 * wallet (as the public security bureau's system would have issued it), and filling a question page from a value.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { openKeyring, keysDir } from '../../src/certificates/keys.js';
import { canonicalRecord, signRecord } from '../../src/certificates/signing.js';
import { createCertificateStore } from '../../src/store/index.js';
import { fieldId } from '../../src/web/form/schema.js';
import type { TestServer } from './server.js';

/**
 * A signed resident identity card for the holder of `idNumber`, in the certificate store (so in their wallet,
 * whether their account exists yet or not). The card's own application is a bare finished one of a published
 * service, as the bureau's system would hold it.
 */
export async function putIdCardInWallet(server: TestServer, holder: { idNumber: string; name: string }): Promise<void> {
  const keyring = await openKeyring(keysDir(server.dataDir));
  const db = server.onevisit.db;
  const published = await db('service_definitions').where({ service_id: 'talent-medical-card' }).first();
  const applicationId = randomUUID();
  const at = new Date().toISOString();
  await db('applications').insert({ id: applicationId, number: `ID${randomBytes(7).toString('hex')}`, service_id: published.service_id, service_version: published.version, service_hash: published.hash, applicant_id: 'public-security', state: '"completed"', status: 'completed', snapshot: '{}', version: 1, created_at: at, updated_at: at });
  const record = { id: randomUUID(), type: 'resident-id-card', holderId: holder.idNumber, holderName: holder.name, fields: { name: holder.name }, issuer: 'public-security', issuedAt: at, validUntil: null, applicationId };
  const { keyId, signature } = signRecord(record, keyring);
  await createCertificateStore(db).insert([{ ...record, matterId: 'id-card', effectId: `test:${record.id}`, issuedBy: null, record: canonicalRecord(record), keyId, signature }]);
}

/** The CSS selector of the input a form pointer is rendered as. */
export const inputOf = (pointer: string): string => `#${fieldId(pointer)}`;

/** Fills one section's page from a value: text typed, choices picked, list items added first (with their buttons). */
export async function fillSection(page: Page, pointer: string, value: unknown): Promise<void> {
  if (Array.isArray(value) && value.length > 0 && typeof value[0] === 'object') {
    for (const [i, item] of value.entries()) {
      if ((await page.locator(inputOf(`${pointer}/${i}`)).count()) === 0) {
        const kind = (item as Record<string, unknown>).kind;
        const add = kind === 'organisation' ? `add:${pointer}:1` : kind === 'person' ? `add:${pointer}:0` : `add:${pointer}`;
        await page.click(`button[name=_action][value="${add}"]`);
      }
      for (const [k, v] of Object.entries(item as Record<string, unknown>)) if (k !== 'kind') await fillSection(page, `${pointer}/${i}/${k}`, v);
    }
    return;
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) await fillSection(page, `${pointer}/${k}`, v);
    return;
  }
  const inputs = page.locator(`[name="${pointer}"]`);
  const type = await inputs.first().getAttribute('type');
  if (type === 'radio' || type === 'checkbox') {
    for (const v of Array.isArray(value) ? value : [value]) await page.check(`[name="${pointer}"][value="${String(v)}"]`);
  } else if ((await inputs.first().evaluate((e) => e.tagName)) === 'SELECT') {
    await inputs.first().selectOption(String(value));
  } else {
    await inputs.first().fill(Array.isArray(value) ? value.join('\n') : String(value));
  }
}
