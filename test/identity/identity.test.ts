import crypto, { createHash } from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { expect } from 'chai';
import { isOnevisitError, type ErrorCode, type OnevisitError } from '../../src/domain/errors.js';
import { makeResidentIdNumber, residentIdCheckChar } from '../../src/domain/ids.js';
import {
  checkPassword,
  isCommonPassword,
  csrfTokenFor,
  csrfTokenMatches,
  hashPassword,
  newSessionToken,
  verifyPassword,
  type Identity,
  type NewUser,
  type PublicUser,
  type Registration,
} from '../../src/identity/index.js';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/databases.js';
import { commonPasswords, identityOn } from '../support/identity.js';

/** The error `promise` is refused with; the test fails unless it is an OnevisitError with `code`. */
async function refusal(promise: Promise<unknown>, code: ErrorCode): Promise<OnevisitError> {
  const error = await promise.then(() => 'succeeded', (e: unknown) => e);
  expect(isOnevisitError(error, code), `expected ${code}, got ${String(error)}`).to.equal(true);
  return error as OnevisitError;
}

const idNumber = makeResidentIdNumber({ region: '620102', birthDate: '1988-06-15', sequence: 37 });
/** The same number with a wrong check character. */
const badChecksum = idNumber.slice(0, 17) + (idNumber[17] === '1' ? '2' : '1');

describe('passwords', () => {
  it('a hash verifies its password and never contains it', async () => {
    const password = 'correct horse battery';
    const stored = await hashPassword(password);
    expect(stored).to.match(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*$/);
    expect(stored).to.not.contain(password);
    expect(stored).to.not.contain(Buffer.from(password).toString('base64'));
    expect(await verifyPassword(password, stored)).to.equal(true);
  });

  it('salts every hash, so equal passwords store differently', async () => {
    expect(await hashPassword('same password')).to.not.equal(await hashPassword('same password'));
  });

  it('refuses a wrong password', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(await verifyPassword('correct horse batterY', stored)).to.equal(false);
    expect(await verifyPassword('', stored)).to.equal(false);
  });

  it('treats a malformed stored hash as no match, without throwing', async () => {
    const good = await hashPassword('correct horse battery');
    const [, , , , salt, hash] = good.split('$');
    const malformed = [
      '',
      'correct horse battery',
      'scrypt$',
      `bcrypt$16384$8$1$${salt}$${hash}`,
      `scrypt$16383$8$1$${salt}$${hash}`, // N not a power of two
      `scrypt$2097152$8$1$${salt}$${hash}`, // a cost that would exhaust memory
      `scrypt$16384$8$1$!!!$${hash}`,
      `scrypt$16384$8$1$${salt}$`,
      `scrypt$16384$8$1$${salt}$${hash}$extra`,
      good.slice(0, -4),
    ];
    for (const stored of malformed) expect(await verifyPassword('correct horse battery', stored), stored).to.equal(false);
  });

  it('rule: 10 to 128 characters, counted as characters rather than bytes', () => {
    expect(checkPassword('12345678', commonPasswords).map((i) => [i.path, i.code])).to.deep.equal([['/password', 'PASSWORD.TOO_SHORT']]);
    expect(checkPassword('abcdefghi', commonPasswords).map((i) => i.code)).to.deep.equal(['PASSWORD.TOO_SHORT']); // 9
    expect(checkPassword('plum tiger', commonPasswords)).to.deep.equal([]); // 10
    expect(checkPassword('一件事一次办成功了', commonPasswords)).to.have.length(1); // 9 characters, 27 bytes
    expect(checkPassword('一件事一次办成功了吗', commonPasswords)).to.deep.equal([]);
    expect(checkPassword('x'.repeat(128), commonPasswords)).to.deep.equal([]);
    expect(checkPassword('x'.repeat(129), commonPasswords).map((i) => i.code)).to.deep.equal(['PASSWORD.TOO_LONG']);
    expect(checkPassword(undefined, commonPasswords).map((i) => i.code)).to.deep.equal(['PASSWORD.REQUIRED']);
  });

  it('rule: not one of the 10,000 most common passwords, in any case', () => {
    for (const common of ['qwertyuiop', '1234567890', 'password123', 'QwErTyUiOp', 'PASSWORD123', '1q2w3e4r5t']) {
      expect(checkPassword(common, commonPasswords).map((i) => [i.path, i.code]), common).to.deep.equal([['/password', 'PASSWORD.COMMON']]);
    }
    expect(isCommonPassword('123456', commonPasswords)).to.equal(true); // the most common of all (too short anyway)
    expect(isCommonPassword('Dragon', commonPasswords)).to.equal(true);
    expect(isCommonPassword('correct horse battery', commonPasswords)).to.equal(false);
    // The demo accounts' password passes the rule.
    expect(checkPassword('onevisit-demo', commonPasswords)).to.deep.equal([]);
  });
});

describe('CSRF tokens', () => {
  it('are derived from the session token and match only it', () => {
    const token = newSessionToken();
    expect(token).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(csrfTokenMatches(token, csrfTokenFor(token))).to.equal(true);
    expect(csrfTokenMatches(token, csrfTokenFor(newSessionToken()))).to.equal(false);
    expect(csrfTokenMatches(token, token)).to.equal(false);
    expect(csrfTokenMatches(token, undefined)).to.equal(false);
    expect(csrfTokenMatches(token, '')).to.equal(false);
  });
});

for (const kind of databaseKinds) {
  describe(`identity (${kind})`, () => {
    const TTL = 60 * 60 * 1000;
    let database: TestDatabase;
    let identity: Identity;
    let clock: Date;

    before(async () => {
      database = await openTestDatabase(kind);
      identity = identityOn(database.db, {
        now: () => clock,
        sessionTtlMs: TTL,
        knownDepartments: async () => new Set(['comprehensive-window', 'market-regulation', 'taxation']),
      });
    });
    beforeEach(() => {
      clock = new Date('2026-03-02T01:00:00.000Z');
    });
    after(async () => database.close());

    let serial = 0;
    const citizen = (overrides: Partial<Registration> = {}): Registration => ({
      username: `citizen${++serial}`,
      password: 'a long enough password',
      name: '张三',
      // One account per id number: each registration is a person of their own.
      idNumber: makeResidentIdNumber({ region: '620102', birthDate: '1988-06-15', sequence: serial % 1000 }),
      ...overrides,
    });
    const clerk = (overrides: Partial<NewUser> = {}): NewUser => ({
      username: `clerk${++serial}`,
      password: 'a long enough password',
      role: 'clerk',
      departments: ['market-regulation'],
      name: '李四',
      ...overrides,
    });

    /** Registers `input`; the test fails unless an account was created. */
    const registered = async (input: Registration): Promise<PublicUser> => {
      const outcome = await identity.register(input);
      if (!outcome.created) expect.fail(`registration created nothing: ${outcome.reason}`);
      return outcome.user;
    };

    it('registers a citizen and signs them in; only a masked id number leaves the server', async () => {
      const input = citizen();
      const user = await registered(input);
      expect(user).to.deep.equal({ id: user.id, username: input.username, role: 'citizen', departments: [], name: '张三', idNumberMasked: '620102********' + input.idNumber.slice(14) });
      expect(user.id).to.match(/^[0-9a-f-]{36}$/);

      const session = await identity.login(input.username, input.password);
      expect(session.user).to.deep.equal(user);
      expect(session.notices).to.deep.equal([]);
      expect(JSON.stringify(session)).to.not.contain(input.idNumber);
      expect(session.csrfToken).to.equal(csrfTokenFor(session.token));
      expect(session.expiresAt).to.equal(new Date(clock.getTime() + TTL).toISOString());

      expect(await identity.authenticate(session.token)).to.deep.equal({ userId: user.id, username: input.username, role: 'citizen', departments: [], name: '张三', idNumber: input.idNumber });
    });

    it('self-registration always makes a citizen, whatever role the input claims', async () => {
      const user = await registered({ ...citizen(), role: 'admin', departments: ['taxation'] } as Registration);
      expect(user.role).to.equal('citizen');
      expect(user.departments).to.deep.equal([]);
    });

    it('a clerk signs in to their departments; usernames are case-insensitive', async () => {
      const user = await identity.addUser(clerk({ username: 'Wang.Clerk', departments: ['taxation', 'market-regulation', 'taxation'] }));
      expect(user.username).to.equal('wang.clerk');
      expect(user.idNumberMasked).to.equal(null);
      const session = await identity.login('WANG.clerk', 'a long enough password');
      const principal = await identity.authenticate(session.token);
      expect(principal).to.deep.equal({ userId: user.id, username: 'wang.clerk', role: 'clerk', departments: ['taxation', 'market-regulation'], name: '李四' });
    });

    it('an unknown user and a wrong password get the same refusal', async () => {
      const input = citizen();
      await identity.register(input);
      const wrong = await refusal(identity.login(input.username, 'not the password'), 'AUTH.INVALID_CREDENTIALS');
      const unknown = await refusal(identity.login('nobody-here', input.password), 'AUTH.INVALID_CREDENTIALS');
      const garbage = await refusal(identity.login('', ''), 'AUTH.INVALID_CREDENTIALS');
      expect(unknown.message).to.equal(wrong.message);
      expect(garbage.message).to.equal(wrong.message);
    });

    it('stores the password and the token only hashed', async () => {
      const input = citizen({ password: 'plain text never stored' });
      const user = await registered(input);
      const session = await identity.login(input.username, input.password);

      const users = await database.db('users').where({ id: user.id });
      expect(JSON.stringify(users)).to.not.contain(input.password);
      const sessions = await database.db('sessions').where({ user_id: user.id });
      expect(sessions).to.have.length(1);
      expect(JSON.stringify(sessions)).to.not.contain(session.token);
      expect(JSON.stringify(sessions)).to.not.contain(session.csrfToken);
      expect(sessions[0].token_hash).to.equal(createHash('sha256').update(session.token).digest('hex'));
    });

    it('a token stops working when it expires', async () => {
      const input = citizen();
      await identity.register(input);
      const session = await identity.login(input.username, input.password);
      clock = new Date(clock.getTime() + TTL - 1);
      expect(await identity.authenticate(session.token)).to.not.equal(undefined);
      clock = new Date(clock.getTime() + 1);
      expect(await identity.authenticate(session.token)).to.equal(undefined);
    });

    it('logout revokes that session only', async () => {
      const input = citizen();
      await identity.register(input);
      const first = await identity.login(input.username, input.password);
      const second = await identity.login(input.username, input.password);
      await identity.logout(first.token);
      expect(await identity.authenticate(first.token)).to.equal(undefined);
      expect(await identity.authenticate(second.token)).to.not.equal(undefined);
      await identity.logout(first.token); // twice is harmless
    });

    it('an unknown or malformed token authenticates nobody', async () => {
      expect(await identity.authenticate(newSessionToken())).to.equal(undefined);
      expect(await identity.authenticate('')).to.equal(undefined);
      expect(await identity.authenticate("' OR 1=1 --")).to.equal(undefined);
      expect(await identity.authenticate(undefined as unknown as string)).to.equal(undefined);
    });

    it('a disabled user cannot sign in, and their open sessions end', async () => {
      const input = clerk();
      const user = await identity.addUser(input);
      const session = await identity.login(input.username, input.password);
      const account = await identity.disableUser(user.id);
      expect(account).to.deep.include({ id: user.id, disabled: true, disabledAt: clock.toISOString() });
      expect(await identity.authenticate(session.token)).to.equal(undefined);
      const disabled = await refusal(identity.login(input.username, input.password), 'AUTH.INVALID_CREDENTIALS');
      const wrong = await refusal(identity.login(input.username, 'not the password'), 'AUTH.INVALID_CREDENTIALS');
      expect(disabled.message).to.equal(wrong.message);
      expect(disabled.errors).to.deep.equal(wrong.errors);
      await identity.disableUser(user.id);
      await refusal(identity.disableUser('no-such-user'), 'USER.NOT_FOUND');
      expect((await identity.listUsers()).find((u) => u.id === user.id)).to.include({ disabled: true });
    });

    it('an enabled account signs in again; the sessions ended by disabling stay ended', async () => {
      const input = clerk();
      const user = await identity.addUser(input);
      const before = await identity.login(input.username, input.password);
      await identity.disableUser(user.id);
      const account = await identity.enableUser(user.id);
      expect(account).to.deep.include({ id: user.id, disabled: false, disabledAt: null });
      expect(await identity.authenticate(before.token)).to.equal(undefined);
      const after = await identity.login(input.username, input.password);
      expect(await identity.authenticate(after.token)).to.include({ userId: user.id });
      await identity.enableUser(user.id); // twice is harmless
      await refusal(identity.enableUser('no-such-user'), 'USER.NOT_FOUND');
      expect((await identity.listUsers()).find((u) => u.id === user.id)).to.include({ disabled: false, disabledAt: null });
      expect(await identity.findAccountByUsername(input.username.toUpperCase())).to.include({ id: user.id, disabled: false });
    });

    it('disabling ends the sessions on every instance at the next request, however recently they were checked', async () => {
      // Another instance: its own identity on another pool, as a second process would have.
      const other = identityOn(database.openAnother(), { now: () => clock, sessionTtlMs: TTL });
      const input = clerk();
      const user = await identity.addUser(input);
      const session = await other.login(input.username, input.password);
      expect(await other.authenticate(session.token)).to.include({ userId: user.id });
      await identity.disableUser(user.id);
      expect(await other.authenticate(session.token)).to.equal(undefined);
      await refusal(other.login(input.username, input.password), 'AUTH.INVALID_CREDENTIALS');
    });

    const userCount = async () => Number((await database.db('users').count({ n: '*' }).first())?.n);

    it('addUser refuses a taken username, whatever its case; registration with one creates nothing, without an error', async () => {
      const input = clerk({ username: 'zhao.clerk' });
      const zhao = await identity.addUser(input);
      await refusal(identity.addUser({ ...input }), 'USER.EXISTS');
      await refusal(identity.addUser({ ...input, username: 'Zhao.Clerk' }), 'USER.EXISTS');
      const users = await userCount();
      expect(await identity.register(citizen({ username: 'ZHAO.CLERK', password: 'the registrant password' }))).to.deep.equal({ created: false, reason: 'username-taken', existingUserId: zhao.id });
      expect(await userCount()).to.equal(users);
      await refusal(identity.login('zhao.clerk', 'the registrant password'), 'AUTH.INVALID_CREDENTIALS');
      await identity.login('zhao.clerk', input.password);
    });

    it('registration with an id number that has an account creates nothing; its owner is told once, at their next sign-in', async () => {
      const first = citizen();
      const owner = await registered(first);
      const users = await userCount();
      const intruder = citizen({ idNumber: first.idNumber });
      expect(await identity.register(intruder)).to.deep.equal({ created: false, reason: 'id-number-taken', existingUserId: owner.id });
      clock = new Date(clock.getTime() + 60_000);
      await identity.register(citizen({ idNumber: first.idNumber }));
      expect(await userCount()).to.equal(users);
      await refusal(identity.login(intruder.username, intruder.password), 'AUTH.INVALID_CREDENTIALS');

      const session = await identity.login(first.username, first.password);
      expect(session.notices).to.have.length(1);
      expect(session.notices[0]).to.deep.include({ code: 'REGISTRATION.ID_NUMBER_USED', count: 2, firstAt: '2026-03-02T01:00:00.000Z', lastAt: '2026-03-02T01:01:00.000Z' });
      expect(session.notices[0]!.message).to.not.contain(first.idNumber);
      expect((await identity.login(first.username, first.password)).notices, 'told once').to.deep.equal([]);

      // An admin adding the account is told plainly instead, naming the field.
      const again = await refusal(identity.addUser({ ...intruder, role: 'citizen' }), 'USER.EXISTS');
      expect(again.errors.map((e) => [e.path, e.code])).to.deep.equal([['/idNumber', 'ID_NUMBER.TAKEN']]);
      expect(again.message).to.not.contain(first.idNumber);
    });

    it('registration does the scrypt work whether or not it creates the account, so its time tells nothing', async () => {
      const first = citizen();
      await registered(first);
      // Counts the scrypt derivations (node:crypto's named export, patched through syncBuiltinESMExports).
      const original = crypto.scrypt;
      let derivations = 0;
      (crypto as { scrypt: unknown }).scrypt = (...args: unknown[]) => {
        derivations++;
        return (original as (...a: unknown[]) => void)(...args);
      };
      syncBuiltinESMExports();
      try {
        const counted = async (input: Registration) => {
          derivations = 0;
          await identity.register(input);
          return derivations;
        };
        const created = await counted(citizen());
        expect(created).to.equal(1);
        expect(await counted(citizen({ idNumber: first.idNumber })), 'id number taken').to.equal(created);
        expect(await counted(citizen({ username: first.username })), 'username taken').to.equal(created);
      } finally {
        (crypto as { scrypt: unknown }).scrypt = original;
        syncBuiltinESMExports();
      }
    });

    it('two simultaneous sign-ups for one username: one account, the other creates nothing', async () => {
      const input = citizen();
      const results = await Promise.all([identity.register(input), identity.register({ ...input, username: input.username.toUpperCase(), idNumber: citizen().idNumber })]);
      expect(results.map((r) => r.created).sort()).to.deep.equal([false, true]);
      expect(results.find((r) => !r.created)).to.include({ created: false, reason: 'username-taken' });
      expect(await database.db('users').where({ username: input.username }).count({ n: '*' }).first()).to.satisfy((r: { n: number | string }) => Number(r.n) === 1);
    });

    it('the password rule alone refused: PASSWORD.WEAK naming /password; with other problems, INPUT.INVALID listing them all', async () => {
      for (const password of ['12345678', 'qwertyuiop', 'Password123']) {
        const weak = await refusal(identity.addUser(clerk({ password })), 'PASSWORD.WEAK');
        expect(weak.errors.map((e) => e.path), password).to.deep.equal(['/password']);
        await refusal(identity.register(citizen({ password })), 'PASSWORD.WEAK');
      }
      const mixed = await refusal(identity.addUser(clerk({ password: '12345678', departments: [] })), 'INPUT.INVALID');
      expect(mixed.errors.map((e) => [e.path, e.code])).to.have.deep.members([
        ['/password', 'PASSWORD.TOO_SHORT'],
        ['/departments', 'DEPARTMENTS.REQUIRED'],
      ]);
    });

    it('lists every problem of an invalid account with its path', async () => {
      const error = await refusal(
        identity.addUser({ username: 'a', password: 'short', role: 'clerk', departments: ['market-regulation', 'nowhere', ''], idNumber: badChecksum, name: ' ' }),
        'INPUT.INVALID',
      );
      expect(error.errors.map((e) => [e.path, e.code])).to.have.deep.members([
        ['/username', 'USERNAME.INVALID'],
        ['/password', 'PASSWORD.TOO_SHORT'],
        ['/departments/1', 'DEPARTMENT.UNKNOWN'],
        ['/departments/2', 'DEPARTMENT.INVALID'],
        ['/name', 'NAME.INVALID'],
        ['/idNumber', 'ID_NUMBER.INVALID'],
      ]);
      for (const e of error.errors) expect(e.message).to.not.contain(badChecksum);

      const roles = await refusal(identity.addUser({ username: 'valid-name', password: 'long enough', role: 'king' } as unknown as NewUser), 'INPUT.INVALID');
      expect(roles.errors.map((e) => e.path)).to.deep.equal(['/role']);

      const staff = await refusal(identity.addUser({ username: 'valid-name', password: 'long enough', role: 'clerk' }), 'INPUT.INVALID');
      expect(staff.errors.map((e) => [e.path, e.code])).to.deep.equal([['/departments', 'DEPARTMENTS.REQUIRED']]);

      const empty = await refusal(identity.register({} as Registration), 'INPUT.INVALID');
      expect(empty.errors.map((e) => e.path)).to.have.members(['/username', '/password', '/name', '/idNumber']);

      expect(await identity.listUsers().then((users) => users.some((u) => u.username === 'valid-name'))).to.equal(false);
    });

    it('registration verifies the resident id number: checksum, birth date, normalised check character', async () => {
      const checksum = await refusal(identity.register(citizen({ idNumber: badChecksum })), 'INPUT.INVALID');
      expect(checksum.errors.map((e) => [e.path, e.code])).to.deep.equal([['/idNumber', 'ID_NUMBER.INVALID']]);

      const unborn = makeResidentIdNumber({ birthDate: '2026-03-03' });
      await refusal(identity.register(citizen({ idNumber: unborn })), 'INPUT.INVALID');

      // A number whose check character is X, typed with a lower-case x.
      let sequence = 0;
      while (residentIdCheckChar(makeResidentIdNumber({ sequence }).slice(0, 17)) !== 'X') sequence++;
      const withX = makeResidentIdNumber({ sequence });
      const input = citizen({ idNumber: withX.toLowerCase() });
      await identity.register(input);
      const session = await identity.login(input.username, input.password);
      expect((await identity.authenticate(session.token))?.idNumber).to.equal(withX);
    });

    it('a staff account may carry an id number only if it is valid', async () => {
      const error = await refusal(identity.addUser(clerk({ idNumber: '123' })), 'INPUT.INVALID');
      expect(error.errors.map((e) => e.path)).to.deep.equal(['/idNumber']);
      const admin = await identity.addUser({ username: `admin${++serial}`, password: 'a long enough password', role: 'admin' });
      expect(admin).to.include({ role: 'admin', name: admin.username, idNumberMasked: null });
    });

    it('deletes expired sessions and keeps live ones', async () => {
      const input = citizen();
      await identity.register(input);
      const old = await identity.login(input.username, input.password);
      clock = new Date(clock.getTime() + TTL / 2);
      const fresh = await identity.login(input.username, input.password);
      clock = new Date(clock.getTime() + TTL / 2 + 1);
      expect(await identity.deleteExpiredSessions()).to.be.greaterThan(0);
      const left = (await database.db('sessions').select('token_hash')).map((r: { token_hash: string }) => r.token_hash);
      expect(left).to.not.include(createHash('sha256').update(old.token).digest('hex'));
      expect(left).to.include(createHash('sha256').update(fresh.token).digest('hex'));
    });
  });
}
