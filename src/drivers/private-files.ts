// Files a tool run needs that must not outlive it or be read by anyone else: an SSH identity, a
// known_hosts with the pinned key, Ansible's extra vars. One 0700 directory per run, each file
// 0600, removed in `finally`. Paths are checked to hold no blank or quote, because rsync splits
// its `-e` command on whitespace.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LifeboatError } from '../core/errors/index.js';
import { knownHostsLine, type PinnedHostKey, pinnedSshOptions } from './host-key.js';
import type { Secret } from './secrets.js';

const PLAIN_PATH = /^\/[A-Za-z0-9._/-]+$/;

export interface PrivateDir {
  path: string;
  /** Writes `name` (mode 0600) and returns its path. */
  write(name: string, content: string): string;
  remove(): void;
}

export function makePrivateDir(prefix: string): PrivateDir {
  const base = PLAIN_PATH.test(tmpdir()) ? tmpdir() : '/tmp';
  let path: string;
  try {
    path = mkdtempSync(join(base, `lifeboat-${prefix}-`));
    chmodSync(path, 0o700);
  } catch (e) {
    throw new LifeboatError(
      'LB_E_DRIVER_CONFIG',
      `cannot create a private directory in ${base}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  return {
    path,
    write(name, content) {
      const file = join(path, name);
      writeFileSync(file, content, { mode: 0o600 });
      chmodSync(file, 0o600); // the umask could have narrowed it; never widen it
      return file;
    },
    remove() {
      rmSync(path, { recursive: true, force: true });
    },
  };
}

export interface OpenSshFiles {
  identityFile: string;
  knownHostsFile: string;
  /** `-o` values for ssh: the pinned key only, strict checking, no agent, no prompts. */
  options: string[];
}

/** Writes the identity and a known_hosts holding only the pinned key into `dir`. */
export function writeOpenSshFiles(
  dir: PrivateDir,
  target: {
    host: string;
    port: number;
    hostKey: PinnedHostKey;
    identity: Secret;
    connectTimeoutSec: number;
  },
): OpenSshFiles {
  const key = target.identity.reveal();
  const identityFile = dir.write('identity', key.endsWith('\n') ? key : `${key}\n`);
  const knownHostsFile = dir.write(
    'known_hosts',
    knownHostsLine(target.host, target.port, target.hostKey),
  );
  return {
    identityFile,
    knownHostsFile,
    options: [
      ...pinnedSshOptions(knownHostsFile, target.hostKey),
      'BatchMode=yes',
      'IdentitiesOnly=yes',
      'IdentityAgent=none',
      `ConnectTimeout=${target.connectTimeoutSec}`,
      'ServerAliveInterval=5',
      'ServerAliveCountMax=3',
      'LogLevel=ERROR',
    ],
  };
}
