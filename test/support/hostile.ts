/**
 * Hostile input as fast-check arbitraries, for the hostile-request suite and the validator fuzzing: JSON values
 * with odd strings, huge numbers and reserved keys (sent exactly as built: objects are entry lists, so `__proto__`
 * is an ordinary key, and a number can be any literal); bodies that are malformed, truncated, nested too deep, in
 * the wrong content type or encoding; multipart uploads cut short or misframed; and certificate PDFs with
 * bytes changed.
 */
import zlib from 'node:zlib';
import fc from 'fast-check';

/** A JSON value as it will be written: an object keeps its entries (any key, repeated or reserved), a Raw its literal. */
export type Jv = null | boolean | number | string | Jv[] | JObject | JRaw;

export class JObject {
  constructor(readonly entries: [string, Jv][]) {}
}

/** A literal written as is (`1e999999`, a 400-digit integer, `-0`). */
export class JRaw {
  constructor(readonly text: string) {}
}

/** The JSON text of a value. Generated values are shallow (a few levels), so recursing here is safe. */
export function jsonText(value: Jv): string {
  if (value instanceof JRaw) return value.text;
  if (value instanceof JObject) return `{${value.entries.map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`).join(',')}}`;
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  return JSON.stringify(value) ?? 'null';
}

/** A parsed JSON value (a template body) as a Jv. */
export function fromPlain(value: unknown): Jv {
  if (Array.isArray(value)) return value.map(fromPlain);
  if (value !== null && typeof value === 'object') return new JObject(Object.entries(value).map(([k, v]) => [k, fromPlain(v)]));
  return value as Jv;
}

/** Strings that have broken parsers, databases, fonts and logs somewhere. */
export const ODD_STRINGS = [
  '', ' ', '\u0000', 'a\u0000b', '\uD800', '\uDC00x', 'x\uDBFF', '\uD83D', '\u202Eevil\u202C', '\u200F', '\u200B', '\uFEFF', '𓀀', '兰州𓀀信息技术有限公司',
  'e\u0301', '👨‍👩‍👧', '\u2028\u2029', '\uFFFE', '\uFFFF', '\u0085', '\r\n', '\t', 'İı', 'ß', 'ﬃ', '〇', '𠀀', '龘', '..', '../../etc/passwd', '%00', '%',
  '%ZZ', '%2F', '/', '\\', 'null', 'NaN', 'Infinity', '-0', '1e999', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf',
  '<script>alert(1)</script>', "' OR '1'='1", '"; DROP TABLE users; --', '${7*7}', '{{7*7}}', '\\u0000', 'a'.repeat(65), 'a'.repeat(257), '中'.repeat(2001),
  '2026-02-30', '2026-13-01T25:61:61Z', '-1', '0', '1', '99999999999999999999', '620102199005120314', '91620100MA71K3P23X',
];

/** Strings that are also safe to put in a URL or a header after encoding (no 70,000-character ones). */
export const hostileShortString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ODD_STRINGS.filter((s) => s.length <= 300)) },
  { weight: 2, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  // Any UTF-16 code unit, lone surrogates included.
  { weight: 1, arbitrary: fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 8 }) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(...ODD_STRINGS.filter((s) => s.length <= 12)), { maxLength: 4 }).map((parts) => parts.join('')) },
);

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 12, arbitrary: hostileShortString },
  { weight: 1, arbitrary: fc.constantFrom('x'.repeat(70_000), '𓀀'.repeat(5000), '\u0000'.repeat(3000)) },
);

export const hostileNumber: fc.Arbitrary<Jv> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom<Jv>(0, 1, -1, 5, 2 ** 31, 2 ** 53 + 1, -(2 ** 63), 1e308, 5e-324, 0.1),
  fc.constantFrom(new JRaw('1e999999'), new JRaw('-1e400'), new JRaw(`1${'0'.repeat(400)}`), new JRaw(`0.${'0'.repeat(400)}1`), new JRaw('-0'), new JRaw('123456789012345678901234567890'), new JRaw('1E+2')),
);

export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'type', 'matter', 'form', 'data', 'id', 'serviceId', 'materials', 'username', '', '$ref', '0') },
  { weight: 3, arbitrary: hostileShortString },
);

const leaf: fc.Arbitrary<Jv> = fc.oneof({ weight: 4, arbitrary: hostileString }, { weight: 3, arbitrary: hostileNumber }, { weight: 1, arbitrary: fc.constantFrom<Jv>(null, true, false) });

/** Any JSON value, a few levels deep, with hostile leaves and keys. */
export const hostileValue: fc.Arbitrary<Jv> = fc.letrec<{ value: Jv }>((tie) => ({
  value: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'hostile-json' },
    { weight: 5, arbitrary: leaf },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.array(fc.tuple(hostileKey, tie('value')), { maxLength: 4 }).map((entries) => new JObject(entries)) },
  ),
})).value;

/** One change to a template body: a value replaced, a key added (reserved ones too) or dropped, or the whole replaced. */
export interface Mutation {
  op: 'set' | 'add' | 'drop' | 'replace' | 'wrap';
  at: number;
  key: string;
  value: Jv;
}

export const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom<Mutation['op']>('set', 'set', 'set', 'add', 'add', 'drop', 'replace', 'wrap'),
  at: fc.nat(),
  key: hostileKey,
  value: hostileValue,
});

/** Every value inside `value` (itself first), for picking where a mutation lands. */
function places(value: Jv): Jv[] {
  const out: Jv[] = [];
  const pending: Jv[] = [value];
  while (pending.length > 0) {
    const current = pending.pop()!;
    out.push(current);
    if (current instanceof JObject) pending.push(...current.entries.map(([, v]) => v));
    else if (Array.isArray(current)) pending.push(...current);
  }
  return out;
}

function clone(value: Jv): Jv {
  if (value instanceof JObject) return new JObject(value.entries.map(([k, v]) => [k, clone(v)]));
  if (Array.isArray(value)) return value.map(clone);
  return value;
}

/** The template with the mutations applied (a copy). */
export function mutate(template: Jv, mutations: readonly Mutation[]): Jv {
  let root = clone(template);
  for (const m of mutations) {
    if (m.op === 'replace') {
      root = m.value;
      continue;
    }
    if (m.op === 'wrap') {
      root = m.at % 2 === 0 ? [root] : new JObject([[m.key, root]]);
      continue;
    }
    const containers = places(root).filter((p): p is JObject | Jv[] => p instanceof JObject || Array.isArray(p));
    if (containers.length === 0) {
      root = m.value;
      continue;
    }
    const target = containers[m.at % containers.length]!;
    const entries = target instanceof JObject ? target.entries : undefined;
    const size = entries ? entries.length : (target as Jv[]).length;
    const index = size === 0 ? 0 : Math.floor(m.at / containers.length) % size;
    if (m.op === 'add' || size === 0) {
      if (entries) entries.push([m.key, m.value]);
      else (target as Jv[]).push(m.value);
    } else if (m.op === 'drop') {
      if (entries) entries.splice(index, 1);
      else (target as Jv[]).splice(index, 1);
    } else if (entries) entries[index] = [entries[index]![0], m.value];
    else (target as Jv[])[index] = m.value;
  }
  return root;
}

/** A request body as bytes, with its headers. */
export interface EncodedBody {
  headers: Record<string, string>;
  body?: Buffer;
  /** How it was made, for the failure report. */
  how: string;
}

const JSON_TYPES = ['application/json', 'application/json; charset=utf-8', 'application/json;charset=UTF-8', 'APPLICATION/JSON', 'application/problem+json', 'application/vnd.api+json', 'application/json; charset="utf-8"', 'application/json; boundary=x'];
const ODD_JSON_TYPES = ['application/json; charset=utf-16', 'application/json; charset=utf-16le', 'application/json; charset=latin1', 'application/json; charset=utf8', 'application/json; charset=nope', 'application/json; charset=utf-32'];
const OTHER_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', 'multipart/form-data; boundary=x', 'application/xml', 'application/octet-stream', 'text/html; charset=utf-8', 'application/pdf', '*/*', 'application/', 'json'];

/** The deepest a legitimate document nests is 10; the server refuses more than 64. */
const DEPTHS = [10, 63, 64, 65, 66, 200, 6500, 6900, 30_000];

function deepText(depth: number, style: number, closed: boolean): string {
  const open = style % 3 === 0 ? '[' : style % 3 === 1 ? '{"a":' : '[{"b":';
  const close = style % 3 === 0 ? ']' : style % 3 === 1 ? '}' : '}]';
  const levels = style % 3 === 2 ? Math.ceil(depth / 2) : depth;
  return `${open.repeat(levels)}0${closed ? close.repeat(levels) : ''}`;
}

/** `value` as a JSON body, as a well-behaved client sends it. */
export function jsonBody(value: Jv, type = 'application/json'): EncodedBody {
  return { headers: { 'content-type': type }, body: Buffer.from(jsonText(value), 'utf8'), how: `json ${type}` };
}

/** Ways to send `value` (or something in its place) as a request body. */
export function bodyFor(value: fc.Arbitrary<Jv>): fc.Arbitrary<EncodedBody> {
  const json = (type: string) => (v: Jv): EncodedBody => jsonBody(v, type);
  return fc.oneof(
    { weight: 12, arbitrary: value.map(json('application/json')) },
    { weight: 2, arbitrary: fc.tuple(value, fc.constantFrom(...JSON_TYPES)).map(([v, t]) => json(t)(v)) },
    { weight: 1, arbitrary: fc.tuple(value, fc.constantFrom(...ODD_JSON_TYPES)).map(([v, t]) => json(t)(v)) },
    {
      weight: 2,
      arbitrary: fc.tuple(value, fc.double({ min: 0, max: 1, noNaN: true })).map(([v, cut]): EncodedBody => {
        const text = jsonText(v);
        return { headers: { 'content-type': 'application/json' }, body: Buffer.from(text.slice(0, Math.floor(text.length * cut)), 'utf8'), how: 'truncated json' };
      }),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(value, fc.nat(), fc.constantFrom('}', ']', ',', '"', "'", ':', '\u0000', 'NaN', '//x\n', '/*', '\\', '\uD800', 'undefined', '{', '[', '\u00a0', '\u000b'))
        .map(([v, at, junk]): EncodedBody => {
          const text = jsonText(v);
          const i = text.length === 0 ? 0 : at % text.length;
          return { headers: { 'content-type': 'application/json' }, body: Buffer.from(`${text.slice(0, i)}${junk}${text.slice(i)}`, 'utf8'), how: `malformed json (${JSON.stringify(junk)} at ${i})` };
        }),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.constantFrom(...DEPTHS), fc.nat(2), fc.boolean()).map(([depth, style, closed]): EncodedBody => ({
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(`{"x":${deepText(depth, style, closed)}}`, 'utf8'),
        how: `nested ${depth} (style ${style}${closed ? '' : ', unclosed'})`,
      })),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(value, fc.constantFrom(...OTHER_TYPES, undefined)).map(([v, type]): EncodedBody => ({ headers: type ? { 'content-type': type } : {}, body: Buffer.from(jsonText(v), 'utf8'), how: `json as ${type ?? 'no content type'}` })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom('', ' ', 'null', '0', '"x"', '[]', 'true', '\u0000', '\uFEFF{}', '{}\u0000', '{"a":"\u0001"}', '{"a":1}{"b":2}', 'a=1&b=2', '<?xml version="1.0"?><a/>').map((text): EncodedBody => ({
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(text, 'utf8'),
        how: `raw ${JSON.stringify(text)}`,
      })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(value, fc.constantFrom('gzip', 'deflate', 'gzip-garbage', 'br', 'x-unknown', 'identity', 'GZIP')).map(([v, encoding]): EncodedBody => {
        const text = Buffer.from(jsonText(v), 'utf8');
        const body = encoding === 'gzip' || encoding === 'GZIP' ? zlib.gzipSync(text) : encoding === 'deflate' ? zlib.deflateSync(text) : encoding === 'identity' ? text : Buffer.from('not compressed at all');
        return { headers: { 'content-type': 'application/json', 'content-encoding': encoding === 'gzip-garbage' ? 'gzip' : encoding }, body, how: `content-encoding ${encoding}` };
      }),
    },
    { weight: 1, arbitrary: fc.constant<EncodedBody>({ headers: {}, how: 'no body' }) },
    {
      weight: 1,
      // Rarely: over the 1 MiB limit.
      arbitrary: fc.nat(99).map((n): EncodedBody => (n === 0 ? { headers: { 'content-type': 'application/json' }, body: Buffer.from(`{"x":"${'y'.repeat(1024 * 1024 + 10)}"}`), how: 'over 1 MiB' } : { headers: { 'content-type': 'application/json' }, body: Buffer.from('{}'), how: 'empty object' })),
    },
  );
}

/** Something a well-behaved client would send with `value` in it (no body-level hostility): the template mutated. */
export function mutatedBody(template: Jv): fc.Arbitrary<Jv> {
  return fc.oneof({ weight: 2, arbitrary: fc.constant(template) }, { weight: 5, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 2 }).map((ms) => mutate(template, ms)) });
}

/** A multipart/form-data body for an upload route: valid ones, and ones cut short, misframed or over the limits. */
export function multipartBody(files: readonly Buffer[]): fc.Arbitrary<EncodedBody> {
  return fc
    .record({
      boundary: fc.constantFrom('----onevisit7MA4YWxkTrZu0gW', 'x', 'b'.repeat(70), 'with space', '"quoted"'),
      header: fc.constantFrom('same', 'same', 'same', 'missing', 'other', 'empty'),
      field: fc.constantFrom('file', 'file', 'file', 'File', 'files', '', 'file[]', '𓀀', '__proto__'),
      filename: fc.oneof(fc.constantFrom('m.pdf', 'm.png', '', '../../../etc/passwd', 'a\u0000b.pdf', '𓀀.pdf', '\u202Efdp.exe', 'x'.repeat(600), 'CON', '.pdf'), hostileShortString),
      filenameStar: fc.boolean(),
      partType: fc.constantFrom('application/pdf', 'image/png', 'text/plain', 'application/x-msdownload', '', 'application/pdf; charset=utf-8'),
      content: fc.oneof(fc.constantFrom(...files), fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)), fc.constant(Buffer.alloc(0))),
      extraFields: fc.constantFrom(0, 0, 0, 1, 11),
      extraFiles: fc.constantFrom(0, 0, 0, 1),
      cut: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { freq: 3 }),
      brokenPartHeader: fc.nat(9),
      closing: fc.constantFrom('--', '--', '', '-'),
    })
    .map((p): EncodedBody => {
      const b = p.boundary.replace(/^"|"$/g, '');
      const disposition = p.filenameStar ? `form-data; name="${p.field}"; filename*=UTF-8''${pctEncode(p.filename)}` : `form-data; name="${p.field}"; filename="${p.filename.replace(/"/g, '%22')}"`;
      const parts: Buffer[] = [];
      for (let i = 0; i < p.extraFields; i++) parts.push(Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="f${i}"\r\n\r\nvalue ${i}\r\n`));
      const head = p.brokenPartHeader === 0 ? 'Content-Disposition form-data' : `Content-Disposition: ${disposition}${p.partType ? `\r\nContent-Type: ${p.partType}` : ''}`;
      for (let i = 0; i <= p.extraFiles; i++) parts.push(Buffer.concat([Buffer.from(`--${b}\r\n${head}\r\n\r\n`), p.content, Buffer.from('\r\n')]));
      parts.push(Buffer.from(`--${b}${p.closing}\r\n`));
      let body = Buffer.concat(parts);
      if (p.cut !== null) body = body.subarray(0, Math.floor(body.length * p.cut));
      const type = p.header === 'missing' ? 'multipart/form-data' : p.header === 'other' ? 'multipart/form-data; boundary=somethingelse' : p.header === 'empty' ? 'multipart/form-data; boundary=' : `multipart/form-data; boundary=${p.boundary}`;
      return { headers: { 'content-type': type }, body, how: `multipart (${p.header} boundary, field ${JSON.stringify(p.field)}, ${p.extraFields} fields, ${p.extraFiles + 1} files${p.cut !== null ? ', cut' : ''}${p.brokenPartHeader === 0 ? ', broken part header' : ''})` };
    });
}

/** A certificate PDF with some of its bytes changed: flipped, cut, spliced, its record or its framing edited. */
export function mutatedPdf(pdfs: readonly Buffer[]): fc.Arbitrary<{ pdf: Buffer; how: string }> {
  return fc
    .record({
      base: fc.nat(pdfs.length - 1),
      how: fc.constantFrom('flip', 'flip-record', 'cut', 'splice', 'length', 'filter', 'record-deep', 'record-huge', 'prefix', 'duplicate', 'none'),
      at: fc.nat(),
      count: fc.integer({ min: 1, max: 8 }),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 32 }),
    })
    .map(({ base, how, at, count, bytes }) => {
      const pdf = Buffer.from(pdfs[base]!);
      const record = Math.max(0, pdf.indexOf('{"record"'));
      const recordEnd = record + Math.max(1, pdf.indexOf('endstream', record) - record);
      switch (how) {
        case 'flip':
          for (let i = 0; i < count; i++) {
            const j = (at + i * 7919) % pdf.length;
            pdf[j] = pdf[j]! ^ (bytes[i % bytes.length]! | 1);
          }
          return { pdf, how: `${count} bytes flipped` };
        case 'flip-record':
          for (let i = 0; i < count; i++) {
            const j = record + ((at + i * 31) % (recordEnd - record));
            pdf[j] = pdf[j]! ^ (bytes[i % bytes.length]! | 1);
          }
          return { pdf, how: `${count} bytes of the record flipped` };
        case 'cut':
          return { pdf: pdf.subarray(0, at % pdf.length), how: 'cut short' };
        case 'splice':
          return { pdf: Buffer.concat([pdf.subarray(0, at % pdf.length), Buffer.from(bytes), pdf.subarray(at % pdf.length)]), how: 'bytes inserted' };
        case 'length':
          return { pdf: Buffer.from(pdf.toString('latin1').replace(/\/Length \d+/g, () => `/Length ${at % 100_000}`), 'latin1'), how: 'lengths changed' };
        case 'filter':
          return { pdf: Buffer.from(pdf.toString('latin1').replace('/Type /EmbeddedFile', '/Type /EmbeddedFile /Filter /FlateDecode'), 'latin1'), how: 'record said to be compressed' };
        case 'record-deep': {
          const deep = `{"record":{"id":"x","fields":${'['.repeat(30_000)}${']'.repeat(30_000)}},"keyId":"k","signature":"AAAA"}`;
          return { pdf: Buffer.concat([pdf.subarray(0, record), Buffer.from(deep), pdf.subarray(recordEnd)]), how: 'record nested 30,000 deep' };
        }
        case 'record-huge':
          return { pdf: Buffer.concat([pdf.subarray(0, record), Buffer.from(`{"record":{"id":"x","n":1e999999},"keyId":"k","signature":"AAAA"}\n`), pdf.subarray(recordEnd)]), how: 'record with a huge number' };
        case 'prefix':
          return { pdf: Buffer.concat([Buffer.alloc(at % 2048, 0x20), pdf]), how: 'junk before the header' };
        case 'duplicate':
          return { pdf: Buffer.concat([pdf, pdf]), how: 'twice over' };
        default:
          return { pdf, how: 'as issued' };
      }
    });
}

/** Percent-encodes every byte of the UTF-8 text but the unreserved characters (lone surrogates become U+FFFD). */
export function pctEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
