// The real thing, on this machine only (no lab, no namespace, no SSH): `lifeboat serve`'s
// composition (createController: the plan file, the real drivers, SQLite, the system clock) with
// two nodes on 127.0.0.1 without `ssh` — this machine, so rsync copies between two local
// directories with the real rsync binary, and the backup command runs here. Both jobs run every
// second: the tree is copied with its marker, a change is copied by a later run, the backup is
// made, the service's state shows the jobs and an RPO within the tier, stop() leaves no timer.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createController } from '../../../src/cli/compose/controller.js';
import type { ServiceStatus } from '../../../src/controller/model.js';

const hasRsync = spawnSync('rsync', ['--version']).status === 0;
const root = mkdtempSync(join(tmpdir(), 'lifeboat-jobs-rsync-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Waits (real time, bounded in count and time) until `cond` holds. */
async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  for (let i = 0; i < 1_000 && !cond(); i++) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!cond()) throw new Error(`${what}: not met`);
}

describe.skipIf(!hasRsync)(
  'scheduled jobs with the real rsync, between two local directories',
  () => {
    it('copies the tree and makes the backup on schedule, and the RPO follows', async () => {
      const src = join(root, 'src');
      const dst = join(root, 'dst');
      const backups = join(root, 'backups');
      mkdirSync(join(src, 'sub'), { recursive: true });
      mkdirSync(backups);
      const past = Date.now() / 1000 - 60;
      for (let i = 0; i < 20; i++) {
        writeFileSync(join(src, 'sub', `f${i}.txt`), `file ${i}\n`.repeat(50));
        utimesSync(join(src, 'sub', `f${i}.txt`), past, past);
      }
      utimesSync(join(src, 'sub'), past, past);
      utimesSync(src, past, past);
      const plan = join(root, 'plan.yaml');
      writeFileSync(
        plan,
        `version: 1
name: local-copies
tiers:
  low: { rto: 1d, rpo: 1h }
sites:
  a: { role: primary, provider: this machine }
  b: { role: offsite, provider: this machine too }
nodes:
  here-a: { site: a, address: 127.0.0.1 }
  here-b: { site: b, address: 127.0.0.1 }
services:
  files:
    tier: low
    strategy: active-passive
    placement: { active: [here-a], standby: [here-b] }
    onOutage: notify
    data:
      - name: tree
        kind: files
        source: here-a
        targets: [here-b]
        path: ${src}
        targetPath: ${dst}
        replication: { mode: periodic, tool: rsync, schedule: '* * * * * *', timeout: 30s }
      - name: dump
        kind: backup
        source: here-a
        storage: ${backups}
        replication:
          mode: periodic
          schedule: '* * * * * *'
          timeout: 30s
          command: [tar, -cf, ${backups}/tree.tar, -C, ${src}, sub]
`,
      );
      const logs: string[] = [];
      const c = createController({
        plan,
        state: join(root, 'state.db'),
        watch: false,
        log: (l) => logs.push(l),
        tuning: { timeZone: 'Etc/UTC', rpoIntervalMs: 300 },
      });
      const svc = (): ServiceStatus => {
        const s = c.controller.service('files');
        if (!s) throw new Error('no service');
        return s;
      };
      const job = (name: string) => svc().jobs?.find((j) => j.dataSet === name);
      try {
        await c.start();
        expect(svc().jobs?.map((j) => [j.dataSet, j.kind, j.route])).toEqual([
          ['tree', 'rsync', 'here-a → here-b'],
          ['dump', 'command', 'here-a'],
        ]);
        await until(
          () =>
            job('tree')?.lastSuccessAt !== undefined && job('dump')?.lastSuccessAt !== undefined,
          15_000,
          `first successful runs (${logs.join('; ')})`,
        );
        expect(readFileSync(join(dst, 'sub', 'f7.txt'), 'utf8')).toBe('file 7\n'.repeat(50));
        expect(existsSync(join(dst, '.lifeboat-mirror.json'))).toBe(true);
        expect(existsSync(join(backups, 'tree.tar'))).toBe(true);
        expect(job('tree')?.lastFailure).toBeUndefined();

        // A change on the source reaches the copy at a later run.
        writeFileSync(join(src, 'sub', 'f7.txt'), 'changed\n');
        const before = job('tree')?.runs.succeeded ?? 0;
        await until(
          () =>
            (job('tree')?.runs.succeeded ?? 0) >= before + 2 &&
            readFileSync(join(dst, 'sub', 'f7.txt'), 'utf8') === 'changed\n',
          15_000,
          'the change copied',
        );
        // The RPO of both data sets is known and within the tier's hour.
        await until(
          () =>
            svc().rpo.length === 2 &&
            svc().rpo.every((r) => r.within === true && r.rpoMs !== undefined),
          10_000,
          `RPO within (${JSON.stringify(svc().rpo)})`,
        );
        expect(svc().rpo.every((r) => (r.rpoMs ?? Number.POSITIVE_INFINITY) < 10_000)).toBe(true);
        expect(job('tree')?.runs.skipped).toBeGreaterThanOrEqual(0);
      } finally {
        await c.stop();
      }
      expect(c.controller.timers).toBe(0);
      expect(svc().jobs?.every((j) => !j.running)).toBe(true);
    }, 60_000);
  },
);
