/**
 * Progress bars (bench/progress.ts) for a forked child that reports `{ progress: { phase, done, total } }`
 * messages: one bar per phase, the previous one cleared when the next begins.
 */
import { progress, type Progress } from './progress.js';

export interface ProgressMessage {
  progress?: { phase: string; done: number; total: number; note?: string };
}

export function childProgress(prefix: string) {
  let current: { phase: string; bar: Progress } | undefined;
  const end = () => {
    current?.bar.done();
    current = undefined;
  };
  return {
    onMessage(message: ProgressMessage) {
      const p = message.progress;
      if (!p) return;
      if (current?.phase !== p.phase) {
        end();
        current = { phase: p.phase, bar: progress(`${prefix} ${p.phase}`, p.total) };
      }
      current.bar.set(p.done);
      if (p.done >= p.total) end();
    },
    done: end,
  };
}
