/** The `counters` table as the certificates module's `Counters` port (unified social credit code sequences). */
import type { Counters } from '../certificates/ports.js';
import type { Database } from './database.js';
import { nextCounterValue } from './dialect.js';

export function createCounters(db: Database): Counters {
  return { next: (name) => nextCounterValue(db, name) };
}
