/** Configuration from the environment (DESIGN §8); a bad value stops the start with a message naming it. */
import path from 'node:path';
import { OnevisitError } from '../domain/errors.js';

export interface Config {
  dataDir: string;
  databaseUrl?: string;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = path.resolve(env.ONEVISIT_DATA_DIR ?? 'data');
  const databaseUrl = env.ONEVISIT_DATABASE_URL;
  if (databaseUrl !== undefined && databaseUrl !== '' && !/^(postgres(ql)?:\/\/|sqlite:)/.test(databaseUrl)) {
    throw new OnevisitError('CONFIG.INVALID', 'ONEVISIT_DATABASE_URL must be a postgres:// URL or sqlite:<file>');
  }
  return { dataDir, ...(databaseUrl ? { databaseUrl } : {}) };
}
