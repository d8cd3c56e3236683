/**
 * Certificates per second: issue (a business-licence record from the start-a-business example form), sign
 * (Ed25519 over the record's RFC 8785 canonical JSON, node:crypto) and render (template, Chinese text, QR code,
 * seal, embedded signed record), against a floor measured in the same run: a bare pdfkit page with the same
 * text in a pre-opened font — no QR code, no seal, no template logic, no attachment. Both run on this thread;
 * rounds alternate so drift hits both alike. The render pool's throughput is reported beside, for scale.
 *
 * `node dist/bench/certificates.js` prints the result; BENCH_CERTIFICATES sets N (default 300).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import canonicalize from 'canonicalize';
import PDFDocument from 'pdfkit';
import { pageContent, type RenderRecord } from '../src/certificates/content.js';
import { loadFontSet } from '../src/certificates/fonts.js';
import { createRenderer, type RenderJob } from '../src/certificates/render.js';
import { createRenderPool } from '../src/certificates/renderPool.js';
import { loadTemplates, type CertificateTemplate } from '../src/certificates/templates.js';
import type { ServiceDefinition } from '../src/domain/definition.js';
import { getByPointer } from '../src/domain/pointer.js';
import { projectRoot, readCatalog } from '../src/store/catalogFiles.js';

export interface CertificatesResult {
  certificates: number;
  certificatesPerSecond: number;
  floorPerSecond: number;
  ratio: number;
  pool: { size: number; certificatesPerSecond: number };
}

const canonicalJson = canonicalize as unknown as (value: unknown) => string;
const ISSUER_NAME = '兰州市城关区市场监督管理局';

/** The business licence the start-a-business example form would be issued, as its certificate spec reads it. */
function licenceSource(): { template: CertificateTemplate; fields: Record<string, unknown>; holderName: string } {
  const root = projectRoot();
  const definition = JSON.parse(fs.readFileSync(path.join(root, 'workflows', 'business-startup.json'), 'utf8')) as ServiceDefinition;
  const form = definition.form.examples![0]!;
  const spec = definition.steps.flatMap((step) => (step.kind === 'review' ? step.matters : [])).find((m) => m.certificate?.template === 'business-license')!.certificate!;
  const fields = Object.fromEntries(Object.entries(spec.fields).flatMap(([name, pointer]) => {
    const value = getByPointer(form, pointer);
    return value === undefined ? [] : [[name, value]];
  }));
  const template = loadTemplates(readCatalog(root).templates).get(spec.template)!;
  return { template, fields, holderName: String(fields.name) };
}

export async function benchCertificates(n = Number(process.env.BENCH_CERTIFICATES ?? 300)): Promise<CertificatesResult> {
  const { template, fields, holderName } = licenceSource();
  const { privateKey } = crypto.generateKeyPairSync('ed25519');
  const renderer = createRenderer();

  const issue = (i: number): Omit<RenderJob, 'signed'> & { record: RenderRecord } => {
    const id = crypto.randomUUID();
    const record = {
      id,
      type: 'business-license',
      holderId: '91620102MA71K3P23X',
      holderName,
      fields,
      issuer: 'market-regulation',
      issuedAt: new Date().toISOString(),
      validUntil: null,
      applicationId: `application-${i}`,
    };
    return { record, template, verifyUrl: `https://onevisit.example.gov.cn/verify/${id}`, issuerName: ISSUER_NAME };
  };
  const sign = (record: RenderRecord) => ({
    keyId: 'bench-key',
    signature: crypto.sign(null, Buffer.from(canonicalJson(record), 'utf8'), privateKey).toString('base64url'),
  });
  const certificate = async (i: number) => {
    const issued = issue(i);
    return renderer.render({ ...issued, signed: sign(issued.record) });
  };

  // The floor: the same strings (worked out before timing), one pre-opened font, pdfkit's own text flow.
  const floorFont = loadFontSet().chain('zh-Hans', 'regular')[0]!.font;
  const texts = (i: number): string[] => {
    const issued = issue(i);
    const content = pageContent({ ...issued, signed: sign(issued.record) }, 'zh-Hans');
    return [
      content.title.text,
      content.subtitle?.text ?? '',
      ...content.header.map((t) => t.text),
      ...content.rows.map((row) => `${row.label.text}　${row.value.text}`),
      ...content.authority.map((t) => t.text),
      ...content.footer.map((t) => t.text),
    ];
  };
  const floor = (strings: readonly string[]) => {
    const doc = new PDFDocument({ size: 'A4', layout: 'landscape', margin: 40, font: floorFont as unknown as string });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
    doc.fontSize(28).text(strings[0]!, { align: 'center' });
    doc.fontSize(12);
    for (const text of strings.slice(1)) doc.text(text);
    doc.end();
    return done;
  };

  const warm = Math.min(20, n);
  for (let i = 0; i < warm; i++) {
    await certificate(i);
    await floor(texts(i));
  }

  const rounds = 5;
  const perRound = Math.max(1, Math.ceil(n / rounds));
  let floorNs = 0n;
  let engineNs = 0n;
  let done = 0;
  for (let round = 0; round < rounds && done < n; round++) {
    const count = Math.min(perRound, n - done);
    const prepared = Array.from({ length: count }, (_, i) => texts(done + i));
    let started = process.hrtime.bigint();
    for (const strings of prepared) await floor(strings);
    floorNs += process.hrtime.bigint() - started;
    started = process.hrtime.bigint();
    for (let i = 0; i < count; i++) await certificate(done + i);
    engineNs += process.hrtime.bigint() - started;
    done += count;
  }
  const perSecond = (ns: bigint) => (n * 1e9) / Number(ns);

  const pool = createRenderPool();
  let poolPerSecond = 0;
  try {
    const viaPool = (i: number) => {
      const issued = issue(i);
      return pool.render({ ...issued, signed: sign(issued.record) });
    };
    await Promise.all(Array.from({ length: pool.size * 2 }, (_, i) => viaPool(i)));
    const started = process.hrtime.bigint();
    await Promise.all(Array.from({ length: n }, (_, i) => viaPool(i)));
    poolPerSecond = perSecond(process.hrtime.bigint() - started);
  } finally {
    await pool.close();
  }

  const certificatesPerSecond = perSecond(engineNs);
  const floorPerSecond = perSecond(floorNs);
  return {
    certificates: n,
    certificatesPerSecond,
    floorPerSecond,
    ratio: certificatesPerSecond / floorPerSecond,
    pool: { size: pool.size, certificatesPerSecond: poolPerSecond },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const result = await benchCertificates();
  console.log(JSON.stringify({ ...result, cpus: os.availableParallelism() }, null, 2));
}
