/**
 * `onevisit serve`: the HTTP server on the configured database, with the scheduler polling. In demo mode a
 * database without accounts of its own gets one account per role and a clerk for each department, and the
 * sign-ins are printed.
 */
import path from 'node:path';
import { isOnevisitError } from '../domain/errors.js';
import { makeResidentIdNumber } from '../domain/ids.js';
import type { Identity } from '../identity/index.js';
import { startOnevisit, type Onevisit } from '../main.js';
import { readCatalog } from '../store/index.js';
import type { Config } from './config.js';

export const DEMO_PASSWORD = 'onevisit-demo';

type Out = { log: (line: string) => void; error: (line: string) => void };

/**
 * Serves until SIGINT or SIGTERM, then 0. When it cannot start — the database cannot be opened, migrated or
 * published to, the demo accounts cannot be seeded, the port cannot be listened on — it closes whatever it
 * opened (nothing is left polling the database), prints one line saying why and returns 1.
 */
export async function serve(config: Config, out: Out): Promise<number> {
  let onevisit: Onevisit;
  try {
    onevisit = await startOnevisit({
      dataDir: config.dataDir,
      ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
      ...(config.databaseSchema ? { databaseSchema: config.databaseSchema } : {}),
      baseUrl: config.baseUrl,
      pollIntervalMs: 1000,
      // Behind TLS (an https base URL) the session cookie is sent over HTTPS only.
      http: { trustProxy: config.trustProxy, secureCookies: config.baseUrl.startsWith('https://') },
    });
  } catch (error) {
    out.error(`onevisit serve: cannot start on ${databaseOf(config)}: ${reasonOf(error)}`);
    return 1;
  }
  const fail = async (reason: string) => {
    out.error(`onevisit serve: ${reason}`);
    await onevisit.close().catch(() => undefined);
    return 1;
  };
  if (config.demo) {
    try {
      await seedDemo(onevisit.identity, out);
    } catch (error) {
      return fail(`cannot seed the demo accounts: ${reasonOf(error)}`);
    }
  }
  const server = onevisit.app.listen(config.port);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? 'the address is in use (EADDRINUSE): another process listens there' : code === 'EACCES' ? 'permission denied (EACCES)' : reasonOf(error);
    return fail(`cannot listen on port ${config.port}: ${why}`);
  }
  out.log(`onevisit is serving ${config.baseUrl} (API under /api/v1, document at /api/v1/openapi.json)`);
  const stop = async () => {
    server.close();
    await onevisit.close();
  };
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop().then(resolve));
  });
  return 0;
}

/** The database named without credentials, for the one line a failed start prints. */
function databaseOf(config: Config): string {
  const url = config.databaseUrl;
  if (!url) return `SQLite ${path.join(config.dataDir, 'onevisit.sqlite')}`;
  if (url.startsWith('sqlite:')) return `SQLite ${url.slice('sqlite:'.length)}`;
  try {
    const parsed = new URL(url);
    return `PostgreSQL ${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}${config.databaseSchema ? ` (schema ${config.databaseSchema})` : ''}`;
  } catch {
    return 'PostgreSQL';
  }
}

/** An error as one short line: a failed statement's reason without the statement (knex writes `<sql> - <reason>`). */
function reasonOf(error: unknown): string {
  const text = isOnevisitError(error) ? `${error.code}: ${error.message}` : error instanceof Error ? error.message || String((error as NodeJS.ErrnoException).code ?? error.name) : String(error);
  const statement = /^(?:select|insert|update|delete|create|alter|drop|with|pragma)\b[\s\S]* - ([\s\S]+)$/i.exec(text);
  const line = (statement ? statement[1]! : text).replace(/\s*\n\s*/g, ' ').trim();
  return line.length > 400 ? `${line.slice(0, 399)}…` : line;
}

interface DemoAccount {
  username: string;
  role: 'citizen' | 'clerk' | 'admin';
  departments?: string[];
  name: string;
  idNumber?: string;
  /** What the printed list says of it. */
  about: string;
}

/** The demo accounts: an admin, a citizen and a clerk for each department of the catalog. */
export function demoAccounts(): DemoAccount[] {
  return [
    { username: 'admin', role: 'admin', name: '系统管理员', about: 'administrator (definitions, users, calendar, metrics)' },
    { username: 'citizen', role: 'citizen', name: '王磊', idNumber: makeResidentIdNumber({ region: '620102', birthDate: '1990-05-12', sequence: 31 }), about: 'a citizen, 王磊' },
    ...readCatalog().departments.map((d) => ({
      username: `clerk-${d.id}`,
      role: 'clerk' as const,
      departments: [d.id],
      name: `${d.title['zh-Hans']}窗口`,
      about: `clerk of ${d.title['zh-Hans']}`,
    })),
  ];
}

/**
 * Seeds the demo accounts on a database that has no accounts but demo ones (never beside real users): each is
 * created only if it is missing and nothing is ever overwritten, so seeding again, after a start that stopped
 * half-way, or from two instances at once, ends with each account once. An account another instance created
 * first (the unique key's USER.EXISTS) counts as there. Returns the usernames it created.
 */
export async function seedDemo(identity: Identity, out: Out): Promise<string[]> {
  const accounts = demoAccounts();
  const demoNames = new Set(accounts.map((a) => a.username));
  const existing = new Set((await identity.listUsers()).map((u) => u.username));
  if ([...existing].some((username) => !demoNames.has(username))) {
    out.log('demo accounts not seeded: the database has other accounts.');
    return [];
  }
  const created: string[] = [];
  for (const account of accounts) {
    if (existing.has(account.username)) continue;
    try {
      const { about: _about, ...user } = account;
      await identity.addUser({ ...user, password: DEMO_PASSWORD });
      created.push(account.username);
    } catch (error) {
      if (!isOnevisitError(error, 'USER.EXISTS')) throw error;
    }
  }
  out.log(
    created.length === accounts.length
      ? `demo accounts created, each with the password "${DEMO_PASSWORD}":`
      : `demo accounts exist${created.length ? ` (${created.length} created now)` : ' already'}, each with the password "${DEMO_PASSWORD}" unless changed:`,
  );
  for (const a of accounts) out.log(`  ${a.username.padEnd(26)} ${a.about}`);
  out.log('sign in: POST /api/v1/auth/login {"username":"citizen","password":"' + DEMO_PASSWORD + '"}');
  return created;
}
