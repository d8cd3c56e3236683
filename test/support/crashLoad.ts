/**
 * Load for crash tests: several clients at once against one port (the server behind it may be killed and
 * restarted at any moment). Submitters upload materials and submit start-a-business applications; clerks move
 * them on (the window accepts, the departments approve). Whatever is answered 2xx goes into the ledger; a
 * request without an answer (connection refused or reset by the kill) is simply not acknowledged; any other
 * answer than the ones concurrency explains is kept as unexpected.
 */
import { Api, codeOf, demoClerk, describeReply, matterDepartment, submitStartup, windowDepartment } from './api.js';
import { businessStartup, type MaterialClaim } from './businessStartup.js';
import type { Ledger } from './consistency.js';
import { tinyPdf } from './server.js';

/** A small seeded generator (mulberry32), so a failing run can be repeated with its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface LoadOptions {
  api: Api;
  /** Bearer tokens by demo username (citizen, the window's clerk, each department's clerk). */
  tokens: Map<string, string>;
  ledger: Ledger;
  random: () => number;
  submitters?: number;
  clerks?: number;
  /** Submitters wait while this many applications are unfinished. */
  maxOpen?: number;
}

export interface LoadStats {
  requests: number;
  /** Requests that got no answer: the server was down or died while answering. */
  unanswered: number;
  submitted: number;
  events: number;
  /** Refusals that concurrent clients explain (two clerks deciding the same matter at once). */
  raced: number;
  completed: number;
}

export interface Load {
  stats: LoadStats;
  /** Answers no client expected (5xx, unexpected refusals), with what was asked. */
  unexpected: string[];
  /** Uploads answered 201: the file and the exact bytes sent. */
  files: { fileId: string; bytes: Buffer }[];
  /** Resolves when a clerk next sends the last approval an application waits for (whose commit issues certificates). */
  finalApprovalSent(): Promise<void>;
  /** Stops the clients; resolves when their requests in flight have ended. */
  stop(): Promise<void>;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function startLoad(options: LoadOptions): Load {
  const { api, tokens, ledger, random } = options;
  const stats: LoadStats = { requests: 0, unanswered: 0, submitted: 0, events: 0, raced: 0, completed: 0 };
  const unexpected: string[] = [];
  const files: Load['files'] = [];
  const open: string[] = [];
  let stopping = false;
  let uploads = 0;
  let finalApprovalWaiters: (() => void)[] = [];
  const citizen = tokens.get('citizen')!;

  /** The answer, or undefined when there was none (the client then backs off a little). */
  async function ask<T>(request: () => Promise<T>): Promise<T | undefined> {
    stats.requests++;
    try {
      return await request();
    } catch {
      stats.unanswered++;
      await pause(30 + random() * 50);
      return undefined;
    }
  }

  async function submitter(): Promise<void> {
    while (!stopping) {
      if (open.length >= (options.maxOpen ?? 40)) {
        await pause(50);
        continue;
      }
      const materials: MaterialClaim[] = [];
      for (const m of businessStartup.materials) {
        if (m.commitment) {
          materials.push({ materialId: m.id, commitment: true });
          continue;
        }
        const bytes = Buffer.concat([tinyPdf(), Buffer.from(`% upload ${++uploads} ${random()}\n`)]);
        const reply = await ask(() => api.upload(citizen, `${m.id}.pdf`, bytes));
        if (!reply) break;
        if (reply.status !== 201) {
          unexpected.push(describeReply('upload', reply));
          break;
        }
        files.push({ fileId: reply.body.fileId, bytes });
        materials.push({ materialId: m.id, fileId: reply.body.fileId });
      }
      if (materials.length !== businessStartup.materials.length) continue;
      const reply = await ask(() => submitStartup(api, citizen, materials));
      if (!reply) continue;
      if (reply.status !== 201) {
        unexpected.push(describeReply('submit', reply));
        continue;
      }
      ledger.applications.add(reply.body.id);
      open.push(reply.body.id);
      stats.submitted++;
    }
  }

  async function clerk(): Promise<void> {
    while (!stopping) {
      if (open.length === 0) {
        await pause(20);
        continue;
      }
      const id = open[Math.floor(random() * open.length)]!;
      const detail = await ask(() => api.get(`/applications/${id}`, citizen));
      if (!detail) continue;
      if (detail.status !== 200) {
        unexpected.push(describeReply(`GET ${id}`, detail));
        continue;
      }
      const { status, matters } = detail.body as { status: string; matters: Record<string, string> };
      let event: { type: string; matter?: string } | undefined;
      if (status === 'submitted') event = { type: 'ACCEPT' };
      else if (status === 'in_review') {
        const pending = Object.entries(matters).filter(([, state]) => state === 'pending').map(([m]) => m);
        if (pending.length > 0) event = { type: 'APPROVE', matter: pending[Math.floor(random() * pending.length)]! };
        if (pending.length === 1) {
          for (const resolve of finalApprovalWaiters) setImmediate(resolve);
          finalApprovalWaiters = [];
        }
      } else if (status === 'completed') {
        if (open.includes(id)) {
          open.splice(open.indexOf(id), 1);
          stats.completed++;
        }
        continue;
      }
      if (!event) {
        // Issuing: an outbox worker's to finish.
        await pause(20);
        continue;
      }
      const clerkToken = tokens.get(demoClerk(event.matter ? matterDepartment(event.matter) : windowDepartment))!;
      const reply = await ask(() => api.event(clerkToken, id, event));
      if (!reply) continue;
      if (reply.status === 200) {
        ledger.events.push({ applicationId: id, type: event.type, ...(event.matter ? { matter: event.matter } : {}), version: reply.body.version });
        stats.events++;
      } else if (reply.status === 409 && codeOf(reply) === 'TRANSITION.NOT_ALLOWED') {
        // Another clerk client decided the same matter first (or the event was applied before the answer was lost).
        stats.raced++;
      } else unexpected.push(describeReply(`${event.type}${event.matter ? ` ${event.matter}` : ''} of ${id}`, reply));
    }
  }

  const lanes = [...Array.from({ length: options.submitters ?? 3 }, submitter), ...Array.from({ length: options.clerks ?? 4 }, clerk)];
  const all = Promise.all(lanes);
  return {
    stats,
    unexpected,
    files,
    finalApprovalSent: () => new Promise((resolve) => finalApprovalWaiters.push(resolve)),
    async stop() {
      stopping = true;
      await all;
    },
  };
}
