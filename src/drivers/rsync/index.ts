export { MARKER, PARTIAL_DIR, remoteSpec, rsyncArgv, sshCommandFor } from './args.js';
export {
  type RsyncConfig,
  type RsyncDaemonRemote,
  type RsyncLocalRemote,
  type RsyncSshRemote,
  validateRsyncConfig,
} from './config.js';
export { type DryRunResult, type MirrorState, RsyncDriver } from './driver.js';
export { classifyExit } from './exit-codes.js';
export {
  changeBefore,
  type MirrorMarker,
  type MirrorRpo,
  markerContentDecides,
  markerSyncedThrough,
  markerT0,
  mirrorRpo,
  renderMarker,
  STAMP_SLACK_MS,
  syncT0,
  type TreeSummary,
  wholeSecond,
} from './mirror.js';
export {
  type ItemChange,
  parseItemize,
  parseListLine,
  parseProgress,
  parseStats,
  type TransferProgress,
  type TransferStats,
} from './parse.js';
