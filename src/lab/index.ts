// The lab's public API: `Lab` for tests and the CLI, topology and endpoints as data.

export type { ComponentReport, PgMode } from './context.js';
export { type DbInstance, type LabEndpoints, labEndpoints, type TcpEndpoint } from './endpoints.js';
export type { RunOptions, RunResult } from './exec.js';
export { HAPROXY_BACKENDS, haproxyCommand, READ_ONLY_BODY } from './haproxy.js';
export { type InstallReport, installPackages, LAB_PACKAGES } from './install.js';
export { VRRP, vipHolders } from './keepalived.js';
export { Lab, type LabOpenOptions, type UpReport } from './lab.js';
export { myAdminSql, myTcpQuery } from './mariadb.js';
export { type Direction, type LinkScope, siteCutOff } from './partition.js';
export { DEFAULT_LAB_NAME, DEFAULT_LAB_ROOT, labPaths } from './paths.js';
export {
  PATRONI_DEFAULTS,
  PATRONI_LOWEST,
  type PatroniSettings,
  patroniAdminSql,
  patroniPostmasterPid,
  patroniRole,
} from './patroni.js';
export { pgAdminSql, pgTcpQuery } from './postgres.js';
export { httpRequest, tcpOpen } from './probes.js';
export { sshClientOptions } from './ssh.js';
export type { LabState, ServerEntry } from './state.js';
export { assertRoot, type ComponentStatus, type LabStatus, type ServerStatus } from './status.js';
export type { DownReport } from './teardown.js';
export * from './topology.js';
export {
  countPresent,
  type Engine as WorkloadEngine,
  openWorkload,
  type PrimaryChecker,
  type SqlClient,
  servingSite,
  type Workload,
  type Writer,
  watchPrimaries,
  writablePrimaries,
} from './workload.js';
