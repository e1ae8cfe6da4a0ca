export {
  fingerprintOf,
  type HostKeyType,
  hostKeyAlgorithms,
  knownHostsLine,
  type PinnedHostKey,
  parseHostKey,
} from '../host-key.js';
export { commandFailed, describeExit, runChecked } from './checked.js';
export { CommandDriver, type CommandDriverConfig, type CommandStep } from './driver.js';
export { type LocalCommandConfig, LocalCommandRunner } from './local.js';
export { checkArgv, checkEnv, shellJoin, shellQuote } from './quote.js';
export { remoteCommand } from './ssh-exec.js';
export { type SshConfig, SshRunner } from './ssh-runner.js';
export type { CommandResult, CommandRunner, CommandRunOptions } from './types.js';
