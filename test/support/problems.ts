/**
 * What every refusal must look like (RFC 9457 problem+json with our code), and a count of what is
 * stored, so a test can show that a refused request left nothing behind.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { Response } from 'supertest';
import { ErrorCodes, IssueCodes, isIssueCode, type ErrorCode } from '../../src/domain/errors.js';
import type { TestServer } from './server.js';

/**
 * Asserts `res` is the problem `code` with `status`: problem+json, with type, title, status, code and detail, and
 * every issue in its `errors` a registered issue code that comes under `code`.
 */
export function expectProblem(res: Response, status: number, code: string): void {
  const req = (res as unknown as { req?: { method?: string; path?: string } }).req;
  const where = `${req?.method ?? ''} ${req?.path ?? ''} → ${res.status} ${res.text?.slice(0, 300) ?? ''}`;
  expect(res.status, where).to.equal(status);
  expect(res.headers['content-type'], where).to.match(/^application\/problem\+json/);
  expect(res.body, where).to.include({ status, code });
  for (const key of ['type', 'title', 'detail']) expect(res.body[key], `${where}: ${key}`).to.be.a('string').and.not.equal('');
  expect(registryFlaw(res.body), where).to.equal(undefined);
}

/**
 * What is wrong with a problem's codes, or undefined: a code outside the error registry, `errors` that is not a
 * list of issues, an issue code outside the issue registry, or one registered as coming under other error codes.
 */
export function registryFlaw(problem: { code?: unknown; errors?: unknown }): string | undefined {
  const code = problem.code;
  if (typeof code !== 'string' || !Object.hasOwn(ErrorCodes, code)) return `code ${String(code)} is not in the registry`;
  if (problem.errors === undefined) return undefined;
  if (!Array.isArray(problem.errors) || problem.errors.length === 0) return 'errors is not a list of issues';
  for (const issue of problem.errors as { path?: unknown; code?: unknown; message?: unknown }[]) {
    if (typeof issue?.path !== 'string' || typeof issue.message !== 'string') return `issue ${JSON.stringify(issue)} is not {path, code, message}`;
    if (typeof issue.code !== 'string' || !isIssueCode(issue.code)) return `issue code ${String(issue.code)} (at ${issue.path}) is not in the issue registry`;
    const under = IssueCodes[issue.code].under;
    if (!under.includes(code as ErrorCode)) return `issue code ${issue.code} comes under ${under.join(', ') || 'no error'} in the registry, not under ${code}`;
  }
  return undefined;
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
  'application_check_codes',
  'drafts',
  'walk_in_applicants',
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
