// The rsync driver without the lab: argv building, hostile values refused before any process,
// parsers on captured rsync output, exit statuses and the RPO rule. Real runs against a loopback
// daemon are in rsync-daemon.test.ts.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  changeBefore,
  classifyExit,
  MARKER,
  markerContentDecides,
  markerSyncedThrough,
  markerT0,
  mirrorRpo,
  parseItemize,
  parseListLine,
  parseProgress,
  parseStats,
  type RsyncConfig,
  RsyncDriver,
  renderMarker,
  rsyncArgv,
  STAMP_SLACK_MS,
  syncT0,
  type TreeSummary,
  wholeSecond,
} from '../../../src/drivers/rsync/index.js';
import { scanLocalTree, stamp } from '../../../src/drivers/rsync/tree-scan.js';
import { Secret } from '../../../src/drivers/secrets.js';

const HOSTILE = [';id', '$(id)', '`id`', 'a\nb', '--option', '-e sh', '../etc', "it's", 'x y'];

function hostKeyLine(): string {
  const raw = Buffer.from(
    generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x as string,
    'base64url',
  );
  const field = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  return `ssh-ed25519 ${Buffer.concat([field(Buffer.from('ssh-ed25519')), field(raw)]).toString('base64')}`;
}

const identity = new Secret('-----BEGIN OPENSSH PRIVATE KEY-----\nfake\n', 'file:/keys/id');
const sshConfig: RsyncConfig = {
  dataSet: 'uploads',
  direction: 'push',
  localPath: '/srv/uploads',
  remote: {
    kind: 'ssh',
    node: 'web-b',
    host: '10.0.0.2',
    user: 'sync',
    hostKey: hostKeyLine(),
    identity,
    path: '/srv/uploads',
  },
};

describe('rsync argv', () => {
  const ssh = {
    identityFile: '/tmp/lifeboat-rsync-x/identity',
    knownHostsFile: '/tmp/lifeboat-rsync-x/known_hosts',
    options: ['StrictHostKeyChecking=yes', 'UserKnownHostsFile=/tmp/lifeboat-rsync-x/known_hosts'],
  };

  it('a push over ssh: -s, pinned ssh, paths after --, marker excluded, deletions mirrored', () => {
    const argv = rsyncArgv({ ...sshConfig, bwlimitKiB: 500 }, 'sync', { ssh });
    expect(argv.slice(-3)).toEqual(['--', '/srv/uploads/', 'sync@10.0.0.2:/srv/uploads/']);
    expect(argv).toContain('-s');
    expect(argv).toContain('--bwlimit=500');
    expect(argv).toContain(`--exclude=/${MARKER}`);
    expect(argv).toContain('--delete');
    expect(argv).toContain('--info=progress2');
    const e = argv[argv.indexOf('-e') + 1] as string;
    expect(e).toBe(
      'ssh -F /dev/null -p 22 -i /tmp/lifeboat-rsync-x/identity -o StrictHostKeyChecking=yes -o UserKnownHostsFile=/tmp/lifeboat-rsync-x/known_hosts',
    );
  });

  it('a pull from a daemon: the module URL is the source, the password never in argv', () => {
    const c: RsyncConfig = {
      dataSet: 'uploads',
      direction: 'pull',
      localPath: '/srv/mirror',
      remote: {
        kind: 'daemon',
        host: 'fe80::1',
        port: 8873,
        module: 'data',
        subdir: 'a/b',
        user: 'mirror',
        password: new Secret('s3cret-pw', 'env:RSYNC_PW'),
      },
    };
    const argv = rsyncArgv(c, 'dry-run');
    expect(argv.slice(-3)).toEqual([
      '--',
      'rsync://mirror@[fe80::1]:8873/data/a/b/',
      '/srv/mirror/',
    ]);
    expect(argv).toEqual(
      expect.arrayContaining(['--dry-run', '--itemize-changes', '--contimeout=10']),
    );
    expect(argv.join(' ')).not.toContain('s3cret');
  });

  it('reading the marker back: the one file after --, into a private directory, size-capped', () => {
    const argv = rsyncArgv(sshConfig, 'get-marker', { ssh, into: '/tmp/lifeboat-rsync-x' });
    expect(argv.slice(-3)).toEqual([
      '--',
      `sync@10.0.0.2:/srv/uploads/${MARKER}`,
      '/tmp/lifeboat-rsync-x/',
    ]);
    expect(argv).toContain('-s');
    expect(argv).toContain('--max-size=65536');
    expect(argv).not.toContain('--delete');
  });
});

describe('hostile configuration is refused before any process starts', () => {
  const patches: Array<
    [string, (v: string) => Partial<RsyncConfig> | { remote: Record<string, unknown> }]
  > = [
    ['dataSet', (v) => ({ dataSet: v })],
    ['localPath', (v) => ({ localPath: v })],
    ['localPath (absolute)', (v) => ({ localPath: `/srv/${v}` })],
    ['namespace', (v) => ({ namespace: v })],
    ['remoteRsyncPath', (v) => ({ remoteRsyncPath: v })],
    ['remote host', (v) => ({ remote: { ...sshConfig.remote, host: v } })],
    ['remote user', (v) => ({ remote: { ...sshConfig.remote, user: v } })],
    ['remote node', (v) => ({ remote: { ...sshConfig.remote, node: v } })],
    ['remote path', (v) => ({ remote: { ...sshConfig.remote, path: v } })],
    ['host key', (v) => ({ remote: { ...sshConfig.remote, hostKey: `ssh-ed25519 ${v}` } })],
    ['daemon module', (v) => ({ remote: { kind: 'daemon', host: 'h', module: v } })],
    ['daemon user', (v) => ({ remote: { kind: 'daemon', host: 'h', module: 'm', user: v } })],
    [
      'daemon subdir',
      (v) => ({
        remote: {
          kind: 'daemon',
          host: 'h',
          module: 'm',
          subdir: v.includes('..') ? v : `${v}/../x`,
        },
      }),
    ],
  ];
  for (const [field, patch] of patches) {
    it(`${field}`, () => {
      for (const v of HOSTILE) {
        if (field === 'localPath (absolute)' && !/[\n]|\.\./.test(v)) continue; // `/srv/;id` is a legal path, passed after `--`
        if (
          field === 'remote path' &&
          !v.startsWith('-') &&
          !v.includes('..') &&
          !v.includes('\n') &&
          v.startsWith('/')
        )
          continue;
        expect(
          () => new RsyncDriver({ ...sshConfig, ...patch(v) } as RsyncConfig),
          `${field} = ${JSON.stringify(v)}`,
        ).toThrow(expect.objectContaining({ code: 'LB_E_DRIVER_BAD_INPUT' }));
      }
    });
  }

  it('exclude patterns with control characters, and a colon path rsync would read as host:path', () => {
    expect(() => new RsyncDriver({ ...sshConfig, excludes: ['a\nb'] })).toThrow(
      expect.objectContaining({ code: 'LB_E_DRIVER_BAD_INPUT' }),
    );
    expect(() => new RsyncDriver({ ...sshConfig, localPath: 'host:/x' })).toThrow(
      expect.objectContaining({ code: 'LB_E_DRIVER_BAD_INPUT' }),
    );
  });

  it('an ssh remote without a pinned key is refused with the ssh-keyscan advice', () => {
    const { hostKey: _, ...remote } = sshConfig.remote as Extract<
      RsyncConfig['remote'],
      { kind: 'ssh' }
    >;
    expect(() => new RsyncDriver({ ...sshConfig, remote })).toThrow(
      expect.objectContaining({ code: 'LB_E_SSH_HOST_KEY_MISSING' }),
    );
  });
});

describe('parsers', () => {
  it('progress2 lines', () => {
    expect(
      parseProgress('        3163690 100%    2.03MB/s    0:00:01 (xfr#201, to-chk=0/206)'),
    ).toEqual({
      bytes: 3163690,
      percent: 100,
      rate: Math.round(2.03 * 1024 ** 2),
      files: 201,
      toCheck: 0,
      totalFiles: 206,
    });
    expect(parseProgress('      1,234,567  45%  120.00kB/s    0:00:03  ')).toMatchObject({
      bytes: 1234567,
      percent: 45,
    });
    expect(
      parseProgress('          0   0%    0.00kB/s    0:00:00 (xfr#0, ir-chk=1000/1001)'),
    ).toMatchObject({ toCheck: 1000, totalFiles: 1001 });
    expect(parseProgress('Number of files: 3')).toBeUndefined();
  });

  it('--stats block', () => {
    const text = `Number of files: 206 (reg: 201, dir: 5)\nNumber of created files: 205 (reg: 201, dir: 4)\nNumber of deleted files: 1\nNumber of regular files transferred: 201\nTotal file size: 3,163,690 bytes\nTotal transferred file size: 3163690 bytes\nLiteral data: 3163690 bytes\nMatched data: 0 bytes\nFile list size: 0\nTotal bytes sent: 3176842\nTotal bytes received: 3870\n`;
    expect(parseStats(text)).toEqual({
      files: 206,
      createdFiles: 205,
      deletedFiles: 1,
      transferredFiles: 201,
      totalSize: 3163690,
      transferredSize: 3163690,
      literalBytes: 3163690,
      matchedBytes: 0,
      bytesSent: 3176842,
      bytesReceived: 3870,
    });
    expect(parseStats('rsync error')).toBeUndefined();
  });

  it('--itemize-changes lines', () => {
    expect(parseItemize('>f+++++++++ d0/new file.txt')).toEqual({
      path: 'd0/new file.txt',
      type: 'file',
      change: 'create',
    });
    expect(parseItemize('<f..t...... d1/f60.txt')).toEqual({
      path: 'd1/f60.txt',
      type: 'file',
      change: 'update',
    });
    expect(parseItemize('.d..t...... d0/')).toEqual({
      path: 'd0',
      type: 'dir',
      change: 'attributes',
    });
    expect(parseItemize('cL+++++++++ link -> target')).toEqual({
      path: 'link',
      type: 'symlink',
      change: 'create',
    });
    expect(parseItemize('*deleting   d0/f3.txt')).toEqual({
      path: 'd0/f3.txt',
      type: 'unknown',
      change: 'delete',
    });
    expect(parseItemize('sending incremental file list')).toBeUndefined();
  });

  it('--list-only lines (TZ=UTC)', () => {
    expect(parseListLine('-rw-r--r--     3000000 2026/11/21 17:05:58 d0/big bin')).toEqual({
      path: 'd0/big bin',
      dir: false,
      size: 3000000,
      mtimeMs: Date.UTC(2026, 10, 21, 17, 5, 58),
    });
    expect(parseListLine('drwxr-xr-x          4,096 2026/11/21 17:01:06 .')).toMatchObject({
      path: '.',
      dir: true,
    });
    expect(parseListLine('lrwxrwxrwx              6 2026/11/21 17:01:06 l -> x')).toMatchObject({
      path: 'l',
    });
  });
});

describe('exit statuses', () => {
  it.each([
    [23, '', 'LB_E_RSYNC_PARTIAL', true],
    [24, '', 'LB_E_RSYNC_PARTIAL', true],
    [30, '', 'LB_E_RSYNC_TIMEOUT', true],
    [35, '', 'LB_E_RSYNC_TIMEOUT', true],
    [1, '', 'LB_E_RSYNC_USAGE', false],
    [2, '', 'LB_E_RSYNC_USAGE', false],
    [3, '', 'LB_E_RSYNC_USAGE', false],
    [11, '', 'LB_E_RSYNC_IO', false],
    [12, '', 'LB_E_RSYNC_STREAM', true],
    [255, 'Host key verification failed.', 'LB_E_SSH_HOST_KEY_MISMATCH', false],
    [255, 'root@h: Permission denied (publickey).', 'LB_E_DRIVER_AUTH', false],
    [
      23,
      'recv_generator: mkdir "sub" (in m) failed: Permission denied (13)',
      'LB_E_RSYNC_PARTIAL',
      true,
    ],
    [255, 'ssh: connect to host h port 22: Connection refused', 'LB_E_DRIVER_UNREACHABLE', true],
    [
      10,
      'rsync: failed to connect to h (10.0.0.2): Connection refused (111)',
      'LB_E_DRIVER_UNREACHABLE',
      true,
    ],
    [5, "@ERROR: Unknown module 'x'", 'LB_E_RSYNC_MODULE', false],
    [5, '@ERROR: auth failed on module data', 'LB_E_DRIVER_AUTH', false],
  ])('exit %i %j → %s', async (status, stderr, code, retryable) => {
    const { ERROR_CODES } = await import('../../../src/core/errors/registry.js');
    const rule = classifyExit(status, stderr);
    expect(rule.code).toBe(code);
    expect(ERROR_CODES[rule.code].retryable).toBe(retryable);
  });
});

describe('mirror RPO rule', () => {
  const now = 1_000_000_000;
  it('marker: source not newer than T0 → in sync, RPO 0', () => {
    expect(
      mirrorRpo(
        { entries: 3, newestMtimeMs: now - 60_000 },
        { entries: 3, markerMtimeMs: now - 30_000, newestMtimeMs: now - 60_000 },
        now,
      ),
    ).toEqual({
      basis: 'marker',
      inSync: true,
      rpoMs: 0,
      syncedThroughMs: now - 30_000,
      targetWrittenAfterSync: false,
    });
  });
  it('marker: a change after T0 → RPO bounded by now − T0', () => {
    expect(
      mirrorRpo(
        { entries: 3, newestMtimeMs: now - 10_000 },
        { entries: 3, markerMtimeMs: now - 30_000 },
        now,
      ),
    ).toMatchObject({ inSync: false, rpoMs: 30_000 });
  });
  it('marker: an entry on the target newer than T0 is reported as written on the mirror', () => {
    expect(
      mirrorRpo(
        { entries: 1, newestMtimeMs: 0 },
        { entries: 1, markerMtimeMs: now - 30_000, newestMtimeMs: now - 1000 },
        now,
      ).targetWrittenAfterSync,
    ).toBe(true);
  });
  it('no marker: newest mtimes compared, bound by the target newest', () => {
    expect(
      mirrorRpo(
        { entries: 1, newestMtimeMs: now - 5000 },
        { entries: 1, newestMtimeMs: now - 5000 },
        now,
      ),
    ).toMatchObject({ basis: 'mtime', inSync: true, rpoMs: 0 });
    expect(
      mirrorRpo(
        { entries: 1, newestMtimeMs: now - 5000 },
        { entries: 1, newestMtimeMs: now - 50_000 },
        now,
      ),
    ).toMatchObject({ basis: 'mtime', inSync: false, rpoMs: 50_000 });
  });
  it('an empty target: unknown RPO', () => {
    expect(mirrorRpo({ entries: 2, newestMtimeMs: now }, { entries: 0 }, now)).toEqual({
      basis: 'none',
      inSync: false,
      targetWrittenAfterSync: false,
    });
  });
});

describe('mirror RPO at the second of T0: the marker keeps milliseconds', () => {
  // A sync starts at 12.600 s; T0 (its start less the stamp slack) is 12.550; the marker's mtime
  // is 12.000, its JSON says 12.550.
  const second = 1_700_000_012_000;
  const started = second + 600;
  const t0 = syncT0(started);
  const marker = renderMarker({
    version: 1,
    dataSet: 'files',
    syncedThrough: new Date(t0).toISOString(),
    completedAt: new Date(started + 900).toISOString(),
    from: '/srv/files/',
    files: 3,
    bytes: 10,
  });
  const now = started + 2000;
  /** A source scanned locally (millisecond stamps) whose newest change is stamped `at`. */
  const local = (at: number): TreeSummary => ({
    entries: 3,
    newestMtimeMs: at,
    changesBeforeMs: changeBefore(at, false),
  });
  const target = (withContent: boolean): TreeSummary => ({
    entries: 3,
    markerMtimeMs: wholeSecond(t0),
    ...(withContent ? { markerT0Ms: markerT0(marker, wholeSecond(t0)) as number } : {}),
  });

  it('T0 is the start less the slack; the marker holds it to the millisecond, its mtime the second', () => {
    expect(t0).toBe(started - STAMP_SLACK_MS);
    expect(wholeSecond(t0)).toBe(second);
    expect(markerT0(marker, second)).toBe(t0);
  });

  it('a file modified in the same second as T0 but before the sync start: in sync by the milliseconds', () => {
    const source = local(second + 300);
    // The whole second alone cannot tell (12.300 is after 12.000): behind, and the content decides.
    expect(mirrorRpo(source, target(false), now)).toMatchObject({ basis: 'marker', inSync: false });
    expect(markerContentDecides(source, target(false))).toBe(true);
    expect(mirrorRpo(source, target(true), now)).toEqual({
      basis: 'marker',
      inSync: true,
      rpoMs: 0,
      syncedThroughMs: t0,
      targetWrittenAfterSync: false,
    });
  });

  it('a change after T0 in the same second (after the start, or within the slack before it): behind', () => {
    for (const at of [started + 100, started - 10, t0]) {
      const source = local(at);
      expect(markerContentDecides(source, target(false))).toBe(true);
      expect(mirrorRpo(source, target(true), now)).toMatchObject({
        inSync: false,
        rpoMs: now - t0,
      });
    }
    // One millisecond before T0 is the last stamp that counts as copied.
    expect(mirrorRpo(local(t0 - 1), target(true), now).inSync).toBe(true);
  });

  it('a stamp known only to the second (a listing, a seconds-only file system) in that second: behind', () => {
    const listed: TreeSummary = {
      entries: 3,
      newestMtimeMs: second,
      changesBeforeMs: changeBefore(second, true),
    };
    expect(markerContentDecides(listed, target(false))).toBe(false);
    expect(mirrorRpo(listed, target(true), now)).toMatchObject({ inSync: false });
    // A precise local stamp is known to the millisecond, even one that falls on a whole second
    // (1 file in 1,000 does); only a stamp with no sub-second part in nanoseconds is coarse.
    expect(changeBefore(second, false)).toBe(second + 1);
    expect(changeBefore(second + 300, false)).toBe(second + 301);
    expect(stamp({ mtimeNs: BigInt(second) * 1_000_000n })).toEqual({
      mtimeMs: second,
      wholeSecond: true,
    });
    expect(stamp({ mtimeNs: BigInt(second) * 1_000_000n + 17n })).toEqual({
      mtimeMs: second,
      wholeSecond: false,
    });
    // The second before T0's: in sync by the mtime alone, nothing to read.
    const earlier: TreeSummary = {
      entries: 3,
      newestMtimeMs: second - 1000,
      changesBeforeMs: changeBefore(second - 1000, true),
    };
    expect(markerContentDecides(earlier, target(false))).toBe(false);
    expect(mirrorRpo(earlier, target(false), now)).toMatchObject({ inSync: true, rpoMs: 0 });
  });

  it('a change in a later second than T0: behind by the mtime alone, nothing to read', () => {
    const source = local(second + 1200);
    expect(markerContentDecides(source, target(false))).toBe(false);
    expect(mirrorRpo(source, target(false), now)).toMatchObject({
      inSync: false,
      rpoMs: now - second,
    });
  });

  it('marker content that is not ours or disagrees with its mtime is ignored', () => {
    expect(markerT0('not json', second)).toBeUndefined();
    expect(markerT0('null', second)).toBeUndefined();
    expect(markerT0(JSON.stringify({ version: 2, syncedThrough: 'x' }), second)).toBeUndefined();
    // Written in another second than its mtime says (edited, or copied by hand).
    expect(markerT0(marker, second - 1000)).toBeUndefined();
    // Read on its own (check-ready reads the target's marker on the node, without its mtime).
    expect(markerSyncedThrough(marker)).toBe(t0);
    expect(markerSyncedThrough('null')).toBeUndefined();
    expect(markerSyncedThrough(JSON.stringify({ version: 1, syncedThrough: 'x' }))).toBeUndefined();
  });

  it('a local scan records millisecond stamps, and whole-second ones as up to a second later', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lb-rsync-scan-'));
    try {
      writeFileSync(join(root, 'a.txt'), 'a');
      writeFileSync(join(root, 'b.txt'), 'b');
      // 12.25 s: a binary fraction, so the stamp is exact (12.3 would be 12.2999…).
      utimesSync(join(root, 'a.txt'), (second + 250) / 1000, (second + 250) / 1000);
      utimesSync(join(root, 'b.txt'), (second - 2000) / 1000, (second - 2000) / 1000);
      utimesSync(root, (second - 5000) / 1000, (second - 5000) / 1000);
      const s = await scanLocalTree(root, { signal: AbortSignal.timeout(5000), rootMtime: true });
      expect(s).toMatchObject({ entries: 2, newestMtimeMs: second + 250, newestPath: 'a.txt' });
      expect(s.changesBeforeMs).toBe(second + 251);
      utimesSync(join(root, 'a.txt'), second / 1000, second / 1000);
      const whole = await scanLocalTree(root, {
        signal: AbortSignal.timeout(5000),
        rootMtime: true,
      });
      expect(whole.changesBeforeMs).toBe(second + 1000);
      // On the whole second in milliseconds but not in nanoseconds (2^-19 s, about 1.9 µs later,
      // exact in binary): precise, as 1 file in 1,000 written just before a sync is.
      const justAfter = second / 1000 + 2 ** -19;
      utimesSync(join(root, 'a.txt'), justAfter, justAfter);
      const precise = await scanLocalTree(root, {
        signal: AbortSignal.timeout(5000),
        rootMtime: true,
      });
      expect(precise.newestMtimeMs).toBe(second);
      expect(precise.changesBeforeMs).toBe(second + 1);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
