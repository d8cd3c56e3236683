import { expect } from 'chai';
import fc from 'fast-check';
import PDFDocument from 'pdfkit';
import { extractSignedRecord } from '../../src/certificates/embedded.js';
import { fontFilesOpened } from '../../src/certificates/fonts.js';
import { createRenderer, type RenderJob } from '../../src/certificates/render.js';
import { isOnevisitError, OnevisitError } from '../../src/domain/errors.js';
import { businessLicenceJob, templates } from '../support/certificates.js';
import { hasPoppler, pdfFonts, pdfPages, pdfQr, pdfText } from '../support/poppler.js';

/** A PDF made by pdfkit as it comes (compressed streams, no certificate). */
async function plainPdf(build: (doc: PDFKit.PDFDocument) => void): Promise<Buffer> {
  const doc = new PDFDocument();
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise((resolve) => doc.on('end', resolve));
  build(doc);
  doc.end();
  await ended;
  return Buffer.concat(chunks);
}

async function refusal(renderer: ReturnType<typeof createRenderer>, job: RenderJob): Promise<OnevisitError> {
  try {
    await renderer.render(job);
  } catch (error) {
    if (error instanceof OnevisitError) return error;
    throw error;
  }
  throw new Error('rendered');
}

describe('certificate rendering', function () {
  const renderer = createRenderer();
  const job = businessLicenceJob();
  let pdf: Buffer;

  before(async () => {
    pdf = await renderer.render(job);
  });

  it('produces a PDF', () => {
    expect(pdf.subarray(0, 5).toString('latin1')).to.equal('%PDF-');
    expect(pdf.subarray(-6).toString('latin1')).to.match(/%%EOF\s*$/);
  });

  it('puts the Chinese title and the holder name in the text of the page', function () {
    if (!hasPoppler) this.skip();
    const text = pdfText(pdf);
    expect(text).to.include('营业执照');
    expect(text).to.include('兰州青禾信息技术有限公司');
    expect(text).to.include('陈晓燕');
    expect(text).to.include('有限责任公司'); // the coded type, spelled out
    expect(text).to.include('100万元');
    expect(text).to.include('兰州市城关区市场监督管理局');
  });

  it('embeds the Chinese font as a subset', function () {
    if (!hasPoppler) this.skip();
    const fonts = pdfFonts(pdf);
    expect(fonts).to.match(/[A-Z]{6}\+NotoSansSC-Regular\s+CID TrueType\s+Identity-H\s+yes yes yes/);
    expect(fonts).to.not.include('Helvetica');
    expect(pdf.length).to.be.below(200_000); // the fonts are 10 MB each: only the drawn glyphs are in the file
  });

  it('draws a QR code that decodes to the verify URL', function () {
    if (!hasPoppler) this.skip();
    expect(pdfQr(pdf)).to.equal(job.verifyUrl);
  });

  it('draws the QR code of an A5 card too', async function () {
    if (!hasPoppler) this.skip();
    const card = businessLicenceJob({ record: { type: 'talent-medical-card', fields: { level: 'B', employer: '兰州新材料技术研究院' } } });
    const cardPdf = await renderer.render({ ...card, template: templates.get('talent-medical-card')! });
    expect(pdfQr(cardPdf)).to.equal(card.verifyUrl);
  });

  describe('the embedded signed record', () => {
    it('is found again in the PDF exactly as it was signed', () => {
      expect(extractSignedRecord(pdf)).to.deep.equal({ record: JSON.parse(JSON.stringify(job.record)), keyId: job.signed.keyId, signature: job.signed.signature });
    });

    it('reads a changed byte of the record as a different record, not as no record', () => {
      const tampered = Buffer.from(pdf);
      const at = tampered.indexOf('陈晓燕');
      tampered[at + 2] = tampered[at + 2]! ^ 0x01;
      const found = extractSignedRecord(tampered);
      expect(found?.keyId).to.equal(job.signed.keyId);
      expect(found?.record.fields).to.not.deep.equal(job.record.fields);
    });

    it('is undefined for random bytes, a truncated file and a PDF without it', async () => {
      let seed = 7;
      const random = Buffer.alloc(50_000).map(() => (seed = (seed * 1103515245 + 12345) % 2 ** 31) & 0xff);
      expect(extractSignedRecord(random)).to.equal(undefined);
      expect(extractSignedRecord(Buffer.concat([Buffer.from('%PDF-1.7\n/EmbeddedFile stream\n'), random]))).to.equal(undefined);
      expect(extractSignedRecord(Buffer.alloc(0))).to.equal(undefined);
      expect(extractSignedRecord(pdf.subarray(0, pdf.indexOf('/EmbeddedFile') + 40))).to.equal(undefined);
      expect(extractSignedRecord(await plainPdf((doc) => doc.text('no record here')))).to.equal(undefined);
    });

    it('is read from a compressed attachment too (a PDF saved again by another tool)', async () => {
      const embedded = { record: { id: job.record.id }, keyId: 'k', signature: 'c2ln' };
      const bytes = await plainPdf((doc) => doc.file(Buffer.from(JSON.stringify(embedded)), { name: 'onevisit-certificate.json', type: 'application/json' }));
      expect(bytes.toString('latin1')).to.include('/FlateDecode');
      expect(extractSignedRecord(bytes)).to.deep.equal(embedded);
    });

    it('never throws, whatever bytes of the PDF are changed or cut off', () => {
      fc.assert(
        fc.property(fc.array(fc.tuple(fc.nat(pdf.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 20 }), fc.nat(pdf.length), (changes, cut) => {
          const bytes = Buffer.from(pdf.subarray(0, Math.max(cut, 1)));
          for (const [at, value] of changes) if (at < bytes.length) bytes[at] = value;
          const found = extractSignedRecord(bytes);
          return found === undefined || typeof found.keyId === 'string';
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('characters no font can draw', () => {
    it('refuses a holder name with a CJK Extension B character no font has, naming it and its code point', async () => {
      const rare = '兰州𠀀科技有限公司';
      const error = await refusal(renderer, businessLicenceJob({ record: { holderName: rare }, fields: { name: rare } }));
      expect(error.code).to.equal('CERTIFICATE.GLYPH_MISSING');
      expect(error.message).to.include('U+20000').and.include('𠀀').and.include('name');
      expect(error.details).to.deep.equal({ character: '𠀀', codePoint: 'U+20000', field: 'name' });
    });

    it('refuses the issuing authority’s name too (it is drawn in the seal)', async () => {
      const error = await refusal(renderer, businessLicenceJob({ issuerName: '\u{2A6D6}市场监督管理局' }));
      expect(error.details).to.include({ codePoint: 'U+2A6D6', field: 'issuerName' });
    });

    it('draws an Extension B character that only the Traditional font has, falling back per character', async function () {
      const name = '兰州𠀡科技有限公司'; // U+20021: in Noto Sans TC, not in Noto Sans SC
      const fallback = await renderer.render(businessLicenceJob({ record: { holderName: name }, fields: { name } }));
      if (!hasPoppler) this.skip();
      expect(pdfFonts(fallback)).to.include('NotoSansTC-Regular').and.include('NotoSansSC-Regular');
      expect(pdfText(fallback)).to.include(name);
    });
  });

  describe('zh-Hant', () => {
    it('draws Traditional text with the TC font and falls back to SC for what TC lacks', async function () {
      const hant = await renderer.render(businessLicenceJob({ locale: 'zh-Hant', fields: { address: '臺北市門牌一號㐀' } })); // 㐀 U+3400: SC only
      if (!hasPoppler) this.skip();
      const fonts = pdfFonts(hant);
      expect(fonts).to.include('NotoSansTC-Regular').and.include('NotoSansTC-Bold').and.include('NotoSansSC-Regular');
      const text = pdfText(hant);
      expect(text).to.include('營業執照').and.include('臺北市門牌一號㐀').and.include('法定代表人');
    });

    it('uses only the SC fonts for Simplified text they cover', function () {
      if (!hasPoppler) this.skip();
      expect(pdfFonts(pdf)).to.not.include('NotoSansTC');
    });
  });

  it('gives the same bytes for the same job', async () => {
    expect((await renderer.render(job)).equals(pdf)).to.equal(true);
  });

  it('continues on a second page when the rows do not fit one even at the smallest size', async function () {
    const scope = Array.from({ length: 60 }, (_, i) => `第${i + 1}项经营范围：技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广以及相关配套服务`);
    const long = await renderer.render(businessLicenceJob({ fields: { businessScope: scope } }));
    if (!hasPoppler) this.skip();
    expect(pdfPages(long)).to.be.greaterThan(1);
    const text = pdfText(long).replace(/\s+/g, '');
    expect(text).to.include('第60项经营范围');
  });

  it('opens the font files once, however many renderers and documents', async () => {
    const before = fontFilesOpened();
    expect(before).to.be.at.most(4);
    const second = createRenderer();
    await Promise.all([1, 2, 3, 4, 5].map(() => second.render(businessLicenceJob())));
    await renderer.render(businessLicenceJob({ locale: 'zh-Hant' }));
    expect(fontFilesOpened()).to.equal(before);
  });

  it('renders every template with what its definitions fill, in every locale', async () => {
    for (const template of templates.values()) {
      for (const locale of ['zh-Hans', 'zh-Hant', 'en'] as const) {
        const sample = businessLicenceJob({ locale });
        const out = await renderer.render({ ...sample, template, record: { ...sample.record, type: template.id, validUntil: '2031-03-17' } });
        expect(extractSignedRecord(out)?.record.type, `${template.id} ${locale}`).to.equal(template.id);
      }
    }
  });

  it('refuses a control character, naming its code point', async () => {
    const error = await refusal(renderer, businessLicenceJob({ fields: { legalRepresentative: '\u0007' } }));
    expect(isOnevisitError(error, 'CERTIFICATE.GLYPH_MISSING')).to.equal(true);
    expect(error.details).to.include({ codePoint: 'U+0007', field: 'legalRepresentative' });
  });
});
