/**
 * Rendering off the event loop: a small pool of worker threads, each with its own renderer (fonts opened once
 * per worker). Jobs queue in order; a worker that dies fails the job it held and is replaced.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { ErrorCodes, OnevisitError, type ErrorCode, type Issue } from '../domain/errors.js';
import type { RenderJob } from './render.js';
import type { WorkerReply, WorkerRequest } from './renderWorker.js';

export interface RenderPool {
  render(job: RenderJob): Promise<Buffer>;
  /** Fails queued jobs, waits for none, stops every worker. */
  close(): Promise<void>;
  readonly size: number;
}

export interface RenderPoolOptions {
  /** Worker threads; one fewer than the CPUs the process may use, at least one, when omitted. */
  size?: number;
  fontsDir?: string;
  /** The worker's module; tests pass a stand-in that speaks the same messages. */
  workerUrl?: URL;
}

interface Task {
  id: number;
  job: RenderJob;
  resolve(pdf: Buffer): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  task?: Task | undefined;
}

const WORKER_FILE = new URL('./renderWorker.js', import.meta.url);

export function defaultPoolSize(): number {
  return Math.max(1, os.availableParallelism() - 1);
}

export function createRenderPool(options: RenderPoolOptions = {}): RenderPool {
  const size = Math.max(1, Math.floor(options.size ?? defaultPoolSize()));
  const slots = new Set<Slot>();
  const queue: Task[] = [];
  let nextId = 1;
  let closed = false;

  const start = (): Slot => {
    const worker = new Worker(options.workerUrl ?? WORKER_FILE, { workerData: { fontsDir: options.fontsDir } });
    const slot: Slot = { worker };
    worker.unref();
    worker.on('message', (reply: WorkerReply) => {
      const task = slot.task;
      if (!task || task.id !== reply.id) return;
      slot.task = undefined;
      worker.unref();
      if (reply.ok) task.resolve(Buffer.from(reply.pdf.buffer, reply.pdf.byteOffset, reply.pdf.byteLength));
      else task.reject(toError(reply.error));
      dispatch();
    });
    // A worker that dies (crash, out of memory) fails its job; a new one takes its place for the queue.
    const lost = (reason: string) => {
      if (!slots.delete(slot)) return;
      slot.task?.reject(new Error(`a certificate render worker stopped: ${reason}`));
      slot.task = undefined;
      dispatch();
    };
    worker.on('error', (error) => lost(error.message));
    worker.on('exit', (code) => lost(`exit code ${code}`));
    slots.add(slot);
    return slot;
  };

  const dispatch = () => {
    while (!closed && queue.length > 0) {
      let slot = [...slots].find((s) => !s.task);
      if (!slot && slots.size < size) slot = start();
      if (!slot) return;
      const task = queue.shift()!;
      slot.task = task;
      // A busy worker keeps the process alive; an idle one does not.
      slot.worker.ref();
      slot.worker.postMessage({ id: task.id, job: task.job } satisfies WorkerRequest);
    }
  };

  return {
    size,
    render(job) {
      if (closed) return Promise.reject(new Error('the render pool is closed'));
      return new Promise<Buffer>((resolve, reject) => {
        queue.push({ id: nextId++, job, resolve, reject });
        dispatch();
      });
    },
    async close() {
      closed = true;
      for (const task of queue.splice(0)) task.reject(new Error('the render pool is closed'));
      const stopping = [...slots];
      slots.clear();
      for (const slot of stopping) slot.task?.reject(new Error('the render pool is closed'));
      await Promise.all(stopping.map((slot) => slot.worker.terminate()));
    },
  };
}

function toError(error: Extract<WorkerReply, { ok: false }>['error']): Error {
  if (error.code !== undefined && error.code in ErrorCodes) {
    return new OnevisitError(error.code as ErrorCode, error.message, { details: error.details ?? {}, errors: (error.errors ?? []) as Issue[] });
  }
  return new Error(error.message);
}
