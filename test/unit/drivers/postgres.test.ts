// The PostgreSQL driver without a server: every plan value that could reach SQL, a conninfo
// string, a password file or argv is refused before anything runs (nothing is executed), and
// the SQL probe sends exactly one read-only statement.
import { describe, expect, it, vi } from 'vitest';
import type { NodeRunner, NodeRunResult } from '../../../src/drivers/node-runner.js';
import { LocalNodeRunner } from '../../../src/drivers/node-runner.js';
import { checkPgConfig } from '../../../src/drivers/postgres/config.js';
import {
  PostgresDriver,
  type PostgresDriverConfig,
  PostgresProbe,
} from '../../../src/drivers/postgres/index.js';
import type { ProbeClient } from '../../../src/drivers/postgres/probe.js';
import { rebuildAsReplica } from '../../../src/drivers/postgres/rebuild.js';
import { PgServer } from '../../../src/drivers/postgres/server.js';
import type { PgReplicationState } from '../../../src/drivers/postgres/state.js';
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

describe('postgres rebuild, step by step on a scripted node', () => {
  const DATA = '/var/lib/postgresql/15/main';
  const SOURCE = { host: '10.0.0.2', port: 5432 };
  const prog = (argv: string[]) => (argv[0] as string).split('/').pop();

  /**
   * A node whose server is stopped, with wal_log_hints on. `answer` may override any command's
   * result; every argv is recorded. After `pg_ctl start` the node streams from SOURCE.
   */
  async function rebuild(answer: (argv: string[]) => Partial<NodeRunResult> | undefined) {
    const calls: string[][] = [];
    let started = false;
    const runner: NodeRunner = {
      where: 'scripted',
      run: async (argv) => {
        calls.push(argv);
        const over = answer(argv);
        if (over) return { code: 0, stdout: '', stderr: '', ...over };
        const p = prog(argv);
        if (p === 'pg_ctl' && argv[1] === 'status') return { code: 3, stdout: '', stderr: '' };
        if (p === 'pg_ctl' && argv[1] === 'start') started = true;
        if (p === 'pg_controldata')
          return { code: 0, stdout: 'wal_log_hints setting:  on\n', stderr: '' };
        if (p === 'stat') return { code: 0, stdout: 'postgres:postgres\n', stderr: '' };
        return { code: 0, stdout: '', stderr: '' };
      },
    };
    const cfg = checkPgConfig(
      config({
        server: {
          runner,
          dataDir: DATA,
          keepFiles: ['postgresql.conf', 'lifeboat.conf'],
        },
      }),
    );
    const serverCfg = cfg.server!;
    const streaming = {
      role: 'replica',
      streaming: true,
      source: `${SOURCE.host}:${SOURCE.port}`,
    } as PgReplicationState;
    const result = await rebuildAsReplica(
      {
        cfg,
        server: new PgServer(serverCfg, 'postgres pg-a'),
        serverCfg,
        state: async () => (started ? streaming : undefined),
        configuredSource: async () => undefined,
        closeSession: async () => {},
      },
      ctx(),
      SOURCE,
    );
    const index = (pred: (a: string[]) => boolean) => calls.findIndex(pred);
    return { result, calls, index };
  }

  it('a CHECKPOINT on the source before pg_rewind; kept files pg_rewind left alone are not rewritten', async () => {
    // pg_rewind reads the source's timeline from its control file: right after a promotion it
    // is stale until a checkpoint, and pg_rewind would say "no rewind required" on a diverged node.
    const { result, calls, index } = await rebuild(() => undefined);
    const checkpoint = index((a) => prog(a) === 'psql');
    expect(calls[checkpoint]).toEqual(expect.arrayContaining(['-c', 'CHECKPOINT', '-w']));
    const conninfo = calls[checkpoint]?.[calls[checkpoint].indexOf('-d') + 1];
    expect(conninfo).toContain(`host=${SOURCE.host} port=${SOURCE.port} user=lifeboat`);
    expect(conninfo).not.toContain('pw');
    expect(checkpoint).toBeLessThan(index((a) => prog(a) === 'pg_rewind'));
    expect(calls.some((a) => prog(a) === 'pg_basebackup')).toBe(false);
    // cmp says both kept files are unchanged: none is copied back into the data directory.
    expect(calls.filter((a) => prog(a) === 'cp' && a.at(-1)?.startsWith(`${DATA}/`))).toEqual([]);
    expect(result.data).toMatchObject({
      method: 'pg_rewind',
      keptFiles: ['postgresql.conf', 'lifeboat.conf'],
      restoredFiles: [],
    });
    expect(result.data?.ownerNotKept).toBeUndefined();
  });

  it('a CHECKPOINT that fails: no pg_rewind verdict is trusted, pg_basebackup instead', async () => {
    const { result, calls } = await rebuild((a) =>
      prog(a) === 'psql' ? { code: 2, stderr: 'psql: error: permission denied' } : undefined,
    );
    expect(calls.some((a) => prog(a) === 'pg_rewind')).toBe(false);
    expect(calls.some((a) => prog(a) === 'pg_basebackup')).toBe(true);
    expect(result.data).toMatchObject({ method: 'pg_basebackup' });
    expect(String(result.data?.rewind)).toMatch(/CHECKPOINT on the source exited 2/);
  });

  it('a replaced kept file gets its bytes back; a root-owned one is then postgres-owned, and the result says so', async () => {
    let lifeboatConfOwner = 'root:root';
    const { result, calls, index } = await rebuild((a) => {
      const file = a.at(-1) ?? '';
      if (prog(a) === 'cmp') return { code: file.endsWith('/lifeboat.conf') ? 1 : 0 };
      if (prog(a) === 'cp' && file === `${DATA}/lifeboat.conf`)
        lifeboatConfOwner = 'postgres:postgres';
      if (prog(a) === 'stat' && file === `${DATA}/lifeboat.conf`)
        return { stdout: `${lifeboatConfOwner}\n` };
      return undefined;
    });
    const restore = index((a) => prog(a) === 'cp' && a.at(-1) === `${DATA}/lifeboat.conf`);
    expect(calls[restore]).toEqual([
      'cp',
      '-p',
      '--',
      `${DATA}.lifeboat-conf/lifeboat.conf`,
      `${DATA}/lifeboat.conf`,
    ]);
    expect(restore).toBeGreaterThan(index((a) => prog(a) === 'pg_rewind'));
    expect(result.data).toMatchObject({
      restoredFiles: ['lifeboat.conf'],
      ownerNotKept: [{ file: 'lifeboat.conf', was: 'root:root', now: 'postgres:postgres' }],
    });
    expect(result.detail).toMatch(/owner not kept: lifeboat.conf \(was root:root\)/);
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
