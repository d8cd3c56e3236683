/**
 * Outbox effects the HTTP suites need in a given state: one that gave up (failed for good), recorded on an
 * application as the engine records effects and failed through the outbox store as the worker fails them.
 */
import { createOutboxStore } from '../../src/store/index.js';
import type { TestServer } from './server.js';

let effects = 0;

/** A `failed` issueCertificates effect of `applicationId` (after 8 attempts); answers its id. */
export async function failedEffect(server: TestServer, applicationId: string, error = 'Error: the certificate service is unavailable'): Promise<string> {
  const db = server.onevisit.db;
  const at = server.clock.now;
  const id = `${applicationId}:9${String(++effects).padStart(3, '0')}:0`;
  // Recorded as a transition records it: pending, leased to the instance that committed it (long gone).
  await db('outbox').insert({
    id,
    application_id: applicationId,
    seq: 900 + effects,
    effect: JSON.stringify({ effect: 'issueCertificates', step: 'issue' }),
    status: 'pending',
    attempts: 7,
    created_at: at.toISOString(),
    lease_owner: 'instance-gone',
    lease_until: new Date(at.getTime() - 1).toISOString(),
  });
  await createOutboxStore(db).fail(id, error, null, at);
  return id;
}
