/**
 * Accounts and sessions: adding users, signing in and out, and turning a bearer token back into the person
 * acting. Sign-in failures are one error whatever went wrong (unknown user, wrong password, disabled account),
 * and an unknown user costs the same scrypt work as a known one, so neither the answer nor its timing tells
 * which usernames exist. Self-registration is answered the same way whether or not an account stands in the
 * way (see `register`), and disabling an account ends its sessions at once, on every instance.
 */
import { randomUUID } from 'node:crypto';
import { AuditKinds } from '../domain/audit.js';
import { OnevisitError } from '../domain/errors.js';
import type { IdentityStore, NoticeRecord, UserRecord } from './ports.js';
import { checkNewUser, USERNAME_PATTERN, type CheckedNewUser, type NewUser, type Registration } from './newUser.js';
import { hashPassword, PASSWORD_MIN_LENGTH, PASSWORD_RULE_CODES, verifyPassword, type CommonPasswords } from './passwords.js';
import { toAccount, toPrincipal, toPublicUser, type Account, type Principal, type PublicUser } from './principal.js';
import { Roles } from './roles.js';
import { csrfTokenFor, hashSessionToken, isSessionTokenShape, newSessionToken } from './tokens.js';

export const DEFAULT_SESSION_TTL_MS = 8 * 60 * 60 * 1000;

export interface IdentityOptions {
  /** Accounts and sessions (src/store/identityStore.ts, built once by main.ts). */
  store: IdentityStore;
  /** The passwords the password rule refuses (`readCommonPasswords`, from the file the catalog names). */
  commonPasswords: CommonPasswords;
  now?: () => Date;
  /** How long a session lasts from sign-in; default 8 hours (a working day at the window). */
  sessionTtlMs?: number;
  /** The department ids that exist now (admins add departments); when given, an account naming another is refused. */
  knownDepartments?: () => Promise<ReadonlySet<string>>;
  /**
   * How long a checked session is trusted without asking the database again. Default 0: every request asks
   * the database, so a sign-out or a disabled account takes effect at once on every instance. With a cache it
   * takes effect at once on the instance that did it, and on the others only within this time.
   */
  sessionCacheMs?: number;
}

/** Something the owner of an account is told at their next sign-in (once). */
export interface AccountNotice {
  /** `REGISTRATION.ID_NUMBER_USED`: someone registered (or tried to) with this account's resident id number. */
  code: string;
  /** How many times since the owner was last told. */
  count: number;
  /** ISO 8601: the first and the last time. */
  firstAt: string;
  lastAt: string;
  message: string;
}

/**
 * What a self-registration did. For the server's own records (logs, the audit trail) only: the HTTP answer is
 * the same whatever happened, so registering reveals nothing about which accounts exist.
 */
export type RegistrationOutcome =
  | { created: true; user: PublicUser }
  | {
      created: false;
      /** The id number has an account (whose owner is told at their next sign-in), or the username is taken. */
      reason: 'id-number-taken' | 'username-taken';
      /** The account that stood in the way, when known. */
      existingUserId?: string;
    };

export const NOTICE_ID_NUMBER_USED = 'REGISTRATION.ID_NUMBER_USED';

export interface LoginResult {
  /** The bearer token; shown once, stored only as its hash. */
  token: string;
  /** For cookie sessions: a write must echo it in the `X-CSRF-Token` header. */
  csrfToken: string;
  /** ISO 8601. */
  expiresAt: string;
  user: PublicUser;
  /** What the owner is to be told since they last signed in (each notice is given once); usually none. */
  notices: AccountNotice[];
}

export interface Identity {
  /** Throws INPUT.INVALID listing every problem, or USER.EXISTS. */
  addUser(input: NewUser): Promise<PublicUser>;
  /**
   * Citizen self-registration: the account of `addUser` with the role citizen, whatever else the input says.
   * Throws for invalid input (INPUT.INVALID, PASSWORD.WEAK) exactly as addUser does, which depends on the
   * input alone. An account in the way is no error: when the resident id number has an account, nothing is
   * created and that account's owner is told at their next sign-in; when the username is taken, nothing is
   * created. The password is hashed either way, so the time taken does not tell either.
   */
  register(input: Registration): Promise<RegistrationOutcome>;
  /** Throws AUTH.INVALID_CREDENTIALS for an unknown user, a wrong password and a disabled account alike. */
  login(username: string, password: string): Promise<LoginResult>;
  /** The person behind a token; undefined when it is unknown, expired, revoked, or the account is disabled. */
  authenticate(token: string): Promise<Principal | undefined>;
  /**
   * Revokes the session and records the sign-out in the audit trail, in one transaction; a token that opens
   * nothing (unknown, or revoked already) is ignored and recorded nowhere.
   */
  logout(token: string): Promise<void>;
  findUser(id: string): Promise<PublicUser | undefined>;
  /** The account of a username (any case), disabled or not. */
  findAccountByUsername(username: string): Promise<Account | undefined>;
  /** Every account, with whether it is disabled. */
  listUsers(): Promise<Account[]>;
  /**
   * Disables the account and revokes its sessions (they stop working on the next request, on every instance);
   * throws USER.NOT_FOUND. Disabling twice is harmless. Who may disable whom is the policy's (`requireMayDisable`).
   */
  disableUser(id: string): Promise<Account>;
  /** Lets the account sign in again (sessions revoked by disabling stay revoked); throws USER.NOT_FOUND. */
  enableUser(id: string): Promise<Account>;
  /** Deletes expired sessions; returns how many. */
  deleteExpiredSessions(): Promise<number>;
}

export function createIdentity(options: IdentityOptions): Identity {
  const store = options.store;
  const now = options.now ?? (() => new Date());
  const ttl = options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
  const sessionCacheMs = options.sessionCacheMs ?? 0;
  const sessions = new Map<string, { principal: Principal; expiresAt: number; checkedAt: number }>();
  if (!Number.isFinite(ttl) || ttl <= 0) throw new RangeError('sessionTtlMs must be a positive number of milliseconds');
  const knownDepartments = options.knownDepartments;

  // Verified against when the username is unknown, so that answer takes as long as a wrong password.
  const dummyHash = hashPassword(newSessionToken());
  dummyHash.catch(() => undefined);

  /** The account, checked: PASSWORD.WEAK when the password rule is its only problem, INPUT.INVALID (with them all) otherwise. */
  async function check(input: NewUser): Promise<CheckedNewUser> {
    const checked = checkNewUser(input, { today: now(), commonPasswords: options.commonPasswords, ...(knownDepartments ? { knownDepartments: await knownDepartments() } : {}) });
    if (checked.ok) return checked.value;
    if (checked.errors.every((e) => PASSWORD_RULE_CODES.has(e.code))) {
      throw new OnevisitError('PASSWORD.WEAK', `a password has at least ${PASSWORD_MIN_LENGTH} characters and is not one of the most common passwords`, { errors: checked.errors });
    }
    throw new OnevisitError('INPUT.INVALID', 'The account is invalid', { errors: checked.errors });
  }

  const recordOf = (value: CheckedNewUser, passwordHash: string): UserRecord => ({
    id: randomUUID(),
    username: value.username,
    passwordHash,
    role: value.role,
    departments: value.departments,
    name: value.name,
    idNumber: value.idNumber,
    createdAt: now().toISOString(),
    disabledAt: null,
  });

  async function addUser(input: NewUser): Promise<PublicUser> {
    const value = await check(input);
    if (await store.findUserByUsername(value.username)) throw new OnevisitError('USER.EXISTS');
    // A wallet is keyed by the id number: one account per person. Someone else holding it is a matter for the window.
    if (value.idNumber && (await store.findUserByIdNumber(value.idNumber))) {
      throw new OnevisitError('USER.EXISTS', 'an account with this id number exists already; if it is not yours, ask at the service centre', {
        errors: [{ path: '/idNumber', code: 'ID_NUMBER.TAKEN', message: 'belongs to an existing account' }],
      });
    }
    const record = recordOf(value, await hashPassword(value.password));
    // The lookup above gives the common case a clear answer; the unique key settles a race.
    if (!(await store.createUser(record))) throw new OnevisitError('USER.EXISTS');
    return toPublicUser(record);
  }

  return {
    addUser,

    async register(input) {
      const r: Partial<Record<keyof Registration, unknown>> = typeof input === 'object' && input !== null ? input : {};
      const value = await check({ username: r.username, password: r.password, name: r.name, idNumber: r.idNumber, role: Roles.citizen } as NewUser);
      // The same work whatever is in the way: both lookups and the hash, every time.
      const [passwordHash, byIdNumber, byUsername] = await Promise.all([
        hashPassword(value.password),
        value.idNumber === null ? undefined : store.findUserByIdNumber(value.idNumber),
        store.findUserByUsername(value.username),
      ]);
      const idNumberTaken = async (owner: UserRecord): Promise<RegistrationOutcome> => {
        await store.addNotice(owner.id, NOTICE_ID_NUMBER_USED, now().toISOString());
        return { created: false, reason: 'id-number-taken', existingUserId: owner.id };
      };
      if (byIdNumber) return idNumberTaken(byIdNumber);
      if (byUsername) return { created: false, reason: 'username-taken', existingUserId: byUsername.id };
      const record = recordOf(value, passwordHash);
      if (await store.createUser(record)) return { created: true, user: toPublicUser(record) };
      // Someone registered the same id number or username in the meantime: the unique keys settled it.
      const owner = value.idNumber === null ? undefined : await store.findUserByIdNumber(value.idNumber);
      if (owner) return idNumberTaken(owner);
      const holder = await store.findUserByUsername(value.username);
      return { created: false, reason: 'username-taken', ...(holder ? { existingUserId: holder.id } : {}) };
    },

    async login(username, password) {
      const name = typeof username === 'string' && USERNAME_PATTERN.test(username) ? username.toLowerCase() : undefined;
      const user = name === undefined ? undefined : await store.findUserByUsername(name);
      const matches = await verifyPassword(typeof password === 'string' ? password : '', user?.passwordHash ?? (await dummyHash));
      if (!user || !matches || user.disabledAt !== null) throw new OnevisitError('AUTH.INVALID_CREDENTIALS');
      const token = newSessionToken();
      const at = now();
      const expiresAt = new Date(at.getTime() + ttl).toISOString();
      await store.insertSession({ tokenHash: hashSessionToken(token), userId: user.id, createdAt: at.toISOString(), expiresAt, revokedAt: null });
      const notices = (await store.takeNotices(user.id)).map(noticeOf);
      return { token, csrfToken: csrfTokenFor(token), expiresAt, user: toPublicUser(user), notices };
    },

    async authenticate(token) {
      if (!isSessionTokenShape(token)) return undefined;
      const tokenHash = hashSessionToken(token);
      const at = now().getTime();
      const hit = sessions.get(tokenHash);
      if (hit && hit.checkedAt + sessionCacheMs > at && hit.expiresAt > at && hit.checkedAt <= at) return hit.principal;
      sessions.delete(tokenHash);
      const found = await store.findSession(tokenHash);
      if (!found) return undefined;
      const { session, user } = found;
      if (session.revokedAt !== null || user.disabledAt !== null) return undefined;
      const expiresAt = Date.parse(session.expiresAt);
      if (!(expiresAt > at)) return undefined;
      const principal = toPrincipal(user);
      if (sessionCacheMs > 0) {
        if (sessions.size >= 10_000) sessions.delete(sessions.keys().next().value!);
        sessions.set(tokenHash, { principal, expiresAt, checkedAt: at });
      }
      return principal;
    },

    async logout(token) {
      if (!isSessionTokenShape(token)) return;
      const tokenHash = hashSessionToken(token);
      sessions.delete(tokenHash);
      const found = await store.findSession(tokenHash);
      if (!found || found.session.revokedAt !== null) return;
      const at = now().toISOString();
      const { user } = found;
      // Who signed out, never the token: the session is named by nothing the trail could be used to open.
      await store.revokeSession(tokenHash, at, { at, kind: AuditKinds.signOut, actor: { kind: user.role, id: user.id }, subject: { kind: 'user', id: user.id }, detail: { sessionCreatedAt: found.session.createdAt } });
    },

    async findUser(id) {
      const user = typeof id === 'string' ? await store.findUserById(id) : undefined;
      return user ? toPublicUser(user) : undefined;
    },

    async findAccountByUsername(username) {
      const name = typeof username === 'string' && USERNAME_PATTERN.test(username) ? username.toLowerCase() : undefined;
      const user = name === undefined ? undefined : await store.findUserByUsername(name);
      return user ? toAccount(user) : undefined;
    },

    async listUsers() {
      return (await store.listUsers()).map(toAccount);
    },

    async disableUser(id) {
      for (const [key, entry] of sessions) if (entry.principal.userId === id) sessions.delete(key);
      const found = typeof id === 'string' ? await store.findUserById(id) : undefined;
      if (!found) throw new OnevisitError('USER.NOT_FOUND', 'no such account');
      await store.disableUser(id, now().toISOString());
      return toAccount((await store.findUserById(id)) ?? found);
    },

    async enableUser(id) {
      if (typeof id !== 'string' || !(await store.enableUser(id))) throw new OnevisitError('USER.NOT_FOUND', 'no such account');
      return toAccount((await store.findUserById(id))!);
    },

    deleteExpiredSessions() {
      return store.deleteExpiredSessions(now().toISOString());
    },
  };
}

function noticeOf(notice: NoticeRecord): AccountNotice {
  const times = notice.count === 1 ? 'once' : `${notice.count} times`;
  const message =
    notice.kind === NOTICE_ID_NUMBER_USED
      ? `Someone tried to register a new account with your resident id number (${times}, last at ${notice.lastAt}); no account was created. If it was not you, tell the service centre.`
      : `${notice.kind} (${times}, last at ${notice.lastAt})`;
  return { code: notice.kind, count: notice.count, firstAt: notice.firstAt, lastAt: notice.lastAt, message };
}
