/**
 * A render worker thread: one renderer (fonts opened once) for the thread's life; jobs in, PDFs out.
 * Errors go back as plain data (code, message, details, errors) and become OnevisitErrors again in the pool.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isOnevisitError } from '../domain/errors.js';
import { createRenderer, type RenderJob } from './render.js';

export interface WorkerRequest {
  id: number;
  job: RenderJob;
}
export type WorkerReply =
  | { id: number; ok: true; pdf: Uint8Array }
  | { id: number; ok: false; error: { message: string; code?: string; details?: Record<string, unknown>; errors?: unknown[] } };

const port = parentPort;
if (!port) throw new Error('renderWorker.js runs as a worker thread of the render pool');
const renderer = createRenderer((workerData ?? {}) as { fontsDir?: string });

port.on('message', ({ id, job }: WorkerRequest) => {
  renderer.render(job).then(
    (pdf) => {
      // The PDF's memory moves to the parent instead of being copied.
      const owned = pdf.byteOffset === 0 && pdf.byteLength === pdf.buffer.byteLength ? pdf : Uint8Array.prototype.slice.call(pdf);
      port.postMessage({ id, ok: true, pdf: owned } satisfies WorkerReply, [owned.buffer as ArrayBuffer]);
    },
    (error: unknown) => {
      const reply: WorkerReply = isOnevisitError(error)
        ? { id, ok: false, error: { message: error.message, code: error.code, details: { ...error.details }, errors: [...error.errors] } }
        : { id, ok: false, error: { message: error instanceof Error ? error.message : String(error) } };
      port.postMessage(reply);
    },
  );
});
