/**
 * Accounts and sessions: adding users, signing in and out, and turning a bearer token back into the person
 * acting. Sign-in failures are one error whatever went wrong (unknown user, wrong password, disabled account),
 * and an unknown user costs the same scrypt work as a known one, so neither the answer nor its timing tells
 * which usernames exist.
 */
import { randomUUID } from 'node:crypto';
import { OnevisitError } from '../domain/errors.js';
import { createIdentityStore, type Database } from '../store/index.js';
import { checkNewUser, USERNAME_PATTERN, type NewUser, type Registration } from './newUser.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { toPrincipal, toPublicUser, type Principal, type PublicUser } from './principal.js';
import { Roles } from './roles.js';
import { csrfTokenFor, hashSessionToken, isSessionTokenShape, newSessionToken } from './tokens.js';

export const DEFAULT_SESSION_TTL_MS = 8 * 60 * 60 * 1000;

export interface IdentityOptions {
  db: Database;
  now?: () => Date;
  /** How long a session lasts from sign-in; default 8 hours (a working day at the window). */
  sessionTtlMs?: number;
  /** Department ids that exist; when given, an account naming another is refused. */
  knownDepartments?: ReadonlySet<string>;
  /**
   * How long a checked session is trusted without asking the database again (default 5 s; 0 turns it off).
   * A sign-out or a disabled account takes effect at once on this instance, on the others within this time.
   */
  sessionCacheMs?: number;
}

export interface LoginResult {
  /** The bearer token; shown once, stored only as its hash. */
  token: string;
  /** For cookie sessions: a write must echo it in the `X-CSRF-Token` header. */
  csrfToken: string;
  /** ISO 8601. */
  expiresAt: string;
  user: PublicUser;
}

export interface Identity {
  /** Throws INPUT.INVALID listing every problem, or USER.EXISTS. */
  addUser(input: NewUser): Promise<PublicUser>;
  /** Citizen self-registration: addUser with the role citizen, whatever else the input says. */
  register(input: Registration): Promise<PublicUser>;
  /** Throws AUTH.INVALID_CREDENTIALS for an unknown user, a wrong password and a disabled account alike. */
  login(username: string, password: string): Promise<LoginResult>;
  /** The person behind a token; undefined when it is unknown, expired, revoked, or the account is disabled. */
  authenticate(token: string): Promise<Principal | undefined>;
  /** Revokes the session; a token that opens nothing is ignored. */
  logout(token: string): Promise<void>;
  findUser(id: string): Promise<PublicUser | undefined>;
  listUsers(): Promise<PublicUser[]>;
  /** Disables the account and revokes its sessions; throws USER.NOT_FOUND. Disabling twice is harmless. */
  disableUser(id: string): Promise<void>;
  /** Deletes expired sessions; returns how many. */
  deleteExpiredSessions(): Promise<number>;
}

export function createIdentity(options: IdentityOptions): Identity {
  const store = createIdentityStore(options.db);
  const now = options.now ?? (() => new Date());
  const ttl = options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
  const sessionCacheMs = options.sessionCacheMs ?? 5_000;
  const sessions = new Map<string, { principal: Principal; expiresAt: number; checkedAt: number }>();
  if (!Number.isFinite(ttl) || ttl <= 0) throw new RangeError('sessionTtlMs must be a positive number of milliseconds');
  const knownDepartments = options.knownDepartments;

  // Verified against when the username is unknown, so that answer takes as long as a wrong password.
  const dummyHash = hashPassword(newSessionToken());
  dummyHash.catch(() => undefined);

  async function addUser(input: NewUser): Promise<PublicUser> {
    const checked = checkNewUser(input, { today: now(), ...(knownDepartments ? { knownDepartments } : {}) });
    if (!checked.ok) throw new OnevisitError('INPUT.INVALID', 'The account is invalid', { errors: checked.errors });
    const { value } = checked;
    if (await store.findUserByUsername(value.username)) throw new OnevisitError('USER.EXISTS');
    // A wallet is keyed by the id number: one account per person. Someone else holding it is a matter for the window.
    if (value.idNumber && (await store.findUserByIdNumber(value.idNumber))) {
      throw new OnevisitError('USER.EXISTS', 'an account with this id number exists already; if it is not yours, ask at the service centre', {
        errors: [{ path: '/idNumber', code: 'ID_NUMBER.TAKEN', message: 'belongs to an existing account' }],
      });
    }
    const record = {
      id: randomUUID(),
      username: value.username,
      passwordHash: await hashPassword(value.password),
      role: value.role,
      departments: value.departments,
      name: value.name,
      idNumber: value.idNumber,
      createdAt: now().toISOString(),
      disabledAt: null,
    };
    // The lookup above gives the common case a clear answer; the unique key settles a race.
    if (!(await store.createUser(record))) throw new OnevisitError('USER.EXISTS');
    return toPublicUser(record);
  }

  return {
    addUser,

    register(input) {
      const r: Partial<Record<keyof Registration, unknown>> = typeof input === 'object' && input !== null ? input : {};
      return addUser({ username: r.username, password: r.password, name: r.name, idNumber: r.idNumber, role: Roles.citizen } as NewUser);
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
      return { token, csrfToken: csrfTokenFor(token), expiresAt, user: toPublicUser(user) };
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
      sessions.delete(hashSessionToken(token));
      await store.revokeSession(hashSessionToken(token), now().toISOString());
    },

    async findUser(id) {
      const user = typeof id === 'string' ? await store.findUserById(id) : undefined;
      return user ? toPublicUser(user) : undefined;
    },

    async listUsers() {
      return (await store.listUsers()).map(toPublicUser);
    },

    async disableUser(id) {
      for (const [key, entry] of sessions) if (entry.principal.userId === id) sessions.delete(key);
      if (await store.disableUser(id, now().toISOString())) return;
      if (!(await store.findUserById(id))) throw new OnevisitError('USER.NOT_FOUND');
    },

    deleteExpiredSessions() {
      return store.deleteExpiredSessions(now().toISOString());
    },
  };
}
