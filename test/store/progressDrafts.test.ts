/**
 * Migration 011 on each database: applications already in flight get no check code (progress lookup is not open to
 * them), the drafts table takes drafts, and `down` removes both tables so that `up` can add them again.
 */
import { expect } from 'chai';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/databases.js';
import { migrateLatest, migrateRollbackAll, migrateTo } from '../../src/store/index.js';
import { createCheckCodeStore } from '../../src/store/checkCodeStore.js';
import { createDraftStore } from '../../src/store/draftStore.js';

const AT = '2026-03-10T02:00:00.000Z';

for (const kind of databaseKinds) {
  describe(`migration 011: check codes and drafts (${kind})`, function () {
    this.timeout(60000);
    let database: TestDatabase;
    before(async () => {
      database = await openTestDatabase(kind, { migrate: false });
    });
    after(async () => database?.close());

    it('leaves an application in flight without a check code, and keeps drafts afterwards', async () => {
      const { db } = database;
      await migrateTo(db, '010_accounts');
      await db('service_definitions').insert({ service_id: 'business-startup', version: 1, hash: 'h'.repeat(64), definition: '{}', published_at: AT });
      await db('applications').insert({
        id: 'a0000000-0000-4000-8000-000000000001', number: '20260310000001', service_id: 'business-startup', service_version: 1, service_hash: 'h'.repeat(64),
        applicant_id: 'u1', state: '"intake"', status: 'submitted', snapshot: '{}', version: 1, created_at: AT, updated_at: AT,
      });
      await db('users').insert({ id: 'u1', username: 'citizen-011', password_hash: 'x', role: 'citizen', departments: '[]', name: '王磊', created_at: AT });
      expect(await db.schema.hasTable('application_check_codes')).to.equal(false);

      await migrateLatest(db);
      const checkCodes = createCheckCodeStore(db);
      expect(await checkCodes.findByNumber('20260310000001')).to.deep.equal({ applicationId: 'a0000000-0000-4000-8000-000000000001' });
      expect(await checkCodes.findByNumber('20260310000002')).to.equal(undefined);
      const drafts = createDraftStore(db);
      const draft = { id: 'd1', ownerId: 'u1', serviceId: 'business-startup', form: { company: { name: '兰州' } }, materials: [], createdAt: AT, updatedAt: AT };
      expect(await drafts.create(draft, 50)).to.equal(true);
      expect(await drafts.get('d1', 'u1')).to.deep.equal(draft);
      expect(await drafts.get('d1', 'someone-else')).to.equal(undefined);
    });

    it('removes both tables on the way down, and adds them again on the way up', async () => {
      const { db } = database;
      await migrateRollbackAll(db);
      expect(await db.schema.hasTable('application_check_codes')).to.equal(false);
      expect(await db.schema.hasTable('drafts')).to.equal(false);
      await migrateLatest(db);
      expect(await db.schema.hasTable('application_check_codes')).to.equal(true);
      expect(await db.schema.hasTable('drafts')).to.equal(true);
    });
  });
}
