// Given the lab's PostgreSQL pair (primary at a, streaming replica at b), the driver passes the
// conformance suite on both, fences, promotes in async and sync mode, rebuilds the old primary
// as a replica (pg_basebackup when pg_rewind cannot write the data directory, then pg_rewind), and
// refuses to promote a replica whose replication is cut or behind.

import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LifeboatError } from '../../../src/core/errors/index.js';
import { LocalNodeRunner } from '../../../src/drivers/node-runner.js';
import { PostgresDriver, PostgresProbe } from '../../../src/drivers/postgres/index.js';
import { Lab, pgAdminSql } from '../../../src/lab/index.js';
import { runDriverConformance } from '../../conformance/driver-suite.js';
import { type Forward, pgForward, secretFromFile } from './sql-lab.js';

const NAME = 'drvpg';
const ADDR = { a: '10.77.0.1', b: '10.77.0.2' } as const;
type Site = keyof typeof ADDR;
const lab = Lab.open({ name: NAME });
const fwd: Partial<Record<Site, Forward>> = {};
const ctx = (ms = 60_000) => ({ signal: AbortSignal.timeout(ms) });
const figures: Record<string, unknown> = {};

function secret(role: 'lifeboat' | 'app' | 'replicator') {
  return secretFromFile(lab.endpoints().postgres.users[role].passwordFile, `file:${role}`);
}

function driver(site: Site, over: { host?: string; port?: number } = {}) {
  const ep = lab.endpoints().postgres[site];
  return new PostgresDriver({
    node: `pg-${site}`,
    host: over.host ?? (fwd[site] as Forward).path,
    port: over.port ?? 5432,
    user: 'lifeboat',
    password: secret('lifeboat'),
    address: ADDR[site],
    promote: { maxSilenceMs: 2500 },
    replication: { user: 'replicator', password: secret('replicator'), applicationName: site },
    server: {
      runner: new LocalNodeRunner({ namespace: ep.namespace }),
      dataDir: ep.dataDir,
      keepFiles: ['postgresql.conf', 'pg_hba.conf', 'pg_ident.conf', 'lifeboat.conf'],
    },
  });
}

async function client(site: Site): Promise<pg.Client> {
  const c = new pg.Client({
    host: (fwd[site] as Forward).path,
    port: 5432,
    user: 'app',
    database: 'app',
    password: secret('app').reveal(),
  });
  c.on('error', () => {});
  await c.connect();
  return c;
}

async function sql(site: Site, text: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const c = await client(site);
  try {
    return await c.query(text, params);
  } finally {
    await c.end().catch(() => {});
  }
}

/** ms until `row` is visible on `site`. */
async function seen(site: Site, id: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < 500; i++) {
    const r = await sql(site, 'SELECT 1 FROM story WHERE id = $1', [id]).catch(() => undefined);
    if (r?.rowCount) return Math.round(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`row ${id} never reached ${site}`);
}

/** Promote, then the first INSERT that succeeds: request → writable as a client sees it. */
async function promoteAndWrite(d: PostgresDriver, site: Site, id: number) {
  const t0 = performance.now();
  const r = await d.promote(ctx());
  for (let i = 0; i < 200; i++) {
    const ok = await sql(site, 'INSERT INTO story VALUES ($1)', [id]).then(
      () => true,
      () => false,
    );
    if (ok) break;
  }
  return { result: r, toWriteMs: Math.round(performance.now() - t0) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const notReady = (e: unknown) => e instanceof LifeboatError && e.code === 'LB_E_DRIVER_NOT_READY';

/**
 * Brings the pair to the state a test starts from, whatever a test before it left behind when it
 * failed midway: no partition, the lab's config files owned by postgres, both servers up and
 * unfenced, async mode, WAL replay running, `primary` the primary and the other site streaming
 * from it, caught up (a lag it knows: promote needs one). Nothing changes when all is so; a
 * repair goes through the driver, as an operator's would, and is logged.
 */
async function settle(primary: Site): Promise<void> {
  const replica: Site = primary === 'a' ? 'b' : 'a';
  const repairs: string[] = [];
  for (const site of await lab.partitions()) {
    await lab.heal(site);
    repairs.push(`healed ${site}`);
  }
  for (const site of ['a', 'b'] as const) {
    const conf = `${lab.endpoints().postgres[site].dataDir}/lifeboat.conf`;
    await lab.exec(site, ['chown', 'postgres:postgres', conf]);
  }
  const [dp, dr] = [driver(primary), driver(replica)];
  try {
    for (const [site, d] of [
      [primary, dp],
      [replica, dr],
    ] as const) {
      const u = await d.unfence(ctx()); // starts a stopped server, lifts a read-only fence
      if (u.changed) repairs.push(u.detail);
      const resumed = await pgAdminSql(
        lab.paths,
        site,
        "SELECT CASE WHEN NOT pg_is_in_recovery() THEN '' WHEN pg_get_wal_replay_pause_state() = 'not paused' THEN '' ELSE pg_wal_replay_resume()::text || 'resumed' END;",
      );
      if (resumed !== '') repairs.push(`${site}: replay resumed`);
    }
    // Async mode: commits on the primary wait for no standby (a replica's setting is inert).
    if ((await pgAdminSql(lab.paths, primary, 'SHOW synchronous_standby_names;')) !== '') {
      await pgAdminSql(
        lab.paths,
        primary,
        'ALTER SYSTEM RESET synchronous_standby_names;\nSELECT pg_reload_conf();',
      );
      repairs.push(`${primary}: async again`);
    }
    if ((await dp.replicationState(ctx())).role !== 'primary') {
      // A switchover: the other is fenced first (if it is the primary), then ours is promoted
      // once it shows it has everything; after 10 s of "not ready" the repair accepts the loss.
      if ((await dr.replicationState(ctx())).role === 'primary') await dr.fence(ctx(), 'read-only');
      let promoted = false;
      for (let i = 0; i < 100 && !promoted; i++) {
        promoted = await dp.promote(ctx()).then(
          () => true,
          async (e: unknown) => {
            if (!notReady(e)) throw e;
            await sleep(100);
            return false;
          },
        );
      }
      if (!promoted) await dp.promote(ctx(), { acceptDataLoss: true });
      repairs.push(`promoted ${primary}`);
    }
    const rebuilt = await dr.rebuildAsReplicaOf(ctx(300_000), { host: ADDR[primary], port: 5432 });
    if (rebuilt.changed) repairs.push(rebuilt.detail);
    // One WAL record from the primary, so that the replica hears from it; then 0 bytes behind on
    // the primary's timeline (a replica just rewound streams the old one up to the fork first).
    await pgAdminSql(lab.paths, primary, 'SELECT txid_current();');
    const { timeline } = await dp.replicationState(ctx());
    const caughtUp = (r: { streaming: boolean; lagBytes?: number; timeline?: number }) =>
      r.streaming && r.lagBytes === 0 && r.timeline === timeline;
    let s = await dr.replicationState(ctx());
    for (let i = 0; i < 100 && !caughtUp(s); i++) {
      await sleep(100);
      s = await dr.replicationState(ctx());
    }
    expect(s, `${replica} streams from ${primary}, caught up`).toMatchObject({
      role: 'replica',
      streaming: true,
      lagBytes: 0,
      timeline,
      source: `${ADDR[primary]}:5432`,
    });
  } finally {
    await Promise.all([dp.close(), dr.close()]);
  }
  if (repairs.length) console.warn(`settle(${primary}) repaired: ${repairs.join('; ')}`);
}

beforeAll(async () => {
  await lab.down();
  await lab.up(['postgres'], { pgMode: 'async' });
  fwd.a = await pgForward(lab.dir, 'a', lab.namespaces.wan, ADDR.a, 5432);
  fwd.b = await pgForward(lab.dir, 'b', lab.namespaces.wan, ADDR.b, 5432);
  // Detect a cut link within seconds, not wal_receiver_timeout's default minute (see docs).
  for (const site of ['a', 'b'] as const) {
    await pgAdminSql(
      lab.paths,
      site,
      "ALTER SYSTEM SET wal_receiver_timeout = '3s';\nALTER SYSTEM SET wal_receiver_status_interval = '1s';\nSELECT pg_reload_conf();",
    );
  }
  // The lab writes a's lifeboat.conf as root; on a real node the data directory is postgres's.
  await lab.exec('a', [
    'chown',
    'postgres:postgres',
    `${lab.endpoints().postgres.a.dataDir}/lifeboat.conf`,
  ]);
  await sql('a', 'CREATE TABLE IF NOT EXISTS story (id int PRIMARY KEY)');
}, 180_000);

afterAll(async () => {
  console.log('postgres lab figures', JSON.stringify(figures));
  for (const f of Object.values(fwd)) f?.close();
  await lab.down();
}, 120_000);

runDriverConformance({
  name: 'postgres primary (lab, site a)',
  setup: async () => driver('a'),
  unreachable: () => driver('a', { host: '127.0.0.1', port: 1 }),
});

runDriverConformance({
  name: 'postgres replica (lab, site b)',
  setup: async () => driver('b'),
  unreachable: () => driver('b', { host: '127.0.0.1', port: 1 }),
  // promote is idempotent turns b into a primary: make it a replica of a again.
  teardown: async () => {
    const b = driver('b');
    const r = await b.rebuildAsReplicaOf(ctx(300_000), { host: ADDR.a, port: 5432 });
    figures.conformanceRebuildB = r.data;
    await b.close();
  },
});

describe('postgres driver against the lab', () => {
  const a = () => driver('a');
  const b = () => driver('b');

  it('a write on the primary is seen on the replica, and lag drops to 0', async () => {
    await settle('a');
    await sql('a', 'INSERT INTO story VALUES (1)');
    figures.replicateMs = await seen('b', 1);
    const d = b();
    let s = await d.replicationState(ctx());
    for (let i = 0; i < 100 && (s.lagBytes !== 0 || s.lagMs !== 0); i++)
      s = await d.replicationState(ctx());
    expect(s).toMatchObject({
      role: 'replica',
      streaming: true,
      lagBytes: 0,
      lagMs: 0,
      source: `${ADDR.a}:5432`,
    });
    await d.close();
  });

  it('fence read-only: an INSERT on the fenced primary fails and an open session is ended', async () => {
    await settle('a');
    const d = a();
    const open = await client('a');
    await open.query('BEGIN');
    await open.query('INSERT INTO story VALUES (2)');
    const fenced = await d.fence(ctx(), 'read-only');
    expect(fenced.changed).toBe(true);
    expect(fenced.data?.sessionsEnded).toBeGreaterThanOrEqual(1);
    figures.fenceReadOnlyMs = fenced.data?.ms;
    await expect(open.query('COMMIT')).rejects.toThrow();
    await expect(sql('a', 'INSERT INTO story VALUES (3)')).rejects.toMatchObject({ code: '25006' });
    expect((await d.replicationState(ctx())).writable).toBe(false);
    expect((await d.unfence(ctx())).changed).toBe(true);
    await sql('a', 'INSERT INTO story VALUES (3)');
    await d.close();
  });

  it('async: promote b, rebuild a (pg_basebackup: rewind cannot write a root-owned file), a write on b reaches a; then back', async () => {
    await settle('a');
    const [da, db] = [a(), b()];
    // Switchover: the old primary is fenced read-only, not stopped, so that the replica can
    // show it has everything (streaming, 0 bytes behind) before it is promoted.
    await da.fence(ctx(), 'read-only');
    const p = await promoteAndWrite(db, 'b', 10);
    expect(p.result.changed).toBe(true);
    figures.asyncPromote = {
      driverMs: p.result.data?.ms,
      toFirstWriteMs: p.toWriteMs,
      detail: p.result.detail,
    };
    // A data directory pg_rewind cannot write (a file the server's user may not write):
    // the driver falls back to a fresh copy beside it.
    const conf = `${lab.endpoints().postgres.a.dataDir}/lifeboat.conf`;
    await lab.exec('a', ['chown', 'root:root', conf]);
    await lab.exec('a', ['chmod', '644', conf]);
    const r = await da.rebuildAsReplicaOf(ctx(300_000), { host: ADDR.b, port: 5432 });
    expect(r.data?.method).toBe('pg_basebackup');
    expect(String(r.data?.rewind)).toMatch(/lifeboat.conf.*Permission denied/);
    // a's own settings survived the fresh copy (which brought b's lifeboat.conf), written back as
    // postgres, which the driver runs as: it says that root's ownership was not kept.
    expect(readFileSync(conf, 'utf8')).toContain("cluster_name = 'a'");
    expect(r.data?.ownerNotKept).toEqual([
      { file: 'lifeboat.conf', was: 'root:root', now: 'postgres:postgres' },
    ]);
    figures.rebuildABasebackup = r.data;
    await sql('b', 'INSERT INTO story VALUES (11)');
    figures.replicateBackMs = await seen('a', 11);
    expect((await da.rebuildAsReplicaOf(ctx(), { host: ADDR.b, port: 5432 })).changed).toBe(false);
    // And back to a as the primary; b's files all belong to postgres: pg_rewind works.
    await db.fence(ctx(), 'read-only');
    await promoteAndWrite(da, 'a', 12);
    const back = await db.rebuildAsReplicaOf(ctx(300_000), { host: ADDR.a, port: 5432 });
    expect(back.data?.method).toBe('pg_rewind');
    figures.rebuildBRewind = back.data;
    expect(await seen('b', 12)).toBeGreaterThanOrEqual(0);
    await Promise.all([da.close(), db.close()]);
  });

  it('sync: promote the synchronous replica, measure request → writable', async () => {
    await settle('a');
    // What `lab up --pg-mode sync` does; lab.up itself would try to restart the servers the
    // driver restarted with pg_ctl (their PIDs are no longer the lab's).
    await pgAdminSql(
      lab.paths,
      'a',
      "ALTER SYSTEM SET synchronous_standby_names = 'b';\nSELECT pg_reload_conf();",
    );
    const [da, db] = [a(), b()];
    let st = await da.replicationState(ctx());
    for (let i = 0; i < 100 && !st.synchronous; i++) {
      await new Promise((r) => setTimeout(r, 100));
      st = await da.replicationState(ctx());
    }
    expect(st.synchronous).toBe(true);
    await sql('a', 'INSERT INTO story VALUES (20)');
    await da.fence(ctx(), 'read-only');
    const p = await promoteAndWrite(db, 'b', 21);
    figures.syncPromote = { driverMs: p.result.data?.ms, toFirstWriteMs: p.toWriteMs };
    expect(await seen('b', 20)).toBeGreaterThanOrEqual(0);
    const r = await da.rebuildAsReplicaOf(ctx(300_000), { host: ADDR.b, port: 5432 });
    expect(r.data?.method).toBe('pg_rewind');
    figures.rebuildARewind = r.data;
    expect(await seen('a', 21)).toBeGreaterThanOrEqual(0);
    await Promise.all([da.close(), db.close()]);
  });

  it('promote is refused when the replica is too far behind, and when replication is cut', async () => {
    await settle('b');
    const da = a(); // a is the replica of b
    await pgAdminSql(lab.paths, 'a', 'SELECT pg_wal_replay_pause();');
    await sql('b', 'INSERT INTO story SELECT g FROM generate_series(1000, 20000) g');
    await new Promise((r) => setTimeout(r, 300));
    const behind = await da.promote(ctx(), { maxLagBytes: 1024 }).catch((e: unknown) => e);
    expect(behind).toMatchObject({
      code: 'LB_E_DRIVER_NOT_READY',
      message: expect.stringMatching(/bytes behind/),
    });
    figures.refusedBehind = (behind as Error).message;
    await pgAdminSql(lab.paths, 'a', 'SELECT pg_wal_replay_resume();');

    await lab.partition('a', { link: 'replication' });
    await new Promise((r) => setTimeout(r, 4000));
    const cut = await da.promote(ctx()).catch((e: unknown) => e);
    expect(cut).toMatchObject({ code: 'LB_E_DRIVER_NOT_READY', retryable: true });
    figures.refusedCut = (cut as Error).message;
    figures.cutState = await da.replicationState(ctx());
    await lab.heal('a');
    let s = await da.replicationState(ctx());
    for (let i = 0; i < 200 && (!s.streaming || (s.silenceMs ?? 0) > 2000); i++) {
      await new Promise((r) => setTimeout(r, 100));
      s = await da.replicationState(ctx());
    }
    expect(s).toMatchObject({ role: 'replica', streaming: true });
    await da.close();
  });

  it('sql probe: read-only query, expected text, failure as data', async () => {
    await settle('b');
    const base = {
      name: 'pg-b-probe',
      host: (fwd.b as Forward).path,
      port: 5432,
      database: 'app',
      user: 'app',
      password: secret('app'),
    };
    const ok = await new PostgresProbe({
      ...base,
      query: 'SELECT count(*) FROM story WHERE id = 1',
      expect: '1',
    }).probe(ctx());
    expect(ok).toMatchObject({ ok: true });
    figures.probeMs = ok.latencyMs;
    const wrong = await new PostgresProbe({ ...base, query: "SELECT 'x'", expect: 'y' }).probe(
      ctx(),
    );
    expect(wrong.ok).toBe(false);
    const down = await new PostgresProbe({ ...base, host: '127.0.0.1', port: 1 }).probe(ctx());
    expect(down).toMatchObject({ ok: false });
  });
});
