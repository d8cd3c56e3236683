/**
 * Reading a PDF back the way a person would, with poppler-utils (CI installs them): its text, its fonts, the QR
 * code on its first page. Tests that need them skip when `hasPoppler` is false.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';

// jsqr is CommonJS with an `exports.default`: from ESM the function sits one level down.
const jsQR = jsQRModule.default;

export const hasPoppler = (() => {
  try {
    execFileSync('pdftoppm', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function withFile<T>(pdf: Buffer, read: (file: string, dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onevisit-pdf-'));
  try {
    const file = path.join(dir, 'c.pdf');
    fs.writeFileSync(file, pdf);
    return read(file, dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const pdfText = (pdf: Buffer): string => withFile(pdf, (file) => execFileSync('pdftotext', ['-enc', 'UTF-8', '-layout', file, '-'], { encoding: 'utf8' }));
export const pdfFonts = (pdf: Buffer): string => withFile(pdf, (file) => execFileSync('pdffonts', [file], { encoding: 'utf8' }));
export const pdfPages = (pdf: Buffer): number =>
  withFile(pdf, (file) => Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))?.[1] ?? 0));

/** The QR code on page 1 rendered at 150 dpi, decoded; undefined when none is found. */
export const pdfQr = (pdf: Buffer): string | undefined =>
  withFile(pdf, (file, dir) => {
    execFileSync('pdftoppm', ['-png', '-r', '150', '-f', '1', '-l', '1', '-singlefile', file, path.join(dir, 'page')]);
    const png = PNG.sync.read(fs.readFileSync(path.join(dir, 'page.png')));
    return jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.byteLength), png.width, png.height)?.data;
  });
