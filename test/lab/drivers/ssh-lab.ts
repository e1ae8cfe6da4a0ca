// Shared by the command, rsync, ansible and probe lab tests: the lab's sshd at site b, reached
// from site a (the test process lives in the root namespace, which cannot route to 10.77.0.x, so
// the SSH runner's proxy command opens the TCP stream inside a's namespace with socat).
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type SshConfig, SshRunner } from '../../../src/drivers/command/index.js';
import { Secret } from '../../../src/drivers/secrets.js';
import type { Lab } from '../../../src/lab/index.js';

export const SITE_B = '10.77.0.2';

/** `ssh-ed25519 AAAA...` of the lab's sshd, from the known_hosts the lab wrote. */
export function pinnedKey(lab: Lab): string {
  const line = readFileSync(lab.endpoints().ssh.knownHostsFile, 'utf8').trim();
  return line.split(/\s+/).slice(1, 3).join(' ');
}

export function identity(lab: Lab): Secret {
  const file = lab.endpoints().ssh.identityFile;
  return new Secret(readFileSync(file, 'utf8'), `file:${file}`);
}

/** A valid ed25519 public key that is not the server's. */
export function otherKey(): string {
  const raw = Buffer.from(
    generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x as string,
    'base64url',
  );
  const field = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  return `ssh-ed25519 ${Buffer.concat([field(Buffer.from('ssh-ed25519')), field(raw)]).toString('base64')}`;
}

/** socat in site a's namespace carries the SSH connection to b (like OpenSSH's ProxyCommand). */
export function proxyVia(lab: Lab, host = SITE_B, port = 22): string[] {
  return [
    'ip',
    'netns',
    'exec',
    lab.namespaces.a,
    'socat',
    'STDIO',
    `TCP:${host}:${port},connect-timeout=5`,
  ];
}

export function sshConfig(lab: Lab, over: Partial<SshConfig> = {}): SshConfig {
  return {
    node: 'web-b',
    host: SITE_B,
    user: 'root',
    hostKey: pinnedKey(lab),
    identity: identity(lab),
    proxyCommand: proxyVia(lab, over.host ?? SITE_B, over.port ?? 22),
    connectTimeoutMs: 8000,
    ...over,
  };
}

export function sshRunner(lab: Lab, over: Partial<SshConfig> = {}): SshRunner {
  return new SshRunner(sshConfig(lab, over));
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return (
    Math.round(
      (s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2) * 10,
    ) / 10
  );
}

export async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const v = await fn();
  return [v, performance.now() - t0];
}
