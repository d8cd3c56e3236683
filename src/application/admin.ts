/** Administration: accounts, the working-day calendar, and the dashboard's numbers. */
import { AuditKinds, type AuditKind, type AuditLog, type AuditSubject } from '../domain/audit.js';
import { OnevisitError, type Issue } from '../domain/errors.js';
import { parseCalendarData, type CalendarData } from '../domain/calendar.js';
import type { Identity, NewUser } from '../identity/index.js';
import { requireCapability, requireMayDisable, type Subject } from '../identity/policy.js';
import type { ApplicationQueries } from '../store/applicationQueries.js';
import { checkInput } from './input.js';
import { computeMetrics } from './metrics.js';

/** The calendar as admins edit it; saving a year makes the engine count with it at once. */
export interface CalendarAdmin {
  years(): Promise<CalendarData[]>;
  saveYear(data: CalendarData): Promise<void>;
}

export interface AdminDeps {
  identity: Identity;
  calendar: CalendarAdmin;
  queries: ApplicationQueries;
  now: () => Date;
  /** Where account and calendar changes are recorded. */
  audit?: AuditLog;
}

export function createAdminUseCases({ identity, calendar, queries, now, audit }: AdminDeps) {
  const record = (subject: Subject, kind: AuditKind, on: AuditSubject, detail: Record<string, unknown>) =>
    audit?.append({ at: now().toISOString(), kind, actor: { kind: subject.role, id: subject.userId }, subject: on, detail });
  return {
    async listUsers(subject: Subject) {
      requireCapability(subject, 'user.manage');
      return identity.listUsers();
    },

    async addUser(subject: Subject, body: unknown) {
      requireCapability(subject, 'user.manage');
      const user = await identity.addUser(checkInput<NewUser>('NewUser', body));
      await record(subject, AuditKinds.userAdded, { kind: 'user', id: user.id }, { username: user.username, role: user.role, departments: user.departments, idNumberMasked: user.idNumberMasked });
      return user;
    },

    /** Disables an account (not the admin's own) and ends its sessions at once; USER.NOT_FOUND for an unknown id. */
    async disableUser(subject: Subject, userId: string) {
      requireMayDisable(subject, userId);
      const account = await identity.disableUser(userId);
      await record(subject, AuditKinds.userDisabled, { kind: 'user', id: account.id }, { username: account.username });
      return account;
    },

    /** Lets a disabled account sign in again; its old sessions stay ended. Enabling an enabled account is harmless. */
    async enableUser(subject: Subject, userId: string) {
      requireCapability(subject, 'user.enable');
      const account = await identity.enableUser(userId);
      await record(subject, AuditKinds.userEnabled, { kind: 'user', id: account.id }, { username: account.username });
      return account;
    },

    async calendar(subject: Subject, yearText: string) {
      requireCapability(subject, 'calendar.edit');
      const year = parseYear(yearText);
      const found = (await calendar.years()).find((y) => y.year === year);
      if (!found) throw new OnevisitError('ROUTE.NOT_FOUND', `no calendar for ${year}`);
      return found;
    },

    async saveCalendar(subject: Subject, yearText: string, body: unknown) {
      requireCapability(subject, 'calendar.edit');
      const year = parseYear(yearText);
      let data: CalendarData;
      try {
        data = parseCalendarData(body);
      } catch (error) {
        const issues = (error as { errors?: Issue[] }).errors;
        throw new OnevisitError('CALENDAR.INVALID', (error as Error).message, issues ? { errors: [...issues] } : {});
      }
      if (data.year !== year) {
        throw new OnevisitError('CALENDAR.INVALID', `the body is the calendar of ${data.year}, not ${year}`, { errors: [{ path: '/year', code: 'CALENDAR.YEAR', message: `must be ${year}` }] });
      }
      await calendar.saveYear(data);
      await record(subject, AuditKinds.calendarSaved, { kind: 'calendar', id: String(year) }, { year, holidays: data.holidays.length, workingWeekends: data.workingWeekends.length });
      return data;
    },

    /** The period's figures (`from`, `to`: China Standard Time days) and the work in progress now. */
    async metrics(subject: Subject, query: unknown = {}) {
      requireCapability(subject, 'metrics.read');
      const period = checkInput<{ from?: string; to?: string }>('MetricsPeriod', query ?? {});
      if (period.from && period.to && period.from > period.to) {
        throw new OnevisitError('INPUT.INVALID', 'the period ends before it begins', { errors: [{ path: '/to', code: 'INPUT.RANGE', message: `must not be before ${period.from}` }] });
      }
      const at = now();
      const [figures, inProgress, departments, effects] = await Promise.all([queries.figures(period), queries.inProgress(at), queries.tasksByDepartment(at), queries.effectsWaiting()]);
      return computeMetrics({ period: { from: period.from ?? null, to: period.to ?? null }, figures, inProgress, departments, effects }, at);
    },
  };
}

export type AdminUseCases = ReturnType<typeof createAdminUseCases>;

function parseYear(text: string): number {
  if (!/^\d{4}$/.test(text)) throw new OnevisitError('INPUT.INVALID', 'the year is four digits', { errors: [{ path: '/year', code: 'INPUT.FORMAT', message: 'must be a year like 2026' }] });
  return Number(text);
}
