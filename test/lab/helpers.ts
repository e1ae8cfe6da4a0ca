// Shared by the lab tests (which need root and the lab's Debian packages).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statfsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Lab, type Place } from '../../src/lab/index.js';

const TMPFS_MAGIC = 0x01021994;

function statfsType(path: string): number | undefined {
  try {
    return statfsSync(path).type;
  } catch {
    return undefined;
  }
}

/**
 * Where test labs live: on tmpfs when there is one. On a shared disk under load, initdb,
 * mariadb-install-db and removing a lab's 100 MB took seconds each (rm -rf alone: 7 s).
 * The lifecycle test keeps the default directory, so that it is exercised too.
 */
export const TEST_LAB_ROOT =
  statfsType('/dev/shm') === TMPFS_MAGIC ? '/dev/shm/lifeboat-lab-test' : undefined;

export function testLabDir(name: string): string | undefined {
  return TEST_LAB_ROOT ? `${TEST_LAB_ROOT}/${name}` : undefined;
}

/** Opens a lab with its own name, after clearing what a previous crashed run left. */
export async function freshLab(name: string, opts: { defaultDir?: boolean } = {}): Promise<Lab> {
  const lab = Lab.open({ name, dir: opts.defaultDir ? undefined : testLabDir(name) });
  await lab.down();
  return lab;
}

export function namespaces(): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n !== '');
}

/** Processes whose command line names a path inside `dir`. */
export function processesUsing(dir: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    if (Number(pid) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(`${dir}/`)) out.push(`${pid} ${cmd}`);
    } catch {
      // exited while we looked
    }
  }
  return out;
}

/** Whether a TCP connection from `from` to host:port succeeds (500 ms limit). */
export async function reaches(lab: Lab, from: Place, host: string, port: number): Promise<boolean> {
  const { tcpOpen } = await import('../../src/lab/probes.js');
  return tcpOpen(lab.namespaces[from], host, port, 500);
}

/**
 * Whether a UDP datagram sent from `from` arrives at `to`: one-way cuts show with UDP, where
 * TCP fails either way (its handshake needs both directions).
 */
export async function udpDelivered(
  lab: Lab,
  from: Place,
  to: Place,
  toHost: string,
): Promise<boolean> {
  const port = String(40000 + Math.floor(Math.random() * 10000));
  // -T 1: the receiver gives up after a second without a datagram.
  const receiver = lab.exec(
    to,
    ['socat', '-T', '1', '-u', `UDP4-RECV:${port},bind=${toHost}`, 'STDOUT'],
    {
      timeoutMs: 5000,
    },
  );
  await sleep(100);
  for (let i = 0; i < 3; i++) {
    await lab.exec(from, ['socat', '-u', 'STDIN', `UDP4-SENDTO:${toHost}:${port}`], {
      input: 'ping\n',
    });
  }
  return (await receiver).stdout.includes('ping');
}

/** Polls until `f` is true; returns the ms it took, or throws after `timeoutMs`. */
export async function within(
  f: () => Promise<boolean> | boolean,
  timeoutMs: number,
  stepMs = 20,
): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < Math.ceil(timeoutMs / stepMs) + 1; i++) {
    if (await f()) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) break; // a slow check must not stretch the bound
    await sleep(stepMs);
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

/**
 * Polls `f` until it gives a value (an error counts as none yet); throws naming `what`, with
 * `detail()` (a process's output, the last state seen), after `timeoutMs`.
 */
export async function pollFor<T>(
  what: string,
  f: () => Promise<T | undefined>,
  timeoutMs: number,
  opts: { stepMs?: number; detail?: () => string } = {},
): Promise<T> {
  const stepMs = opts.stepMs ?? 250;
  const end = Date.now() + timeoutMs;
  for (let i = 0; i < Math.ceil(timeoutMs / stepMs) + 1 && Date.now() < end; i++) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    await sleep(stepMs);
  }
  const detail = opts.detail?.() ?? '';
  throw new Error(`timed out waiting for ${what}${detail ? `\n${detail}` : ''}`);
}
