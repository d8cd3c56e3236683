/** The few statements that differ between SQLite and PostgreSQL. */
import type { Knex } from 'knex';
import { isPostgres } from './database.js';

export const NEXT_COUNTER_SQL = 'INSERT INTO counters (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value';

/** Atomically increments the named counter and returns its new value (1 for a new counter). */
export async function nextCounterValue(db: Knex, name: string): Promise<number> {
  const result = await db.raw(NEXT_COUNTER_SQL, [name]);
  const rows = (isPostgres(db) ? result.rows : result) as { value: number | string }[];
  return Number(rows[0]!.value);
}
