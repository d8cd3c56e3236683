/** Group commit: concurrent work shares round trips; an idle caller waits for nobody; a bad request fails alone. */
import { expect } from 'chai';
import { Batcher } from '../../src/store/batcher.js';

describe('Batcher', () => {
  it('sends a request at once when nothing is in flight', async () => {
    const batches: number[][] = [];
    const batcher = new Batcher<number, number>(async (batch) => (batches.push(batch), batch.map((n) => n * 2)));
    expect(await batcher.submit(21)).to.equal(42);
    expect(batches).to.deep.equal([[21]]);
  });

  it('groups requests that arrive while a round trip is in flight, and answers each its own result', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const batcher = new Batcher<number, number>(async (batch) => {
      batches.push(batch);
      if (batches.length === 1) await gate;
      return batch.map((n) => n * 2);
    });
    const first = batcher.submit(1);
    const rest = [2, 3, 4, 5].map((n) => batcher.submit(n));
    release();
    expect(await Promise.all([first, ...rest])).to.deep.equal([2, 4, 6, 8, 10]);
    expect(batches).to.deep.equal([[1], [2, 3, 4, 5]]);
  });

  it('caps a batch at its maximum and sends the remainder next', async () => {
    const sizes: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const batcher = new Batcher<number, number>(async (batch) => {
      sizes.push(batch.length);
      if (sizes.length === 1) await gate;
      return batch;
    }, 3);
    const all = Array.from({ length: 8 }, (_, i) => batcher.submit(i));
    release();
    expect(await Promise.all(all)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(sizes).to.deep.equal([1, 3, 3, 1]);
  });

  it('retries a failed batch one by one, so only the bad request fails', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const batcher = new Batcher<number, number>(async (batch) => {
      if (++calls === 1) await gate;
      if (batch.includes(13)) throw new Error('unlucky');
      return batch;
    });
    const first = batcher.submit(1);
    const results = [12, 13, 14].map((n) => batcher.submit(n).then((v) => ({ ok: v }), (e: Error) => ({ error: e.message })));
    release();
    await first;
    expect(await Promise.all(results)).to.deep.equal([{ ok: 12 }, { error: 'unlucky' }, { ok: 14 }]);
  });
});
