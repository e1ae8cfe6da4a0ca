// The pinned SSH host key of a node (`ssh.hostKey` in the plan: `ssh-ed25519 AAAA...`). Lifeboat
// never trusts on first use: the key the server presents must equal this one, byte for byte.
// Shared by the SSH runner (ssh2 checks the blob) and the OpenSSH-based drivers (rsync, ansible
// write it to a private known_hosts file with StrictHostKeyChecking=yes).
import { createHash } from 'node:crypto';
import { LifeboatError } from '../core/errors/index.js';

export type HostKeyType =
  | 'ssh-ed25519'
  | 'ssh-rsa'
  | 'ecdsa-sha2-nistp256'
  | 'ecdsa-sha2-nistp384'
  | 'ecdsa-sha2-nistp521';

export interface PinnedHostKey {
  type: HostKeyType;
  /** The key in SSH wire format (what the server sends), decoded from the base64 field. */
  blob: Buffer;
  /** `SHA256:...` as `ssh-keygen -lf` prints it. */
  fingerprint: string;
  /** `ssh-ed25519 AAAA...`, normalised (no comment), for known_hosts files. */
  line: string;
}

const TYPES: readonly HostKeyType[] = [
  'ssh-ed25519',
  'ssh-rsa',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
];

/** Host key algorithms to offer so the server presents the pinned key and no other. */
export function hostKeyAlgorithms(type: HostKeyType): string[] {
  return type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type];
}

export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

export function missingHostKey(node: string, host: string, port: number): LifeboatError {
  const scan = `ssh-keyscan -t ed25519${port === 22 ? '' : ` -p ${port}`} ${host}`;
  return new LifeboatError(
    'LB_E_SSH_HOST_KEY_MISSING',
    `node ${node} has no pinned SSH host key (ssh.hostKey); Lifeboat does not connect to an unverified server`,
    {
      hint: `From a trusted network run \`${scan}\`, check the fingerprint against the server's console (\`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub\`), and put the \`ssh-ed25519 AAAA...\` part in the plan as nodes.${node}.ssh.hostKey.`,
    },
  );
}

/** Parses `type base64 [comment]`; refuses a line whose blob does not carry the declared type. */
export function parseHostKey(line: string, what = 'ssh.hostKey'): PinnedHostKey {
  const bad = (why: string): never => {
    throw new LifeboatError('LB_E_DRIVER_BAD_INPUT', `${what} ${why}`, {
      hint: 'Give the public host key as `ssh-keyscan` prints it, without the host name: `ssh-ed25519 AAAA...`.',
    });
  };
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\0-\x1f\x7f]/.test(line)) bad('contains control characters');
  const [type, b64] = line.trim().split(/\s+/);
  if (!type || !(TYPES as readonly string[]).includes(type)) {
    bad(`must start with one of ${TYPES.join(', ')}`);
  }
  if (!b64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) bad('must have a base64 key after the type');
  const blob = Buffer.from(b64 as string, 'base64');
  // Wire format: uint32 length, then the key type string, then the key material.
  const len = blob.length >= 4 ? blob.readUInt32BE(0) : -1;
  if (len <= 0 || len > 64 || blob.length < 4 + len + 16) bad('is not an SSH public key');
  if (blob.subarray(4, 4 + len).toString('latin1') !== type) {
    bad(`declares ${type} but its key data is of another type`);
  }
  return {
    type: type as HostKeyType,
    blob,
    fingerprint: fingerprintOf(blob),
    line: `${type} ${blob.toString('base64')}`,
  };
}

/** A known_hosts line pinning the key for this host and port (OpenSSH's `[host]:port` form). */
export function knownHostsLine(host: string, port: number, key: PinnedHostKey): string {
  const name = port === 22 ? host : `[${host}]:${port}`;
  return `${name} ${key.line}\n`;
}

/** OpenSSH `-o` options that pin exactly this key: a private known_hosts file, strict checking. */
export function pinnedSshOptions(knownHostsFile: string, key: PinnedHostKey): string[] {
  return [
    `StrictHostKeyChecking=yes`,
    `UserKnownHostsFile=${knownHostsFile}`,
    'GlobalKnownHostsFile=/dev/null',
    'UpdateHostKeys=no',
    `HostKeyAlgorithms=${hostKeyAlgorithms(key.type).join(',')}`,
  ];
}
