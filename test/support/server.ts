/**
 * A whole onevisit (database, engine, identity, files, scheduler, express app) on a fresh database of the
 * given kind, driven through HTTP with supertest; plus helpers to sign people in.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import knexFactory from 'knex';
import pino from 'pino';
import request from 'supertest';
import { startOnevisit, type Onevisit } from '../../src/main.js';
import type { HttpOptions } from '../../src/http/app.js';
import { makeResidentIdNumber } from '../../src/domain/ids.js';
import { postgresUrl, type DatabaseKind } from './databases.js';

export interface TestServer {
  onevisit: Onevisit;
  http: ReturnType<typeof request>;
  dataDir: string;
  /** Log lines written during the test, as parsed JSON. */
  logs: Record<string, unknown>[];
  /** Moves the server's clock. */
  clock: { now: Date };
  /** Stops this instance (as a crash or shutdown would) and starts a new one on the same database and files. */
  restart(): Promise<void>;
  /** Starts another instance beside this one, on the same database and data directory (as a second process would be); closed with it. */
  openAnother(): Promise<{ onevisit: Onevisit; http: ReturnType<typeof request> }>;
  close(): Promise<void>;
}

export async function openTestServer(kind: DatabaseKind, options: { now?: Date; loginAttempts?: number; http?: HttpOptions } = {}): Promise<TestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onevisit-e2e-'));
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info', base: undefined }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const clock = { now: options.now ?? new Date() };
  let schema: string | undefined;
  if (kind === 'postgres') {
    schema = `e_${randomBytes(6).toString('hex')}`;
    const admin = knexFactory({ client: 'pg', connection: postgresUrl });
    await admin.raw(`CREATE SCHEMA ${schema}`);
    await admin.destroy();
  }
  const start = () =>
    startOnevisit({
      dataDir,
      ...(kind === 'postgres' ? { databaseUrl: postgresUrl, databaseSchema: schema! } : {}),
      logger,
      now: () => clock.now,
      http: { loginAttempts: options.loginAttempts ?? 100, ...options.http },
      // Tests move the clock by days; sessions outlive that.
      sessionTtlMs: 400 * 24 * 3600_000,
    });
  const onevisit = await start();
  const others: Onevisit[] = [];
  const server: TestServer = {
    onevisit,
    http: request(onevisit.app),
    dataDir,
    logs,
    clock,
    async restart() {
      await server.onevisit.close();
      server.onevisit = await start();
      server.http = request(server.onevisit.app);
    },
    async openAnother() {
      const other = await start();
      others.push(other);
      return { onevisit: other, http: request(other.app) };
    },
    async close() {
      await Promise.all([server.onevisit, ...others].map((o) => o.close()));
      if (schema) {
        const admin = knexFactory({ client: 'pg', connection: postgresUrl });
        await admin.raw(`DROP SCHEMA ${schema} CASCADE`);
        await admin.destroy();
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

export interface Person {
  id: string;
  username: string;
  token: string;
  csrfToken: string;
  idNumber?: string;
  auth: [string, string];
}

let people = 0;

/** Creates an account directly (as `onevisit user add` would) and signs it in over HTTP. */
export async function person(server: TestServer, role: 'citizen' | 'clerk' | 'admin', departments: string[] = []): Promise<Person> {
  const username = `${role}${++people}${randomBytes(2).toString('hex')}`;
  const password = 'correct horse battery';
  // One account per id number: each test citizen is born on a day of their own (from 1970 on).
  const idNumber = role === 'citizen' ? makeResidentIdNumber({ birthDate: new Date(Date.UTC(1970, 0, 1) + people * 86_400_000).toISOString().slice(0, 10), sequence: 11 }) : undefined;
  await server.onevisit.identity.addUser({ username, password, role, departments, name: `测试${role}`, ...(idNumber ? { idNumber } : {}) });
  const res = await server.http.post('/api/v1/auth/login').send({ username, password }).expect(200);
  return { id: res.body.user.id, username, token: res.body.token, csrfToken: res.body.csrfToken, ...(idNumber ? { idNumber } : {}), auth: ['Authorization', `Bearer ${res.body.token}`] };
}

export const tinyPdf = () => Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
export const tinyPng = () =>
  Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8cfc000000301010018dd8db00000000049454e44ae426082', 'hex');

/** One signed-in clerk per department, made the first time a department is asked for (the server is read when asked). */
export function clerksOf(server: () => TestServer): (department: string) => Promise<Person> {
  const clerks = new Map<string, Promise<Person>>();
  return (department) => {
    if (!clerks.has(department)) clerks.set(department, person(server(), 'clerk', [department]));
    return clerks.get(department)!;
  };
}

/** supertest's parser for a binary body (a PDF): `.buffer(true).parse(binaryBody)`. */
export function binaryBody(res: NodeJS.ReadableStream, done: (error: Error | null, body: unknown) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}
