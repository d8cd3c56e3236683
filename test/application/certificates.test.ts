/**
 * The certificate use cases decide access through the policy and tell "not yours" from "could not look": a
 * certificate someone may not read is CERTIFICATE.NOT_FOUND, while a lookup that fails (a database outage) fails
 * the request as it is — never turned into a not-found.
 */
import { expect } from 'chai';
import { isOnevisitError } from '../../src/domain/errors.js';
import { compileDefinition } from '../../src/definitions/index.js';
import { createCertificateUseCases, type CertificatesDeps } from '../../src/application/certificates.js';
import type { StoredCertificate } from '../../src/certificates/ports.js';
import type { Subject } from '../../src/identity/policy.js';
import { catalog, loadDefinition } from '../support/world.js';

const compiled = compileDefinition(loadDefinition(catalog.definitionFiles.find((f) => f.endsWith('/business-startup.json'))!));
const outage = () => new Error('connection terminated unexpectedly');

const certificate = {
  id: 'c-1',
  type: 'tax-registration-record',
  holderId: '91620100MA00000001',
  holderName: '兰州青禾信息技术有限公司',
  applicationId: 'a-1',
  matterId: 'tax',
  issuer: 'taxation',
  status: 'valid',
  record: JSON.stringify({ id: 'c-1', type: 'tax-registration-record' }),
} as unknown as StoredCertificate;

const citizen: Subject = { userId: 'u-citizen', role: 'citizen', departments: [] };
const holder: Subject = { userId: 'u-holder', role: 'citizen', departments: [] };
const issuer: Subject = { userId: 'u-tax', role: 'clerk', departments: ['taxation'] };
const licensing: Subject = { userId: 'u-market', role: 'clerk', departments: ['market-regulation'] };
const admin: Subject = { userId: 'u-admin', role: 'admin', departments: [] };

/** The use cases over stubs: an application of u-citizen, a store holding `certificate`, and whatever `overrides` say. */
function useCases(overrides: Partial<CertificatesDeps> = {}) {
  const asked: string[] = [];
  const deps = {
    engine: {
      async inspect(id: string) {
        asked.push(`inspect ${id}`);
        return { view: { id, applicantId: 'u-citizen' }, compiled };
      },
    },
    store: { get: async (id: string) => (id === certificate.id ? certificate : undefined), byApplication: async () => [certificate] },
    holderOf: async (subject: Subject) => {
      asked.push(`holder ${subject.userId}`);
      return { holderIds: subject.userId === 'u-holder' ? [certificate.holderId] : [], applicantId: subject.userId };
    },
    lifecycle: { revoke: async () => certificate, reissue: async () => certificate },
    pdfOf: async () => Buffer.from('%PDF'),
    ...overrides,
  } as unknown as CertificatesDeps;
  return { certificates: createCertificateUseCases(deps), asked };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure, but it succeeded');
}

describe('certificate use cases: access through the policy', () => {
  it('lets the holder, the applicant and the issuing department read it; to anyone else, a reviewer of another matter included, it is not there', async () => {
    const { certificates } = useCases();
    for (const reader of [holder, citizen, issuer]) expect((await certificates.get(reader, certificate.id)).id).to.equal(certificate.id);
    const stranger: Subject = { userId: 'u-other', role: 'citizen', departments: [] };
    const other: Subject = { userId: 'u-water', role: 'clerk', departments: ['water-affairs'] };
    for (const reader of [stranger, licensing, other]) expect(isOnevisitError(await failure(certificates.get(reader, certificate.id)), 'CERTIFICATE.NOT_FOUND'), reader.userId).to.equal(true);
    expect(isOnevisitError(await failure(certificates.get(citizen, 'no-such-certificate')), 'CERTIFICATE.NOT_FOUND')).to.equal(true);
  });

  it('refuses an admin before anything is looked up', async () => {
    const { certificates, asked } = useCases({ store: { get: async () => Promise.reject(outage()), byApplication: async () => [] } as never });
    for (const call of [certificates.get(admin, certificate.id), certificates.pdf(admin, certificate.id), certificates.revoke(admin, certificate.id, { reason: '登记信息有误' }), certificates.wallet(admin)]) {
      expect(isOnevisitError(await failure(call), 'AUTH.FORBIDDEN')).to.equal(true);
    }
    expect(asked).to.deep.equal([]);
  });

  it('looks up only what the rule it reaches needs: the issuer is not asked for the application, nor a clerk for a holder id', async () => {
    const { certificates, asked } = useCases();
    await certificates.get(issuer, certificate.id);
    expect(asked).to.deep.equal([]);
    await certificates.get(holder, certificate.id);
    expect(asked).to.deep.equal(['holder u-holder']);
  });

  it('lets only the issuing department change it: others who read it are refused, others who do not are told it is not there', async () => {
    const { certificates } = useCases();
    expect((await certificates.revoke(issuer, certificate.id, { reason: '登记信息有误' })).id).to.equal(certificate.id);
    expect(isOnevisitError(await failure(certificates.revoke(citizen, certificate.id, { reason: '登记信息有误' })), 'AUTH.FORBIDDEN')).to.equal(true);
    expect(isOnevisitError(await failure(certificates.reissue(licensing, certificate.id)), 'CERTIFICATE.NOT_FOUND')).to.equal(true);
  });

  describe('a failing lookup fails the request as it is, never as CERTIFICATE.NOT_FOUND', () => {
    const notNotFound = (error: unknown) => {
      expect(isOnevisitError(error), String(error)).to.equal(false);
      expect((error as Error).message).to.equal('connection terminated unexpectedly');
    };

    it('when the certificate store fails', async () => {
      const { certificates } = useCases({ store: { get: async () => Promise.reject(outage()), byApplication: async () => Promise.reject(outage()) } as never });
      for (const call of [certificates.get(citizen, certificate.id), certificates.pdf(issuer, certificate.id), certificates.revoke(issuer, certificate.id, { reason: '登记信息有误' }), certificates.reissue(issuer, certificate.id)]) notNotFound(await failure(call));
    });

    it('when the application it was issued on cannot be read', async () => {
      const { certificates } = useCases({ engine: { inspect: async () => Promise.reject(outage()) } as never });
      notNotFound(await failure(certificates.get(licensing, certificate.id)));
      notNotFound(await failure(certificates.get(citizen, certificate.id)));
    });

    it('when the holder ids cannot be read', async () => {
      const { certificates } = useCases({ holderOf: async () => Promise.reject(outage()) });
      notNotFound(await failure(certificates.get(holder, certificate.id)));
      notNotFound(await failure(certificates.wallet(holder)));
    });
  });
});
