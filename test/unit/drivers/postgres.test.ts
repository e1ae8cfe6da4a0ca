// The PostgreSQL driver without a server: every plan value that could reach SQL, a conninfo
// string, a password file or argv is refused before anything runs, and the pure parts (state,
// promote verdict, recovery files) decide as documented.
import { describe, expect, it, vi } from 'vitest';
import type { NodeRunner } from '../../../src/drivers/node-runner.js';
import { LocalNodeRunner } from '../../../src/drivers/node-runner.js';
import {
  PostgresDriver,
  type PostgresDriverConfig,
  PostgresProbe,
} from '../../../src/drivers/postgres/index.js';
import type { ProbeClient } from '../../../src/drivers/postgres/probe.js';
import {
  renderConninfo,
  renderPassFile,
  rewriteAutoConf,
} from '../../../src/drivers/postgres/recovery-conf.js';
import { parseControlData, rewindPossible } from '../../../src/drivers/postgres/server.js';
import { pgError } from '../../../src/drivers/postgres/session.js';
import {
  conninfoTarget,
  type NodeRow,
  notReadyReason,
  type ReceiverRow,
  toReplicationState,
} from '../../../src/drivers/postgres/state.js';
import { Secret } from '../../../src/drivers/secrets.js';

const EVIL = ['x;id', '$(id)', '`id`', 'a\nb', '--option', '../etc', "o'; DROP TABLE t; --"];
const ctx = () => ({ signal: AbortSignal.timeout(5000) });

function fakeRunner() {
  const run = vi.fn(async () => ({ code: 0, stdout: '', stderr: '' }));
  return { runner: { where: 'fake', run } as NodeRunner, run };
}

function config(
  over: Partial<PostgresDriverConfig> = {},
  runner?: NodeRunner,
): PostgresDriverConfig {
  return {
    node: 'pg-a',
    host: '/nonexistent/lifeboat-test-socket',
    port: 5432,
    user: 'lifeboat',
    password: new Secret('pw', 'env:PW'),
    replication: { user: 'replicator', password: new Secret('rpw', 'env:RPW') },
    server: { runner: runner ?? fakeRunner().runner, dataDir: '/var/lib/postgresql/15/main' },
    ...over,
  };
}

async function refused(p: () => unknown): Promise<void> {
  let err: unknown;
  try {
    await p();
  } catch (e) {
    err = e;
  }
  expect(err).toMatchObject({ code: 'LB_E_DRIVER_BAD_INPUT' });
}

describe('postgres driver: plan values are data, refused before anything runs', () => {
  const base = config();
  const fields: [string, (v: string) => PostgresDriverConfig][] = [
    ['node', (v) => config({ node: v })],
    ['host', (v) => config({ host: v })],
    ['database', (v) => config({ database: v })],
    ['user', (v) => config({ user: v })],
    ['address', (v) => config({ address: v })],
    ['replication.user', (v) => config({ replication: { ...base.replication!, user: v } })],
    [
      'replication.applicationName',
      (v) => config({ replication: { ...base.replication!, applicationName: v } }),
    ],
    ['replication.slotName', (v) => config({ replication: { ...base.replication!, slotName: v } })],
    ['server.dataDir', (v) => config({ server: { ...base.server!, dataDir: v } })],
    ['server.binDir', (v) => config({ server: { ...base.server!, binDir: v } })],
    ['server.osUser', (v) => config({ server: { ...base.server!, osUser: v } })],
    ['server.logFile', (v) => config({ server: { ...base.server!, logFile: v } })],
    ['server.passFile', (v) => config({ server: { ...base.server!, passFile: v } })],
    ['server.keepFiles', (v) => config({ server: { ...base.server!, keepFiles: [v] } })],
  ];
  for (const [field, make] of fields) {
    it(`refuses shell, SQL and option tricks in ${field}`, async () => {
      for (const v of EVIL) await refused(() => new PostgresDriver(make(v)));
    });
  }

  it('refuses metacharacters and `..` inside absolute paths too', async () => {
    for (const v of EVIL.filter((e) => e !== '--option')) {
      for (const key of ['dataDir', 'binDir', 'logFile', 'passFile'] as const) {
        await refused(
          () => new PostgresDriver(config({ server: { ...base.server!, [key]: `/srv/${v}` } })),
        );
      }
    }
  });

  it('refuses a bad port', async () => {
    for (const p of [0, -1, 70000, 1.5])
      await refused(() => new PostgresDriver(config({ port: p })));
  });

  it('refuses a bad rebuild source before connecting or running anything', async () => {
    const { runner, run } = fakeRunner();
    const d = new PostgresDriver(config({}, runner));
    for (const host of EVIL) await refused(() => d.rebuildAsReplicaOf(ctx(), { host, port: 5432 }));
    await refused(() => d.rebuildAsReplicaOf(ctx(), { host: '10.0.0.1', port: 0 }));
    expect(run).not.toHaveBeenCalled();
    await d.close();
  });

  it('maps an unreachable server to a retryable coded error, without the password', async () => {
    const d = new PostgresDriver(config({ password: new Secret('hunter2-secret', 'env:X') }));
    const err = await d.observe(ctx()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'LB_E_DRIVER_UNREACHABLE', retryable: true });
    expect(JSON.stringify(err) + String(err)).not.toContain('hunter2');
    await d.close();
  });
});

describe('node runner', () => {
  it('refuses option-like programs, line breaks, and bad users or namespaces', () => {
    const r = new LocalNodeRunner({ namespace: 'lb-a' });
    expect(() => r.commandLine(['--help'])).toThrow(/must not start/);
    expect(() => r.commandLine(['ls', 'a\nb'])).toThrow(/NUL or newline/);
    for (const u of EVIL) expect(() => r.commandLine(['id'], u)).toThrow();
    for (const ns of EVIL) expect(() => new LocalNodeRunner({ namespace: ns })).toThrow();
    expect(r.commandLine(['pg_ctl', 'status'], 'postgres')).toEqual([
      ...['ip', 'netns', 'exec', 'lb-a', 'runuser', '-u', 'postgres', '--'],
      ...['pg_ctl', 'status'],
    ]);
    // Metacharacters inside an argument stay one argv element: there is no shell to read them.
    expect(r.commandLine(['echo', '$(id);`id`'])).toContain('$(id);`id`');
  });

  it('runs argv for real and reports the exit code', async () => {
    const r = new LocalNodeRunner();
    const out = await r.run(['sh', '-c', 'read x; echo "got $x"; exit 3'], {
      signal: AbortSignal.timeout(5000),
      input: 'hello\n',
    });
    expect(out).toEqual({ code: 3, stdout: 'got hello\n', stderr: '' });
    const c = new AbortController();
    const p = r.run(['sleep', '10'], { signal: c.signal });
    c.abort();
    await expect(p).rejects.toMatchObject({ code: 'LB_E_DRIVER_ABORTED' });
  });
});

describe('postgres sql probe', () => {
  const fake = () => {
    const sent: string[] = [];
    const client: ProbeClient = {
      connect: async () => {},
      query: async (q) => {
        sent.push(`${q.queryMode}:${q.text}`);
        return { rows: [{ v: '42' }] };
      },
      end: async () => {},
    };
    const factory = vi.fn(() => client);
    return { factory, sent };
  };
  const probe = { name: 'p', host: '10.0.0.1', port: 5432, database: 'app', user: 'app' };

  it('refuses bad fields and anything but one read statement, before connecting', async () => {
    const { factory } = fake();
    for (const v of EVIL) {
      await refused(() => new PostgresProbe({ ...probe, host: v }, factory));
      await refused(() => new PostgresProbe({ ...probe, user: v }, factory));
      await refused(() => new PostgresProbe({ ...probe, database: v }, factory));
      await refused(() => new PostgresProbe({ ...probe, name: v }, factory));
    }
    for (const q of [
      'SELECT 1; DROP TABLE t',
      'DELETE FROM t',
      'UPDATE t SET x=1',
      'SELECT 1;\nCOMMIT',
      'COPY t TO PROGRAM $$id$$',
    ]) {
      await refused(() => new PostgresProbe({ ...probe, query: q }, factory));
    }
    expect(factory).not.toHaveBeenCalled();
  });

  it('runs the query alone, in a read-only transaction, and compares the first cell', async () => {
    const { factory, sent } = fake();
    const ok = await new PostgresProbe(
      { ...probe, query: 'SELECT count(*) FROM t;', expect: '42' },
      factory,
    ).probe(ctx());
    expect(ok).toMatchObject({ ok: true, detail: 'SELECT count(*) FROM t → 42' });
    expect(sent).toEqual([
      'extended:BEGIN TRANSACTION READ ONLY',
      'extended:SELECT count(*) FROM t',
      'extended:ROLLBACK',
    ]);
    const bad = await new PostgresProbe({ ...probe, expect: '7' }, factory).probe(ctx());
    expect(bad).toMatchObject({ ok: false, detail: 'SELECT 1 → 42 (expected 7)' });
  });
});

const node = (over: Partial<NodeRow> = {}): NodeRow => ({
  in_recovery: true,
  read_only_default: 'off',
  sync_names: '',
  current_lsn: null,
  wal_timeline: null,
  checkpoint_timeline: 1,
  receive_lsn: '0/3000000',
  replay_lsn: '0/3000000',
  unapplied_bytes: '0',
  replay_age_ms: 90_000,
  replay_pause: 'not paused',
  ...over,
});
const receiver = (over: Partial<ReceiverRow> = {}): ReceiverRow => ({
  status: 'streaming',
  sender_host: '10.77.0.1',
  sender_port: 5432,
  received_tli: 1,
  slot_name: null,
  flushed_lsn: '0/3000000',
  latest_end_lsn: '0/3000000',
  behind_bytes: '0',
  unreceived_bytes: '0',
  silence_ms: 100,
  ...over,
});
const limits = { maxLagBytes: 1000, maxSilenceMs: 5000 };

describe('postgres replication state and promote verdict', () => {
  it('an idle, caught-up replica has lag 0 even though its last replayed commit is old', () => {
    const s = toReplicationState(node(), receiver(), []);
    expect(s).toMatchObject({
      role: 'replica',
      writable: false,
      streaming: true,
      lagBytes: 0,
      lagMs: 0,
      source: '10.77.0.1:5432',
      timeline: 1,
    });
    expect(notReadyReason(s, limits)).toBeUndefined();
  });

  it('a replica behind reports bytes and the replay age', () => {
    const s = toReplicationState(
      node({ unapplied_bytes: '4096' }),
      receiver({ behind_bytes: '5000' }),
      [],
    );
    expect(s).toMatchObject({ lagBytes: 5000, lagMs: 90_000, unappliedBytes: 4096 });
    expect(notReadyReason(s, limits)).toMatch(/5000 bytes behind/);
    expect(notReadyReason(s, { ...limits, maxLagBytes: 10_000 })).toBeUndefined();
  });

  it('not streaming, or silent too long: lag unknown, not ready', () => {
    const stopped = toReplicationState(node(), undefined, []);
    expect(stopped).toMatchObject({ streaming: false, receiverStatus: 'stopped' });
    expect(stopped.lagBytes).toBeUndefined();
    expect(notReadyReason(stopped, limits)).toMatch(/not streaming/);
    const waiting = toReplicationState(node(), receiver({ status: 'waiting' }), []);
    expect(notReadyReason(waiting, limits)).toMatch(/WAL receiver: waiting/);
    const silent = toReplicationState(node(), receiver({ silence_ms: 9000 }), []);
    expect(notReadyReason(silent, limits)).toMatch(/nothing came .* 9000 ms/);
  });

  it('a primary: writable unless fenced, synchronous only with a sync standby attached', () => {
    const p = node({
      in_recovery: false,
      current_lsn: '0/5000000',
      wal_timeline: 2,
      sync_names: 'b',
    });
    const standby = {
      application_name: 'b',
      client_addr: '10.77.0.2',
      state: 'streaming',
      sync_state: 'sync',
      flush_behind_bytes: '0',
      replay_behind_bytes: '8',
      write_lag_ms: 1.2,
      flush_lag_ms: null,
      replay_lag_ms: 3,
    };
    expect(toReplicationState(p, undefined, [standby])).toMatchObject({
      role: 'primary',
      writable: true,
      streaming: false,
      synchronous: true,
      timeline: 2,
      standbys: [{ name: 'b', syncState: 'sync', replayLagBytes: 8, writeLagMs: 1 }],
    });
    expect(toReplicationState({ ...p, read_only_default: 'on' }, undefined, [])).toMatchObject({
      writable: false,
      fenced: true,
      synchronous: false,
    });
    expect(notReadyReason(toReplicationState(p, undefined, []), limits)).toBeUndefined();
  });

  it('reads host and port from primary_conninfo and nothing else', () => {
    expect(conninfoTarget('host=10.77.0.1 port=5433 user=r password=s3cret')).toEqual({
      host: '10.77.0.1',
      port: 5433,
    });
    expect(conninfoTarget('')).toEqual({});
  });
});

describe('postgres recovery files', () => {
  const src = { host: '10.77.0.2', port: 5432 };
  it('escapes : and \\ in the password file, refuses line breaks', () => {
    const text = renderPassFile(src, [
      { user: 'replicator', password: new Secret('a:b\\c', 'env:X') },
    ]);
    expect(text).toBe('10.77.0.2:5432:*:replicator:a\\:b\\\\c\n');
    expect(() =>
      renderPassFile(src, [{ user: 'r', password: new Secret('a\nb', 'env:X') }]),
    ).toThrow(/line break/);
  });

  it('conninfo names the passfile, never a password, and refuses unplain values', () => {
    const c = renderConninfo({
      ...src,
      user: 'replicator',
      passFile: '/var/lib/postgresql/lifeboat.pgpass',
      applicationName: 'a',
    });
    expect(c).toBe(
      'host=10.77.0.2 port=5432 user=replicator passfile=/var/lib/postgresql/lifeboat.pgpass application_name=a connect_timeout=5',
    );
    expect(() =>
      renderConninfo({ ...src, user: "x' y", passFile: '/p', applicationName: 'a' }),
    ).toThrow();
  });

  it("rewrites postgresql.auto.conf: owned settings replaced, the node's own kept", () => {
    const before = [
      '# Do not edit this file manually!',
      '# It will be overwritten by the ALTER SYSTEM command.',
      "synchronous_standby_names = 'b'",
      "default_transaction_read_only = 'on'",
      "primary_conninfo = 'host=old'",
      '',
    ].join('\n');
    const after = rewriteAutoConf(before, { primaryConninfo: 'host=new port=5432', slotName: 'a' });
    expect(after).toBe(
      [
        '# Do not edit this file manually!',
        '# It will be overwritten by the ALTER SYSTEM command.',
        "synchronous_standby_names = 'b'",
        "primary_conninfo = 'host=new port=5432'",
        "primary_slot_name = 'a'",
        '',
      ].join('\n'),
    );
  });

  it('pg_rewind is possible with wal_log_hints or checksums only', () => {
    const cd = parseControlData(
      'wal_log_hints setting:                on\nData page checksum version:           0\n',
    );
    expect(rewindPossible(cd)).toEqual({ ok: true, why: 'wal_log_hints is on' });
    expect(
      rewindPossible({ 'wal_log_hints setting': 'off', 'Data page checksum version': '1' }).ok,
    ).toBe(true);
    expect(
      rewindPossible({ 'wal_log_hints setting': 'off', 'Data page checksum version': '0' }).ok,
    ).toBe(false);
  });

  it('maps server errors to codes', () => {
    expect(pgError({ code: '28P01', message: 'password authentication failed' }, 'x').code).toBe(
      'LB_E_DRIVER_AUTH',
    );
    expect(pgError({ code: '57P01', message: 'terminating' }, 'x').code).toBe(
      'LB_E_DRIVER_UNREACHABLE',
    );
    expect(pgError({ code: 'ECONNREFUSED', message: 'refused' }, 'x').retryable).toBe(true);
    expect(pgError({ code: '57014', message: 'canceling statement' }, 'x').code).toBe(
      'LB_E_DRIVER_TIMEOUT',
    );
    expect(pgError({ code: '42601', message: 'syntax error' }, 'x').code).toBe(
      'LB_E_DRIVER_COMMAND_FAILED',
    );
  });
});
