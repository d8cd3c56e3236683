/**
 * Publishing is idempotent by content and safe beside other publishers: the same definition published twice,
 * or by several connection pools (as several instances would) at the same moment, is one version.
 */
import { expect } from 'chai';
import { definitionHash } from '../../src/definitions/index.js';
import type { ServiceDefinition } from '../../src/domain/definition.js';
import { createDefinitionStore } from '../../src/store/index.js';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/databases.js';
import { workflowDefinitions } from '../support/world.js';

const [base] = workflowDefinitions();
const edited = (n: number): ServiceDefinition => ({ ...base!, title: { ...base!.title, en: `${base!.title.en} (edit ${n})` } });
const at = '2026-12-01T20:26:00.000Z';

for (const kind of databaseKinds) {
  describe(`store/definitionStore publish (${kind})`, function () {
    this.timeout(30_000);
    let database: TestDatabase;
    beforeEach(async () => {
      database = await openTestDatabase(kind);
    });
    afterEach(async () => database.close());

    const versionsOf = async () => (await createDefinitionStore(database.db).versions(base!.id)).map((p) => p.definition.version);

    it('publishing the same content again gives the version it has, not a new one', async () => {
      const store = createDefinitionStore(database.db);
      const first = await store.publish(base!, definitionHash, 'admin', at);
      const again = await store.publish(base!, definitionHash, 'someone else', '2027-01-01T00:00:00.000Z');
      expect(first.definition.version).to.equal(1);
      expect({ ...again, created: true }).to.deep.equal(first);
      expect([first.created, again.created], 'whether each call stored a version').to.deep.equal([true, false]);
      expect(await versionsOf()).to.deep.equal([1]);
    });

    it('an unchanged catalog file does not replace a version an admin published since; a changed file does', async () => {
      const store = createDefinitionStore(database.db);
      await store.publish(base!, definitionHash, 'catalog', at, { unlessPublisherHas: true });
      await store.publish(edited(1), definitionHash, 'admin-1', at);
      const restart = await store.publish(base!, definitionHash, 'catalog', at, { unlessPublisherHas: true });
      expect(restart.created).to.equal(false);
      expect(await versionsOf()).to.deep.equal([1, 2]);
      expect((await store.get(base!.id))!.definition.title.en).to.equal(`${base!.title.en} (edit 1)`);
      // The file changed (a new release of the catalog): it is published over the admin's version.
      const release = await store.publish(edited(2), definitionHash, 'catalog', at, { unlessPublisherHas: true });
      expect([release.created, release.definition.version]).to.deep.equal([true, 3]);
    });

    it('new content is the next version; the old content again is one more (a revert), since only the latest counts', async () => {
      const store = createDefinitionStore(database.db);
      await store.publish(base!, definitionHash, 'admin', at);
      expect((await store.publish(edited(1), definitionHash, 'admin', at)).definition.version).to.equal(2);
      expect((await store.publish(edited(1), definitionHash, 'admin', at)).definition.version).to.equal(2);
      expect((await store.publish(base!, definitionHash, 'admin', at)).definition.version).to.equal(3);
      expect(await versionsOf()).to.deep.equal([1, 2, 3]);
    });

    it('the same content from many publishers on two pools at once is one version, and every one of them is told so', async () => {
      const pools = [database.db, database.openAnother()];
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => createDefinitionStore(pools[i % 2]!).publish(base!, definitionHash, `instance ${i}`, at)));
      expect(await versionsOf()).to.deep.equal([1]);
      const stored = await createDefinitionStore(database.db).get(base!.id);
      for (const result of results) {
        expect(result.definition.version).to.equal(1);
        expect(result.hash).to.equal(stored!.hash);
      }
      expect(results.filter((r) => r.created), 'one of them stored it').to.have.length(1);
    });

    it('different contents published at once on two pools each get a version of their own, none fails', async () => {
      const pools = [database.db, database.openAnother()];
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => createDefinitionStore(pools[i % 2]!).publish(edited(i), definitionHash, `admin ${i}`, at)));
      const versions = results.map((r) => r.definition.version).sort((a, b) => a - b);
      expect(versions).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8]);
      const stored = await createDefinitionStore(database.db).versions(base!.id);
      for (const result of results) {
        const row = stored.find((p) => p.definition.version === result.definition.version)!;
        expect(row.definition.title.en).to.equal(result.definition.title.en);
        expect(row.hash).to.equal(definitionHash(row.definition));
      }
    });
  });
}
