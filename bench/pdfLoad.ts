/**
 * The certificate-PDF load of bench/issuingLatency.ts, forked so that it shares neither a process nor an event
 * loop with the server or with autocannon: K clients, each on its own keep-alive connection, ask for the
 * certificate PDFs one after another (GET /api/v1/certificates/:id/pdf, cycling through the ids) for as long as
 * they are told to. Every answer must be a 200 PDF. Messages:
 * - `{ start: { url, paths, headers, concurrency } }` → `{ started: true }` once every client has had a PDF;
 * - `{ mark: true }` → `{ marked: true }`: counting starts afresh (the measured window);
 * - `{ stop: true }` → `{ stopped: PdfLoadResult }` for the window since the mark, once in-flight requests end.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface PdfLoadStart {
  url: string;
  paths: string[];
  headers: Record<string, string>;
  concurrency: number;
}

export interface PdfLoadResult {
  pdfs: number;
  seconds: number;
  pdfsPerSecond: number;
  /** Mean PDF size, bytes. */
  bytes: number;
  /** Latency of one PDF request, ms. */
  p50: number;
  p99: number;
  /** Answers that were not a 200 PDF, and socket errors, since the start (warm-up included), with the first one's description. */
  failures: number;
  firstFailure?: string;
}

if (!process.send) throw new Error('bench/pdfLoad.js is forked by bench/issuingLatency.js');

let running = false;
let windowStart = 0;
let latencies: number[] = [];
let bytes = 0;
let failures = 0;
let firstFailure: string | undefined;
const loops: Promise<void>[] = [];

function get(agent: http.Agent, url: URL, headers: Record<string, string>): Promise<{ status: number; type: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

async function client(index: number, start: PdfLoadStart, first: () => void): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let n = index;
  let told = false;
  while (running) {
    const url = new URL(start.paths[n++ % start.paths.length]!, start.url);
    const began = performance.now();
    try {
      const res = await get(agent, url, start.headers);
      const ok = res.status === 200 && res.type.startsWith('application/pdf') && res.body.subarray(0, 5).toString('latin1') === '%PDF-';
      if (!ok) throw new Error(`${url.pathname} answered ${res.status} ${res.type}: ${res.body.subarray(0, 200).toString('utf8')}`);
      // Every PDF that arrives in the window counts (one begun just before the mark as well).
      latencies.push(performance.now() - began);
      bytes += res.body.length;
    } catch (error) {
      failures += 1;
      firstFailure ??= String(error instanceof Error ? error.message : error);
    }
    if (!told) {
      told = true;
      first();
    }
  }
  agent.destroy();
}

const quantile = (sorted: number[], q: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!);

process.on('message', async (message: { start?: PdfLoadStart; mark?: boolean; stop?: boolean }) => {
  if (message.start) {
    running = true;
    windowStart = performance.now();
    let waiting = message.start.concurrency;
    const allFirst = new Promise<void>((resolve) => {
      for (let i = 0; i < message.start!.concurrency; i++) loops.push(client(i, message.start!, () => --waiting === 0 && resolve()));
    });
    await allFirst;
    process.send!({ started: true });
  } else if (message.mark) {
    windowStart = performance.now();
    latencies = [];
    bytes = 0;
    process.send!({ marked: true });
  } else if (message.stop) {
    // The window ends now: requests still in flight finish but are not counted.
    const seconds = (performance.now() - windowStart) / 1000;
    const counted = latencies.slice().sort((a, b) => a - b);
    const [countedBytes, countedFailures, failure] = [bytes, failures, firstFailure];
    running = false;
    await Promise.all(loops.splice(0));
    const result: PdfLoadResult = {
      pdfs: counted.length,
      seconds,
      pdfsPerSecond: counted.length / seconds,
      bytes: counted.length ? Math.round(countedBytes / counted.length) : 0,
      p50: Math.round(quantile(counted, 0.5)),
      p99: Math.round(quantile(counted, 0.99)),
      failures: countedFailures,
      ...(failure ? { firstFailure: failure } : {}),
    };
    process.send!({ stopped: result }, () => process.exit(0));
  }
});
