/** Migrations run under knex's lock, from a fixed list (no directory scanning, same files for both databases). */
import type { Knex } from 'knex';
import type { Database } from './database.js';
import * as core from './migrations/001_core.js';
import * as identity from './migrations/002_identity.js';
import * as calendar from './migrations/003_calendar.js';
import * as files from './migrations/004_files.js';
import * as work from './migrations/005_work.js';
import * as certificates from './migrations/006_certificates.js';
import * as uniqueIdNumber from './migrations/007_unique_id_number.js';
import * as scale from './migrations/008_scale.js';
import * as audit from './migrations/009_audit.js';
import * as accounts from './migrations/010_accounts.js';
import * as progressDrafts from './migrations/011_progress_drafts.js';
import * as counterIntake from './migrations/012_counter_intake.js';
import * as reference from './migrations/013_reference.js';
import * as returnedTasks from './migrations/014_returned_tasks.js';

const migrations: Record<string, Knex.Migration> = {
  '001_core': core,
  '002_identity': identity,
  '003_calendar': calendar,
  '004_files': files,
  '005_work': work,
  '006_certificates': certificates,
  '007_unique_id_number': uniqueIdNumber,
  '008_scale': scale,
  '009_audit': audit,
  '010_accounts': accounts,
  '011_progress_drafts': progressDrafts,
  '012_counter_intake': counterIntake,
  '013_reference': reference,
  '014_returned_tasks': returnedTasks,
};

const source: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name]!,
};

const config: Knex.MigratorConfig = { migrationSource: source, tableName: 'knex_migrations' };

/** Brings the schema up to date; returns the names of the migrations it ran. */
export async function migrateLatest(db: Database): Promise<string[]> {
  const [, names] = (await db.migrate.latest(config)) as [number, string[]];
  return names;
}

export async function migrateRollbackAll(db: Database): Promise<void> {
  await db.migrate.rollback(config, true);
}

/** Runs the migrations up to and including `last`, as a database of that release would have (to test the next one with data). */
export async function migrateTo(db: Database, last: string): Promise<void> {
  if (!(last in migrations)) throw new Error(`no migration ${last}`);
  for (const name of Object.keys(migrations)) {
    if (name > last) break;
    await db.migrate.up({ ...config, name });
  }
}

/** The names of every migration, in order. */
export const migrationNames: readonly string[] = Object.keys(migrations);
