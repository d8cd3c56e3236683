/**
 * The audit trail's hash chain on each database: appends line up into one chain (also from two pools at once,
 * and inside savepoints that roll back), and `verifyAuditChain` names the first row that does not fit after any
 * column of a row is edited, a row is deleted (in the middle or at the end) or two rows change places.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { expect } from 'chai';
import type { AuditEntry } from '../../src/domain/audit.js';
import { makeResidentIdNumber } from '../../src/domain/ids.js';
import { appendAudit, auditHash, canonicalPieces, createAuditStore, GENESIS_HASH, verifyAuditChain } from '../../src/store/audit.js';
import type { Database } from '../../src/store/index.js';
import { writeTransaction } from '../../src/store/writeTransaction.js';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/databases.js';

const entry = (n: number, extra: Partial<AuditEntry> = {}): AuditEntry => ({
  at: new Date(Date.UTC(2026, 2, 2, 1, 0, n)).toISOString(),
  kind: 'application.event',
  actor: { kind: 'clerk', id: `clerk-${n % 3}` },
  subject: { kind: 'application', id: `app-${n % 5}` },
  detail: { type: 'APPROVE', seq: n, matter: 'tax' },
  ...extra,
});

type Row = Record<string, unknown>;
const rowsOf = async (db: Database): Promise<Row[]> => (await db('audit').orderBy('seq')) as Row[];

describe('store/audit hashing', () => {
  it("cuts a row's canonical JSON into the pieces around prev_hash and seq exactly", () => {
    for (const text of ['plain', '王磊 "q" \\', '\u0000\u001f😀', '']) {
      const row = { at: text, kind: 'auth.sign-in', actorKind: 'citizen', actorId: text === '' ? null : text, subjectKind: 'user', subjectId: text, detail: JSON.stringify({ text }) };
      const [before, between, after] = canonicalPieces(row);
      const whole = (canonicalize as unknown as (v: unknown) => string)({ seq: 42, at: row.at, kind: row.kind, actor: { kind: row.actorKind, id: row.actorId }, subject: { kind: row.subjectKind, id: row.subjectId }, detail: row.detail, prevHash: 'ab'.repeat(32) });
      expect(`${before}${'ab'.repeat(32)}${between}42${after}`).to.equal(whole);
      expect(auditHash({ ...row, seq: 42, prevHash: 'ab'.repeat(32) })).to.equal(createHash('sha256').update(whole, 'utf8').digest('hex'));
    }
  });
});

for (const kind of databaseKinds) {
  describe(`store/audit (${kind})`, function () {
    this.timeout(60_000);
    let database: TestDatabase;
    beforeEach(async () => {
      database = await openTestDatabase(kind);
    });
    afterEach(async () => database.close());

    it('links each row to the one before it, from the genesis hash, and verifies an empty chain', async () => {
      expect(await verifyAuditChain(database.db)).to.deep.include({ ok: true, rows: 0 });
      const audit = createAuditStore(database.db);
      for (let n = 1; n <= 5; n++) await audit.append(entry(n));
      await writeTransaction(database.db, (w) => appendAudit(w, [entry(6), entry(7)]));
      const rows = await rowsOf(database.db);
      expect(rows.map((r) => Number(r.seq))).to.deep.equal([1, 2, 3, 4, 5, 6, 7]);
      expect(rows[0]!.prev_hash).to.equal(GENESIS_HASH);
      rows.slice(1).forEach((r, i) => expect(r.prev_hash).to.equal(rows[i]!.hash));
      const head = await database.db('audit_head').first();
      expect({ seq: Number(head.seq), hash: head.hash }).to.deep.equal({ seq: 7, hash: rows[6]!.hash });
      expect(await verifyAuditChain(database.db, { batchSize: 2 })).to.deep.equal({ ok: true, rows: 7, headSeq: 7, headHash: rows[6]!.hash });
    });

    it('reports the edited row for every column that matters, whatever the batch size', async () => {
      const audit = createAuditStore(database.db);
      for (let n = 1; n <= 20; n++) await audit.append(entry(n));
      const edits: [string, unknown][] = [
        ['at', '2000-01-01T00:00:00.000Z'],
        ['kind', 'user.add'],
        ['actor_kind', 'admin'],
        ['actor_id', 'someone-else'],
        ['actor_id', null],
        ['subject_kind', 'user'],
        ['subject_id', 'app-other'],
        ['detail', '{"matter":"tax","seq":7,"type":"REJECT"}'],
        ['detail', '{"matter":"tax","seq":7,"type":"APPROVE" }'],
        ['prev_hash', 'f'.repeat(64)],
        ['hash', 'e'.repeat(64)],
      ];
      for (const [column, value] of edits) {
        for (const seq of [1, 7, 20]) {
          const original = (await database.db('audit').where({ seq }).first()) as Row;
          await database.db('audit').where({ seq }).update({ [column]: value });
          for (const batchSize of [3, 1000]) {
            const result = await verifyAuditChain(database.db, { batchSize });
            expect(result, `${column} of seq ${seq}`).to.deep.include({ ok: false, seq });
          }
          await database.db('audit').where({ seq }).update({ [column]: original[column] });
        }
      }
      expect((await verifyAuditChain(database.db)).ok).to.equal(true);
    });

    it('reports a deleted row by its seq: in the middle, the first, the last, and a seq changed', async () => {
      const audit = createAuditStore(database.db);
      for (let n = 1; n <= 10; n++) await audit.append(entry(n));
      for (const seq of [1, 4, 10]) {
        const original = (await database.db('audit').where({ seq }).first()) as Row;
        await database.db('audit').where({ seq }).delete();
        const result = await verifyAuditChain(database.db, { batchSize: 3 });
        expect(result, `seq ${seq} deleted`).to.deep.include({ ok: false, seq, problem: 'missing' });
        expect((result as { message: string }).message).to.match(new RegExp(`seq ${seq}\\b`));
        await database.db('audit').insert(original);
      }
      await database.db('audit').where({ seq: 6 }).update({ seq: 600 });
      expect(await verifyAuditChain(database.db)).to.deep.include({ ok: false, seq: 6, problem: 'missing' });
      await database.db('audit').where({ seq: 600 }).update({ seq: 6 });
      expect((await verifyAuditChain(database.db)).ok).to.equal(true);
      const first = (await database.db('audit').where({ seq: 1 }).first()) as Row;
      await database.db('audit').insert({ ...first, seq: 0 });
      expect(await verifyAuditChain(database.db)).to.deep.include({ ok: false, seq: 0, problem: 'outside' });
      await database.db('audit').where({ seq: 0 }).delete();
      expect((await verifyAuditChain(database.db)).ok).to.equal(true);
    });

    it('reports two rows that changed places at the first of them', async () => {
      const audit = createAuditStore(database.db);
      for (let n = 1; n <= 8; n++) await audit.append(entry(n));
      await database.db('audit').where({ seq: 3 }).update({ seq: -3 });
      await database.db('audit').where({ seq: 4 }).update({ seq: 3 });
      await database.db('audit').where({ seq: -3 }).update({ seq: 4 });
      expect(await verifyAuditChain(database.db)).to.deep.include({ ok: false, seq: 3, problem: 'edited' });
    });

    it('keeps no row of an append rolled back to its savepoint, as SQLite grouped commits do', async () => {
      await writeTransaction(database.db, async (w) => {
        await w.run('SAVEPOINT decision', []);
        await appendAudit(w, [entry(1)]);
        await w.run('ROLLBACK TO decision', []);
        await w.run('RELEASE decision', []);
        await w.run('SAVEPOINT decision', []);
        await appendAudit(w, [entry(2)]);
        await w.run('RELEASE decision', []);
      });
      const rows = await rowsOf(database.db);
      expect(rows.map((r) => [Number(r.seq), JSON.parse(String(r.detail)).seq])).to.deep.equal([[1, 2]]);
      expect((await verifyAuditChain(database.db)).ok).to.equal(true);
    });

    it('writes one unbroken chain from two pools appending at once', async () => {
      const pools = [database.db, database.openAnother()];
      const logs = pools.map((db) => createAuditStore(db));
      const per = 40;
      await Promise.all(
        pools.flatMap((db, p) =>
          Array.from({ length: per }, (_, i) =>
            i % 2 === 0 ? logs[p]!.append(entry(p * 1000 + i)) : writeTransaction(db, (w) => appendAudit(w, [entry(p * 1000 + i), entry(p * 1000 + i + 500)])),
          ),
        ),
      );
      const expected = 2 * (per / 2 + per);
      const rows = await rowsOf(database.db);
      expect(rows.map((r) => Number(r.seq))).to.deep.equal(Array.from({ length: expected }, (_, i) => i + 1));
      expect(await verifyAuditChain(database.db, { batchSize: 7 })).to.deep.include({ ok: true, rows: expected });
    });

    it('hashes any text alike when the database computes it (PostgreSQL, one entry) and when verification does', async () => {
      const tricky = ['王磊 "quoted" \\ back\\slash', 'tab\tnew\nline\u0001\u001f\u007f', 'emoji 😀 \u2028 \u00e9 e\u0301', '{"not":"json"}'];
      const audit = createAuditStore(database.db);
      for (const [i, text] of tricky.entries()) {
        await audit.append(entry(i, { actor: { kind: 'anonymous', id: i % 2 ? null : text }, subject: { kind: 'user', id: text }, detail: { text, nested: { list: [text, i, null, true, 1.5] } } }));
        await writeTransaction(database.db, (w) => appendAudit(w, [entry(i, { detail: { text } }), entry(i + 1, { at: text })]));
      }
      expect(await verifyAuditChain(database.db)).to.deep.include({ ok: true, rows: tricky.length * 3 });
    });

    it('masks anything shaped like a resident id number in the subject and the detail', async () => {
      const idNumber = makeResidentIdNumber({ birthDate: '1990-01-01', sequence: 123 });
      await createAuditStore(database.db).append(entry(1, { subject: { kind: 'certificate', id: `holder ${idNumber}` }, detail: { note: `holder ${idNumber}`, list: [idNumber.toLowerCase()] } }));
      const [row] = await rowsOf(database.db);
      const text = JSON.stringify(row);
      expect(text).to.not.include(idNumber);
      expect(text).to.include(`${idNumber.slice(0, 6)}********${idNumber.slice(14)}`);
      expect((await verifyAuditChain(database.db)).ok).to.equal(true);
    });
  });
}
