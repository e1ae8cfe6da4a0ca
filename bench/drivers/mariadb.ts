// MariaDB promote, request → first acknowledged INSERT by the application's login, through the
// driver (readiness check with a GTID comparison, MASTER_GTID_WAIT, STOP SLAVE; RESET SLAVE ALL;
// read_only=OFF) against the mariadb client by hand (`mariadb -e "STOP SLAVE; RESET SLAVE ALL;
// SET GLOBAL read_only=OFF"`, then `mariadb -e INSERT`). The roles alternate: before each round
// (untimed) the old primary is re-pointed at the node promoted last, so no node ever holds a
// transaction its new source lacks (gtid_strict_mode would refuse it).
import { spawn } from 'node:child_process';
import { type Connection, createConnection } from 'mariadb';
import { MariadbDriver } from '../../src/drivers/mariadb/index.js';
import type { Lab } from '../../src/lab/index.js';
import { type Forward, forward, secretFromFile } from '../../test/lab/drivers/sql-lab.js';
import type { BenchSuite } from './types.js';

const ADDR = { a: '10.77.0.1', b: '10.77.0.2' } as const;
type Site = keyof typeof ADDR;
const ctx = (ms = 60_000) => ({ signal: AbortSignal.timeout(ms) });
const forwards: Forward[] = [];
const closers: (() => Promise<void>)[] = [];

/** The mariadb client in the lab's wan namespace, with a role's option file (password off argv). */
function mariadbCli(
  lab: Lab,
  role: 'lifeboat' | 'app',
  host: string,
  sql: string,
): Promise<number> {
  const cnf = lab.endpoints().mariadb.users[role].clientCnf;
  return new Promise((resolve, reject) => {
    const p = spawn(
      'ip',
      [
        'netns',
        'exec',
        lab.namespaces.wan,
        'mariadb',
        `--defaults-extra-file=${cnf}`,
        '-h',
        host,
        '-e',
        sql,
      ],
      {
        stdio: 'ignore',
      },
    );
    p.on('error', reject);
    p.on('close', (code) => resolve(code ?? 1));
  });
}

export const suite: BenchSuite = {
  components: ['mariadb'],
  async cases(lab) {
    const ep = lab.endpoints().mariadb;
    const fwd: Record<Site, Forward> = {
      a: await forward(lab.namespaces.wan, `${lab.dir}/bench-mariadb-a.sock`, ADDR.a, 3306),
      b: await forward(lab.namespaces.wan, `${lab.dir}/bench-mariadb-b.sock`, ADDR.b, 3306),
    };
    forwards.push(fwd.a, fwd.b);
    const secret = (r: 'lifeboat' | 'app' | 'repl') =>
      secretFromFile(ep.users[r].passwordFile, `file:${r}`);
    const drivers = {} as Record<Site, MariadbDriver>;
    for (const site of ['a', 'b'] as const) {
      drivers[site] = new MariadbDriver({
        node: `my-${site}`,
        host: fwd[site].path,
        port: 3306,
        user: 'lifeboat',
        password: secret('lifeboat'),
        address: ADDR[site],
        replication: { user: 'repl', password: secret('repl') },
        resolvePeer: (host) => ({ socketPath: host === ADDR.a ? fwd.a.path : fwd.b.path }),
      });
      closers.push(() => drivers[site].close());
    }
    const app = async (site: Site) => {
      const c = await createConnection({
        socketPath: fwd[site].path,
        user: 'app',
        password: secret('app').reveal(),
        database: 'app',
      });
      c.on('error', () => {});
      return c;
    };
    const setup = await app('a');
    await setup.query(
      'CREATE TABLE IF NOT EXISTS bench (id int AUTO_INCREMENT PRIMARY KEY, via varchar(10))',
    );
    await setup.end();

    let replica: Site = 'b';
    let promoted: Site | undefined;
    let client: Connection | undefined;
    const prepare = async () => {
      replica = promoted === 'b' ? 'a' : promoted === 'a' ? 'b' : 'b';
      const primary: Site = replica === 'a' ? 'b' : 'a';
      // The node promoted last is the primary; the other follows it (a no-op when it does).
      await drivers[replica].rebuildAsReplicaOf(ctx(), { host: ADDR[primary], port: 3306 });
      for (let i = 0; i < 200; i++) {
        const s = await drivers[replica].replicationState(ctx());
        if (s.streaming && s.behindSourceTransactions === 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await client?.end().catch(() => {});
      client = await app(replica);
    };
    const write = async (via: string) => {
      for (let i = 0; i < 500; i++) {
        if (
          await (client as Connection).query('INSERT INTO bench (via) VALUES (?)', [via]).then(
            () => true,
            () => false,
          )
        )
          return;
      }
      throw new Error('no write succeeded after promote');
    };
    return [
      {
        operation: 'promote MariaDB replica until the first INSERT (as the app) succeeds',
        baseline:
          'mariadb -e "STOP SLAVE; RESET SLAVE ALL; SET GLOBAL read_only=OFF" + mariadb -e INSERT',
        prepare,
        viaDriver: async () => {
          await drivers[replica].promote(ctx());
          promoted = replica;
          await write('driver');
        },
        viaCli: async () => {
          const host = ADDR[replica];
          if (
            (await mariadbCli(
              lab,
              'lifeboat',
              host,
              'STOP SLAVE; RESET SLAVE ALL; SET GLOBAL read_only=OFF',
            )) !== 0
          ) {
            throw new Error('promote by the mariadb client failed');
          }
          promoted = replica; // from here on it holds GTIDs of its own
          for (let i = 0; i < 100; i++) {
            const sql = "INSERT INTO app.bench (via) VALUES ('cli')";
            if ((await mariadbCli(lab, 'app', host, sql)) === 0) return;
          }
          throw new Error('no write succeeded after promote');
        },
      },
    ];
  },
  async teardown() {
    for (const c of closers.splice(0)) await c();
    for (const f of forwards.splice(0)) f.close();
  },
};
