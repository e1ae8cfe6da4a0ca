// A Unix socket in the lab directory relayed to a TCP address of the lab. The host's own
// namespace has no route to 10.77.0.x, but Unix sockets live in the file system, which every
// namespace shares: a client in the test process connects to the socket, and socat, inside the
// chosen namespace, connects onward. The server sees a client of that place (wan: 10.77.0.254),
// and a partition applies to the relayed traffic as to any other.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LifeboatError } from '../core/errors/index.js';
import { inNamespace } from './exec.js';

export interface Forward {
  /** The socket file; for `pg: true` the directory holding `.s.PGSQL.<port>` (libpq's `host`). */
  path: string;
  close(): void;
}

export async function openForward(
  ns: string,
  dir: string,
  name: string,
  target: { host: string; port: number; pg?: boolean },
): Promise<Forward> {
  if (!/^[a-z0-9][a-z0-9-]{0,30}$/.test(name)) {
    throw new LifeboatError('LB_E_LAB_USAGE', `forward name '${name}' is not valid`);
  }
  const base = join(dir, 'forward', name);
  mkdirSync(base, { recursive: true, mode: 0o700 });
  const socket = join(base, target.pg ? `.s.PGSQL.${target.port}` : 'sock');
  rmSync(socket, { force: true });
  const argv = inNamespace(ns, [
    'socat',
    `UNIX-LISTEN:${socket},fork,mode=600`,
    `TCP:${target.host}:${target.port},connect-timeout=3`,
  ]);
  const child = spawn(argv[0] as string, argv.slice(1), { stdio: 'ignore' });
  // Bounded: 100 × 20 ms for socat to create its socket.
  for (let i = 0; i < 100 && !existsSync(socket) && child.exitCode === null; i++) await sleep(20);
  if (!existsSync(socket)) {
    child.kill('SIGKILL');
    throw new LifeboatError(
      'LB_E_LAB_START_TIMEOUT',
      `forward ${name}: socat did not create ${socket}`,
    );
  }
  child.unref(); // `down` ends it with the namespace's other processes if the caller does not
  return {
    path: target.pg ? base : socket,
    close: () => {
      child.kill('SIGTERM');
    },
  };
}
