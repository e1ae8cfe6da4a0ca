// `down` leaves nothing behind: not after a clean `up`, not after the process running `up` was
// SIGKILLed halfway (a crashed test), and never touches another lab.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Lab } from '../../src/lab/index.js';
import { freshLab, namespaces, processesUsing, testLabDir, within } from './helpers.js';

const repo = join(import.meta.dirname, '..', '..');
const mine = (prefix: string) => namespaces().filter((n) => n.startsWith(`${prefix}-`));

/** System V segments created by these PIDs (PostgreSQL keeps one per postmaster). */
function segmentsOf(pids: readonly number[]): string[] {
  return readFileSync('/proc/sysvipc/shm', 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => pids.includes(Number(l.trim().split(/\s+/)[4])));
}

afterAll(async () => {
  await Lab.open({ name: 'tlife' }).down();
  for (const name of ['tcrash', 'tother']) await Lab.open({ name, dir: testLabDir(name) }).down();
});

describe('lab lifecycle', () => {
  it('down after a clean up: no namespace, process or directory of the lab remains', async () => {
    const lab = await freshLab('tlife', { defaultDir: true }); // the default directory, /tmp/lifeboat-lab/tlife
    expect(lab.dir).toBe('/tmp/lifeboat-lab/tlife');
    const other = await freshLab('tother');
    await other.up(['http']);
    await lab.up(['postgres', 'http']);
    expect(mine('tlife')).toHaveLength(4);
    const postmasters =
      (await lab.status()).components
        .find((c) => c.component === 'postgres')
        ?.servers.map((s) => s.pid as number) ?? [];
    expect(segmentsOf(postmasters)).toHaveLength(2);
    await lab.kill('postgres-b'); // a SIGKILLed postmaster leaves its segment behind
    const d = await lab.down();
    expect(Object.keys(d.stopped).sort()).toEqual(['http-a', 'http-b', 'postgres-a']);
    expect(mine('tlife')).toEqual([]);
    expect(processesUsing(lab.dir)).toEqual([]);
    expect(existsSync(lab.dir)).toBe(false);
    expect(segmentsOf(postmasters)).toEqual([]);
    // The other lab is untouched.
    expect(mine('tother')).toHaveLength(4);
    expect((await other.status()).components.find((c) => c.component === 'http')?.state).toBe('up');
    await other.down();
    // down again: nothing to do, no error.
    const again = await lab.down();
    expect(again.stopped).toEqual({});
  });

  it('down after SIGKILL of the process running `up` halfway: nothing remains', async () => {
    const lab = await freshLab('tcrash');
    const up = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'lab',
        'up',
        '--name',
        'tcrash',
        '--dir',
        lab.dir,
        '--only',
        'postgres,mariadb,etcd',
      ],
      {
        cwd: repo,
        stdio: 'ignore',
      },
    );
    const exited = new Promise((r) => up.once('exit', r));
    // Halfway: the PostgreSQL primary runs, the base backup or MariaDB's install may be going.
    await within(() => existsSync(lab.paths.pidFile('postgres-a')), 60_000, 50);
    up.kill('SIGKILL');
    await exited;
    expect(mine('tcrash')).toHaveLength(4);
    expect(processesUsing(lab.dir).length).toBeGreaterThan(0);
    const d = await lab.down();
    // What `up` had started by then, stopped by its record or killed as a leftover.
    expect(Object.keys(d.stopped).length + d.killedLeftovers.length).toBeGreaterThan(0);
    expect(mine('tcrash')).toEqual([]);
    expect(processesUsing(lab.dir)).toEqual([]);
    expect(existsSync(lab.dir)).toBe(false);
  });

  it('a crashed up leaves a lock that the next command takes over', async () => {
    const lab = await freshLab('tcrash');
    const up = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'lab',
        'up',
        '--name',
        'tcrash',
        '--dir',
        lab.dir,
        '--only',
        'http',
      ],
      {
        cwd: repo,
        stdio: 'ignore',
      },
    );
    const exited = new Promise((r) => up.once('exit', r));
    await within(() => existsSync(lab.paths.lock), 30_000, 20);
    up.kill('SIGKILL');
    await exited;
    const r = await lab.up(['http']);
    expect(r.components[0]?.component).toBe('http');
    await lab.down();
  });
});
