import { expect } from 'chai';
import { extractSignedRecord } from '../../src/certificates/embedded.js';
import { createRenderer } from '../../src/certificates/render.js';
import { createRenderPool } from '../../src/certificates/renderPool.js';
import { OnevisitError } from '../../src/domain/errors.js';
import { businessLicenceJob } from '../support/certificates.js';

describe('the render pool', () => {
  it('renders several certificates in parallel, the same bytes as rendering in-thread', async () => {
    const pool = createRenderPool({ size: 2 });
    try {
      const jobs = Array.from({ length: 6 }, (_, i) => businessLicenceJob({ locale: i % 2 === 0 ? 'zh-Hans' : 'zh-Hant' }));
      const pdfs = await Promise.all(jobs.map((job) => pool.render(job)));
      const renderer = createRenderer();
      for (const [i, pdf] of pdfs.entries()) {
        expect(Buffer.isBuffer(pdf)).to.equal(true);
        expect(extractSignedRecord(pdf)?.record.id).to.equal(jobs[i]!.record.id);
        expect(pdf.equals(await renderer.render(jobs[i]!))).to.equal(true);
      }
    } finally {
      await pool.close();
    }
  });

  it('returns a refusal as an OnevisitError with its code and details', async () => {
    const pool = createRenderPool({ size: 1 });
    try {
      const rare = '兰州𠀀科技有限公司';
      const error = await pool.render(businessLicenceJob({ fields: { name: rare } })).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(OnevisitError);
      expect((error as OnevisitError).code).to.equal('CERTIFICATE.GLYPH_MISSING');
      expect((error as OnevisitError).details).to.deep.equal({ character: '𠀀', codePoint: 'U+20000', field: 'name' });
      // The worker is still serving.
      expect(extractSignedRecord(await pool.render(businessLicenceJob()))).to.not.equal(undefined);
    } finally {
      await pool.close();
    }
  });

  it('replaces a worker that dies, failing only the job it held', async () => {
    const pool = createRenderPool({ size: 1, workerUrl: new URL('../support/stubRenderWorker.js', import.meta.url) });
    try {
      const crash = pool.render(businessLicenceJob({ record: { id: 'crash' } })).then(
        () => 'rendered',
        (e: Error) => e.message,
      );
      const after = pool.render(businessLicenceJob({ record: { id: 'after' } }));
      expect(await crash).to.match(/worker stopped/);
      expect((await after).toString()).to.equal('%PDF-stub after');
    } finally {
      await pool.close();
    }
  });

  it('sizes itself from the CPUs, at least one worker, and refuses work once closed', async () => {
    const pool = createRenderPool();
    expect(pool.size).to.be.at.least(1);
    await pool.close();
    const error = await pool.render(businessLicenceJob()).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).to.match(/closed/);
  });
});
