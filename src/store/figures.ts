/** The dashboard's per-day counters (`figures`), added to in the transaction of whatever changes them. */
import type { FigureDelta } from '../runtime/ports.js';
import type { Writer } from './writeTransaction.js';

const ADD_FIGURE_SQL =
  'INSERT INTO figures (day, service_id, name, value) VALUES (?, ?, ?, ?) ON CONFLICT (day, service_id, name) DO UPDATE SET value = figures.value + excluded.value';

/** Adds the deltas, summed per figure first and in one order, so concurrent transactions lock figure rows alike. */
export async function addFigures(w: Writer, deltas: readonly FigureDelta[]): Promise<void> {
  const sums = new Map<string, FigureDelta>();
  for (const d of deltas) {
    const key = `${d.day}\u0000${d.serviceId}\u0000${d.name}`;
    sums.set(key, { ...d, value: (sums.get(key)?.value ?? 0) + d.value });
  }
  for (const key of [...sums.keys()].sort()) {
    const d = sums.get(key)!;
    await w.run(ADD_FIGURE_SQL, [d.day, d.serviceId, d.name, d.value]);
  }
}
