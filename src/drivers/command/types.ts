// The command runners (local and SSH) implement the NodeRunner interface of node-runner.ts, so any
// driver that runs server-side commands (pg_ctl, pg_rewind) can run them over SSH too. These types
// add what the command driver reports on top: a time limit, the signal, the duration.
import type { NodeRunner, NodeRunOptions, NodeRunResult } from '../node-runner.js';

export interface CommandRunOptions extends NodeRunOptions {
  /** Stops the command (its whole process group) after this long: LB_E_DRIVER_TIMEOUT. */
  timeoutMs?: number;
}

export interface CommandResult extends NodeRunResult {
  /** `SIGKILL` when a signal ended the command (then `code` is 128 + its number). */
  signal?: string;
  ms: number;
}

export interface CommandRunner extends NodeRunner {
  readonly where: string;
  run(argv: string[], opts: CommandRunOptions): Promise<CommandResult>;
  /** Releases the connection (SSH); safe to call twice. */
  close?(): Promise<void>;
}

/** Defaults shared by both runners. */
export const DEFAULT_TIMEOUT_MS = 10 * 60_000;
export const DEFAULT_MAX_STDOUT = 16 << 20;
export const MAX_STDERR = 64 << 10;
