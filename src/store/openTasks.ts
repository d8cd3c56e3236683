/**
 * The `open_tasks` projection: written in each transition's transaction (`writeTasks`), read by the clerk
 * queue, claims and per-department counts through its indexes. A task's claim lives on its row, so a claim is
 * one conditional UPDATE and is gone with the task. So does `returned`: whether the task went from a clerk to the
 * applicant since it opened (a supplement asked, a matter returned), which no snapshot says once the applicant has
 * answered and the task is a clerk's again.
 */
import { OnevisitError } from '../domain/errors.js';
import type { TaskRow } from '../runtime/ports.js';
import type { Writer } from './writeTransaction.js';

/** The columns of a task row, the claim aside. */
export function taskColumns(task: TaskRow, openedAt: string): Record<string, unknown> {
  return {
    application_id: task.applicationId,
    task: task.task,
    kind: task.kind,
    party: task.party,
    department: task.department,
    matter: task.matter,
    status: task.status,
    due_at: task.dueAt,
    blue_at: task.blueAt,
    yellow_at: task.yellowAt,
    warning_level: task.warningLevel,
    due_sort: dueSort(task.dueAt),
    opened_at: openedAt,
  };
}

/** `~` sorts after every ISO instant: ascending order puts the nearest deadline first and tasks without one last. */
export function dueSort(dueAt: string | null): string {
  return dueAt ?? '~';
}

const INSERT_TASK_SQL =
  'INSERT INTO open_tasks (application_id, task, kind, party, department, matter, status, due_at, blue_at, yellow_at, warning_level, due_sort, opened_at, claimed_by, claimed_at, returned) ' +
  'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
const UPDATE_TASK_SQL =
  'UPDATE open_tasks SET kind = ?, party = ?, department = ?, matter = ?, status = ?, due_at = ?, blue_at = ?, yellow_at = ?, warning_level = ?, due_sort = ?, ' +
  'claimed_by = ?, claimed_at = ?, returned = ? WHERE application_id = ? AND task = ?';
const DELETE_TASK_SQL = 'DELETE FROM open_tasks WHERE application_id = ? AND task = ?';
const TASKS_OF_SQL = 'SELECT task, party, claimed_by, claimed_at, returned FROM open_tasks WHERE application_id = ?';

/** A new application's tasks (nobody has claimed them, none has been returned). */
export async function insertTasks(w: Writer, tasks: readonly TaskRow[], at: string): Promise<void> {
  for (const t of tasks) await w.run(INSERT_TASK_SQL, [...Object.values(taskColumns(t, at)), null, null, false]);
}

/**
 * Makes the application's rows equal `tasks`: closed tasks go, new ones come, the rest are updated with their
 * claims kept, and marked returned once they go from a clerk to the applicant. `claim` is the clerk acting on one task: refused with TASK.CLAIMED when another clerk holds it,
 * and, when the task stays open and nobody held it, taken by them.
 */
export async function writeTasks(w: Writer, applicationId: string, tasks: readonly TaskRow[], at: string, claim?: { task: string; clerkId: string }): Promise<void> {
  const existing = new Map((await w.all<{ task: string; party: string; claimed_by: string | null; claimed_at: string | null; returned: unknown }>(TASKS_OF_SQL, [applicationId])).map((r) => [String(r.task), r]));
  if (claim) {
    const holder = existing.get(claim.task)?.claimed_by;
    if (holder && holder !== claim.clerkId) {
      throw new OnevisitError('TASK.CLAIMED', `another clerk has claimed ${claim.task}; it must be released first`, { details: { task: claim.task } });
    }
  }
  const wanted = new Set(tasks.map((t) => t.task));
  for (const task of existing.keys()) if (!wanted.has(task)) await w.run(DELETE_TASK_SQL, [applicationId, task]);
  for (const t of tasks) {
    const had = existing.get(t.task);
    const takes = claim?.task === t.task && t.party === 'clerk' && !had?.claimed_by;
    const claimedBy = takes ? claim!.clerkId : (had?.claimed_by ?? null);
    const claimedAt = takes ? at : (had?.claimed_at ?? null);
    if (!had) {
      await w.run(INSERT_TASK_SQL, [...Object.values(taskColumns(t, at)), claimedBy, claimedAt, false]);
      continue;
    }
    const returned = Boolean(Number(had.returned)) || (had.party === 'clerk' && t.party === 'applicant');
    await w.run(UPDATE_TASK_SQL, [t.kind, t.party, t.department, t.matter, t.status, t.dueAt, t.blueAt, t.yellowAt, t.warningLevel, dueSort(t.dueAt), claimedBy, claimedAt, returned, applicationId, t.task]);
  }
}
