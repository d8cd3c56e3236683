/** Configuration from the environment (DESIGN §8); a bad value stops the start with a message naming it. */
import path from 'node:path';
import { OnevisitError } from '../domain/errors.js';

export interface Config {
  dataDir: string;
  databaseUrl?: string;
  /** PostgreSQL schema to work in (ONEVISIT_DATABASE_SCHEMA; it must exist); default the connection's search_path. */
  databaseSchema?: string;
  port: number;
  /** Where the service is reached from outside (for links in QR codes); default http://localhost:<port>. */
  baseUrl: string;
  /** Seed demo accounts on an empty database. */
  demo: boolean;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = path.resolve(env.ONEVISIT_DATA_DIR ?? 'data');
  const databaseUrl = env.ONEVISIT_DATABASE_URL;
  if (databaseUrl !== undefined && databaseUrl !== '' && !/^(postgres(ql)?:\/\/|sqlite:)/.test(databaseUrl)) {
    throw new OnevisitError('CONFIG.INVALID', 'ONEVISIT_DATABASE_URL must be a postgres:// URL or sqlite:<file>');
  }
  const databaseSchema = env.ONEVISIT_DATABASE_SCHEMA || undefined;
  if (databaseSchema !== undefined) {
    if (!databaseUrl || !/^postgres(ql)?:\/\//.test(databaseUrl)) throw new OnevisitError('CONFIG.INVALID', 'ONEVISIT_DATABASE_SCHEMA needs a postgres:// ONEVISIT_DATABASE_URL');
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(databaseSchema)) throw new OnevisitError('CONFIG.INVALID', `ONEVISIT_DATABASE_SCHEMA must be a lower-case schema name (letters, digits, _), not "${databaseSchema}"`);
  }
  const portText = env.PORT ?? '3000';
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port < 1 || port > 65535) throw new OnevisitError('CONFIG.INVALID', `PORT must be a port number (1-65535), not "${portText}"`);
  const baseUrl = env.ONEVISIT_BASE_URL || `http://localhost:${port}`;
  try {
    if (!/^https?:$/.test(new URL(baseUrl).protocol)) throw new Error('not http');
  } catch {
    throw new OnevisitError('CONFIG.INVALID', `ONEVISIT_BASE_URL must be an http(s) URL, not "${baseUrl}"`);
  }
  const demoText = (env.ONEVISIT_DEMO ?? '').toLowerCase();
  if (!['', '0', '1', 'true', 'false', 'yes', 'no', 'on', 'off'].includes(demoText)) throw new OnevisitError('CONFIG.INVALID', `ONEVISIT_DEMO must be true or false, not "${env.ONEVISIT_DEMO}"`);
  const demo = ['1', 'true', 'yes', 'on'].includes(demoText);
  return { dataDir, ...(databaseUrl ? { databaseUrl } : {}), ...(databaseSchema ? { databaseSchema } : {}), port, baseUrl: baseUrl.replace(/\/$/, ''), demo };
}
