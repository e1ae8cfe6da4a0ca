// Reaching the lab's database servers from the test process. The test runs in the root network
// namespace, which has no route to 10.77.0.x; Unix sockets, though, are shared by every
// namespace (they live in the file system). So a socat inside the lab's `wan` namespace listens
// on a Unix socket under the lab directory and relays each connection over TCP to the server:
// the server sees a client at 10.77.0.254 with a password (SCRAM / native), as a real client
// would be, and the driver connects to the socket. Traffic stays inside the lab's namespaces.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Secret } from '../../../src/drivers/secrets.js';

export interface Forward {
  /** For PostgreSQL: the directory holding `.s.PGSQL.<port>`; for MariaDB: the socket file. */
  path: string;
  close(): void;
}

/** Relays `<socket>` (in the shared file system) to host:port as seen from namespace `ns`. */
export async function forward(
  ns: string,
  socket: string,
  host: string,
  port: number,
): Promise<Forward> {
  rmSync(socket, { force: true });
  const child: ChildProcess = spawn(
    'ip',
    [
      'netns',
      'exec',
      ns,
      'socat',
      `UNIX-LISTEN:${socket},fork,mode=600`,
      `TCP:${host}:${port},connect-timeout=3`,
    ],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 100 && !existsSync(socket); i++) await sleep(20);
  if (!existsSync(socket)) {
    child.kill('SIGKILL');
    throw new Error(`socat did not create ${socket}`);
  }
  return {
    path: socket,
    close: () => {
      child.kill('SIGTERM');
    },
  };
}

/** A PostgreSQL socket directory under `dir` that relays to host:port from `ns`. */
export async function pgForward(dir: string, name: string, ns: string, host: string, port: number) {
  const d = join(dir, `fwd-${name}`);
  mkdirSync(d, { recursive: true });
  const f = await forward(ns, join(d, `.s.PGSQL.${port}`), host, port);
  return { ...f, path: d };
}

export function secretFromFile(path: string, ref: string): Secret {
  return new Secret(readFileSync(path, 'utf8').trim(), ref);
}

/** Median of numbers (for the figures the tests print). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}
