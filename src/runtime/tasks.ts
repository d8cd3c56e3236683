/**
 * The open-task projection (`open_tasks`): what the snapshot says is open, one row per task, carrying the
 * application's status and deadline instants so the queue, its warning filters and the per-department counts
 * read one small indexed table and never the history. Rewritten in every transition's transaction.
 *
 * A completed application still has work when it holds commitments (告知承诺): each is checked afterwards by the
 * department its definition names, within that many working days of completion — a task of its own, with its own
 * deadline, written by the completing transition and closed when the commitment is confirmed or found false.
 */
import type { AnyMachineSnapshot } from 'xstate';
import type { WorkingCalendar } from '../domain/calendar.js';
import { openTasks, statusOf, type ApplicationContext, type CompiledService } from '../definitions/index.js';
import { deadlineOf, parseClockRecord, warningThresholdsOf } from './deadline.js';
import type { TaskRow, Tracking } from './ports.js';

export function taskRowsOf(applicationId: string, compiled: CompiledService, snapshot: AnyMachineSnapshot, tracking: Tracking, calendar: WorkingCalendar): TaskRow[] {
  const status = statusOf(snapshot);
  const rows: TaskRow[] = openTasks(compiled, snapshot).map((t) => ({
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
  return status === 'completed' ? [...rows, ...postCheckRows(applicationId, compiled, snapshot, tracking, calendar)] : rows;
}

/** The task key of a commitment's post-check. */
export const postCheckTask = (materialId: string) => `postcheck:${materialId}`;

function postCheckRows(applicationId: string, compiled: CompiledService, snapshot: AnyMachineSnapshot, tracking: Tracking, calendar: WorkingCalendar): TaskRow[] {
  const completedAt = parseClockRecord(JSON.parse(tracking.clock)).stoppedAt;
  if (completedAt === undefined) return [];
  const given = (snapshot.context as ApplicationContext).materials;
  const thresholds = warningThresholdsOf(compiled.definition);
  return compiled.definition.materials.flatMap((m) => {
    if (!m.postCheck || given[m.id]?.source !== 'commitment') return [];
    const deadline = deadlineOf({ startedAt: completedAt, pauses: [] }, m.postCheck.days, 0, thresholds, calendar);
    return [
      {
        applicationId,
        task: postCheckTask(m.id),
        kind: 'postcheck' as const,
        party: 'clerk' as const,
        department: m.postCheck.department,
        matter: null,
        status: 'completed' as const,
        dueAt: deadline.dueAt ?? null,
        blueAt: deadline.blueAt ?? null,
        yellowAt: deadline.yellowAt ?? null,
        warningLevel: 'none' as const,
      },
    ];
  });
}
