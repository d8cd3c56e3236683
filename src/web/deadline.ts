/**
 * A deadline as pages show it: the due date, the working days left counted on the working-day calendar (Asia/Shanghai,
 * holidays and make-up days), and the warning level the use case computed. Counted on the server, never in the browser.
 */
import { DAY_MS, type WarningLevel, type WorkingCalendar } from '../domain/calendar.js';

export interface Deadline {
  dueAt: string | null;
  /** Rounded up (1.2 left is 2); negative once overdue; null without a running deadline (before acceptance, paused, decided). */
  workingDaysLeft: number | null;
  warning: WarningLevel;
}

export function deadlineOf(dueAt: string | null, warning: WarningLevel, time: { now: () => Date; calendar: () => WorkingCalendar }): Deadline {
  if (!dueAt) return { dueAt: null, workingDaysLeft: null, warning };
  const left = time.calendar().workingMsBetween(time.now(), new Date(dueAt)) / DAY_MS;
  return { dueAt, workingDaysLeft: left >= 0 ? Math.ceil(left) : Math.floor(left), warning };
}
