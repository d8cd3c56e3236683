/** The verify URL as a vector QR code: one filled path of rectangles, no image, crisp at any zoom. */
import QRCode from 'qrcode';

/** Quiet zone around the symbol, in modules (ISO/IEC 18004 asks for four). */
const QUIET_MODULES = 4;

/** Draws the QR code of `text` (error correction M) in the square at (x, y) of side `size`, quiet zone included. */
export function drawQrCode(doc: PDFKit.PDFDocument, text: string, x: number, y: number, size: number): void {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const count = modules.size;
  const unit = size / (count + 2 * QUIET_MODULES);
  const left = x + QUIET_MODULES * unit;
  const top = y + QUIET_MODULES * unit;
  doc.save();
  doc.rect(x, y, size, size).fill('#ffffff');
  for (let row = 0; row < count; row++) {
    // A run of dark modules is one rectangle: fewer operators, and no seams between neighbours.
    for (let col = 0; col < count; ) {
      if (!modules.get(row, col)) {
        col++;
        continue;
      }
      const start = col;
      while (col < count && modules.get(row, col)) col++;
      doc.rect(left + start * unit, top + row * unit, (col - start) * unit, unit);
    }
  }
  doc.fill('#000000');
  doc.restore();
}
