/**
 * What identity needs from storage, as interfaces (like the runtime's `ports.ts`): accounts, sessions and the
 * notices an account's owner is told at sign-in. src/store/identityStore.ts implements it; main.ts builds it once.
 * A row's role comes back as the stored string: what a role means is identity's.
 */
import type { AuditEntry } from '../domain/audit.js';

export interface UserRecord {
  id: string;
  /** Lower-case; unique. */
  username: string;
  passwordHash: string;
  role: string;
  departments: string[];
  name: string;
  /** The full resident id number, or null for accounts without one. */
  idNumber: string | null;
  createdAt: string;
  disabledAt: string | null;
}

export interface SessionRecord {
  /** SHA-256 (hex) of the bearer token. */
  tokenHash: string;
  userId: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

/** Something the owner of an account is told at their next sign-in (table `account_notices`, migration 010). */
export interface NoticeRecord {
  kind: string;
  /** How many times it happened since the owner was last told. */
  count: number;
  firstAt: string;
  lastAt: string;
}

export interface IdentityStore {
  /** Inserts the user; false (and nothing written) when the username is taken. */
  createUser(user: UserRecord): Promise<boolean>;
  findUserByUsername(username: string): Promise<UserRecord | undefined>;
  findUserById(id: string): Promise<UserRecord | undefined>;
  findUserByIdNumber(idNumber: string): Promise<UserRecord | undefined>;
  listUsers(): Promise<UserRecord[]>;
  /** Marks the user disabled and revokes their open sessions, in one transaction; false when no such enabled user. */
  disableUser(id: string, at: string): Promise<boolean>;
  /** Clears the user's disabled mark (their revoked sessions stay revoked); false when there is no such user. */
  enableUser(id: string): Promise<boolean>;
  /** Adds one occurrence of `kind` to the user's notices (one row per user and kind). */
  addNotice(userId: string, kind: string, at: string): Promise<void>;
  /** The user's notices, deleted as they are read: each is told once. */
  takeNotices(userId: string): Promise<NoticeRecord[]>;
  insertSession(session: SessionRecord): Promise<void>;
  /** The session with its user, whatever their state (revoked, expired, disabled): the caller decides. */
  findSession(tokenHash: string): Promise<{ session: SessionRecord; user: UserRecord } | undefined>;
  /**
   * False when there was no open session to revoke. `audit` (the sign-out) is appended to the audit trail in the
   * same transaction, only when a session was revoked.
   */
  revokeSession(tokenHash: string, at: string, audit?: AuditEntry): Promise<boolean>;
  /** Deletes the sessions that expired before `before`; returns how many. */
  deleteExpiredSessions(before: string): Promise<number>;
}
