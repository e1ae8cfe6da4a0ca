// An SSH server at site b with a generated host key that clients pin (known_hosts, strict
// checking), and a generated client key: the transport of rsync-over-ssh and of playbooks.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabComponent } from './context.js';
import { runOk } from './exec.js';
import type { LabPaths } from './paths.js';
import { tcpOpen } from './probes.js';
import { ADDRESSES, PORTS, type ServerSpec, serversOf } from './topology.js';
import { waitFor } from './wait.js';

export const SSH_USER = 'root';

export function sshPaths(paths: LabPaths) {
  const dir = paths.component('ssh');
  return {
    dir,
    config: join(dir, 'sshd_config'),
    hostKey: join(dir, 'host_ed25519'),
    authorizedKeys: join(dir, 'authorized_keys'),
    knownHosts: join(dir, 'known_hosts'),
    pidFile: join(dir, 'sshd.pid'),
    clientKey: paths.secret('ssh-client.key'),
  };
}

export function renderSshdConfig(paths: LabPaths): string {
  const p = sshPaths(paths);
  return [
    `ListenAddress ${ADDRESSES.b}:${PORTS.ssh}`,
    `HostKey ${p.hostKey}`,
    `PidFile ${p.pidFile}`,
    `AuthorizedKeysFile ${p.authorizedKeys}`,
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    // The lab directory is not owned the way sshd's strict modes want a home to be.
    'StrictModes no',
    'PrintMotd no',
    'Subsystem sftp internal-sftp',
    '',
  ].join('\n');
}

/** The options every lab client uses: the pinned host key, strict checking, the lab's key. */
export function sshClientOptions(paths: LabPaths): string[] {
  const p = sshPaths(paths);
  return [
    ...['-i', p.clientKey],
    ...['-o', `UserKnownHostsFile=${p.knownHosts}`],
    ...['-o', 'StrictHostKeyChecking=yes'],
    ...['-o', 'BatchMode=yes'],
    ...['-o', 'ConnectTimeout=5'],
    ...['-o', 'LogLevel=ERROR'],
  ];
}

async function keygen(path: string, comment: string): Promise<void> {
  if (existsSync(path)) return;
  await runOk(`ssh-keygen ${comment}`, [
    'ssh-keygen',
    '-q',
    '-t',
    'ed25519',
    '-N',
    '',
    '-C',
    comment,
    '-f',
    path,
  ]);
}

export const ssh: LabComponent = {
  name: 'ssh',
  async up(ctx) {
    const [s] = serversOf('ssh') as [ServerSpec];
    if (ctx.isRunning(s)) return;
    const p = sshPaths(ctx.paths);
    await ctx.mkdirFor(p.dir, 'root', 0o755);
    await keygen(p.hostKey, `lifeboat-lab-${ctx.name}-host`);
    await keygen(p.clientKey, `lifeboat-lab-${ctx.name}-client`);
    writeFileSync(p.authorizedKeys, readFileSync(`${p.clientKey}.pub`));
    const hostPub = readFileSync(`${p.hostKey}.pub`, 'utf8')
      .trim()
      .split(/\s+/)
      .slice(0, 2)
      .join(' ');
    writeFileSync(p.knownHosts, `${ADDRESSES.b} ${hostPub}\n`);
    writeFileSync(p.config, renderSshdConfig(ctx.paths));
    // sshd's privilege separation directory; Debian's package creates it only at boot.
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    const d = ctx.launch(s, ['/usr/sbin/sshd', '-D', '-e', '-f', p.config]);
    await waitFor(() => tcpOpen(ctx.ns.a, ADDRESSES.b, PORTS.ssh), {
      what: `${s.name} to accept connections`,
      log: ctx.paths.log(s.name),
      timeoutMs: 20_000,
      exited: d.exited,
    });
  },
};
