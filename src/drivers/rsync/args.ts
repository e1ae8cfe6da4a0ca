// rsync command lines, built as argv arrays (pure, tested). Every path comes after `--`, every
// transfer uses `-s` (--protect-args: the remote shell never splits or expands the remote path),
// and the local path is absolute so rsync cannot mistake it for `host:path`.
import type { OpenSshFiles } from '../private-files.js';
import { hostForSpec, type RsyncConfig } from './config.js';

/** The mirror marker: on the target, never copied from the source, never deleted by --delete. */
export const MARKER = '.lifeboat-mirror.json';
/** Partial files of an interrupted run, kept so a retry resumes (rsync protects this dir). */
export const PARTIAL_DIR = '.lifeboat-partial';

export type Mode = 'sync' | 'dry-run' | 'list-remote' | 'put-marker' | 'get-marker';

/** A marker larger than this is not ours: not fetched, not read. */
export const MARKER_MAX_BYTES = 64 * 1024;

/** `ssh ...` for rsync's -e: rsync splits it on blanks, so every part is blank-free. */
export function sshCommandFor(c: RsyncConfig, files: OpenSshFiles): string {
  const port = c.remote.kind === 'ssh' ? (c.remote.port ?? 22) : 22;
  return [
    'ssh',
    '-F',
    '/dev/null',
    '-p',
    String(port),
    '-i',
    files.identityFile,
    ...files.options.flatMap((o) => ['-o', o]),
  ].join(' ');
}

/** The remote directory as rsync names it, with a trailing `/` (its contents, not itself). */
export function remoteSpec(c: RsyncConfig): string {
  const r = c.remote;
  if (r.kind === 'ssh') return `${r.user}@${hostForSpec(r.host)}:${r.path === '/' ? '' : r.path}/`;
  if (r.kind === 'local') return r.path === '/' ? '/' : `${r.path.replace(/\/+$/, '')}/`;
  const user = r.user ? `${r.user}@` : '';
  const sub = r.subdir ? `${r.subdir.replace(/\/+$/, '')}/` : '';
  return `rsync://${user}${hostForSpec(r.host)}:${r.port ?? 873}/${r.module}/${sub}`;
}

export function localSpec(c: RsyncConfig): string {
  return c.localPath === '/' ? '/' : `${c.localPath}/`;
}

function transportArgs(c: RsyncConfig, ssh: OpenSshFiles | undefined): string[] {
  const out: string[] = ['-s', '--no-human-readable', `--timeout=${c.ioTimeoutSec ?? 30}`];
  if (c.remote.kind === 'ssh') {
    if (!ssh) throw new Error('rsync over ssh needs its ssh files');
    out.push('-e', sshCommandFor(c, ssh));
    if (c.remoteRsyncPath) out.push(`--rsync-path=${c.remoteRsyncPath}`);
  } else if (c.remote.kind === 'daemon') {
    out.push(`--contimeout=${c.connectTimeoutSec ?? 10}`);
  }
  return out;
}

/** The argv of one rsync run (without the namespace prefix). */
export function rsyncArgv(
  c: RsyncConfig,
  mode: Mode,
  opts: { ssh?: OpenSshFiles; markerFile?: string; into?: string } = {},
): string[] {
  const argv = ['rsync', ...transportArgs(c, opts.ssh)];
  if (mode === 'list-remote') {
    // The source or target tree with sizes and mtimes: `--list-only` never writes anything.
    return [...argv, '-r', '--list-only', '--', remoteSpec(c)];
  }
  if (mode === 'put-marker') {
    return [...argv, '-t', '--', opts.markerFile as string, remoteSpec(c)];
  }
  if (mode === 'get-marker') {
    // The remote marker alone, into a private local directory; a large file is skipped.
    const into = opts.into as string;
    return [
      ...argv,
      `--max-size=${MARKER_MAX_BYTES}`,
      '--',
      `${remoteSpec(c)}${MARKER}`,
      into.endsWith('/') ? into : `${into}/`,
    ];
  }
  argv.push('-a', `--partial-dir=${PARTIAL_DIR}`, `--exclude=/${MARKER}`);
  if (c.delete ?? true) argv.push('--delete', '--delete-delay');
  if (c.checksum) argv.push('--checksum');
  if (c.bwlimitKiB) argv.push(`--bwlimit=${c.bwlimitKiB}`);
  for (const x of c.excludes ?? []) argv.push(`--exclude=${x}`);
  if (mode === 'dry-run') argv.push('--dry-run', '--itemize-changes', '--stats');
  else argv.push('--info=progress2', '--stats', '--outbuf=L');
  const [from, to] =
    c.direction === 'push' ? [localSpec(c), remoteSpec(c)] : [remoteSpec(c), localSpec(c)];
  return [...argv, '--', from, to];
}

/** Environment of the rsync process: the daemon password travels here, never in argv. */
export function rsyncEnv(c: RsyncConfig): Record<string, string> {
  const env: Record<string, string> = { LC_ALL: 'C', TZ: 'UTC' };
  if (c.remote.kind === 'daemon' && c.remote.password)
    env.RSYNC_PASSWORD = c.remote.password.reveal();
  return env;
}
