// Given the lab's MariaDB pair (primary at a, GTID replica at b, strict mode, parallel apply),
// the driver passes the conformance suite on both, fences, promotes with async and
// semi-synchronous replication, re-points the old primary, refuses to promote a replica that has
// not applied what it received or is cut off, and refuses to re-point a node with errant GTIDs.
import { type Connection, createConnection } from 'mariadb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MariadbDriver, MariadbProbe } from '../../../src/drivers/mariadb/index.js';
import { LocalNodeRunner } from '../../../src/drivers/node-runner.js';
import { Lab, myAdminSql } from '../../../src/lab/index.js';
import { runDriverConformance } from '../../conformance/driver-suite.js';
import { type Forward, forward, secretFromFile } from './sql-lab.js';

const NAME = 'drvmy';
const ADDR = { a: '10.77.0.1', b: '10.77.0.2' } as const;
type Site = keyof typeof ADDR;
const lab = Lab.open({ name: NAME });
const fwd: Partial<Record<Site, Forward>> = {};
const ctx = (ms = 60_000) => ({ signal: AbortSignal.timeout(ms) });
const figures: Record<string, unknown> = {};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const secret = (role: 'lifeboat' | 'app' | 'repl') =>
  secretFromFile(lab.endpoints().mariadb.users[role].passwordFile, `file:${role}`);

function driver(site: Site, over: { host?: string; port?: number } = {}) {
  const dir = `${lab.dir}/mariadb/${site}`;
  return new MariadbDriver({
    node: `my-${site}`,
    host: over.host ?? (fwd[site] as Forward).path,
    port: over.port ?? 3306,
    user: 'lifeboat',
    password: secret('lifeboat'),
    address: ADDR[site],
    replication: { user: 'repl', password: secret('repl') },
    resolvePeer: (host) => {
      const s = (Object.keys(ADDR) as Site[]).find((k) => ADDR[k] === host);
      return s ? { socketPath: (fwd[s] as Forward).path } : { host };
    },
    server: {
      runner: new LocalNodeRunner({ namespace: lab.namespaces[site] }),
      socket: `${dir}/mysqld.sock`,
      pidFile: `${dir}/mariadbd.pid`,
      startArgv: [
        ...['start-stop-daemon', '--start', '--background', '--chuid', 'mysql'],
        ...['--pidfile', `${dir}/mariadbd.pid`, '--exec', '/usr/sbin/mariadbd', '--'],
        `--defaults-file=${dir}/my.cnf`,
      ],
    },
  });
}

async function client(site: Site): Promise<Connection> {
  const c = await createConnection({
    socketPath: (fwd[site] as Forward).path,
    user: 'app',
    password: secret('app').reveal(),
    database: 'app',
    bigIntAsNumber: true,
  });
  c.on('error', () => {}); // a fence kills it on purpose
  return c;
}

async function sql(site: Site, text: string, params: unknown[] = []): Promise<unknown> {
  const c = await client(site);
  try {
    return await c.query(text, params);
  } finally {
    await c.end().catch(() => c.destroy());
  }
}

async function seen(site: Site, id: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < 500; i++) {
    const rows = (await sql(site, 'SELECT 1 FROM story WHERE id = ?', [id]).catch(
      () => [],
    )) as unknown[];
    if (rows.length > 0) return Math.round(performance.now() - t0);
    await sleep(10);
  }
  throw new Error(`row ${id} never reached ${site}`);
}

/** Promote, then the first INSERT that succeeds on one kept connection. */
async function promoteAndWrite(d: MariadbDriver, site: Site, id: number) {
  const c = await client(site);
  const t0 = performance.now();
  const r = await d.promote(ctx());
  for (let i = 0; i < 200; i++) {
    if (
      await c.query('INSERT INTO story VALUES (?)', [id]).then(
        () => true,
        () => false,
      )
    )
      break;
  }
  const toWriteMs = Math.round(performance.now() - t0);
  await c.end();
  return { result: r, toWriteMs };
}

beforeAll(async () => {
  await lab.down();
  await lab.up(['mariadb']);
  fwd.a = await forward(lab.namespaces.wan, `${lab.dir}/fwd-mariadb-a.sock`, ADDR.a, 3306);
  fwd.b = await forward(lab.namespaces.wan, `${lab.dir}/fwd-mariadb-b.sock`, ADDR.b, 3306);
  // A cut link shows within seconds (docs: slave_net_timeout with a 1 s heartbeat).
  for (const site of ['a', 'b'] as const)
    await myAdminSql(lab.paths, site, 'SET GLOBAL slave_net_timeout = 3;');
  await myAdminSql(
    lab.paths,
    'b',
    'STOP SLAVE; CHANGE MASTER TO MASTER_HEARTBEAT_PERIOD = 1; START SLAVE;',
  );
  await sql('a', 'CREATE TABLE IF NOT EXISTS story (id int PRIMARY KEY)');
}, 180_000);

afterAll(async () => {
  console.log('mariadb lab figures', JSON.stringify(figures));
  for (const f of Object.values(fwd)) f?.close();
  await lab.down();
}, 120_000);

runDriverConformance({
  name: 'mariadb primary (lab, site a)',
  setup: async () => driver('a'),
  unreachable: () => driver('a', { host: '127.0.0.1', port: 1 }),
});

runDriverConformance({
  name: 'mariadb replica (lab, site b)',
  // Start from a replica that has caught up: the primary's suite just ran, and a promote of a
  // replica still missing a transaction is rightly refused (that refusal has its own test).
  setup: async () => {
    const b = driver('b');
    let s = await b.replicationState(ctx());
    for (let i = 0; i < 200 && (s.lagMs !== 0 || s.behindSourceTransactions !== 0); i++) {
      await sleep(50);
      s = await b.replicationState(ctx());
    }
    return b;
  },
  unreachable: () => driver('b', { host: '127.0.0.1', port: 1 }),
  teardown: async () => {
    const b = driver('b');
    figures.conformanceRepointB = (
      await b.rebuildAsReplicaOf(ctx(), { host: ADDR.a, port: 3306 })
    ).data;
    await b.close();
  },
});

describe('mariadb driver against the lab', () => {
  it('a write on the primary is seen on the replica, and lag drops to 0', async () => {
    await sql('a', 'INSERT INTO story VALUES (1)');
    figures.replicateMs = await seen('b', 1);
    const d = driver('b');
    let s = await d.replicationState(ctx());
    for (let i = 0; i < 100 && (s.lagMs !== 0 || s.behindSourceTransactions !== 0); i++)
      s = await d.replicationState(ctx());
    expect(s).toMatchObject({
      role: 'replica',
      streaming: true,
      lagMs: 0,
      unappliedTransactions: 0,
      behindSourceTransactions: 0,
    });
    await d.close();
  });

  it('fence read-only: an INSERT on the fenced primary fails and an open session is killed', async () => {
    const d = driver('a');
    const open = await client('a');
    await open.query('BEGIN');
    await open.query('INSERT INTO story VALUES (2)');
    const f = await d.fence(ctx());
    expect(f.data?.connectionsKilled).toBeGreaterThanOrEqual(1);
    figures.fenceReadOnlyMs = f.data?.ms;
    await expect(open.query('COMMIT')).rejects.toThrow();
    open.destroy();
    await expect(sql('a', 'INSERT INTO story VALUES (3)')).rejects.toMatchObject({ errno: 1290 });
    expect((await d.unfence(ctx())).changed).toBe(true);
    await sql('a', 'INSERT INTO story VALUES (3)');
    await d.close();
  });

  it('async: promote b, re-point a, a write on b reaches a; then back', async () => {
    const [da, db] = [driver('a'), driver('b')];
    await da.fence(ctx());
    const p = await promoteAndWrite(db, 'b', 10);
    figures.asyncPromote = { driverMs: p.result.data?.ms, toFirstWriteMs: p.toWriteMs };
    const r = await da.rebuildAsReplicaOf(ctx(), { host: ADDR.b, port: 3306 });
    expect(r.changed).toBe(true);
    figures.repointAMs = r.data?.ms;
    await sql('b', 'INSERT INTO story VALUES (11)');
    figures.replicateBackMs = await seen('a', 11);
    expect((await da.rebuildAsReplicaOf(ctx(), { host: ADDR.b, port: 3306 })).changed).toBe(false);
    await db.fence(ctx());
    await promoteAndWrite(da, 'a', 12);
    expect((await db.rebuildAsReplicaOf(ctx(), { host: ADDR.a, port: 3306 })).changed).toBe(true);
    expect(await seen('b', 12)).toBeGreaterThanOrEqual(0);
    await Promise.all([da.close(), db.close()]);
  });

  it('semi-sync: promote the semi-synchronous replica, measure request → writable', async () => {
    await myAdminSql(lab.paths, 'a', 'SET GLOBAL rpl_semi_sync_master_enabled = ON;');
    await myAdminSql(
      lab.paths,
      'b',
      'SET GLOBAL rpl_semi_sync_slave_enabled = ON; STOP SLAVE IO_THREAD; START SLAVE IO_THREAD;',
    );
    const [da, db] = [driver('a'), driver('b')];
    let s = await da.replicationState(ctx());
    for (let i = 0; i < 100 && !s.synchronous; i++) {
      await sql('a', 'INSERT INTO story VALUES (?)', [100 + i]);
      s = await da.replicationState(ctx());
    }
    expect(s.synchronous).toBe(true);
    await da.fence(ctx());
    const p = await promoteAndWrite(db, 'b', 21);
    figures.semiSyncPromote = { driverMs: p.result.data?.ms, toFirstWriteMs: p.toWriteMs };
    expect((await da.rebuildAsReplicaOf(ctx(), { host: ADDR.b, port: 3306 })).changed).toBe(true);
    expect(await seen('a', 21)).toBeGreaterThanOrEqual(0);
    await myAdminSql(lab.paths, 'a', 'SET GLOBAL rpl_semi_sync_master_enabled = OFF;');
    await Promise.all([da.close(), db.close()]);
  });

  it('promote is refused while received transactions are not applied, and when replication is cut', async () => {
    const da = driver('a'); // a is now the replica of b
    await myAdminSql(lab.paths, 'a', 'STOP SLAVE SQL_THREAD;');
    await sql('b', 'INSERT INTO story VALUES (30)');
    const unapplied = await da.promote(ctx()).catch((e: unknown) => e);
    expect(unapplied).toMatchObject({ code: 'LB_E_DRIVER_NOT_READY' });
    figures.refusedUnapplied = (unapplied as Error).message;
    await myAdminSql(lab.paths, 'a', 'START SLAVE SQL_THREAD;');
    expect(await seen('a', 30)).toBeGreaterThanOrEqual(0);

    await lab.partition('a', { link: 'replication' });
    await sleep(4500);
    await sql('b', 'INSERT INTO story VALUES (31)');
    const cut = await da.promote(ctx()).catch((e: unknown) => e);
    expect(cut).toMatchObject({ code: 'LB_E_DRIVER_NOT_READY', retryable: true });
    figures.refusedCut = (cut as Error).message;
    await lab.heal('a');
    expect(await seen('a', 31)).toBeGreaterThanOrEqual(0);
    await da.close();
  });

  it('an old primary written to on its own (errant GTID) is not re-pointed', async () => {
    const [da, db] = [driver('a'), driver('b')];
    await da.fence(ctx());
    await db.promote(ctx()); // b is already primary: no change
    // a is a replica of b; detach it and write there, as a split brain would.
    await myAdminSql(lab.paths, 'a', 'STOP SLAVE; RESET SLAVE ALL; SET GLOBAL read_only = OFF;');
    await sql('a', 'INSERT INTO story VALUES (40)');
    const err = await da
      .rebuildAsReplicaOf(ctx(), { host: ADDR.b, port: 3306 })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'LB_E_MARIADB_ERRANT_GTID', retryable: false });
    figures.errant = (err as Error).message;
    await Promise.all([da.close(), db.close()]);
  });

  it('sql probe: read-only session, expected text, failure as data', async () => {
    const base = {
      name: 'my-b-probe',
      host: (fwd.b as Forward).path,
      port: 3306,
      database: 'app',
      user: 'app',
      password: secret('app'),
    };
    const ok = await new MariadbProbe({
      ...base,
      query: 'SELECT COUNT(*) FROM story WHERE id = 1',
      expect: '1',
    }).probe(ctx());
    expect(ok).toMatchObject({ ok: true });
    figures.probeMs = ok.latencyMs;
    expect(
      (await new MariadbProbe({ ...base, query: "SELECT 'x'", expect: 'y' }).probe(ctx())).ok,
    ).toBe(false);
    expect((await new MariadbProbe({ ...base, host: '127.0.0.1', port: 1 }).probe(ctx())).ok).toBe(
      false,
    );
  });
});
