/**
 * A QR code drawn on the server as inline SVG (the `qrcode` package), for the wallet: the same verify address a
 * certificate's PDF prints. The markup is the library's, built from our own URL; the label is escaped here, so the
 * result may be printed `| safe`.
 */
import QRCode from 'qrcode';
import { escapeXml } from './flowDiagram.js';

export async function qrSvg(text: string, label: string): Promise<string> {
  const svg = await QRCode.toString(text, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
  return svg.replace('<svg ', `<svg class="ov-qr" role="img" aria-label="${escapeXml(label)}" focusable="false" `);
}

