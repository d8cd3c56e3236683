/**
 * Users and sessions: all of their SQL, behind identity's `IdentityStore` port (src/identity/ports.ts). Rows are
 * checked as they are read (a user's departments are JSON in the database); the meaning of a role is the identity
 * module's, so it comes back as the stored string.
 */
import type { IdentityStore, SessionRecord, UserRecord } from '../identity/ports.js';
import { appendAudit } from './audit.js';
import type { Database } from './database.js';
import { writeTransaction } from './writeTransaction.js';

type Row = Record<string, unknown>;

const USER_COLUMNS = ['id', 'username', 'password_hash', 'role', 'departments', 'name', 'id_number', 'created_at', 'disabled_at'];
const SESSION_COLUMNS = ['token_hash', 'user_id', 'created_at', 'expires_at', 'revoked_at'];
const REVOKE_SESSION_SQL = 'UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL';

export function createIdentityStore(db: Database): IdentityStore {
  return {
    async createUser(user) {
      try {
        await db('users').insert(userToRow(user));
        return true;
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },

    async findUserByUsername(username) {
      const row = await db('users').where({ username }).first();
      return row ? userFromRow(row) : undefined;
    },

    async findUserByIdNumber(idNumber) {
      const row = await db('users').where({ id_number: idNumber }).first();
      return row ? userFromRow(row) : undefined;
    },

    async findUserById(id) {
      const row = await db('users').where({ id }).first();
      return row ? userFromRow(row) : undefined;
    },

    async listUsers() {
      const rows = await db('users').orderBy('username');
      return rows.map(userFromRow);
    },

    async disableUser(id, at) {
      return db.transaction(async (tx) => {
        const changed = await tx('users').where({ id }).whereNull('disabled_at').update({ disabled_at: at });
        if (changed !== 1) return false;
        await tx('sessions').where({ user_id: id }).whereNull('revoked_at').update({ revoked_at: at });
        return true;
      });
    },

    async enableUser(id) {
      const changed = await db('users').where({ id }).update({ disabled_at: null });
      return changed === 1;
    },

    async addNotice(userId, kind, at) {
      await db('account_notices')
        .insert({ user_id: userId, kind, count: 1, first_at: at, last_at: at })
        .onConflict(['user_id', 'kind'])
        .merge({ count: db.raw('?? + 1', ['account_notices.count']), last_at: at });
    },

    async takeNotices(userId) {
      // Most sign-ins have none: one read, and a transaction only when there is something to take.
      if (!(await db('account_notices').where({ user_id: userId }).first('kind'))) return [];
      return db.transaction(async (tx) => {
        const rows: Row[] = await tx('account_notices').where({ user_id: userId }).orderBy('kind');
        if (rows.length > 0) await tx('account_notices').where({ user_id: userId }).delete();
        return rows.map((row) => ({ kind: String(row.kind), count: Number(row.count), firstAt: String(row.first_at), lastAt: String(row.last_at) }));
      });
    },

    async insertSession(session) {
      await db('sessions').insert({
        token_hash: session.tokenHash,
        user_id: session.userId,
        created_at: session.createdAt,
        expires_at: session.expiresAt,
        revoked_at: session.revokedAt,
      });
    },

    async findSession(tokenHash) {
      const row: Row | undefined = await db('sessions as s')
        .join('users as u', 'u.id', 's.user_id')
        .where('s.token_hash', tokenHash)
        .first([...SESSION_COLUMNS.map((c) => `s.${c} as s_${c}`), ...USER_COLUMNS.map((c) => `u.${c} as u_${c}`)]);
      if (!row) return undefined;
      return { session: sessionFromRow(unprefix(row, 's_')), user: userFromRow(unprefix(row, 'u_')) };
    },

    async revokeSession(tokenHash, at, audit) {
      return writeTransaction(db, async (w) => {
        if ((await w.run(REVOKE_SESSION_SQL, [at, tokenHash])) !== 1) return false;
        if (audit) await appendAudit(w, [audit]);
        return true;
      });
    },

    async deleteExpiredSessions(before) {
      return db('sessions').where('expires_at', '<', before).delete();
    },
  };
}

/** A unique-key violation: PostgreSQL's SQLSTATE 23505, SQLite's SQLITE_CONSTRAINT "UNIQUE constraint failed". */
function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (e.code === '23505') return true;
  return e.code === 'SQLITE_CONSTRAINT' && typeof e.message === 'string' && /UNIQUE constraint failed/.test(e.message);
}

function unprefix(row: Row, prefix: string): Row {
  const out: Row = {};
  for (const [key, value] of Object.entries(row)) if (key.startsWith(prefix)) out[key.slice(prefix.length)] = value;
  return out;
}

function userToRow(user: UserRecord): Row {
  return {
    id: user.id,
    username: user.username,
    password_hash: user.passwordHash,
    role: user.role,
    departments: JSON.stringify(user.departments),
    name: user.name,
    id_number: user.idNumber,
    created_at: user.createdAt,
    disabled_at: user.disabledAt,
  };
}

function userFromRow(row: Row): UserRecord {
  return {
    id: String(row.id),
    username: String(row.username),
    passwordHash: String(row.password_hash),
    role: String(row.role),
    departments: parseDepartments(row.departments, row.id),
    name: String(row.name),
    idNumber: nullableString(row.id_number),
    createdAt: String(row.created_at),
    disabledAt: nullableString(row.disabled_at),
  };
}

function sessionFromRow(row: Row): SessionRecord {
  return {
    tokenHash: String(row.token_hash),
    userId: String(row.user_id),
    createdAt: String(row.created_at),
    expiresAt: String(row.expires_at),
    revokedAt: nullableString(row.revoked_at),
  };
}

function parseDepartments(value: unknown, userId: unknown): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(value));
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || !parsed.every((d): d is string => typeof d === 'string')) {
    throw new Error(`users.departments of user ${String(userId)} is not a JSON array of strings`);
  }
  return parsed;
}

const nullableString = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
