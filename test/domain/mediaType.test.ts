import { expect } from 'chai';
import fc from 'fast-check';
import { sniffMediaType } from '../../src/domain/mediaType.js';

/** The signatures, written out here rather than imported, so the test checks the module against the formats. */
const MAGIC = {
  'application/pdf': [0x25, 0x50, 0x44, 0x46, 0x2d],
  'image/jpeg': [0xff, 0xd8, 0xff],
  'image/png': [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
} as const;
type Sniffed = keyof typeof MAGIC;
const TYPES = Object.keys(MAGIC) as Sniffed[];

const bytes = (...parts: (string | readonly number[])[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p, 'latin1')] : [...p])));
const startsWithMagic = (data: Uint8Array) => TYPES.some((t) => MAGIC[t].every((b, i) => data[i] === b));

describe('sniffMediaType', () => {
  it('recognises a PDF by "%PDF-"', () => {
    expect(sniffMediaType(bytes('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n'))).to.equal('application/pdf');
  });

  it('recognises a JPEG by FF D8 FF', () => {
    expect(sniffMediaType(bytes([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10], 'JFIF'))).to.equal('image/jpeg');
  });

  it('recognises a PNG by its eight-byte signature', () => {
    expect(sniffMediaType(bytes(MAGIC['image/png'], [0, 0, 0, 13], 'IHDR'))).to.equal('image/png');
  });

  it('knows nothing from an empty or truncated head', () => {
    expect(sniffMediaType(new Uint8Array())).to.equal(undefined);
    expect(sniffMediaType(bytes('%PDF'))).to.equal(undefined);
    expect(sniffMediaType(bytes([0xff, 0xd8]))).to.equal(undefined);
    expect(sniffMediaType(bytes(MAGIC['image/png'].slice(0, 7)))).to.equal(undefined);
  });

  it('refuses other formats, including ones that claim a type in their text', () => {
    expect(sniffMediaType(bytes('GIF89a'))).to.equal(undefined);
    expect(sniffMediaType(bytes([0x50, 0x4b, 0x03, 0x04], 'word/document.xml'))).to.equal(undefined);
    expect(sniffMediaType(bytes('<html>%PDF-1.4'))).to.equal(undefined);
    expect(sniffMediaType(bytes(' %PDF-1.4'))).to.equal(undefined);
    expect(sniffMediaType(bytes('report.pdf'))).to.equal(undefined);
  });

  it('reads a Buffer as well as a Uint8Array', () => {
    expect(sniffMediaType(Buffer.from('%PDF-1.4'))).to.equal('application/pdf');
  });

  it('names the type of any bytes that start with its signature', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TYPES), fc.uint8Array({ maxLength: 64 }), (type, tail) => {
        expect(sniffMediaType(bytes(MAGIC[type], [...tail]))).to.equal(type);
      }),
    );
  });

  it('never names a type for random bytes that do not start with a signature', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (data) => {
        fc.pre(!startsWithMagic(data));
        expect(sniffMediaType(data)).to.equal(undefined);
      }),
      { numRuns: 1000 },
    );
  });

  it('never names a type for bytes that share only part of a signature', () => {
    const nearMiss = fc
      .constantFrom(...TYPES)
      .chain((type) => fc.tuple(fc.constant(type), fc.integer({ min: 0, max: MAGIC[type].length - 1 })))
      .chain(([type, k]) =>
        fc.tuple(
          fc.constant(MAGIC[type].slice(0, k)),
          fc.integer({ min: 0, max: 255 }).filter((b) => b !== MAGIC[type][k]),
          fc.uint8Array({ maxLength: 32 }),
        ),
      )
      .map(([prefix, wrong, tail]) => bytes(prefix, [wrong], [...tail]))
      .filter((data) => !startsWithMagic(data));
    fc.assert(
      fc.property(nearMiss, (data) => {
        expect(sniffMediaType(data)).to.equal(undefined);
      }),
      { numRuns: 1000 },
    );
  });
});
