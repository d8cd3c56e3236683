/**
 * Identity with an audit trail: every sign-in, the failed ones too, and every self-registration (created or not)
 * is appended to the audit log. Wraps `createIdentity`'s object (wired in main.ts); nothing of the password or
 * the token is recorded, and a username that names no account is kept only as a hash (it may be a mistyped
 * password).
 */
import { createHash } from 'node:crypto';
import { AuditKinds, type AuditLog, type AuditSubject } from '../domain/audit.js';
import { isOnevisitError } from '../domain/errors.js';
import type { Identity } from './identity.js';

export function auditedIdentity(identity: Identity, audit: AuditLog, now: () => Date): Identity {
  return {
    ...identity,

    async login(username, password) {
      let result: Awaited<ReturnType<Identity['login']>>;
      try {
        result = await identity.login(username, password);
      } catch (error) {
        if (isOnevisitError(error, 'AUTH.INVALID_CREDENTIALS')) {
          // Looked up after every failure alike, so the extra work says nothing about the cause either.
          const account = await identity.findAccountByUsername(username);
          const reason = !account ? 'unknown-user' : account.disabled ? 'disabled' : 'wrong-password';
          await audit.append({
            at: now().toISOString(),
            kind: AuditKinds.signInFailed,
            actor: { kind: 'anonymous', id: null },
            subject: account ? { kind: 'user', id: account.id } : usernameSubject(username),
            detail: { result: 'failure', reason },
          });
        }
        throw error;
      }
      const user = result.user;
      await audit.append({ at: now().toISOString(), kind: AuditKinds.signIn, actor: { kind: user.role, id: user.id }, subject: { kind: 'user', id: user.id }, detail: { result: 'success', expiresAt: result.expiresAt } });
      return result;
    },

    async register(input) {
      const outcome = await identity.register(input);
      const at = now().toISOString();
      if (outcome.created) {
        const user = outcome.user;
        await audit.append({ at, kind: AuditKinds.userRegistered, actor: { kind: 'anonymous', id: null }, subject: { kind: 'user', id: user.id }, detail: { result: 'created', username: user.username, role: user.role, idNumberMasked: user.idNumberMasked } });
      } else {
        const on: AuditSubject = outcome.existingUserId ? { kind: 'user', id: outcome.existingUserId } : usernameSubject((input as { username?: unknown }).username);
        await audit.append({ at, kind: AuditKinds.userRegistered, actor: { kind: 'anonymous', id: null }, subject: on, detail: { result: 'refused', reason: outcome.reason } });
      }
      return outcome;
    },
  };
}

/** A username that names no account: SHA-256 of it lower-cased, shortened (correlates attempts, reveals nothing). */
function usernameSubject(username: unknown): AuditSubject {
  const digest = createHash('sha256').update(String(username ?? '').toLowerCase()).digest('hex').slice(0, 32);
  return { kind: 'username', id: `sha256:${digest}` };
}
