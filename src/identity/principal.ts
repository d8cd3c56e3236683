/**
 * The two faces of an account. `PublicUser` is what may leave the server (a masked id number, never the hash);
 * `Principal` is who is acting in a request, with the full id number for server-side wallet lookups only.
 */
import { maskResidentId } from '../domain/ids.js';
import type { UserRecord } from './ports.js';
import { isRole, type Role } from './roles.js';

export interface PublicUser {
  id: string;
  username: string;
  role: Role;
  departments: string[];
  name: string;
  /** `110105********1234`, or null for an account without an id number. */
  idNumberMasked: string | null;
}

/** An account as admins see it in the list of accounts: the public face and whether it is disabled. */
export interface Account extends PublicUser {
  disabled: boolean;
  /** ISO 8601, or null for an account that is not disabled. */
  disabledAt: string | null;
}

export interface Principal {
  userId: string;
  username: string;
  role: Role;
  departments: string[];
  name: string;
  /** The full resident id number: server-side only (wallets); never logged, never sent. */
  idNumber?: string;
}

export function toPublicUser(user: UserRecord): PublicUser {
  return {
    id: user.id,
    username: user.username,
    role: storedRole(user),
    departments: [...user.departments],
    name: user.name,
    idNumberMasked: user.idNumber === null ? null : maskResidentId(user.idNumber),
  };
}

export function toAccount(user: UserRecord): Account {
  return { ...toPublicUser(user), disabled: user.disabledAt !== null, disabledAt: user.disabledAt };
}

export function toPrincipal(user: UserRecord): Principal {
  return {
    userId: user.id,
    username: user.username,
    role: storedRole(user),
    departments: [...user.departments],
    name: user.name,
    ...(user.idNumber === null ? {} : { idNumber: user.idNumber }),
  };
}

/** The database's CHECK keeps roles to the vocabulary; a row outside it is corruption, not a user error. */
function storedRole(user: UserRecord): Role {
  if (!isRole(user.role)) throw new Error(`user ${user.id} has an unknown stored role`);
  return user.role;
}
