// PostgreSQL promote, request → first acknowledged write, through the driver (pg_promote no-wait,
// poll pg_is_in_recovery() every 10 ms, then an INSERT on a kept client connection) against
// psql by hand (psql -c "select pg_promote(false)", a psql loop on pg_is_in_recovery(), then
// psql -c INSERT). Before each round (untimed) b is rebuilt as a streaming replica of a with
// the driver (pg_rewind). The test process reaches the lab through a Unix-socket relay into the
// lab's `wan` namespace; psql runs in `wan` itself.
import { spawn } from 'node:child_process';
import pg from 'pg';
import { LocalNodeRunner } from '../../src/drivers/node-runner.js';
import { PostgresDriver } from '../../src/drivers/postgres/index.js';
import type { Lab } from '../../src/lab/index.js';
import { type Forward, pgForward, secretFromFile } from '../../test/lab/drivers/sql-lab.js';
import type { BenchSuite } from './types.js';

const ADDR = { a: '10.77.0.1', b: '10.77.0.2' } as const;
const PSQL = '/usr/lib/postgresql/15/bin/psql';
const ctx = (ms = 300_000) => ({ signal: AbortSignal.timeout(ms) });
const forwards: Forward[] = [];
const closers: (() => Promise<void>)[] = [];

function psql(lab: Lab, sql: string): Promise<{ code: number; out: string }> {
  const argv = ['netns', 'exec', lab.namespaces.wan, PSQL, '-h', ADDR.b, '-U', 'app', '-d', 'app'];
  return new Promise((resolve, reject) => {
    const p = spawn('ip', [...argv, '-XAtqw', '-c', sql], {
      env: { PATH: process.env.PATH, PGPASSFILE: lab.endpoints().postgres.users.app.pgpassFile },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? 1, out: out.trim() }));
  });
}

/** pg_promote() needs a superuser: psql as `lifeboat`. */
function psqlAdmin(lab: Lab, sql: string): Promise<number> {
  const argv = [
    'netns',
    'exec',
    lab.namespaces.wan,
    PSQL,
    '-h',
    ADDR.b,
    '-U',
    'lifeboat',
    '-d',
    'postgres',
  ];
  return new Promise((resolve, reject) => {
    const p = spawn('ip', [...argv, '-XAtqw', '-c', sql], {
      env: {
        PATH: process.env.PATH,
        PGPASSFILE: lab.endpoints().postgres.users.lifeboat.pgpassFile,
      },
      stdio: 'ignore',
    });
    p.on('error', reject);
    p.on('close', (code) => resolve(code ?? 1));
  });
}

export const suite: BenchSuite = {
  components: ['postgres'],
  async cases(lab) {
    const ep = lab.endpoints().postgres;
    const fa = await pgForward(lab.dir, 'bench-a', lab.namespaces.wan, ADDR.a, 5432);
    const fb = await pgForward(lab.dir, 'bench-b', lab.namespaces.wan, ADDR.b, 5432);
    forwards.push(fa, fb);
    const secret = (r: 'lifeboat' | 'app' | 'replicator') =>
      secretFromFile(ep.users[r].passwordFile, `file:${r}`);
    const b = new PostgresDriver({
      node: 'pg-b',
      host: fb.path,
      port: 5432,
      user: 'lifeboat',
      password: secret('lifeboat'),
      address: ADDR.b,
      replication: {
        user: 'replicator',
        password: secret('replicator'),
        applicationName: 'b',
        slotName: 'b',
      },
      server: {
        runner: new LocalNodeRunner({ namespace: ep.b.namespace }),
        dataDir: ep.b.dataDir,
        keepFiles: ['postgresql.conf', 'pg_hba.conf', 'pg_ident.conf', 'lifeboat.conf'],
      },
    });
    closers.push(() => b.close());
    const app = (path: string) =>
      new pg.Client({
        host: path,
        port: 5432,
        user: 'app',
        database: 'app',
        password: secret('app').reveal(),
      });
    const setup = app(fa.path);
    await setup.connect();
    await setup.query('CREATE TABLE IF NOT EXISTS bench (id serial PRIMARY KEY, via text)');
    await setup.end();
    let client: pg.Client | undefined;
    const prepare = async () => {
      await client?.end().catch(() => {});
      await b.rebuildAsReplicaOf(ctx(), { host: ADDR.a, port: 5432 });
      client = app(fb.path);
      client.on('error', () => {});
      await client.connect();
      await b.replicationState(ctx()); // the driver's own connection is open too
    };
    return [
      {
        operation: 'promote PostgreSQL replica b until the first INSERT succeeds',
        baseline:
          'psql -c "select pg_promote(false)" + psql loop on pg_is_in_recovery() + psql INSERT',
        prepare,
        viaDriver: async () => {
          await b.promote(ctx());
          for (let i = 0; i < 500; i++) {
            if (
              await (client as pg.Client).query("INSERT INTO bench (via) VALUES ('driver')").then(
                () => true,
                () => false,
              )
            )
              return;
          }
          throw new Error('no write succeeded after promote');
        },
        viaCli: async () => {
          if ((await psqlAdmin(lab, 'select pg_promote(false)')) !== 0)
            throw new Error('pg_promote failed');
          for (let i = 0; i < 1000; i++) {
            if ((await psql(lab, 'select pg_is_in_recovery()')).out === 'f') break;
            await new Promise((r) => setTimeout(r, 10));
          }
          for (let i = 0; i < 100; i++) {
            if ((await psql(lab, "INSERT INTO bench (via) VALUES ('cli')")).code === 0) return;
          }
          throw new Error('no write succeeded after pg_promote');
        },
      },
    ];
  },
  async teardown() {
    for (const c of closers.splice(0)) await c();
    for (const f of forwards.splice(0)) f.close();
  },
};
