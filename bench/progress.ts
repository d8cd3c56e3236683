/**
 * A progress bar for long benchmark phases, drawn on stdout only when it is a terminal (redirected or piped
 * output never carries it), redrawn at most every 100 ms; `done()` clears the line.
 *
 * (Restored from its compiled output after a concurrent overwrite; the code is as it was compiled.)
 */
export interface Progress {
  /** Adds `by` (1) to the count done. */
  tick(by?: number): void;
  /** Sets the count done. */
  set(value: number): void;
  /** Clears the bar. */
  done(): void;
}

const quiet: Progress = { tick() {}, set() {}, done() {} };

export function progress(label: string, total: number, stream: NodeJS.WriteStream = process.stdout): Progress {
  if (!stream.isTTY || total <= 0) return quiet;
  const started = Date.now();
  let done = 0;
  let drawnAt = 0;
  const draw = (force = false) => {
    const now = Date.now();
    if (!force && now - drawnAt < 100) return;
    drawnAt = now;
    const share = Math.min(1, done / total);
    const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - label.length - 30));
    const filled = Math.round(share * width);
    const elapsed = (now - started) / 1000;
    stream.write(`\r\x1b[2K${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.floor(100 * share)}% ${elapsed.toFixed(0)} s`);
  };
  draw(true);
  return {
    tick(by = 1) {
      done += by;
      draw();
    },
    set(value) {
      done = value;
      draw();
    },
    done() {
      stream.write('\r\x1b[2K');
    },
  };
}

/** Shows a bar filling over `seconds` while `work` runs; resolves to its result. */
export async function during<T>(label: string, seconds: number, work: Promise<T>): Promise<T> {
  const bar = progress(label, seconds * 10);
  if (bar === quiet) return work;
  const started = Date.now();
  const timer = setInterval(() => bar.set((Date.now() - started) / 100), 200);
  try {
    return await work;
  } finally {
    clearInterval(timer);
    bar.done();
  }
}
