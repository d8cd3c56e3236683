/** Storage: the database, migrations, and the repositories that implement the runtime's ports. */
export { openDatabase, isPostgres, describeDatabase, type Database, type DatabaseConfig } from './database.js';
export { migrateLatest, migrateRollbackAll, migrateTo, migrationNames } from './migrate.js';
export { createApplicationStore } from './applicationStore.js';
export { createDefinitionStore } from './definitionStore.js';
export { readCatalog, projectRoot, type Catalog } from './catalogFiles.js';
export { createIdentityStore } from './identityStore.js';
export { createBlobStore } from './blobStore.js';
export { createFileStore } from './fileStore.js';
export { loadCalendar, saveCalendarYear, seedCalendars } from './calendarStore.js';
export { createTimerStore } from './timerStore.js';
export { createCertificateStore } from './certificateStore.js';
export { createCounters } from './counters.js';
export { createOutboxStore, type EffectOutbox, type StoredEffect } from './outboxStore.js';
export { createReferenceStore } from './referenceStore.js';
