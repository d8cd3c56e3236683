/**
 * What every refusal must look like (RFC 9457 problem+json with our code), and a count of what is
 * stored, so a test can show that a refused request left nothing behind.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { Response } from 'supertest';
import type { TestServer } from './server.js';

/** Asserts `res` is the problem `code` with `status`: problem+json, with type, title, status, code and detail. */
export function expectProblem(res: Response, status: number, code: string): void {
  const req = (res as unknown as { req?: { method?: string; path?: string } }).req;
  const where = `${req?.method ?? ''} ${req?.path ?? ''} → ${res.status} ${res.text?.slice(0, 300) ?? ''}`;
  expect(res.status, where).to.equal(status);
  expect(res.headers['content-type'], where).to.match(/^application\/problem\+json/);
  expect(res.body, where).to.include({ status, code });
  for (const key of ['type', 'title', 'detail']) expect(res.body[key], `${where}: ${key}`).to.be.a('string').and.not.equal('');
}

/** The tables a request could write to. */
export const STORED_TABLES = [
  'applications',
  'application_events',
  'outbox',
  'timers',
  'files',
  'users',
  'sessions',
  'open_tasks',
  'figures',
  'ratings',
  'service_definitions',
  'calendar_years',
  'calendar_days',
] as const;

export type StoredCounts = Record<(typeof STORED_TABLES)[number] | 'blobs', number>;

/** Rows per table, and blob files (finished or temporary) under `<dataDir>/blobs`. */
export async function storedCounts(server: TestServer): Promise<StoredCounts> {
  const counts = {} as StoredCounts;
  for (const table of STORED_TABLES) {
    const row = await server.onevisit.db(table).count({ n: '*' }).first();
    counts[table] = Number(row?.n ?? 0);
  }
  counts.blobs = countFiles(path.join(server.dataDir, 'blobs'));
  return counts;
}

function countFiles(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  return fs.readdirSync(dir, { withFileTypes: true }).reduce((n, entry) => n + (entry.isDirectory() ? countFiles(path.join(dir, entry.name)) : 1), 0);
}
