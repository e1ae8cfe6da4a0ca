// The MariaDB driver without a server: plan values refused before anything runs, the password
// reaching CHANGE MASTER only as a query parameter, and the pure GTID and state decisions.
import { describe, expect, it, vi } from 'vitest';
import { checkMyConfig } from '../../../src/drivers/mariadb/config.js';
import {
  covers,
  errantAgainst,
  gtidDistance,
  parseGtidPos,
} from '../../../src/drivers/mariadb/gtid.js';
import {
  MariadbDriver,
  type MariadbDriverConfig,
  MariadbProbe,
} from '../../../src/drivers/mariadb/index.js';
import type { MyProbeConnect } from '../../../src/drivers/mariadb/probe.js';
import { CHANGE_MASTER_SQL, repointAsReplica } from '../../../src/drivers/mariadb/repoint.js';
import { type MySession, myError } from '../../../src/drivers/mariadb/session.js';
import {
  type MyReplicationState,
  notReadyReason,
  type SlaveRow,
  toReplicationState,
  type VarsRow,
} from '../../../src/drivers/mariadb/state.js';
import type { NodeRunner } from '../../../src/drivers/node-runner.js';
import { Secret } from '../../../src/drivers/secrets.js';

const EVIL = ['x;id', '$(id)', '`id`', 'a\nb', '--option', '../etc', "o'; DROP USER x; --"];
const ctx = () => ({ signal: AbortSignal.timeout(5000) });
const runner = () => {
  const run = vi.fn(async () => ({ code: 0, stdout: '', stderr: '' }));
  return { r: { run } as NodeRunner, run };
};

function config(over: Partial<MariadbDriverConfig> = {}): MariadbDriverConfig {
  return {
    node: 'my-a',
    host: '/nonexistent/lifeboat-test.sock',
    port: 3306,
    user: 'lifeboat',
    password: new Secret('pw', 'env:PW'),
    replication: { user: 'repl', password: new Secret('rpw', 'env:RPW') },
    server: {
      runner: runner().r,
      socket: '/run/mysqld/mysqld.sock',
      startArgv: ['systemctl', 'start', 'mariadb'],
    },
    ...over,
  };
}

async function refused(p: () => unknown): Promise<void> {
  const err = await (async () => p())().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toMatchObject({ code: 'LB_E_DRIVER_BAD_INPUT' });
}

describe('mariadb driver: plan values are data, refused before anything runs', () => {
  const base = config();
  const fields: [string, (v: string) => MariadbDriverConfig][] = [
    ['node', (v) => config({ node: v })],
    ['host', (v) => config({ host: v })],
    ['user', (v) => config({ user: v })],
    ['address', (v) => config({ address: v })],
    ['replication.user', (v) => config({ replication: { ...base.replication!, user: v } })],
    ['server.socket', (v) => config({ server: { ...base.server!, socket: v } })],
    ['server.pidFile', (v) => config({ server: { ...base.server!, pidFile: v } })],
  ];
  for (const [field, make] of fields) {
    it(`refuses shell, SQL and option tricks in ${field}`, async () => {
      for (const v of EVIL) await refused(() => new MariadbDriver(make(v)));
    });
  }

  it('refuses an option-like start program or a line break in its arguments', async () => {
    await refused(
      () => new MariadbDriver(config({ server: { ...base.server!, startArgv: ['--help'] } })),
    );
    await refused(
      () =>
        new MariadbDriver(
          config({ server: { ...base.server!, startArgv: ['systemctl', 'a\nb'] } }),
        ),
    );
    await refused(() => new MariadbDriver(config({ server: { ...base.server!, startArgv: [] } })));
  });

  it('refuses a bad re-point source before connecting', async () => {
    const d = new MariadbDriver(config());
    for (const host of EVIL) await refused(() => d.rebuildAsReplicaOf(ctx(), { host, port: 3306 }));
    await refused(() => d.rebuildAsReplicaOf(ctx(), { host: '10.0.0.1', port: 99999 }));
    await d.close();
  });

  it('unreachable: retryable coded error, no password in it', async () => {
    const d = new MariadbDriver(config({ password: new Secret('hunter2-secret', 'env:X') }));
    const err = await d.observe(ctx()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'LB_E_DRIVER_UNREACHABLE', retryable: true });
    expect(String(err) + JSON.stringify(err)).not.toContain('hunter2');
    await d.close();
  });

  it('masks secrets the server might echo', () => {
    const e = myError({ errno: 1064, text: "near 'hunter2-secret'" }, 'x', [
      new Secret('hunter2-secret', 'env:X'),
    ]);
    expect(e.message).not.toContain('hunter2');
    expect(myError({ errno: 1045, text: 'Access denied' }, 'x').code).toBe('LB_E_DRIVER_AUTH');
    expect(myError({ code: 'ER_CONNECTION_TIMEOUT' }, 'x').retryable).toBe(true);
  });
});

describe('mariadb re-point: the password is a query parameter', () => {
  it('sends CHANGE MASTER with ? placeholders and the values as data', async () => {
    const calls: { sql: string; params: unknown[] }[] = [];
    const session = {
      query: vi.fn(async (_c: unknown, sql: string, params: unknown[] = []) => {
        calls.push({ sql, params });
        return [];
      }),
    } as unknown as MySession;
    const evil = 'p\'w"; DROP USER root; -- \\';
    let n = 0;
    const state = async (): Promise<MyReplicationState> =>
      n++ === 0
        ? { role: 'primary', writable: true, streaming: false, readOnly: false, binlogPos: '0-1-7' }
        : {
            role: 'replica',
            writable: false,
            streaming: true,
            readOnly: true,
            binlogPos: '0-1-7',
            source: '10.77.0.2:3306',
            ioRunning: 'Yes',
            sqlRunning: 'Yes',
          };
    const cfg = checkMyConfig(
      config({ replication: { user: 'repl', password: new Secret(evil, 'env:R') } }),
    );
    const r = await repointAsReplica(
      { cfg, session, state, sourcePos: async () => '0-1-9' },
      ctx(),
      { host: '10.77.0.2', port: 3306 },
    );
    expect(r.changed).toBe(true);
    const change = calls.find((c) => c.sql === CHANGE_MASTER_SQL);
    expect(change?.params).toEqual(['10.77.0.2', 3306, 'repl', evil, 1, 1]);
    expect(calls.every((c) => !c.sql.includes(evil))).toBe(true);
    expect(CHANGE_MASTER_SQL).not.toMatch(/\$\{/);
    expect(JSON.stringify(r)).not.toContain('DROP USER');
  });

  it('refuses a node with transactions its new source never had', async () => {
    const session = { query: vi.fn(async () => []) } as unknown as MySession;
    const state = async (): Promise<MyReplicationState> => ({
      role: 'primary',
      writable: true,
      streaming: false,
      readOnly: false,
      binlogPos: '0-1-12',
    });
    const cfg = checkMyConfig(config());
    await expect(
      repointAsReplica({ cfg, session, state, sourcePos: async () => '0-1-10,0-2-11' }, ctx(), {
        host: '10.77.0.2',
        port: 3306,
      }),
    ).rejects.toMatchObject({ code: 'LB_E_MARIADB_ERRANT_GTID' });
    expect(session.query).not.toHaveBeenCalled();
  });
});

describe('mariadb sql probe', () => {
  const probe = { name: 'p', host: '10.0.0.1', port: 3306, user: 'app', database: 'app' };
  it('refuses bad fields and non-read statements before connecting', async () => {
    const connect = vi.fn() as unknown as MyProbeConnect;
    for (const v of EVIL) {
      for (const key of ['host', 'user', 'database', 'name'] as const) {
        await refused(() => new MariadbProbe({ ...probe, [key]: v }, connect));
      }
    }
    for (const q of [
      'SELECT 1; DROP TABLE t',
      'INSERT INTO t VALUES (1)',
      'SET GLOBAL read_only=0',
      'KILL 1',
    ]) {
      await refused(() => new MariadbProbe({ ...probe, query: q }, connect));
    }
    expect(connect).not.toHaveBeenCalled();
  });

  it('sets the session read-only, then runs the one statement', async () => {
    const sent: string[] = [];
    const connect: MyProbeConnect = async () => ({
      query: async (sql: string) => {
        sent.push(sql);
        return [[7]];
      },
      destroy: () => {},
    });
    const r = await new MariadbProbe({ ...probe, query: 'SELECT 7', expect: '7' }, connect).probe(
      ctx(),
    );
    expect(r).toMatchObject({ ok: true, detail: 'SELECT 7 → 7' });
    expect(sent).toEqual(['SET SESSION TRANSACTION READ ONLY', 'SELECT 7']);
  });
});

describe('GTID positions', () => {
  it('parses, measures and compares per domain', () => {
    const a = parseGtidPos('0-1-42,1-2-7');
    const b = parseGtidPos('0-2-45, 1-2-7');
    expect(gtidDistance(a, b)).toBe(3);
    expect(covers(b, a)).toBe(true);
    expect(covers(a, b)).toBe(false);
    expect(errantAgainst(parseGtidPos('0-1-46'), b)).toBe('0-1-46');
    expect(errantAgainst(parseGtidPos('2-1-1'), b)).toBe('2-1-1');
    expect(errantAgainst(a, b)).toBeUndefined();
    expect(parseGtidPos('')).toEqual(new Map());
  });
});

const vars = (over: Partial<VarsRow> = {}): VarsRow => ({
  read_only: 1,
  current_pos: '0-1-10',
  binlog_pos: '0-1-10',
  slave_pos: '0-1-10',
  strict_mode: 1,
  semi_sync_master: 'OFF',
  semi_sync_slave: 'OFF',
  ...over,
});
const slave = (over: Partial<SlaveRow> = {}): SlaveRow => ({
  Master_Host: '10.77.0.1',
  Master_Port: 3306,
  Slave_IO_Running: 'Yes',
  Slave_SQL_Running: 'Yes',
  Slave_IO_State: 'Waiting for master to send event',
  Seconds_Behind_Master: 0,
  Using_Gtid: 'Slave_Pos',
  Gtid_IO_Pos: '0-1-10',
  Master_Log_File: 'binlog.000001',
  Read_Master_Log_Pos: 900,
  Relay_Master_Log_File: 'binlog.000001',
  Exec_Master_Log_Pos: 900,
  Last_IO_Errno: 0,
  Last_IO_Error: '',
  Last_SQL_Errno: 0,
  Last_SQL_Error: '',
  ...over,
});

describe('mariadb state and promote verdict', () => {
  const limits = { maxLagSeconds: 5 };
  it('a caught-up replica is ready', () => {
    const s = toReplicationState(vars(), slave(), '0-1-10');
    expect(s).toMatchObject({
      role: 'replica',
      streaming: true,
      lagMs: 0,
      lagBytes: 0,
      unappliedTransactions: 0,
      behindSourceTransactions: 0,
    });
    expect(notReadyReason(s, limits)).toBeUndefined();
  });
  it('received but not applied, and behind the source, are counted', () => {
    const s = toReplicationState(
      vars({ slave_pos: '0-1-8' }),
      slave({ Gtid_IO_Pos: '0-1-10', Seconds_Behind_Master: 2, Exec_Master_Log_Pos: 700 }),
      '0-1-12',
    );
    expect(s).toMatchObject({
      unappliedTransactions: 2,
      behindSourceTransactions: 4,
      lagMs: 2000,
      lagBytes: 200,
    });
  });
  it('IO thread down, SQL thread broken, too far behind: not ready', () => {
    expect(
      notReadyReason(toReplicationState(vars(), slave({ Slave_IO_Running: 'Connecting' })), limits),
    ).toMatch(/not connected/);
    expect(
      notReadyReason(
        toReplicationState(vars(), slave({ Slave_SQL_Running: 'No', Last_SQL_Error: 'dup key' })),
        limits,
      ),
    ).toMatch(/dup key/);
    expect(
      notReadyReason(toReplicationState(vars(), slave({ Seconds_Behind_Master: 9 })), limits),
    ).toMatch(/9 s behind/);
    expect(
      notReadyReason(toReplicationState(vars(), slave({ Seconds_Behind_Master: null })), limits),
    ).toMatch(/unknown/);
  });
  it('no source: a primary, writable unless read_only', () => {
    expect(toReplicationState(vars({ read_only: 0 }), undefined)).toMatchObject({
      role: 'primary',
      writable: true,
      streaming: false,
    });
    expect(toReplicationState(vars({ read_only: 1 }), slave({ Master_Host: '' }))).toMatchObject({
      role: 'primary',
      writable: false,
    });
  });
});
