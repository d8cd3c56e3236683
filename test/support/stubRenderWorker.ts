/** A stand-in render worker for the pool's tests: a job for the record id "crash" kills the thread. */
import { parentPort } from 'node:worker_threads';
import type { WorkerReply, WorkerRequest } from '../../src/certificates/renderWorker.js';

parentPort!.on('message', ({ id, job }: WorkerRequest) => {
  if (job.record.id === 'crash') process.exit(3);
  parentPort!.postMessage({ id, ok: true, pdf: new TextEncoder().encode(`%PDF-stub ${job.record.id}`) } satisfies WorkerReply);
});
