/**
 * Migration 012 on each database: a citizen's draft kept before it reads back as it was (no applicant), an intake
 * draft keeps the person it is for, the counter's records of people are one per id number, and `down` removes the
 * columns and the table so that `up` can add them again.
 */
import { expect } from 'chai';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/databases.js';
import { migrateLatest, migrateRollbackAll, migrateTo } from '../../src/store/index.js';
import * as migration012 from '../../src/store/migrations/012_counter_intake.js';
import { createDraftStore } from '../../src/store/draftStore.js';
import { createWalkInStore } from '../../src/store/walkInStore.js';

const AT = '2026-03-10T02:00:00.000Z';

for (const kind of databaseKinds) {
  describe(`migration 012: counter intake (${kind})`, function () {
    this.timeout(60000);
    let database: TestDatabase;
    before(async () => {
      database = await openTestDatabase(kind, { migrate: false });
    });
    after(async () => database?.close());

    it('keeps drafts made before it, and takes intake drafts and records of walk-in people after it', async () => {
      const { db } = database;
      await migrateTo(db, '011_progress_drafts');
      await db('users').insert({ id: 'u1', username: 'clerk-012', password_hash: 'x', role: 'clerk', departments: '["comprehensive-window"]', name: '李娜', created_at: AT });
      const before = { id: 'd0', ownerId: 'u1', serviceId: 'business-startup', form: { company: { name: '兰州' } }, materials: [], createdAt: AT, updatedAt: AT };
      await db('drafts').insert({ id: 'd0', owner_id: 'u1', service_id: 'business-startup', form: JSON.stringify(before.form), materials: '[]', created_at: AT, updated_at: AT });
      expect(await db.schema.hasTable('walk_in_applicants')).to.equal(false);

      await migrateLatest(db);
      const drafts = createDraftStore(db);
      expect(await drafts.get('d0', 'u1')).to.deep.equal(before);
      const intake = { ...before, id: 'd1', applicant: { name: '赵建国', idNumber: '110105199003071234' } };
      expect(await drafts.create(intake, 50)).to.equal(true);
      expect(await drafts.get('d1', 'u1')).to.deep.equal(intake);

      const walkIns = createWalkInStore(db);
      const first = await walkIns.ensure({ id: 'w1', idNumber: '110105199003071234', name: '赵建国', createdAt: AT });
      const again = await walkIns.ensure({ id: 'w2', idNumber: '110105199003071234', name: '赵建华', createdAt: AT });
      expect(again).to.deep.equal(first);
      expect(await walkIns.byId('w1')).to.deep.equal(first);
      expect(await walkIns.byId('w2')).to.equal(undefined);
    });

    it('removes the columns and the table on the way down, keeping the drafts, and adds them again on the way up', async () => {
      const { db } = database;
      await migration012.down(db);
      expect(await db.schema.hasTable('walk_in_applicants')).to.equal(false);
      expect(await db.schema.hasColumn('drafts', 'applicant_id_number')).to.equal(false);
      expect((await createDraftStore(db).get('d1', 'u1'))?.applicant).to.equal(undefined);
      await migration012.up(db);
      expect(await db.schema.hasTable('walk_in_applicants')).to.equal(true);
      expect(await db.schema.hasColumn('drafts', 'applicant_name')).to.equal(true);
      await migrateRollbackAll(db);
      expect(await db.schema.hasTable('walk_in_applicants')).to.equal(false);
      await migrateLatest(db);
      expect(await db.schema.hasTable('walk_in_applicants')).to.equal(true);
    });
  });
}
