/**
 * A certificate record drawn as a PDF from its template: Chinese text in the embedded, subsetted Noto fonts
 * (opened once, shared by every document), the vector QR code of the verify URL, the seal, and the signed record
 * attached for offline verification. Every text is shaped first, so a character no font has is refused before
 * anything is drawn. The same job gives the same bytes (the PDF's dates are the record's issuedAt).
 */
import PDFDocument from 'pdfkit';
import type { Locale } from '../domain/i18n.js';
import { pageContent, type PageContent, type RenderRecord, type SignedBy, type Text } from './content.js';
import { attachSignedRecord } from './embedded.js';
import { loadFontSet, shape, type Face, type FontSet, type Glyph } from './fonts.js';
import { planPages, type PagePlan, type ShapedPage } from './layout.js';
import { toLine, type Line } from './lines.js';
import { drawQrCode } from './qr.js';
import { drawSeal } from './seal.js';
import type { CertificateTemplate } from './templates.js';

export type { RenderRecord, SignedBy } from './content.js';

export interface RenderJob {
  /** The signed record, embedded exactly as given. */
  record: RenderRecord;
  /** null for a specimen: a template's preview on sample values, marked as such, with no record embedded. */
  signed: SignedBy | null;
  template: CertificateTemplate;
  verifyUrl: string;
  /** The issuing department's name, for the authority line and the seal; else record.issuerName, else record.issuer. */
  issuerName?: string;
  locale?: Locale;
}

export interface Renderer {
  render(job: RenderJob): Promise<Buffer>;
}

export interface RendererOptions {
  /** A folder with NotoSansSC_400Regular.ttf, NotoSansSC_700Bold.ttf, NotoSansTC_400Regular.ttf, NotoSansTC_700Bold.ttf; the npm packages when omitted. */
  fontsDir?: string;
}

/** Opens the fonts (once per process) and returns a renderer that reuses them for every document. */
export function createRenderer(options: RendererOptions = {}): Renderer {
  const fonts = loadFontSet(options.fontsDir);
  return { render: async (job) => renderPdf(fonts, job) };
}

interface ShapedCertificate extends ShapedPage {
  sealName: Glyph[];
  sealInscription?: Glyph[] | undefined;
  specimenMark?: Glyph[] | undefined;
}

/** Every text of the page as glyphs on the faces that draw them: throws CERTIFICATE.GLYPH_MISSING on the first that cannot be. */
function shapeCertificate(content: PageContent, fonts: FontSet, locale: Locale): ShapedCertificate {
  const regular = fonts.chain(locale, 'regular');
  const bold = fonts.chain(locale, 'bold');
  const of = (text: Text, chain: readonly Face[] = regular) => shape(text.text, chain, text.source);
  const font = regular[0]!.font;
  return {
    title: of(content.title, bold),
    subtitle: content.subtitle && of(content.subtitle),
    header: content.header.map((t) => of(t)),
    rows: content.rows.map((row) => ({ label: of(row.label), value: of(row.value), span: row.span })),
    authority: content.authority.map((t) => of(t)),
    qrCaption: content.qrCaption && of(content.qrCaption),
    footer: content.footer.map((t) => of(t)),
    lineHeight: (font.ascent - font.descent + font.lineGap) / font.unitsPerEm,
    sealName: of(content.sealName, bold),
    sealInscription: content.sealInscription && of(content.sealInscription, bold),
    specimenMark: content.specimenMark && of(content.specimenMark, bold),
  };
}

async function renderPdf(fonts: FontSet, job: RenderJob): Promise<Buffer> {
  const { record, signed, template } = job;
  const locale = job.locale ?? 'zh-Hans';
  const content = pageContent(job, locale);
  const shaped = shapeCertificate(content, fonts, locale);
  const pageNumber = (page: number, pages: number) => toLine(shape(`${page + 1} / ${pages}`, fonts.chain(locale, 'regular'), 'page'));
  const plan = planPages(shaped, template, locale, pageNumber);

  const issued = new Date(Number.isNaN(Date.parse(record.issuedAt)) ? 0 : Date.parse(record.issuedAt));
  const doc = new PDFDocument({
    size: template.page.size,
    layout: template.page.orientation,
    margin: 0,
    // No default Helvetica: only the certificate fonts are in the file.
    font: null as unknown as string,
    pdfVersion: '1.7',
    lang: locale,
    displayTitle: true,
    info: {
      Title: content.title.text,
      Author: content.sealName.text,
      Subject: `${record.type} ${record.id}`,
      Creator: 'onevisit',
      Producer: 'onevisit',
      CreationDate: issued,
      ModDate: issued,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  // pdfkit takes a fontkit font object as it is: registering it parses nothing.
  for (const face of fonts.faces) doc.registerFont(face.key, face.font as unknown as PDFKit.Mixins.PDFFontSource);

  for (let page = 0; page < plan.pages; page++) {
    if (page > 0) doc.addPage({ size: template.page.size, layout: template.page.orientation, margin: 0 });
    drawFrame(doc, plan);
    if (page === 0) drawQrCode(doc, job.verifyUrl, plan.qr.x, plan.qr.y, plan.qr.size);
    for (const placed of plan.lines) {
      if (placed.page === page) drawLine(doc, placed.line, placed.x, placed.y, placed.size, plan.colors[placed.color], placed.spacing);
    }
    if (page === plan.pages - 1 && plan.seal) {
      drawSeal(doc, { ...plan.seal, color: plan.colors.seal, name: shaped.sealName, inscription: shaped.sealInscription });
    }
    if (shaped.specimenMark) drawSpecimenMark(doc, toLine(shaped.specimenMark), plan);
  }

  if (signed) attachSignedRecord(doc, { record: record as unknown as Record<string, unknown>, keyId: signed.keyId, signature: signed.signature }, issued);
  doc.end();
  return done;
}

/** One line, run by run, each in its face; `spacing` is added after every character. */
function drawLine(doc: PDFKit.PDFDocument, line: Line, x: number, top: number, size: number, color: string, spacing: number): void {
  doc.fillColor(color);
  let cursor = x;
  for (const run of line.runs) {
    doc.font(run.face.key).fontSize(size).text(run.text, cursor, top, spacing ? { lineBreak: false, characterSpacing: spacing } : { lineBreak: false });
    cursor += run.width * size + (spacing ? spacing * [...run.text].length : 0);
  }
}

/** A specimen's mark: large, faint and aslant across the middle of the page, so no one takes it for a certificate. */
function drawSpecimenMark(doc: PDFKit.PDFDocument, line: Line, { frame, colors }: PagePlan): void {
  const size = Math.min(frame.w / Math.max(line.width, 1), frame.h / 3) * 0.8;
  const [cx, cy] = [frame.x + frame.w / 2, frame.y + frame.h / 2];
  doc.save();
  doc.rotate(-30, { origin: [cx, cy] }).fillOpacity(0.14);
  drawLine(doc, line, cx - (line.width * size) / 2, cy - size / 2, size, colors.seal, 0);
  doc.restore();
}

function drawFrame(doc: PDFKit.PDFDocument, { frame, border, colors, background }: PagePlan): void {
  if (background) doc.rect(frame.x, frame.y, frame.w, frame.h).fill(colors.background);
  if (border === 'none') return;
  doc.save();
  if (border === 'double') {
    doc.lineWidth(2.4).rect(frame.x, frame.y, frame.w, frame.h).stroke(colors.accent);
    doc.lineWidth(0.8).rect(frame.x + 5, frame.y + 5, frame.w - 10, frame.h - 10).stroke(colors.accent);
  } else {
    doc.lineWidth(1.2).rect(frame.x, frame.y, frame.w, frame.h).stroke(colors.accent);
  }
  doc.restore();
}
