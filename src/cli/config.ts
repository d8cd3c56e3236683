/** Configuration from the environment (docs/operations.md); a bad value stops the start with a message naming it. */
import { isIP } from 'node:net';
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
  /**
   * Whose X-Forwarded-For is believed (ONEVISIT_TRUST_PROXY), as express's `trust proxy`: false (the default:
   * the client is the connection's peer), a hop count, or addresses, subnets and `loopback`/`linklocal`/`uniquelocal`.
   */
  trustProxy: false | number | string[];
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
  const trustProxy = readTrustProxy(env.ONEVISIT_TRUST_PROXY);
  return { dataDir, ...(databaseUrl ? { databaseUrl } : {}), ...(databaseSchema ? { databaseSchema } : {}), port, baseUrl: baseUrl.replace(/\/$/, ''), demo, trustProxy };
}

const NAMED_SUBNETS = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * ONEVISIT_TRUST_PROXY: unset, empty, `false` or `0` trusts no proxy; `1`…`99` the nearest hops; otherwise a comma
 * separated list of addresses (`10.0.0.2`), subnets (`10.0.0.0/8`, `fd00::/8`, `10.0.0.0/255.0.0.0`) and the
 * names express knows. `true` (believe whatever any client claims) is refused.
 */
function readTrustProxy(text: string | undefined): false | number | string[] {
  const value = (text ?? '').trim();
  if (['', 'false', 'off', 'no', '0'].includes(value.toLowerCase())) return false;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > 99) throw new OnevisitError('CONFIG.INVALID', `ONEVISIT_TRUST_PROXY must be a hop count from 1 to 99, not "${value}"`);
    return hops;
  }
  if (['true', 'on', 'yes'].includes(value.toLowerCase())) {
    throw new OnevisitError('CONFIG.INVALID', `ONEVISIT_TRUST_PROXY=${value} would believe any client's X-Forwarded-For: give the number of proxies in front (e.g. 1) or their addresses`);
  }
  const entries = value.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    if (!NAMED_SUBNETS.has(entry) && !isAddressOrSubnet(entry)) {
      throw new OnevisitError('CONFIG.INVALID', `ONEVISIT_TRUST_PROXY must be a hop count or a comma-separated list of addresses, subnets, loopback, linklocal or uniquelocal; "${entry}" is none of these`);
    }
  }
  return entries;
}

function isAddressOrSubnet(entry: string): boolean {
  const [address = '', range, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (range === undefined) return true;
  if (/^\d{1,3}$/.test(range)) return Number(range) <= (family === 4 ? 32 : 128);
  // An IPv4 netmask, as express accepts: contiguous ones.
  if (family !== 4 || isIP(range) !== 4) return false;
  const bits = range.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  return /^1*0*$/.test(bits.toString(2).padStart(32, '0'));
}
