/**
 * The open-task projection (`open_tasks`): what the snapshot says is open, one row per task, carrying the
 * application's status and deadline instants so the queue, its warning filters and the per-department counts
 * read one small indexed table and never the history. Rewritten in every transition's transaction.
 */
import type { AnyMachineSnapshot } from 'xstate';
import { openTasks, statusOf, type CompiledService } from '../definitions/index.js';
import type { TaskRow, Tracking } from './ports.js';

export function taskRowsOf(applicationId: string, compiled: CompiledService, snapshot: AnyMachineSnapshot, tracking: Tracking): TaskRow[] {
  const status = statusOf(snapshot);
  return openTasks(compiled, snapshot).map((t) => ({
    applicationId,
    task: t.task,
    kind: t.kind,
    party: t.party,
    department: t.department,
    matter: t.matter ?? null,
    status,
    dueAt: tracking.dueAt,
    blueAt: tracking.blueAt,
    yellowAt: tracking.yellowAt,
    warningLevel: tracking.warningLevel,
  }));
}
