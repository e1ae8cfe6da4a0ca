// rsync targets at site b (the daemon, and ssh through sshd-b), with a source tree at site a.
// Namespaces share the file system: "at site a" means the transfer runs in a's namespace.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabComponent } from './context.js';
import type { LabPaths } from './paths.js';
import { tcpOpen } from './probes.js';
import { chownTo } from './secrets.js';
import { ADDRESSES, PORTS, type ServerSpec, SUBNET, serversOf } from './topology.js';
import { waitFor } from './wait.js';

export const RSYNC_MODULE = 'lab';
/** Files in the generated source tree: enough for an incremental sync to mean something. */
export const SOURCE_FILES = 200;

export function rsyncPaths(paths: LabPaths) {
  const dir = paths.component('rsync');
  return {
    dir,
    config: join(dir, 'rsyncd.conf'),
    source: join(dir, 'src'),
    daemonTarget: join(dir, 'dst-daemon'),
    sshTarget: join(dir, 'dst-ssh'),
  };
}

export function renderRsyncdConf(paths: LabPaths): string {
  const p = rsyncPaths(paths);
  return [
    `address = ${ADDRESSES.b}`,
    `port = ${PORTS.rsync}`,
    'use chroot = no',
    'max connections = 8',
    `[${RSYNC_MODULE}]`,
    `  path = ${p.daemonTarget}`,
    '  read only = no',
    // The daemon runs as root to bind its port; writes in the module happen as nobody.
    '  uid = nobody',
    '  gid = nogroup',
    `  hosts allow = ${SUBNET}`,
    '',
  ].join('\n');
}

export function rsyncDaemonUrl(): string {
  return `rsync://${ADDRESSES.b}:${PORTS.rsync}/${RSYNC_MODULE}/`;
}

function writeSourceTree(dir: string, files: number): void {
  for (let i = 0; i < files; i++) {
    const sub = join(dir, `d${Math.floor(i / 50)}`);
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `f${i}.txt`), `file ${i}\n${'x'.repeat(512 + (i % 7) * 100)}\n`);
  }
}

export const rsync: LabComponent = {
  name: 'rsync',
  async up(ctx) {
    const [s] = serversOf('rsync') as [ServerSpec];
    if (ctx.isRunning(s)) return;
    const p = rsyncPaths(ctx.paths);
    await ctx.mkdirFor(p.dir, 'root', 0o755);
    if (!existsSync(p.source)) writeSourceTree(p.source, SOURCE_FILES);
    mkdirSync(p.sshTarget, { recursive: true });
    mkdirSync(p.daemonTarget, { recursive: true });
    await chownTo(p.daemonTarget, 'nobody');
    writeFileSync(p.config, renderRsyncdConf(ctx.paths));
    const d = ctx.launch(s, [
      'rsync',
      '--daemon',
      '--no-detach',
      `--config=${p.config}`,
      `--log-file=${ctx.paths.log(s.name)}`,
    ]);
    await waitFor(() => tcpOpen(ctx.ns.a, ADDRESSES.b, PORTS.rsync), {
      what: `${s.name} to accept connections`,
      log: ctx.paths.log(s.name),
      timeoutMs: 20_000,
      exited: d.exited,
    });
  },
};
