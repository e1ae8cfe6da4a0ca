// Opening an SSH connection with ssh2: the server must present exactly the pinned host key
// (checked before authentication, so no credential and no command ever reaches a wrong server);
// every failure is mapped to a coded error that says whether a retry can help.
import { spawn } from 'node:child_process';
import { connect as netConnect } from 'node:net';
import { Duplex } from 'node:stream';
import { Client, type ConnectConfig } from 'ssh2';
import { LifeboatError } from '../../core/errors/index.js';
import { fingerprintOf, hostKeyAlgorithms, type PinnedHostKey } from '../host-key.js';
import type { Secret } from '../secrets.js';

export interface SshEndpoint {
  node: string;
  host: string;
  port: number;
  user: string;
  hostKey: PinnedHostKey;
  identity: Secret;
  passphrase?: Secret;
  connectTimeoutMs: number;
  keepaliveIntervalMs: number;
  proxyCommand?: readonly string[];
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/** The byte stream to sshd: a TCP socket, or the stdio of a proxy command (like ProxyCommand). */
function openStream(ep: SshEndpoint): { stream: Duplex; dispose: () => void } {
  if (!ep.proxyCommand) {
    const sock = netConnect({ host: ep.host, port: ep.port });
    return { stream: sock, dispose: () => sock.destroy() };
  }
  const [cmd, ...args] = ep.proxyCommand;
  const child = spawn(cmd as string, args, { stdio: ['pipe', 'pipe', 'ignore'], detached: true });
  child.on('error', () => {}); // surfaces as "connection lost before handshake"
  const stream = Duplex.from({ readable: child.stdout, writable: child.stdin });
  stream.on('error', () => {});
  return {
    stream,
    dispose: () => {
      try {
        if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    },
  };
}

function mapError(
  ep: SshEndpoint,
  e: Error & { level?: string; code?: string },
  presented?: Buffer,
): LifeboatError {
  const where = `${ep.user}@${ep.host}:${ep.port} (node ${ep.node})`;
  if (presented) {
    return new LifeboatError(
      'LB_E_SSH_HOST_KEY_MISMATCH',
      `${where} presented host key ${fingerprintOf(presented)}, but the plan pins ${ep.hostKey.fingerprint}; the connection was closed before authentication`,
    );
  }
  if (e.level === 'handshake' && /host key/i.test(e.message)) {
    return new LifeboatError(
      'LB_E_SSH_HOST_KEY_MISMATCH',
      `${where} has no ${ep.hostKey.type} host key to match the pinned ${ep.hostKey.fingerprint}`,
    );
  }
  if (e.level === 'client-authentication') {
    return new LifeboatError('LB_E_DRIVER_AUTH', `${where} refused the key of ${ep.identity.ref}`);
  }
  if (e.level === 'client-timeout') {
    return new LifeboatError(
      'LB_E_DRIVER_UNREACHABLE',
      `${where}: no SSH handshake within ${ep.connectTimeoutMs} ms`,
    );
  }
  if (
    (e.code && UNREACHABLE_CODES.has(e.code)) ||
    e.level === 'client-socket' ||
    /lost before handshake/i.test(e.message)
  ) {
    return new LifeboatError(
      'LB_E_DRIVER_UNREACHABLE',
      `${where} cannot be reached: ${e.code ?? e.message}`,
    );
  }
  return new LifeboatError(
    'LB_E_DRIVER_PROTOCOL',
    `${where}: SSH failed: ${e.message.slice(0, 200)}`,
  );
}

/** Connects and authenticates; rejects with a coded error, or LB_E_DRIVER_ABORTED on abort. */
export function openSsh(ep: SshEndpoint, signal: AbortSignal): Promise<Client> {
  if (signal.aborted) {
    return Promise.reject(
      new LifeboatError('LB_E_DRIVER_ABORTED', `connecting to ${ep.node} was aborted`),
    );
  }
  return new Promise((resolve, reject) => {
    const client = new Client();
    const { stream, dispose } = openStream(ep);
    let presented: Buffer | undefined;
    let settled = false;
    const settle = (err?: LifeboatError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      if (err) {
        client.end();
        dispose();
        reject(err);
      } else {
        resolve(client);
      }
    };
    const onAbort = () =>
      settle(new LifeboatError('LB_E_DRIVER_ABORTED', `connecting to ${ep.node} was aborted`));
    signal.addEventListener('abort', onAbort, { once: true });
    // ssh2's readyTimeout starts late for a custom stream; this bounds the whole attempt.
    const timer = setTimeout(
      () =>
        settle(
          new LifeboatError(
            'LB_E_DRIVER_UNREACHABLE',
            `${ep.host}:${ep.port} (node ${ep.node}): no SSH session within ${ep.connectTimeoutMs} ms`,
          ),
        ),
      ep.connectTimeoutMs,
    );
    client.on('ready', () => settle());
    client.on('error', (e: Error & { level?: string; code?: string }) =>
      settle(mapError(ep, e, presented)),
    );
    client.on('close', () => {
      dispose();
      settle(
        new LifeboatError(
          'LB_E_DRIVER_UNREACHABLE',
          `${ep.host}:${ep.port} (node ${ep.node}) closed the connection during the handshake`,
        ),
      );
    });
    const config: ConnectConfig = {
      sock: stream,
      host: ep.host,
      port: ep.port,
      username: ep.user,
      privateKey: ep.identity.reveal(),
      ...(ep.passphrase ? { passphrase: ep.passphrase.reveal() } : {}),
      readyTimeout: ep.connectTimeoutMs,
      keepaliveInterval: ep.keepaliveIntervalMs,
      keepaliveCountMax: 3,
      algorithms: { serverHostKey: hostKeyAlgorithms(ep.hostKey.type) as never },
      // Called with the key in wire format before any authentication is attempted.
      hostVerifier: (key: Buffer) => {
        if (key.equals(ep.hostKey.blob)) return true;
        presented = Buffer.from(key);
        return false;
      },
    };
    try {
      client.connect(config);
    } catch (e) {
      // ssh2 throws synchronously for a key it cannot parse; its message never holds the key.
      settle(
        new LifeboatError(
          'LB_E_DRIVER_AUTH',
          `the identity ${ep.identity.ref} is not a private key Lifeboat can use: ${(e as Error).message.slice(0, 120)}`,
        ),
      );
    }
  });
}
