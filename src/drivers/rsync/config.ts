// What the rsync driver is given (built by the factory from a `files` data set with
// `replication: {mode: periodic, tool: rsync}`: `path`, `targetPath`, the source and target
// nodes' addresses and SSH settings), and its validation: every value is refused before any
// process starts if it could be read as an option, a second path or a remote shell word.
import { LifeboatError } from '../../core/errors/index.js';
import { missingHostKey, parseHostKey } from '../host-key.js';
import { safeAbsolutePath, safeHost, safeName, safePort } from '../safe-values.js';
import type { Secret } from '../secrets.js';

export interface RsyncSshRemote {
  kind: 'ssh';
  /** The remote node's name in the plan, for messages. */
  node: string;
  host: string;
  /** Default 22. */
  port?: number;
  user: string;
  /** The node's pinned host key (`ssh-ed25519 AAAA...`); required. */
  hostKey?: string;
  /** Private key to log in with; written to a 0600 file for the run, then deleted. */
  identity: Secret;
  /** The directory on the remote node (data set `targetPath` for a push, `path` for a pull). */
  path: string;
}

export interface RsyncDaemonRemote {
  kind: 'daemon';
  host: string;
  /** Default 873. */
  port?: number;
  module: string;
  /** A sub-directory inside the module, relative (default: the module's root). */
  subdir?: string;
  /** The daemon's `auth users` name and password (RSYNC_PASSWORD, never argv). */
  user?: string;
  password?: Secret;
}

/**
 * The far directory on the machine rsync runs on (a node reached without SSH: this machine, e.g.
 * a backup disk): rsync copies between two local paths, no transport.
 */
export interface RsyncLocalRemote {
  kind: 'local';
  path: string;
}

export interface RsyncConfig {
  /** The data set's name, for messages, the journal and the mirror marker. */
  dataSet: string;
  /** push: local → remote (the local side is the source); pull: remote → local. */
  direction: 'push' | 'pull';
  /** The directory on the machine rsync runs on. */
  localPath: string;
  remote: RsyncSshRemote | RsyncDaemonRemote | RsyncLocalRemote;
  /** Delete files on the target that the source no longer has (default true: a mirror). */
  delete?: boolean;
  /** --bwlimit, in KiB/s. */
  bwlimitKiB?: number;
  /** rsync's --timeout: no data for this long ends the run, exit 30 (default 30 s). */
  ioTimeoutSec?: number;
  /** SSH ConnectTimeout, or the daemon's --contimeout (default 10 s). */
  connectTimeoutSec?: number;
  /** --exclude patterns (relative to the data set's directory). */
  excludes?: string[];
  /** Compare content by checksum rather than size and mtime (slower, catches silent changes). */
  checksum?: boolean;
  /** Run rsync inside this network namespace (`ip netns exec`), e.g. a lab site's. */
  namespace?: string;
  /** The whole run stops after this long (default 6 h). */
  timeoutMs?: number;
  /** The data set's RPO objective; observe reports whether the mirror is within it. */
  rpoObjectiveMs?: number;
  /**
   * Write the mirror marker after each sync (default true). Over SSH it costs a second, small
   * rsync run (one more login); without it the RPO falls back to comparing mtimes.
   */
  writeMarker?: boolean;
  /** The remote rsync binary (--rsync-path), absolute; default: `rsync` on the remote PATH. */
  remoteRsyncPath?: string;
}

function bad(what: string, why: string): never {
  throw new LifeboatError('LB_E_DRIVER_BAD_INPUT', `${what} ${why}`);
}

/** A path for rsync: absolute, no `..`, no control characters, and nothing rsync treats specially. */
export function rsyncPath(value: string, what: string): string {
  safeAbsolutePath(value, what);
  if (value.includes('::') || /^[^/]*:/.test(value))
    bad(what, 'must not contain `:` before its first `/`');
  return value.replace(/\/+$/, '') || '/';
}

function positive(value: number | undefined, what: string, max: number): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > max)) {
    bad(what, `must be a whole number from 1 to ${max}`);
  }
}

/** Validates the whole config; throws LB_E_DRIVER_BAD_INPUT naming the first bad field. */
export function validateRsyncConfig(c: RsyncConfig): void {
  safeName(c.dataSet, 'data set name');
  if (c.direction !== 'push' && c.direction !== 'pull') bad('direction', 'must be push or pull');
  rsyncPath(c.localPath, 'the local path');
  positive(c.bwlimitKiB, 'bwlimitKiB', 10_000_000);
  positive(c.ioTimeoutSec, 'ioTimeoutSec', 86_400);
  positive(c.connectTimeoutSec, 'connectTimeoutSec', 600);
  positive(c.timeoutMs, 'timeoutMs', 7 * 86_400_000);
  if (c.namespace !== undefined) safeName(c.namespace, 'namespace');
  if (c.remoteRsyncPath !== undefined) rsyncPath(c.remoteRsyncPath, 'remoteRsyncPath');
  for (const x of c.excludes ?? []) {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
    if (x === '' || x.length > 1000 || /[\0-\x1f\x7f]/.test(x)) {
      bad('an exclude pattern', 'must be 1-1000 characters without control characters');
    }
  }
  const r = c.remote;
  if (r.kind === 'ssh') {
    safeName(r.node, 'remote node');
    safeHost(r.host, 'remote host');
    safePort(r.port ?? 22, 'remote port');
    safeName(r.user, 'remote user');
    rsyncPath(r.path, 'the remote path');
    // Refused now, not at the first run: Lifeboat never talks to an unverified server.
    if (!r.hostKey) throw missingHostKey(r.node, r.host, r.port ?? 22);
    parseHostKey(r.hostKey, `nodes.${r.node}.ssh.hostKey`);
  } else if (r.kind === 'daemon') {
    safeHost(r.host, 'rsync daemon host');
    safePort(r.port ?? 873, 'rsync daemon port');
    safeName(r.module, 'rsync module');
    if (r.user !== undefined) safeName(r.user, 'rsync daemon user');
    if (r.subdir !== undefined && r.subdir !== '') {
      rsyncPath(`/${r.subdir}`, 'the module sub-directory');
      if (r.subdir.startsWith('/') || r.subdir.startsWith('-'))
        bad('the module sub-directory', 'must be relative');
    }
  } else if (r.kind === 'local') {
    if (rsyncPath(r.path, 'the far path') === rsyncPath(c.localPath, 'the local path'))
      bad('the far path', 'is the local path itself: a copy onto itself changes nothing');
  } else {
    bad('remote.kind', 'must be ssh, daemon or local');
  }
}

/** Host in a remote spec: IPv6 literals need brackets. */
export function hostForSpec(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
