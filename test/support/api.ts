/**
 * A plain `fetch` client for a `serve` child process (supertest only drives an in-process app), and the
 * start-a-business service over it: demo sign-ins, uploads, submissions, events, claims.
 */
import { expect } from 'chai';
import { businessStartup, exampleForm, matters, type MaterialClaim } from './businessStartup.js';
import { tinyPdf } from './server.js';

export const DEMO_PASSWORD = 'onevisit-demo';

export interface Reply<T = any> {
  status: number;
  body: T;
}

/** A problem's code, or '' for a success or a body that is not a problem. */
export const codeOf = (reply: Reply): string => (reply.status >= 400 && typeof reply.body?.code === 'string' ? reply.body.code : '');

/** `METHOD path → status code` for messages. */
export const describeReply = (what: string, reply: Reply): string => `${what} → ${reply.status} ${codeOf(reply)} ${typeof reply.body === 'string' ? reply.body.slice(0, 200) : (reply.body?.detail ?? '')}`.trim();

export class Api {
  constructor(
    readonly port: number,
    /** How long one request may take before it is abandoned (a hung server fails the test instead of hanging it). */
    private readonly timeoutMs = 30_000,
  ) {}

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** One request. Resolves with any HTTP answer; rejects only when there is none (refused, reset, timed out). */
  async call<T = any>(method: string, path: string, token?: string, body?: unknown): Promise<Reply<T>> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    let payload: string | FormData | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const res = await fetch(`${this.base}/api/v1${path}`, { method, headers, body: payload, signal: AbortSignal.timeout(this.timeoutMs) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not JSON: kept as text.
    }
    return { status: res.status, body: parsed as T };
  }

  get<T = any>(path: string, token?: string): Promise<Reply<T>> {
    return this.call<T>('GET', path, token);
  }

  post<T = any>(path: string, token?: string, body?: unknown): Promise<Reply<T>> {
    return this.call<T>('POST', path, token, body ?? {});
  }

  /** Signs in; answers the bearer token and the user's id. */
  async login(username: string, password = DEMO_PASSWORD): Promise<{ token: string; userId: string }> {
    const reply = await this.post('/auth/login', undefined, { username, password });
    expect(reply.status, describeReply(`login ${username}`, reply)).to.equal(200);
    return { token: reply.body.token, userId: reply.body.user.id };
  }

  /** Uploads a tiny PDF; answers the reply (201 with `fileId`). */
  upload(token: string, name = 'material.pdf', bytes: Buffer = tinyPdf()): Promise<Reply> {
    const form = new FormData();
    form.append('file', new Blob([bytes], { type: 'application/pdf' }), name);
    return this.call('POST', '/files', token, form);
  }

  event(token: string, id: string, event: Record<string, unknown>): Promise<Reply> {
    return this.post(`/applications/${id}/events`, token, event);
  }
}

/** The department of each matter of start-a-business, and the demo clerk's username for it. */
export const matterDepartment = (matter: string): string => matters[matter]!.department;
export const demoClerk = (department: string): string => `clerk-${department}`;
/** The window that accepts start-a-business applications. */
export const windowDepartment = businessStartup.steps.find((s) => s.kind === 'intake')!.window!;
/** Every matter of its review, in definition order (the example form makes all of them apply). */
export const reviewMatters = businessStartup.steps.flatMap((s) => s.matters ?? []).map((m) => m.id);
/** The matters whose approval issues a certificate (the "set" one completed application produces). */
export const certifiedMatters = businessStartup.steps.flatMap((s) => (s.matters ?? []) as { id: string; certificate?: unknown }[]).filter((m) => m.certificate).map((m) => m.id);

/** Uploads one file per material (a commitment where there is one); throws unless every upload is 201. */
export async function uploadMaterials(api: Api, token: string): Promise<MaterialClaim[]> {
  const claims: MaterialClaim[] = [];
  for (const m of businessStartup.materials) {
    if (m.commitment) {
      claims.push({ materialId: m.id, commitment: true });
      continue;
    }
    const reply = await api.upload(token, `${m.id}.pdf`);
    if (reply.status !== 201) throw new Error(describeReply(`upload ${m.id}`, reply));
    claims.push({ materialId: m.id, fileId: reply.body.fileId });
  }
  return claims;
}

/** Submits the example form of start-a-business with `materials`; answers the reply (201 with the detail). */
export function submitStartup(api: Api, token: string, materials: MaterialClaim[]): Promise<Reply> {
  return api.post('/applications', token, { serviceId: businessStartup.id, form: exampleForm, materials });
}

/** Submits and expects 201; answers the application's id. */
export async function submittedStartup(api: Api, token: string, materials: MaterialClaim[]): Promise<string> {
  const reply = await submitStartup(api, token, materials);
  expect(reply.status, describeReply('submit', reply)).to.equal(201);
  return reply.body.id;
}

/** Sends `event` and expects 200; answers the detail. */
export async function acted(api: Api, token: string, id: string, event: Record<string, unknown>): Promise<any> {
  const reply = await api.event(token, id, event);
  expect(reply.status, describeReply(`${event.type}${event.matter ? ` ${event.matter}` : ''} on :${api.port}`, reply)).to.equal(200);
  return reply.body;
}
