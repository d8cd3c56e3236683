/**
 * The load generator of bench/scale.ts, in a process of its own: `requests` GETs (the paths taken in turn)
 * with `concurrency` requests in flight over keep-alive connections, each timed with the high-resolution clock
 * (autocannon's histogram rounds to whole milliseconds; these latencies are to the microsecond). Every answer
 * must be 200. Sends back p50/p90/p99/max and the rate; progress as `{ progress }` messages.
 */
import http from 'node:http';

export interface LoadRequest {
  url: string;
  paths: string[];
  headers: Record<string, string>;
  requests: number;
  concurrency: number;
  /** Requests before the measured ones (not counted). */
  warmup: number;
  label: string;
}

export interface LoadSummary {
  requests: number;
  concurrency: number;
  /** Milliseconds. */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  requestsPerSecond: number;
  /** Mean body size of the answers, bytes. */
  bytes: number;
}

if (!process.send) throw new Error('bench/scaleLoad.js is forked by bench/scale.js');

process.once('message', async (request: LoadRequest) => {
  try {
    process.send!({ result: await run(request) }, () => process.exit(0));
  } catch (error) {
    process.send!({ error: String((error as Error).stack ?? error) }, () => process.exit(1));
  }
});

async function run(r: LoadRequest): Promise<LoadSummary> {
  const target = new URL(r.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: r.concurrency });
  const get = (path: string) =>
    new Promise<{ ms: number; bytes: number }>((resolve, reject) => {
      const started = process.hrtime.bigint();
      const req = http.request({ host: target.hostname, port: target.port, path, method: 'GET', headers: r.headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          const body = Buffer.concat(chunks);
          if (res.statusCode !== 200) reject(new Error(`GET ${path} answered ${res.statusCode}: ${body.toString('utf8').slice(0, 500)}`));
          else resolve({ ms, bytes: body.length });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  let next = 0;
  const latencies: number[] = [];
  let bytes = 0;
  const total = r.warmup + r.requests;
  const worker = async () => {
    for (let i = next++; i < total; i = next++) {
      const answer = await get(r.paths[i % r.paths.length]!);
      latencies.push(answer.ms);
      bytes += answer.bytes;
      if (i % 50 === 0) process.send!({ progress: { phase: r.label, done: i, total } });
    }
  };
  // Warm-up one at a time, so the measured window starts after it.
  for (let i = 0; i < r.warmup; i++) await get(r.paths[i % r.paths.length]!);
  next = r.warmup;
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: r.concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.send!({ progress: { phase: r.label, done: total, total } });
  agent.destroy();
  const sorted = latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(100 * sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!) / 100;
  return {
    requests: sorted.length,
    concurrency: r.concurrency,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: Math.round(100 * sorted[sorted.length - 1]!) / 100,
    mean: Math.round((100 * sorted.reduce((a, b) => a + b, 0)) / sorted.length) / 100,
    requestsPerSecond: sorted.length / seconds,
    bytes: Math.round(bytes / sorted.length),
  };
}
