/**
 * The signed record inside the PDF, so an uploaded file can be verified offline: a JSON file attachment
 * `{"record": …, "keyId": …, "signature": …}` named onevisit-certificate.json, and the reader that finds it
 * again in any bytes (no PDF library, never throws).
 */
import zlib from 'node:zlib';

export const ATTACHMENT_NAME = 'onevisit-certificate.json';

/** What an uploaded PDF claims. Untrusted: the record is only a JSON object until its signature is checked. */
export interface EmbeddedSignedRecord {
  record: Record<string, unknown>;
  keyId: string;
  signature: string;
}

/**
 * Attaches the signed record. The stream is stored uncompressed: a reader needs no inflating, and a changed byte
 * reads as a changed record (tampered) rather than as a broken stream.
 */
export function attachSignedRecord(doc: PDFKit.PDFDocument, signed: EmbeddedSignedRecord, date: Date): void {
  const data = Buffer.from(JSON.stringify({ record: signed.record, keyId: signed.keyId, signature: signed.signature }), 'utf8');
  // pdfkit decides compression per object from the document's flag when the object is created.
  const flags = doc as unknown as { compress: boolean };
  const compress = flags.compress;
  flags.compress = false;
  try {
    doc.file(data, {
      name: ATTACHMENT_NAME,
      type: 'application/json',
      description: 'Signed certificate record (verify with the issuer keys at /.well-known/onevisit-keys.json)',
      creationDate: date,
      modifiedDate: date,
    });
  } finally {
    flags.compress = compress;
  }
}

/** The largest attachment read back; a signed record is a few kilobytes. */
const MAX_PAYLOAD = 1 << 20;
/** How many `/EmbeddedFile` dictionaries are looked at before giving up. */
const MAX_CANDIDATES = 64;

/** The signed record embedded in a PDF, or undefined when there is none (or the bytes are not a PDF at all). */
export function extractSignedRecord(pdf: Uint8Array): EmbeddedSignedRecord | undefined {
  try {
    const bytes = Buffer.isBuffer(pdf) ? pdf : Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
    const header = bytes.indexOf('%PDF-', 0, 'latin1');
    if (header < 0 || header > 1024) return undefined;
    let from = header;
    for (let i = 0; i < MAX_CANDIDATES; i++) {
      const at = bytes.indexOf('/EmbeddedFile', from, 'latin1');
      if (at < 0) return undefined;
      from = at + '/EmbeddedFile'.length;
      if (isNameChar(bytes[from])) continue; // /EmbeddedFiles, the name tree
      const found = parsePayload(streamAt(bytes, at));
      if (found) return found;
    }
  } catch {
    // Garbage in: no record.
  }
  return undefined;
}

function isNameChar(byte: number | undefined): boolean {
  return byte !== undefined && /[A-Za-z0-9#._-]/.test(String.fromCharCode(byte));
}

/** The decoded stream of the object holding the dictionary at `at`, or undefined. */
function streamAt(bytes: Buffer, at: number): Buffer | undefined {
  const objStart = Math.max(bytes.lastIndexOf('obj', at, 'latin1'), at - 4096, 0);
  const keyword = bytes.indexOf('stream', at, 'latin1');
  if (keyword < 0 || keyword - at > 4096) return undefined;
  const dictionary = bytes.toString('latin1', objStart, keyword);
  const filter = /\/Filter\s*\[?\s*\/([A-Za-z0-9]+)/.exec(dictionary)?.[1];
  if (filter !== undefined && filter !== 'FlateDecode') return undefined;
  let start = keyword + 'stream'.length;
  if (bytes[start] === 0x0d) start++;
  if (bytes[start] === 0x0a) start++;
  const length = /\/Length\s+(\d+)(\s+\d+\s+R)?/.exec(dictionary);
  let end = length && length[2] === undefined ? start + Number(length[1]) : -1;
  if (end < start || end > bytes.length || !bytes.toString('latin1', end, end + 16).trimStart().startsWith('endstream')) {
    end = bytes.indexOf('endstream', start, 'latin1');
    if (end < 0) return undefined;
    if (bytes[end - 1] === 0x0a) end--;
    if (bytes[end - 1] === 0x0d) end--;
  }
  if (end - start > MAX_PAYLOAD) return undefined;
  const raw = bytes.subarray(start, end);
  return filter === 'FlateDecode' ? zlib.inflateSync(raw, { maxOutputLength: MAX_PAYLOAD }) : raw;
}

function parsePayload(payload: Buffer | undefined): EmbeddedSignedRecord | undefined {
  if (!payload || payload.length > MAX_PAYLOAD) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isObject(value)) return undefined;
  const { record, keyId, signature } = value;
  if (!isObject(record) || typeof keyId !== 'string' || keyId === '' || typeof signature !== 'string' || !/^[A-Za-z0-9_-]+$/.test(signature)) {
    return undefined;
  }
  return { record, keyId, signature };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
