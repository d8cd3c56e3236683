import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buffer as readAll } from 'node:stream/consumers';
import zlib from 'node:zlib';
import { isOnevisitError, type ErrorCode, type OnevisitError } from '../../src/domain/errors.js';
import { UPLOAD_LIMIT_BYTES } from '../../src/domain/uploads.js';
import { createFileService, type BlobStore, type FileService } from '../../src/files/index.js';
import { createBlobStore, createFileStore } from '../../src/store/index.js';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/databases.js';

// --- Real, minimal files, built byte by byte --------------------------------------------------------------

/** A one-page PDF with a correct cross-reference table. */
function minimalPdf(): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 72 72] >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/** A 1×1 RGB PNG. */
function minimalPng(rgb: [number, number, number] = [255, 0, 0]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(typed));
    return Buffer.concat([length, typed, crc]);
  };
  const header = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]); // 1×1, 8 bits, truecolour
  const pixels = zlib.deflateSync(Buffer.from([0, ...rgb])); // filter byte, then the pixel
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]);
}

/** A 1×1 grey baseline JPEG: one block whose DC difference is 0 and whose AC coefficients are all zero. */
function minimalJpeg(): Buffer {
  const segment = (marker: number, data: number[]) => [0xff, marker, (data.length + 2) >> 8, (data.length + 2) & 0xff, ...data];
  const huffmanTable = (tableClass: number, symbol: number) => [(tableClass << 4) | 0, 1, ...new Array<number>(15).fill(0), symbol];
  return Buffer.from([
    0xff, 0xd8, // SOI
    ...segment(0xe0, [...Buffer.from('JFIF\0', 'latin1'), 1, 1, 0, 0, 1, 0, 1, 0, 0]),
    ...segment(0xdb, [0, ...new Array<number>(64).fill(1)]), // quantisation table 0
    ...segment(0xc0, [8, 0, 1, 0, 1, 1, 1, 0x11, 0]), // baseline, 1×1, one component
    ...segment(0xc4, huffmanTable(0, 0x00)), // DC: one code "0" for size 0
    ...segment(0xc4, huffmanTable(1, 0x00)), // AC: one code "0" for end of block
    ...segment(0xda, [1, 1, 0x00, 0, 63, 0]),
    0b0011_1111, // DC "0", EOB "0", padded with ones
    0xff, 0xd9, // EOI
  ]);
}

/** Bytes that are none of the accepted types (the first byte rules out every signature). */
const notAnImage = (size: number) => Buffer.concat([Buffer.from([0x00]), randomBytes(size - 1)]);

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function refused(promise: Promise<unknown>, code: ErrorCode): Promise<OnevisitError> {
  try {
    await promise;
  } catch (error) {
    expect(isOnevisitError(error), String(error)).to.equal(true);
    expect((error as OnevisitError).code).to.equal(code);
    return error as OnevisitError;
  }
  throw new Error(`expected ${code}, but it succeeded`);
}

/** Every file under `dir`, relative to it (none when it does not exist). */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)));
}

const NOW = new Date('2026-03-02T09:30:00.000Z');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

// --- The file service, on each database -------------------------------------------------------------------

for (const kind of databaseKinds) {
  describe(`uploaded files (${kind})`, () => {
    let database: TestDatabase;
    let tempDir: string;
    let blobDir: string;
    let blobs: BlobStore;
    let files: FileService;
    let owner: string;
    let ownerCounter = 0;

    before(async () => {
      database = await openTestDatabase(kind);
    });
    after(async () => {
      await database.close();
    });
    beforeEach(() => {
      tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onevisit-blobs-'));
      blobDir = path.join(tempDir, 'blobs');
      blobs = createBlobStore(blobDir);
      files = createFileService({ files: createFileStore(database.db), blobs, now: () => NOW });
      owner = `citizen-${kind}-${++ownerCounter}`;
    });
    afterEach(() => {
      fs.rmSync(tempDir, { recursive: true, force: true });
    });

    const rowCount = async () => Number((await database.db('files').count({ n: '*' }).first())?.n ?? 0);

    /** Runs a refused upload and checks that it left no row and no blob behind. */
    async function refusedUpload(attempt: () => Promise<unknown>, code: ErrorCode): Promise<OnevisitError> {
      const before = await rowCount();
      const error = await refused(attempt(), code);
      expect(await rowCount(), 'rows in files').to.equal(before);
      expect(filesUnder(blobDir), 'files in the blob directory').to.deep.equal([]);
      return error;
    }

    describe('upload', () => {
      const samples = [
        { name: 'PDF', build: minimalPdf, mediaType: 'application/pdf', fileName: '营业执照.pdf' },
        { name: 'PNG', build: () => minimalPng(), mediaType: 'image/png', fileName: 'photo.png' },
        { name: 'JPEG', build: minimalJpeg, mediaType: 'image/jpeg', fileName: 'id-card.jpg' },
      ] as const;

      for (const sample of samples) {
        it(`accepts a ${sample.name} and records the type sniffed from its bytes`, async () => {
          const data = sample.build();
          const record = await files.upload({ ownerId: owner, data, originalName: sample.fileName });
          expect(record.fileId).to.match(UUID);
          expect(record).to.deep.include({
            sha256: sha256(data),
            size: data.length,
            mediaType: sample.mediaType,
            originalName: sample.fileName,
            createdAt: NOW.toISOString(),
          });
          expect(await files.get(record.fileId, owner)).to.deep.equal(record);
          const { record: again, stream } = await files.content(record.fileId, owner);
          expect(again).to.deep.equal(record);
          expect((await readAll(stream)).equals(data)).to.equal(true);
          expect(filesUnder(blobDir)).to.deep.equal([path.join(record.sha256.slice(0, 2), record.sha256)]);
        });
      }

      it('stores the same content once on disk and records each upload', async () => {
        const data = minimalPng([1, 2, 3]);
        const rowsOf = async () => Number((await database.db('files').where({ sha256: sha256(data) }).count({ n: '*' }).first())?.n);
        const before = await rowsOf();
        const first = await files.upload({ ownerId: owner, data, originalName: 'a.pdf' });
        const second = await files.upload({ ownerId: `${owner}-other`, data, originalName: 'b.pdf' });
        expect(second.fileId).to.not.equal(first.fileId);
        expect(second.sha256).to.equal(first.sha256);
        expect(filesUnder(blobDir)).to.have.length(1);
        expect(await rowsOf()).to.equal(before + 2);
        expect((await files.get(second.fileId, `${owner}-other`)).originalName).to.equal('b.pdf');
      });

      it('goes by the bytes, not the name or the declared type: a PNG named x.pdf is a PNG', async () => {
        const record = await files.upload({ ownerId: owner, data: minimalPng(), originalName: 'x.pdf', declaredType: 'application/pdf' });
        expect(record.mediaType).to.equal('image/png');
        expect(record.originalName).to.equal('x.pdf');
        const row = await database.db('files').where({ id: record.fileId }).first();
        expect(row.media_type).to.equal('image/png');
      });

      it('refuses bytes of no accepted type and stores nothing', async () => {
        await refusedUpload(() => files.upload({ ownerId: owner, data: notAnImage(4096), originalName: 'scan.pdf', declaredType: 'application/pdf' }), 'FILE.TYPE_UNSUPPORTED');
        await refusedUpload(() => files.upload({ ownerId: owner, data: Buffer.from('<html><body>%PDF-1.4</body></html>'), originalName: 'page.pdf' }), 'FILE.TYPE_UNSUPPORTED');
      });

      it('refuses an empty file as missing', async () => {
        await refusedUpload(() => files.upload({ ownerId: owner, data: Buffer.alloc(0), originalName: 'empty.pdf' }), 'FILE.MISSING');
      });

      it('refuses a file over the cap, naming the cap, and stores nothing; the cap itself is allowed', async () => {
        const small = createFileService({ files: createFileStore(database.db), blobs, maxBytes: 1024 });
        const pdf = (size: number) => Buffer.concat([minimalPdf(), Buffer.alloc(size - minimalPdf().length, 0x20)]);
        const error = await refusedUpload(() => small.upload({ ownerId: owner, data: pdf(1025) }), 'FILE.TOO_LARGE');
        expect(error.details).to.deep.equal({ maxBytes: 1024 });
        const atCap = await small.upload({ ownerId: owner, data: pdf(1024) });
        expect(atCap.size).to.equal(1024);
      });

      it(`refuses 50 MB against the default cap of ${UPLOAD_LIMIT_BYTES} bytes`, async () => {
        expect(UPLOAD_LIMIT_BYTES).to.equal(10 * 1024 * 1024);
        const big = Buffer.alloc(50 * 1024 * 1024, 0x20);
        minimalPdf().copy(big);
        const error = await refusedUpload(() => files.upload({ ownerId: owner, data: big, originalName: 'huge.pdf' }), 'FILE.TOO_LARGE');
        expect(error.details).to.deep.equal({ maxBytes: UPLOAD_LIMIT_BYTES });
      });

      it('stores a sanitised original name: no path, no control or direction characters, at most 255 characters', async () => {
        const cases: [string | undefined, string][] = [
          ['../../etc/passwd.pdf', 'passwd.pdf'],
          ['C:\\Users\\张三\\Desktop\\身份证.pdf', '身份证.pdf'],
          ['/var/tmp/..\\..\\report.pdf', 'report.pdf'],
          ['bad\u0000na\r\nme\u0007\u007f.pdf', 'badname.pdf'],
          ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
          ['  spaced.pdf  ', 'spaced.pdf'],
          ['..', 'file.pdf'],
          ['dir/', 'file.pdf'],
          ['\u0000\u0001', 'file.pdf'],
          [undefined, 'file.pdf'],
        ];
        for (const [given, expected] of cases) {
          const record = await files.upload({ ownerId: owner, data: minimalPdf(), originalName: given });
          expect(record.originalName, JSON.stringify(given)).to.equal(expected);
          const row = await database.db('files').where({ id: record.fileId }).first();
          expect(row.original_name, JSON.stringify(given)).to.equal(expected);
        }
        const long = await files.upload({ ownerId: owner, data: minimalPdf(), originalName: `${'很'.repeat(300)}.pdf` });
        expect(Array.from(long.originalName)).to.have.length(255);
        expect(long.originalName).to.equal(`${'很'.repeat(251)}.pdf`);
        const emoji = await files.upload({ ownerId: owner, data: minimalPdf(), originalName: '😀'.repeat(300) });
        expect(emoji.originalName).to.equal('😀'.repeat(255));
        expect((await files.upload({ ownerId: owner, data: minimalPng(), originalName: '../' })).originalName).to.equal('file.png');
      });
    });

    describe('reading', () => {
      it("treats another owner's file as one that does not exist", async () => {
        const record = await files.upload({ ownerId: owner, data: minimalPdf(), originalName: 'mine.pdf' });
        const theirs = await refused(files.get(record.fileId, `${owner}-other`), 'FILE.NOT_FOUND');
        await refused(files.content(record.fileId, `${owner}-other`), 'FILE.NOT_FOUND');
        const unknown = '00000000-0000-4000-8000-000000000000';
        const none = await refused(files.get(unknown, owner), 'FILE.NOT_FOUND');
        expect(theirs.message.replace(record.fileId, 'ID')).to.equal(none.message.replace(unknown, 'ID'));
      });

      it('refuses ids that are not ids as not found', async () => {
        await refused(files.get('x'.repeat(300), owner), 'FILE.NOT_FOUND');
        await refused(files.get("' OR 1=1 --", owner), 'FILE.NOT_FOUND');
      });
    });

    describe('checkFile (the file half of the MaterialVerifier)', () => {
      it('accepts the owner’s own file, with or without a list of accepted types', async () => {
        const pdf = await files.upload({ ownerId: owner, data: minimalPdf() });
        expect(await files.verifier.checkFile(owner, pdf.fileId)).to.equal(undefined);
        expect(await files.verifier.checkFile(owner, pdf.fileId, ['application/pdf'])).to.equal(undefined);
        const png = await files.upload({ ownerId: owner, data: minimalPng() });
        expect(await files.verifier.checkFile(owner, png.fileId, ['image/jpeg', 'image/png'])).to.equal(undefined);
      });

      it("refuses someone else's file exactly as an unknown one", async () => {
        const pdf = await files.upload({ ownerId: owner, data: minimalPdf() });
        const theirs = await files.verifier.checkFile(`${owner}-other`, pdf.fileId, ['application/pdf']);
        expect(theirs).to.be.a('string');
        const unknown = '00000000-0000-4000-8000-000000000000';
        const none = await files.verifier.checkFile(owner, unknown);
        expect(none).to.be.a('string');
        expect(theirs!.replace(pdf.fileId, 'ID')).to.equal(none!.replace(unknown, 'ID'));
      });

      it('refuses a file of a type the material does not accept, naming both', async () => {
        const png = await files.upload({ ownerId: owner, data: minimalPng(), originalName: 'licence.pdf' });
        const problem = await files.verifier.checkFile(owner, png.fileId, ['application/pdf']);
        expect(problem).to.be.a('string').that.includes('image/png').and.includes('application/pdf');
        const jpeg = await files.upload({ ownerId: owner, data: minimalJpeg() });
        expect(await files.verifier.checkFile(owner, jpeg.fileId, ['application/pdf'])).to.be.a('string');
      });
    });
  });
}

// --- The blob directory on its own ------------------------------------------------------------------------

describe('blob store (directory)', () => {
  let tempDir: string;
  let blobs: BlobStore;
  beforeEach(() => {
    tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onevisit-blobs-'));
    blobs = createBlobStore(tempDir);
  });
  afterEach(() => fs.rmSync(tempDir, { recursive: true, force: true }));

  it('keeps bytes at <aa>/<sha256>, and storing them again changes nothing', async () => {
    const data = minimalPng();
    const digest = sha256(data);
    expect(await blobs.has(digest)).to.equal(false);
    expect(await blobs.put(data)).to.deep.equal({ sha256: digest, size: data.length });
    const file = path.join(tempDir, digest.slice(0, 2), digest);
    const written = fs.statSync(file);
    expect(await blobs.put(Buffer.from(data))).to.deep.equal({ sha256: digest, size: data.length });
    expect(fs.statSync(file).mtimeMs).to.equal(written.mtimeMs);
    expect(filesUnder(tempDir)).to.deep.equal([path.join(digest.slice(0, 2), digest)]);
    expect(await blobs.has(digest)).to.equal(true);
    expect((await blobs.read(digest)).equals(data)).to.equal(true);
    expect((await readAll(await blobs.open(digest))).equals(data)).to.equal(true);
  });

  it('stores concurrent puts of the same bytes as one blob, leaving no temporary file', async () => {
    const data = minimalPdf();
    await Promise.all(Array.from({ length: 8 }, () => blobs.put(data)));
    expect(filesUnder(tempDir)).to.deep.equal([path.join(sha256(data).slice(0, 2), sha256(data))]);
  });

  it('never takes a temporary file for the blob it was becoming', async () => {
    const data = minimalJpeg();
    const digest = sha256(data);
    fs.mkdirSync(path.join(tempDir, digest.slice(0, 2)));
    fs.writeFileSync(path.join(tempDir, digest.slice(0, 2), '.tmp-interrupted'), data.subarray(0, 10));
    expect(await blobs.has(digest)).to.equal(false);
    await blobs.put(data);
    expect((await blobs.read(digest)).equals(data)).to.equal(true);
  });

  it('rejects a missing blob before streaming, and a digest that could name another path', async () => {
    const missing = sha256(Buffer.from('never stored'));
    for (const attempt of [() => blobs.open(missing), () => blobs.read(missing)]) {
      const error = await attempt().then(() => undefined, (e: unknown) => e);
      expect(error).to.have.property('code', 'ENOENT');
    }
    expect(await blobs.has('../../etc/passwd')).to.equal(false);
    const traversal = await blobs.read('../'.repeat(10) + 'etc/passwd').then(() => undefined, (e: unknown) => e);
    expect(traversal).to.be.instanceOf(TypeError);
  });
});
