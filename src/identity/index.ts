/** Identity: accounts, roles, password hashing, sessions and their tokens. */
export { createIdentity, DEFAULT_SESSION_TTL_MS, NOTICE_ID_NUMBER_USED, type AccountNotice, type Identity, type IdentityOptions, type LoginResult, type RegistrationOutcome } from './identity.js';
export { Roles, isRole, type Role } from './roles.js';
export { toPublicUser, toPrincipal, toAccount, type Account, type PublicUser, type Principal } from './principal.js';
export { checkNewUser, USERNAME_PATTERN, type NewUser, type Registration, type CheckedNewUser, type NewUserCheck, type NewUserContext } from './newUser.js';
export { hashPassword, verifyPassword, checkPassword, isCommonPassword, readCommonPasswords, PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH, PASSWORD_RULE_CODES, type CommonPasswords } from './passwords.js';
export type { IdentityStore, UserRecord, SessionRecord, NoticeRecord } from './ports.js';
export { newSessionToken, hashSessionToken, isSessionTokenShape, csrfTokenFor, csrfTokenMatches } from './tokens.js';
