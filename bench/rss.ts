/**
 * Memory after 100,000 applications through the engine: bench/rssChild.ts, forked with --expose-gc, runs an
 * in-process engine on SQLite (certificate-free effects) that takes BENCH_RSS_APPLICATIONS (100,000)
 * submissions from BENCH_RSS_CONCURRENCY (32) concurrent submitters and drives BENCH_RSS_DRIVE_SHARE (0.1) of
 * them on to completed (the window's acceptance, every department's approval, the issue step). RSS and heap
 * after a forced GC: before the first application, after BENCH_RSS_WARMUP (2,000 — the engine's snapshot cache
 * holds 2,000) and at every tenth. Target: RSS growth from the start < 50 MB.
 */
import { fork } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { childProgress, type ProgressMessage } from './childProgress.js';
import type { RssChildResult, RssRequest } from './rssChild.js';

export interface RssResult extends RssChildResult {
  applications: number;
  concurrency: number;
  driveShare: number;
  applicationsPerSecond: number;
  /** RSS at the end minus RSS before the first application, and minus RSS after the warm-up, MB. */
  growthMb: number;
  growthAfterWarmupMb: number;
  heapGrowthMb: number;
  /** The highest RSS read (RSS after a GC still moves by ±10 MB between readings: memory the allocator keeps). */
  peakMb: number;
  loadAverage: { before: number[]; after: number[] };
}

const here = path.dirname(new URL(import.meta.url).pathname);

export async function benchRss(): Promise<RssResult> {
  const request: RssRequest = {
    applications: Number(process.env.BENCH_RSS_APPLICATIONS ?? 100_000),
    driveShare: Number(process.env.BENCH_RSS_DRIVE_SHARE ?? 0.1),
    concurrency: Number(process.env.BENCH_RSS_CONCURRENCY ?? 32),
    warmup: 0,
  };
  request.warmup = Math.min(request.applications, Number(process.env.BENCH_RSS_WARMUP ?? 2000));
  const loadBefore = os.loadavg();
  const child = fork(path.join(here, 'rssChild.js'), [], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const bars = childProgress('rss');
  const result = await new Promise<RssChildResult>((resolve, reject) => {
    child.on('message', (m: ProgressMessage & { result?: RssChildResult; error?: string }) => {
      bars.onMessage(m);
      if (m.result) resolve(m.result);
      if (m.error) reject(new Error(`rssChild: ${m.error}`));
    });
    child.once('exit', (code) => code !== 0 && reject(new Error(`rssChild exited with ${code}`)));
    child.send({ run: request });
  }).finally(() => bars.done());
  const round = (x: number) => Math.round(10 * x) / 10;
  return {
    applications: request.applications,
    concurrency: request.concurrency,
    driveShare: request.driveShare,
    ...result,
    applicationsPerSecond: request.applications / result.seconds,
    growthMb: round(result.end.rssMb - result.start.rssMb),
    growthAfterWarmupMb: round(result.end.rssMb - result.afterWarmup.rssMb),
    heapGrowthMb: round(result.end.heapUsedMb - result.start.heapUsedMb),
    peakMb: Math.max(result.end.rssMb, ...result.samples.map((p) => p.rssMb)),
    loadAverage: { before: loadBefore.map((x) => Math.round(100 * x) / 100), after: os.loadavg().map((x) => Math.round(100 * x) / 100) },
  };
}
