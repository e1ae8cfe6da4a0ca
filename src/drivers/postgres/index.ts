// The PostgreSQL driver: one PostgresDriver per node, PostgresProbe for `sql` probes.
export {
  type CheckedPgConfig,
  DEFAULT_KEEP_FILES,
  type PostgresDriverConfig,
} from './config.js';
export { PostgresDriver, type PromoteOptions } from './driver.js';
export { PostgresProbe, type PostgresProbeConfig } from './probe.js';
export type { PgReplicationState, StandbyState } from './state.js';
