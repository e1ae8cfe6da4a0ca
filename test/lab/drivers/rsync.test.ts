// Given a 200-file tree at site a, the lab's sshd and rsync daemon at site b: rsync pushes a → b
// over SSH with the pinned key (progress and stats), re-syncs a 1 % change, reports the mirror's
// RPO before and after, refuses a wrong pinned key, limits bandwidth, pushes to the daemon and
// pulls back. rsync runs in a's namespace. Figures: full and incremental sync times.
import { readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Progress } from '../../../src/drivers/driver.js';
import {
  MARKER,
  type RsyncConfig,
  RsyncDriver,
  STAMP_SLACK_MS,
} from '../../../src/drivers/rsync/index.js';
import { Lab } from '../../../src/lab/index.js';
import { runDriverConformance } from '../../conformance/driver-suite.js';
import { identity, median, otherKey, pinnedKey, SITE_B, timed } from './ssh-lab.js';

const lab = Lab.open({ name: 'drvrsync' });
const ctx = (ms = 120_000) => ({ signal: AbortSignal.timeout(ms) });
const figures: Record<string, number> = {};
let src = '';

function overSsh(
  over: Partial<RsyncConfig> = {},
  remote: Record<string, unknown> = {},
): RsyncDriver {
  const ep = lab.endpoints().rsync;
  return new RsyncDriver({
    dataSet: 'files',
    direction: 'push',
    localPath: ep.source.dir,
    namespace: lab.namespaces.a,
    remote: {
      kind: 'ssh',
      node: 'web-b',
      host: SITE_B,
      user: 'root',
      hostKey: pinnedKey(lab),
      identity: identity(lab),
      path: ep.ssh.dir,
      ...remote,
    },
    ...over,
  } as RsyncConfig);
}

function toDaemon(over: Partial<RsyncConfig> = {}): RsyncDriver {
  const ep = lab.endpoints().rsync;
  return new RsyncDriver({
    dataSet: 'files',
    direction: 'push',
    localPath: ep.source.dir,
    namespace: lab.namespaces.a,
    remote: { kind: 'daemon', host: SITE_B, module: ep.daemon.module },
    ...over,
  });
}

/** Rewrites `n` files of the source with new content (a 1 % change is 2 of the 200). */
function touchFiles(n: number, round: number): void {
  for (let i = 0; i < n; i++) {
    const f = join(src, `d${i % 4}`, `f${i * 50 + (i % 50)}.txt`);
    writeFileSync(f, `${readFileSync(f, 'utf8')}round ${round}\n`);
  }
}

beforeAll(async () => {
  await lab.up(['rsync']);
  src = lab.endpoints().rsync.source.dir;
  // The generated directories are older than any sync. The files are as `up` wrote them,
  // moments before the first sync and often within the second it starts: the marker's T0 in
  // milliseconds tells they were copied (see mirror.ts on T0).
  const past = Date.now() / 1000 - 3600;
  for (const d of ['d0', 'd1', 'd2', 'd3']) utimesSync(join(src, d), past, past);
  utimesSync(src, past, past);
});
afterAll(async () => {
  console.log(`rsync figures (ms): ${JSON.stringify(figures)}`);
  await lab.down();
});

describe('push a → b over SSH', () => {
  it('the first sync copies the tree with progress and stats; the mirror is in sync by its marker', async () => {
    const d = overSsh();
    expect((await d.observe(ctx())).facts).toMatchObject({
      basis: 'none',
      inSync: false,
      targetEntries: 0,
    });
    const progress: Progress[] = [];
    const beats: number[] = [];
    const [r, ms] = await timed(() =>
      d.sync({
        ...ctx(),
        progress: (p) => progress.push(p),
        heartbeat: () => beats.push(Date.now()),
      }),
    );
    figures.fullSync200Files = Math.round(ms);
    expect(r.changed).toBe(true);
    expect(r.data?.stats).toMatchObject({ files: 205, transferredFiles: 200, deletedFiles: 0 });
    const total = (r.data as { stats: { totalSize: number } }).stats.totalSize;
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ done: total, total, unit: 'bytes' });
    expect(beats.length).toBeGreaterThan(0);
    const marker = JSON.parse(readFileSync(join(lab.endpoints().rsync.ssh.dir, MARKER), 'utf8'));
    expect(marker).toMatchObject({ version: 1, dataSet: 'files', files: 205 });
    expect((await d.observe(ctx())).facts).toMatchObject({
      basis: 'marker',
      inSync: true,
      rpoMs: 0,
      targetWrittenAfterSync: false,
    });
  });

  it('a 1 % change: the mirror is behind with an RPO, the dry run names the 2 files, a sync copies only them', async () => {
    const d = overSsh();
    await new Promise((res) => setTimeout(res, 1100)); // past the second of the last T0
    touchFiles(2, 1);
    const behind = await d.observe(ctx());
    expect(behind.facts).toMatchObject({ basis: 'marker', inSync: false });
    expect(behind.facts.rpoMs as number).toBeGreaterThanOrEqual(1000);
    const dry = await d.dryRun(ctx());
    expect(dry.counts).toMatchObject({ create: 0, update: 2, delete: 0 });
    expect(
      dry.changes
        .filter((c) => c.type === 'file')
        .map((c) => c.path)
        .sort(),
    ).toEqual(['d0/f0.txt', 'd1/f51.txt']);
    const r = await d.sync(ctx());
    expect(r.data?.stats).toMatchObject({ transferredFiles: 2, deletedFiles: 0 });
    expect((await d.observe(ctx())).facts).toMatchObject({ inSync: true, rpoMs: 0 });
  });

  it('figures: incremental sync of a 1 % change, and of no change (median of 5)', async () => {
    const d = overSsh();
    const changed: number[] = [];
    const none: number[] = [];
    for (let i = 0; i < 5; i++) {
      touchFiles(2, 10 + i);
      changed.push((await timed(() => d.sync(ctx())))[1]);
      none.push((await timed(() => d.sync(ctx())))[1]);
    }
    // Without the marker: one rsync run, the cost of a sync alone (the marker is a second login).
    const noMarker = overSsh({ writeMarker: false });
    const bare: number[] = [];
    for (let i = 0; i < 5; i++) {
      touchFiles(2, 30 + i);
      bare.push((await timed(() => noMarker.sync(ctx())))[1]);
    }
    const ep = lab.endpoints().ssh;
    const login: number[] = [];
    for (let i = 0; i < 5; i++) {
      login.push(
        (
          await timed(() =>
            lab.exec('a', [
              'ssh',
              '-i',
              ep.identityFile,
              '-o',
              `UserKnownHostsFile=${ep.knownHostsFile}`,
              '-o',
              'StrictHostKeyChecking=yes',
              '-o',
              'BatchMode=yes',
              `root@${SITE_B}`,
              'true',
            ]),
          )
        )[1],
      );
    }
    Object.assign(figures, {
      sshIncremental1pct: median(changed),
      sshNoChange: median(none),
      sshIncremental1pctWithoutMarker: median(bare),
      opensshTrue: median(login),
    });
  });

  it('a wrong pinned key: LB_E_SSH_HOST_KEY_MISMATCH, nothing copied', async () => {
    touchFiles(2, 99);
    const before = statSync(join(lab.endpoints().rsync.ssh.dir, 'd0', 'f0.txt')).mtimeMs;
    await expect(overSsh({}, { hostKey: otherKey() }).sync(ctx())).rejects.toMatchObject({
      code: 'LB_E_SSH_HOST_KEY_MISMATCH',
      retryable: false,
    });
    expect(statSync(join(lab.endpoints().rsync.ssh.dir, 'd0', 'f0.txt')).mtimeMs).toBe(before);
  });

  it('--bwlimit bounds the rate: 1 MiB at 512 KiB/s takes about 2 s', async () => {
    writeFileSync(join(src, 'd0', 'big.bin'), Buffer.alloc(1 << 20, 7));
    const [, ms] = await timed(() => overSsh({ bwlimitKiB: 512 }).sync(ctx()));
    figures.bwlimited1MiB = Math.round(ms);
    expect(ms).toBeGreaterThan(1500);
  });
});

describe('the rsync daemon and pulling back', () => {
  it('push to the daemon module; the incremental 1 % re-sync', async () => {
    const d = toDaemon();
    expect((await d.sync(ctx())).changed).toBe(true);
    expect((await d.observe(ctx())).facts).toMatchObject({ basis: 'marker', inSync: true });
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      touchFiles(2, 20 + i);
      times.push((await timed(() => d.sync(ctx())))[1]);
    }
    figures.daemonIncremental1pct = median(times);
  });

  it('pull b → a over SSH: the marker is local, in sync', async () => {
    const ep = lab.endpoints().rsync;
    const into = `${lab.dir}/rsync/pulled`;
    await lab.exec('a', ['mkdir', '-p', into]);
    const d = overSsh({ direction: 'pull', localPath: into });
    // A pulled source is listed in whole seconds: a change in the second the pull starts may be
    // missing (behind). Start in a later second than b's newest change.
    const { source } = await d.mirrorState(ctx());
    const wait = (source.changesBeforeMs ?? 0) + STAMP_SLACK_MS - Date.now();
    await new Promise((res) => setTimeout(res, Math.max(0, wait)));
    const r = await d.sync(ctx());
    expect(r.data?.stats).toMatchObject({ deletedFiles: 0 });
    expect(readFileSync(join(into, MARKER), 'utf8')).toContain(
      `"from": "root@${SITE_B}:${ep.ssh.dir}/"`,
    );
    expect((await d.observe(ctx())).facts).toMatchObject({ basis: 'marker', inSync: true });
  });
});

runDriverConformance({
  name: 'rsync mirror over ssh (lab a → b)',
  setup: async () => overSsh(),
  unreachable: () => overSsh({}, { port: 2222 }),
});

runDriverConformance({
  name: 'rsync mirror to the daemon (lab a → b)',
  setup: async () => toDaemon(),
  unreachable: () =>
    new RsyncDriver({
      dataSet: 'files',
      direction: 'push',
      localPath: '/tmp',
      namespace: lab.namespaces.a,
      remote: { kind: 'daemon', host: SITE_B, port: 8873, module: 'lab' },
    }),
});
