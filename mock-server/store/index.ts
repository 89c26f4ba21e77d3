/** The mock OI's ticket store: one interface, one SQLite implementation (file or `:memory:`). */

export { DataDirError } from './data-dir.ts';
export { type Migration, migrate, migrations } from './migrations.ts';
export { DB_FILE_NAME, openSqliteStore, type SqliteStoreOptions } from './sqlite.ts';
export type * from './types.ts';
