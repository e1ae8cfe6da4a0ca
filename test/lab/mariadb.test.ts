// Given a MariaDB primary at site a and a GTID replica at site b: rows reach the replica, the
// replica applies in parallel with strict GTIDs and refuses writes from applications.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADDRESSES, type Lab, myAdminSql, myTcpQuery, PORTS } from '../../src/lab/index.js';
import { freshLab, within } from './helpers.js';

let lab: Lab;
const timings: Record<string, number> = {};

const asApp = (site: 'a' | 'b', sql: string) =>
  myTcpQuery(lab.paths, lab.namespaces.wan, ADDRESSES[site], 'app', sql);

beforeAll(async () => {
  lab = await freshLab('tmy');
  timings.up = (await lab.up(['mariadb'])).ms;
});

afterAll(async () => {
  const d = await lab.down();
  timings.down = d.ms;
  console.log(
    'mariadb timings (ms):',
    JSON.stringify(timings),
    'stop:',
    JSON.stringify(d.stopped),
    'down:',
    JSON.stringify(d.phases),
  );
});

describe('MariaDB pair', () => {
  it('replicates by GTID, in parallel (4 threads, optimistic), strict', async () => {
    const vars = await myAdminSql(
      lab.paths,
      'b',
      'SELECT @@slave_parallel_threads, @@slave_parallel_mode, @@gtid_strict_mode, @@read_only;',
    );
    expect(vars).toBe('4\toptimistic\t1\t1');
    const status = await myAdminSql(lab.paths, 'b', 'SHOW SLAVE STATUS\\G', { header: true });
    expect(status).toMatch(/Using_Gtid: Slave_Pos/);
    expect(status).toMatch(/Master_Host: 10\.77\.0\.1/);
    expect(status).toMatch(/Slave_IO_Running: Yes/);
  });

  it('a row written on the primary by the app user (password over TCP) is read on the replica', async () => {
    const w = await asApp(
      'a',
      "CREATE TABLE IF NOT EXISTS app.t (id int primary key, site varchar(8)); INSERT INTO app.t VALUES (1, 'a');",
    );
    expect(w.stderr).toBe('');
    timings.rowVisibleOnReplica = await within(
      async () => (await asApp('b', 'SELECT site FROM app.t WHERE id = 1;')).stdout.trim() === 'a',
      10_000,
    );
  });

  it('the replica refuses application writes (read_only), so no errant GTID appears', async () => {
    const w = await asApp('b', "INSERT INTO app.t VALUES (2, 'b');");
    expect(w.code).not.toBe(0);
    expect(w.stderr).toMatch(/read-only|READ ONLY|--read-only/i);
    const a = await myAdminSql(lab.paths, 'a', 'SELECT @@gtid_binlog_pos;');
    await within(
      async () => (await myAdminSql(lab.paths, 'b', 'SELECT @@gtid_slave_pos;')) === a,
      10_000,
    );
  });

  it('refuses a wrong password on the network', async () => {
    const { run } = await import('../../src/lab/exec.js');
    const r = await run(
      [
        'ip',
        'netns',
        'exec',
        lab.namespaces.wan,
        'mariadb',
        '--no-defaults',
        '-h',
        ADDRESSES.a,
        '-P',
        String(PORTS.mariadb),
        '-u',
        'app',
        '-pwrong',
        '-e',
        'select 1',
      ],
      { timeoutMs: 10_000 },
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Access denied');
  });

  it('kill mariadb-b: status down; up restarts it and it catches up', async () => {
    await lab.kill('mariadb-b');
    const s = await lab.status();
    expect(
      s.components.find((c) => c.component === 'mariadb')?.servers.map((x) => x.state),
    ).toEqual(['running', 'down']);
    await asApp('a', "INSERT INTO app.t VALUES (3, 'a');");
    const t0 = performance.now();
    const r = await lab.up(['mariadb']);
    timings.restartReplica = performance.now() - t0;
    expect(r.components[0]).toMatchObject({ started: ['mariadb-b'], alreadyUp: ['mariadb-a'] });
    expect((await asApp('b', 'SELECT count(*) FROM app.t;')).stdout.trim()).toBe('2');
  });
});
