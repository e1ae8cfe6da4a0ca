// The rsync driver against a real rsync daemon on loopback (no root needed): sync, dry run, the
// mirror marker and the RPO it gives, push and pull, module and connection errors, abort.
import { type ChildProcess, spawn } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MARKER,
  RsyncDriver,
  STAMP_SLACK_MS,
  wholeSecond,
} from '../../../src/drivers/rsync/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

describe('against an rsync daemon on loopback', () => {
  const root = mkdtempSync(join(tmpdir(), 'lb-rsync-unit-'));
  const src = join(root, 'src');
  const dst = join(root, 'dst');
  const pulled = join(root, 'pulled');
  let daemon: ChildProcess;
  let port = 0;
  const ctx = () => ({ signal: AbortSignal.timeout(20_000) });

  beforeAll(async () => {
    for (const d of [src, dst, pulled, join(src, 'sub')]) mkdirSync(d, { recursive: true });
    // Older than any sync's T0: T0 is whole seconds, so a change within the second a sync starts
    // counts as not yet replicated (the conservative side), which these tests are not about.
    const past = Date.now() / 1000 - 60;
    for (let i = 0; i < 50; i++) {
      writeFileSync(join(src, 'sub', `f${i}.txt`), `file ${i}\n`.repeat(100));
      utimesSync(join(src, 'sub', `f${i}.txt`), past, past);
    }
    for (const d of [join(src, 'sub'), src]) utimesSync(d, past, past);
    port = await freePort();
    writeFileSync(
      join(root, 'rsyncd.conf'),
      `address = 127.0.0.1\nport = ${port}\nuse chroot = no\nuid = ${process.getuid?.() ?? 0}\ngid = ${process.getgid?.() ?? 0}\npid file = ${root}/pid\n[m]\n  path = ${dst}\n  read only = no\n`,
    );
    daemon = spawn(
      'rsync',
      ['--daemon', '--no-detach', `--config=${root}/rsyncd.conf`, `--log-file=${root}/log`],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 100; i++) {
      if (await canConnect(port)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
  });
  afterAll(() => {
    daemon?.kill();
    rmSync(root, { recursive: true, force: true });
  });

  const push = (): RsyncDriver =>
    new RsyncDriver({
      dataSet: 'files',
      direction: 'push',
      localPath: src,
      remote: { kind: 'daemon', host: '127.0.0.1', port, module: 'm' },
    });

  it('push: dry run lists, sync moves and records T0, a second sync changes nothing, RPO 0 by marker', async () => {
    const d = push();
    const before = await d.observe(ctx());
    expect(before.facts).toMatchObject({ basis: 'none', inSync: false });
    const dry = await d.dryRun(ctx());
    expect(dry.counts.create).toBe(51);
    const progress: number[] = [];
    const first = await d.sync({ ...ctx(), progress: (p) => progress.push(p.done ?? 0) });
    expect(first).toMatchObject({ changed: true, data: { stats: { transferredFiles: 50 } } });
    expect(progress.at(-1)).toBe(
      Array.from({ length: 50 }, (_, i) => `file ${i}\n`.length * 100).reduce((a, b) => a + b),
    );
    expect(JSON.parse(readFileSync(join(dst, MARKER), 'utf8'))).toMatchObject({
      version: 1,
      dataSet: 'files',
      files: 52,
    });
    expect((await d.sync(ctx())).changed).toBe(false);
    const after = await d.observe(ctx());
    expect(after.facts).toMatchObject({ basis: 'marker', inSync: true, rpoMs: 0 });
  });

  it('push: a source change after the sync makes the mirror behind, with RPO ≥ the time since T0', async () => {
    const d = push();
    await d.sync(ctx());
    await new Promise((r) => setTimeout(r, 1100));
    writeFileSync(join(src, 'sub', 'f1.txt'), 'changed\n');
    const o = await d.observe(ctx());
    expect(o.facts).toMatchObject({ basis: 'marker', inSync: false });
    expect(o.facts.rpoMs as number).toBeGreaterThanOrEqual(1000);
    const dry = await d.dryRun(ctx());
    expect(dry.changes).toContainEqual({ path: 'sub/f1.txt', type: 'file', change: 'update' });
  });

  it('push: a change in the second the sync starts, but before it, is in sync by the marker read back', async () => {
    const d = push();
    const f = join(src, 'sub', 'same-second.txt');
    let stamp = 0;
    let t0 = 0;
    // The change 100-400 ms into a second, the sync 100 ms later: both in one second, unless a
    // stalled runner crosses it (then once more).
    for (let attempt = 1; ; attempt++) {
      const into = Date.now() % 1000;
      await sleep(into < 100 ? 100 - into : into < 400 ? 0 : 1100 - into);
      writeFileSync(f, `attempt ${attempt}\n`);
      stamp = Math.floor(statSync(f).mtimeMs);
      await sleep(STAMP_SLACK_MS + 50);
      const r = await d.sync(ctx());
      t0 = Date.parse(r.data?.syncedThrough as string);
      if (wholeSecond(t0) === wholeSecond(stamp) || attempt === 3) break;
    }
    // The case under test: by the marker's whole-second mtime alone the change is not covered.
    expect(wholeSecond(t0)).toBe(wholeSecond(stamp));
    expect(stamp).toBeLessThan(t0);
    expect((await d.observe(ctx())).facts).toMatchObject({
      basis: 'marker',
      inSync: true,
      rpoMs: 0,
      syncedThroughAt: new Date(t0).toISOString(),
    });
  });

  it('pull: the marker is local; an entry written on the mirror is reported', async () => {
    const d = new RsyncDriver({
      dataSet: 'files',
      direction: 'pull',
      localPath: pulled,
      remote: { kind: 'daemon', host: '127.0.0.1', port, module: 'm' },
    });
    // A pulled source is listed in whole seconds: a change in the second the pull starts may be
    // missing (behind). Start in a later second than the source's newest change (the marker the
    // last push wrote).
    const { source } = await d.mirrorState(ctx());
    await sleep((source.changesBeforeMs ?? 0) + STAMP_SLACK_MS - Date.now());
    expect((await d.sync(ctx())).changed).toBe(true);
    expect(readFileSync(join(pulled, MARKER), 'utf8')).toContain('"dataSet": "files"');
    expect((await d.observe(ctx())).facts).toMatchObject({
      basis: 'marker',
      inSync: true,
      targetWrittenAfterSync: false,
    });
    writeFileSync(join(pulled, 'stray.txt'), 'written on the mirror');
    const future = Date.now() / 1000 + 10;
    utimesSync(join(pulled, 'stray.txt'), future, future);
    expect((await d.observe(ctx())).facts).toMatchObject({ targetWrittenAfterSync: true });
  });

  it('an unknown module is LB_E_RSYNC_MODULE; a closed port LB_E_DRIVER_UNREACHABLE (retryable)', async () => {
    const bad = new RsyncDriver({
      dataSet: 'files',
      direction: 'push',
      localPath: src,
      remote: { kind: 'daemon', host: '127.0.0.1', port, module: 'nope' },
    });
    await expect(bad.sync(ctx())).rejects.toMatchObject({
      code: 'LB_E_RSYNC_MODULE',
      retryable: false,
    });
    const closed = new RsyncDriver({
      dataSet: 'files',
      direction: 'push',
      localPath: src,
      remote: { kind: 'daemon', host: '127.0.0.1', port: await freePort(), module: 'm' },
    });
    await expect(closed.observe(ctx())).rejects.toMatchObject({
      code: 'LB_E_DRIVER_UNREACHABLE',
      retryable: true,
    });
  });

  it('abort stops rsync and rejects LB_E_DRIVER_ABORTED', async () => {
    const c = new AbortController();
    c.abort();
    await expect(push().sync({ signal: c.signal })).rejects.toMatchObject({
      code: 'LB_E_DRIVER_ABORTED',
    });
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.on('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}
