/**
 * SQLite's `PRAGMA synchronous` as a benchmark side runs with it: read from the connection (what
 * src/store/database.ts set, or what a benchmark set after it), so a result names the durability it was measured at.
 */
import { isPostgres, type Database } from '../src/store/index.js';

export type Synchronous = 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';
const names: Synchronous[] = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];

/** The connection's synchronous setting; undefined on PostgreSQL. */
export async function synchronousOf(db: Database): Promise<Synchronous | undefined> {
  if (isPostgres(db)) return undefined;
  const rows = (await db.raw('PRAGMA synchronous')) as { synchronous: number }[];
  const mode = names[Number(rows[0]?.synchronous)];
  if (!mode) throw new Error(`PRAGMA synchronous answered ${JSON.stringify(rows)}`);
  return mode;
}

/**
 * Sets it on the pool's one connection (SQLite: min = max = 1, never reaped) and reads it back. A connection the
 * pool made anew would have database.ts's setting again: callers read it again at the end of a measurement.
 */
export async function setSynchronous(db: Database, mode: Synchronous): Promise<Synchronous> {
  await db.raw(`PRAGMA synchronous = ${mode}`);
  const now = await synchronousOf(db);
  if (now !== mode) throw new Error(`PRAGMA synchronous = ${mode} left it ${now}`);
  return now;
}
