/** Storage: the database, migrations, and the repositories that implement the runtime's ports. */
export { openDatabase, isPostgres, describeDatabase, type Database, type DatabaseConfig } from './database.js';
export { migrateLatest, migrateRollbackAll, migrateTo, migrationNames } from './migrate.js';
export { createApplicationStore } from './applicationStore.js';
export { createDefinitionStore } from './definitionStore.js';
export { readCatalog, projectRoot, type Catalog } from './catalogFiles.js';
export { createIdentityStore, type IdentityStore, type UserRecord, type SessionRecord } from './identityStore.js';
export { createBlobStore, type BlobStore, type StoredBlob } from './blobStore.js';
export { createFileStore, type FileStore, type FileRow } from './fileStore.js';
export { loadCalendar, saveCalendarYear, seedCalendars } from './calendarStore.js';
export { createTimerStore, TimerStatuses, type TimerStore, type TimerRow, type NewTimer, type TimerFailure, type TimerStatus } from './timerStore.js';
export { createCertificateStore, type CertificateStore, type NewCertificate, type StoredCertificate, type VerificationEntry, type HolderQuery } from './certificateStore.js';
export { createOutboxStore, type EffectOutbox, type StoredEffect } from './outboxStore.js';
