/** Storage: the database, migrations, and the repositories that implement the runtime's ports. */
export { openDatabase, isPostgres, describeDatabase, type Database, type DatabaseConfig } from './database.js';
export { migrateLatest, migrateRollbackAll } from './migrate.js';
export { createApplicationStore } from './applicationStore.js';
export { createDefinitionStore } from './definitionStore.js';
export { readCatalog, projectRoot, type Catalog } from './catalogFiles.js';
