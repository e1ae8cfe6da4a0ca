// Given a PostgreSQL primary at site a streaming to a replica at site b, behind HAProxy in wan:
// rows reach the replica, passwords are required on the network, the replication link can be
// cut while clients still write, and a killed server is seen as down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADDRESSES, type Lab, PORTS, pgAdminSql, pgTcpQuery } from '../../src/lab/index.js';
import { freshLab, reaches, within } from './helpers.js';

let lab: Lab;
const timings: Record<string, number> = {};

const viaHaproxy = (sql: string, role: 'app' | 'lifeboat' = 'app') =>
  pgTcpQuery(lab.paths, lab.namespaces.wan, ADDRESSES.wan, role, sql, PORTS.haproxyPostgres);
const onReplica = (sql: string) =>
  pgTcpQuery(lab.paths, lab.namespaces.wan, ADDRESSES.b, 'app', sql);

beforeAll(async () => {
  lab = await freshLab('tpg');
  const r = await lab.up(['postgres', 'haproxy'], { pgMode: 'sync' });
  timings.up = r.ms;
  timings.postgres = r.components.find((c) => c.component === 'postgres')?.ms ?? -1;
});

afterAll(async () => {
  const d = await lab.down();
  timings.down = d.ms;
  console.log(
    'postgres timings (ms):',
    JSON.stringify(timings),
    'stop:',
    JSON.stringify(d.stopped),
    'down:',
    JSON.stringify(d.phases),
  );
});

describe('PostgreSQL pair', () => {
  it('streams synchronously to b through a replication slot, in sync mode', async () => {
    const rep = await pgAdminSql(
      lab.paths,
      'a',
      'SELECT application_name, state, sync_state FROM pg_stat_replication;',
    );
    expect(rep).toBe('b|streaming|sync');
    expect(
      await pgAdminSql(
        lab.paths,
        'a',
        "SELECT active FROM pg_replication_slots WHERE slot_name = 'b';",
      ),
    ).toBe('t');
    expect(await pgAdminSql(lab.paths, 'b', 'SELECT pg_is_in_recovery();')).toBe('t');
  });

  it('a row written on the primary through HAProxy is read on the replica', async () => {
    const w = await viaHaproxy(
      "CREATE TABLE IF NOT EXISTS t (id int primary key, site text); INSERT INTO t VALUES (1, 'a');",
    );
    expect(w.stderr).toBe('');
    expect(w.code).toBe(0);
    // Synchronous: acknowledged means on b (applied shortly after, remote_apply is not asked).
    timings.rowVisibleOnReplica = await within(
      async () => (await onReplica('SELECT site FROM t WHERE id = 1;')).stdout.trim() === 'a',
      5000,
    );
    const ro = await onReplica("INSERT INTO t VALUES (2, 'b');");
    expect(ro.code).not.toBe(0);
    expect(ro.stderr).toContain('read-only transaction');
  });

  it('requires a password on the network (SCRAM, no trust), and the lifeboat role is superuser', async () => {
    const { run } = await import('../../src/lab/exec.js');
    const noPassword = await run(
      [
        'ip',
        'netns',
        'exec',
        lab.namespaces.wan,
        '/usr/lib/postgresql/15/bin/psql',
        '-h',
        ADDRESSES.a,
        '-U',
        'app',
        '-d',
        'app',
        '-w',
        '-c',
        'select 1',
      ],
      { env: { PATH: process.env.PATH, PGPASSFILE: '/dev/null' } },
    );
    expect(noPassword.code).not.toBe(0);
    expect(noPassword.stderr).toMatch(/password/);
    const hba = await pgAdminSql(
      lab.paths,
      'a',
      'SELECT DISTINCT auth_method FROM pg_hba_file_rules ORDER BY 1;',
    );
    expect(hba.split('\n')).not.toContain('trust');
    expect(
      (
        await viaHaproxy('SELECT rolsuper FROM pg_roles WHERE rolname = current_user;', 'lifeboat')
      ).stdout.trim(),
    ).toBe('t');
  });

  it('a client in the host namespace reaches the primary through a forward to HAProxy, with a password', async () => {
    const f = await lab.forward('pg', {
      host: ADDRESSES.wan,
      port: PORTS.haproxyPostgres,
      pg: true,
    });
    try {
      const { run } = await import('../../src/lab/exec.js');
      const r = await run(
        [
          '/usr/lib/postgresql/15/bin/psql',
          '-h',
          f.path,
          '-p',
          String(PORTS.haproxyPostgres),
          '-U',
          'app',
          '-d',
          'app',
          '-XAtw',
          '-c',
          'SELECT inet_client_addr(), count(*) FROM t;',
        ],
        {
          env: {
            PATH: process.env.PATH,
            PGPASSFILE: lab.endpoints().postgres.users.app.pgpassFile,
          },
        },
      );
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe(`${ADDRESSES.wan}|1`); // HAProxy, in wan, was the client
    } finally {
      f.close();
    }
  });

  it('switches to async on `up --pg-mode async` without restarting anything', async () => {
    const r = await lab.up(['postgres'], { pgMode: 'async' });
    expect(r.components[0]).toMatchObject({ started: [], alreadyUp: ['postgres-a', 'postgres-b'] });
    expect(await pgAdminSql(lab.paths, 'a', 'SELECT sync_state FROM pg_stat_replication;')).toBe(
      'async',
    );
    expect(lab.state()?.options.pgMode).toBe('async');
  });

  it('--link replication: clients in wan still write to the primary, the replica stops receiving; heal catches up', async () => {
    timings.partitionReplication = (await lab.partition('a', { link: 'replication' })).ms;
    expect(await reaches(lab, 'wan', ADDRESSES.a, PORTS.postgres)).toBe(true);
    expect(await reaches(lab, 'b', ADDRESSES.a, PORTS.postgres)).toBe(false);
    expect(await reaches(lab, 'b', ADDRESSES.a, PORTS.http)).toBe(true); // only the database ports
    const w = await viaHaproxy("INSERT INTO t VALUES (3, 'cut');");
    expect(w.code).toBe(0);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await onReplica('SELECT count(*) FROM t WHERE id = 3;')).stdout.trim()).toBe('0');
    await lab.heal('a');
    // The walreceiver's TCP connection survived the blackhole: retransmission delivers the WAL.
    timings.replicaCatchUpAfterHeal = await within(
      async () => (await onReplica('SELECT count(*) FROM t WHERE id = 3;')).stdout.trim() === '1',
      30_000,
      100,
    );
  });

  it('kill postgres-a: process gone, status down, HAProxy finds no primary; up restarts only it', async () => {
    await lab.kill('postgres-a');
    const s = await lab.status();
    const pg = s.components.find((c) => c.component === 'postgres');
    expect(pg?.state).toBe('degraded');
    expect(pg?.servers.map((x) => x.state)).toEqual(['down', 'running']);
    expect((await viaHaproxy('SELECT 1;')).code).not.toBe(0);
    const t0 = performance.now();
    const r = await lab.up(['postgres']);
    timings.restartPrimary = performance.now() - t0;
    expect(r.components[0]).toMatchObject({ started: ['postgres-a'], alreadyUp: ['postgres-b'] });
    expect((await viaHaproxy('SELECT count(*) FROM t;')).stdout.trim()).toBe('2');
  });
});
