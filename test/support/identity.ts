/** Identity on a test database, wired as main.ts wires it: its store on that database, the shipped password list. */
import { createIdentity, readCommonPasswords, type Identity, type IdentityOptions } from '../../src/identity/index.js';
import { createIdentityStore, readCatalog, type Database } from '../../src/store/index.js';

export const commonPasswords = readCommonPasswords(readCatalog().commonPasswordsFile);

export function identityOn(db: Database, options: Omit<IdentityOptions, 'store' | 'commonPasswords'> = {}): Identity {
  return createIdentity({ store: createIdentityStore(db), commonPasswords, ...options });
}
