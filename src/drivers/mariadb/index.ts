// The MariaDB driver: one MariadbDriver per node, MariadbProbe for `sql` probes.
export type { CheckedMyConfig, MariadbDriverConfig, MariadbPeer } from './config.js';
export { MariadbDriver, type MyPromoteOptions } from './driver.js';
export { formatGtidPos, type GtidPos, gtidDistance, parseGtidPos } from './gtid.js';
export { MariadbProbe, type MariadbProbeConfig } from './probe.js';
export type { MyReplicationState } from './state.js';
