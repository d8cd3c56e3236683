/**
 * Checking a new account before it is created. Pure: every problem comes back as an Issue at its JSON Pointer,
 * all at once, so a form or the CLI can show them together. Input is treated as unknown (it may be a request
 * body) until it has passed.
 */
import type { Issue, IssueCode } from '../domain/errors.js';
import { isResidentIdNumber, normalizeResidentIdNumber } from '../domain/ids.js';
import { checkPassword, type CommonPasswords } from './passwords.js';
import { isRole, Roles, type Role } from './roles.js';

export interface NewUser {
  username: string;
  password: string;
  role: Role;
  departments?: string[];
  name?: string;
  idNumber?: string;
}

/** Citizen self-registration (POST /auth/register). */
export interface Registration {
  username: string;
  password: string;
  name: string;
  idNumber: string;
}

/** A new account that passed every check, in canonical form. */
export interface CheckedNewUser {
  /** Lower-cased: usernames are case-insensitive. */
  username: string;
  password: string;
  role: Role;
  departments: string[];
  /** Trimmed; a staff account without a name is named after its username. */
  name: string;
  /** Normalised (a lower-case check character `x` becomes `X`). */
  idNumber: string | null;
}

export type NewUserCheck = { ok: true; value: CheckedNewUser } | { ok: false; errors: Issue[] };

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{2,63}$/i;
const NAME_MAX_LENGTH = 128;

export interface NewUserContext {
  /** Department ids that exist; when absent, departments are not checked against a catalog. */
  knownDepartments?: ReadonlySet<string>;
  /** For the resident id number's birth date (not in the future). */
  today: Date;
  /** The passwords the password rule refuses. */
  commonPasswords: CommonPasswords;
}

export function checkNewUser(input: unknown, context: NewUserContext): NewUserCheck {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: [issue('', 'INPUT.TYPE', 'the account must be an object')] };
  }
  const raw = input as Record<string, unknown>;
  const errors: Issue[] = [];

  const username = raw.username;
  if (typeof username !== 'string' || username === '') errors.push(issue('/username', 'USERNAME.REQUIRED', 'a username is required'));
  else if (!USERNAME_PATTERN.test(username)) {
    errors.push(issue('/username', 'USERNAME.INVALID', "a username has 3–64 letters, digits, '.', '_' or '-', and starts with a letter or digit"));
  }

  errors.push(...checkPassword(raw.password, context.commonPasswords, '/password'));

  const role = raw.role;
  if (!isRole(role)) errors.push(issue('/role', 'ROLE.UNKNOWN', `the role must be one of ${Object.values(Roles).join(', ')}`));

  const departments = checkDepartments(raw.departments, role, context.knownDepartments, errors);
  const name = checkName(raw.name, role, errors);
  const idNumber = checkIdNumber(raw.idNumber, role, context.today, errors);

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      username: (username as string).toLowerCase(),
      password: raw.password as string,
      role: role as Role,
      departments,
      name: name ?? (username as string).toLowerCase(),
      idNumber,
    },
  };
}

function checkDepartments(value: unknown, role: unknown, known: ReadonlySet<string> | undefined, errors: Issue[]): string[] {
  if (value !== undefined && !Array.isArray(value)) {
    errors.push(issue('/departments', 'DEPARTMENTS.INVALID', 'departments must be a list of department ids'));
    return [];
  }
  const list: unknown[] = value ?? [];
  const departments: string[] = [];
  list.forEach((department, i) => {
    if (typeof department !== 'string' || department === '') {
      errors.push(issue(`/departments/${i}`, 'DEPARTMENT.INVALID', 'a department is named by its id'));
    } else if (known && !known.has(department)) {
      errors.push(issue(`/departments/${i}`, 'DEPARTMENT.UNKNOWN', `there is no department "${department}"`));
    } else if (!departments.includes(department)) departments.push(department);
  });
  if (role === Roles.clerk && list.length === 0) {
    errors.push(issue('/departments', 'DEPARTMENTS.REQUIRED', 'a clerk works for at least one department'));
  }
  if (role === Roles.citizen && list.length > 0) {
    errors.push(issue('/departments', 'DEPARTMENTS.NOT_ALLOWED', 'a citizen belongs to no department'));
  }
  return departments;
}

function checkName(value: unknown, role: unknown, errors: Issue[]): string | undefined {
  if (value === undefined || value === '') {
    if (role === Roles.citizen) errors.push(issue('/name', 'NAME.REQUIRED', 'a citizen account needs the holder’s name'));
    return undefined;
  }
  const name = typeof value === 'string' ? value.trim() : '';
  const length = Array.from(name).length;
  if (length === 0 || length > NAME_MAX_LENGTH || /\p{Cc}/u.test(name)) {
    errors.push(issue('/name', 'NAME.INVALID', `a name has 1–${NAME_MAX_LENGTH} printable characters`));
    return undefined;
  }
  return name;
}

function checkIdNumber(value: unknown, role: unknown, today: Date, errors: Issue[]): string | null {
  if (value === undefined || value === '') {
    if (role === Roles.citizen) errors.push(issue('/idNumber', 'ID_NUMBER.REQUIRED', 'a citizen account needs the holder’s resident id number'));
    return null;
  }
  if (typeof value !== 'string' || !isResidentIdNumber(value, today)) {
    // The message never repeats the number: issues end up in logs.
    errors.push(issue('/idNumber', 'ID_NUMBER.INVALID', 'not a valid 18-character resident id number (check the last character)'));
    return null;
  }
  return normalizeResidentIdNumber(value);
}

const issue = (path: string, code: IssueCode, message: string): Issue => ({ path, code, message });
