// Given sshd and an rsync daemon at site b and a source tree at site a: ssh logs in only with
// the pinned host key, and both rsync transports copy the tree.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Lab, sshClientOptions } from '../../src/lab/index.js';
import { freshLab } from './helpers.js';

let lab: Lab;
const timings: Record<string, number> = {};

function countFiles(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    n += e.isDirectory() ? countFiles(join(dir, e.name)) : 1;
  }
  return n;
}

beforeAll(async () => {
  lab = await freshLab('tsync');
  timings.up = (await lab.up(['rsync'])).ms; // brings sshd along
});

afterAll(async () => {
  const d = await lab.down();
  timings.down = d.ms;
  console.log(
    'ssh/rsync timings (ms):',
    JSON.stringify(timings),
    'stop:',
    JSON.stringify(d.stopped),
    'down:',
    JSON.stringify(d.phases),
  );
});

describe('ssh and rsync', () => {
  it('logs in from site a with the lab key, checking the pinned host key', async () => {
    const e = lab.endpoints().ssh;
    const t0 = performance.now();
    const r = await lab.exec(
      'a',
      [
        'ssh',
        ...sshClientOptions(lab.paths),
        `${e.user}@${e.host}`,
        'ip',
        '-o',
        '-4',
        'addr',
        'show',
        'eth0',
      ],
      {
        timeoutMs: 20_000,
      },
    );
    timings.sshLogin = performance.now() - t0;
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('10.77.0.2/24'); // the command ran at site b
  });

  it('refuses a host whose key does not match the pin', async () => {
    const other = join(lab.dir, 'other_known_hosts');
    writeFileSync(
      other,
      '10.77.0.2 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeFakeFakeFakeFakeFakeFakeFakeFakeFakeFake1\n',
    );
    const opts = sshClientOptions(lab.paths).map((o) =>
      o.startsWith('UserKnownHostsFile=') ? `UserKnownHostsFile=${other}` : o,
    );
    const r = await lab.exec('a', ['ssh', ...opts, 'root@10.77.0.2', 'true'], {
      timeoutMs: 20_000,
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
  });

  it('copies the source tree with rsync over ssh', async () => {
    const e = lab.endpoints().rsync;
    const ssh = ['ssh', ...sshClientOptions(lab.paths)].join(' ');
    const t0 = performance.now();
    const r = await lab.exec(
      'a',
      ['rsync', '-a', '--delete', '-e', ssh, `${e.source.dir}/`, e.ssh.target],
      { timeoutMs: 60_000 },
    );
    timings.rsyncSsh = performance.now() - t0;
    expect(r.stderr).toBe('');
    expect(countFiles(e.ssh.dir)).toBe(countFiles(e.source.dir));
    expect(countFiles(e.source.dir)).toBe(200);
  });

  it('copies the source tree to the rsync daemon, and re-syncs a change quickly', async () => {
    const e = lab.endpoints().rsync;
    let t0 = performance.now();
    const r = await lab.exec('a', ['rsync', '-a', '--delete', `${e.source.dir}/`, e.daemon.url], {
      timeoutMs: 60_000,
    });
    timings.rsyncDaemonFull = performance.now() - t0;
    expect(r.stderr).toBe('');
    expect(countFiles(e.daemon.dir)).toBe(200);
    writeFileSync(join(e.source.dir, 'd0', 'f1.txt'), 'changed\n');
    t0 = performance.now();
    const again = await lab.exec(
      'a',
      ['rsync', '-a', '--stats', `${e.source.dir}/`, e.daemon.url],
      { timeoutMs: 60_000 },
    );
    timings.rsyncDaemonIncremental = performance.now() - t0;
    expect(again.stdout).toMatch(/Number of regular files transferred: 1\b/);
  });
});
