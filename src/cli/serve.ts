/**
 * `onevisit serve`: the HTTP server on the configured database, with the scheduler polling. In demo mode an
 * empty database gets one account per role and a clerk for each department, and the sign-ins are printed.
 */
import { once } from 'node:events';
import { makeResidentIdNumber } from '../domain/ids.js';
import { startOnevisit, type Onevisit } from '../main.js';
import { readCatalog } from '../store/index.js';
import type { Config } from './config.js';

export const DEMO_PASSWORD = 'onevisit-demo';

type Out = { log: (line: string) => void; error: (line: string) => void };

export async function serve(config: Config, out: Out): Promise<number> {
  const onevisit = await startOnevisit({
    dataDir: config.dataDir,
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    baseUrl: config.baseUrl,
    pollIntervalMs: 1000,
  });
  if (config.demo) await seedDemo(onevisit, out);
  const server = onevisit.app.listen(config.port);
  await once(server, 'listening');
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

/** Demo accounts, only on a database without users: nothing is ever overwritten. */
async function seedDemo(onevisit: Onevisit, out: Out): Promise<void> {
  if ((await onevisit.identity.listUsers()).length > 0) {
    out.log(`demo accounts exist already (password "${DEMO_PASSWORD}" unless changed).`);
    return;
  }
  const departments = readCatalog().departments;
  const accounts: { username: string; role: 'citizen' | 'clerk' | 'admin'; departments?: string[]; name: string; idNumber?: string }[] = [
    { username: 'admin', role: 'admin', name: '系统管理员' },
    { username: 'citizen', role: 'citizen', name: '王磊', idNumber: makeResidentIdNumber({ region: '620102', birthDate: '1990-05-12', sequence: 31 }) },
    ...departments.map((d) => ({ username: `clerk-${d.id}`, role: 'clerk' as const, departments: [d.id], name: `${d.title['zh-Hans']}窗口` })),
  ];
  for (const account of accounts) await onevisit.identity.addUser({ ...account, password: DEMO_PASSWORD });
  out.log(`demo accounts created, each with the password "${DEMO_PASSWORD}":`);
  out.log('  admin                      administrator (definitions, users, calendar, metrics)');
  out.log('  citizen                    a citizen, 王磊');
  for (const d of departments) out.log(`  clerk-${d.id.padEnd(21)} clerk of ${d.title['zh-Hans']}`);
  out.log('sign in: POST /api/v1/auth/login {"username":"citizen","password":"' + DEMO_PASSWORD + '"}');
}
