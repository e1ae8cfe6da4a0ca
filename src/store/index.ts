// The state store's public face: the interface and its records, the audit chain, and the one
// concrete store so far. Engine and CLI import from here.
export * from './audit-chain.js';
export { canonicalJson, MAX_DATA_BYTES } from './json.js';
export { defaultStatePath } from './sqlite/connection.js';
export { SCHEMA_VERSION } from './sqlite/schema.js';
export {
  openSqliteStore,
  type SqliteInfo,
  SqliteStateStore,
  type SqliteStoreOptions,
} from './sqlite/sqlite-store.js';
export * from './store.js';
export * from './types.js';
