/** The few statements that differ between SQLite and PostgreSQL. */
import type { Knex } from 'knex';
import { isPostgres } from './database.js';

/** Adds `?` (the second parameter) to the counter named by the first and returns its new value. */
export const ADD_TO_COUNTER_SQL = 'INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = counters.value + excluded.value RETURNING value';

/** Atomically increments the named counter and returns its new value (1 for a new counter). */
export async function nextCounterValue(db: Knex, name: string): Promise<number> {
  const result = await db.raw(ADD_TO_COUNTER_SQL, [name, 1]);
  const rows = (isPostgres(db) ? result.rows : result) as { value: number | string }[];
  return Number(rows[0]!.value);
}
