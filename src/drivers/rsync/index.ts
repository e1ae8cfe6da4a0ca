export { MARKER, PARTIAL_DIR, remoteSpec, rsyncArgv, sshCommandFor } from './args.js';
export {
  type RsyncConfig,
  type RsyncDaemonRemote,
  type RsyncSshRemote,
  validateRsyncConfig,
} from './config.js';
export { type DryRunResult, type MirrorState, RsyncDriver } from './driver.js';
export { classifyExit } from './exit-codes.js';
export { type MirrorMarker, type MirrorRpo, mirrorRpo, type TreeSummary } from './mirror.js';
export {
  type ItemChange,
  parseItemize,
  parseListLine,
  parseProgress,
  parseStats,
  type TransferProgress,
  type TransferStats,
} from './parse.js';
