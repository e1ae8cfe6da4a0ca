// A client workload for the lab's end-to-end tests and benchmarks: a writer that inserts unique
// ids through HAProxy (PostgreSQL or MariaDB) without pause and records which were acknowledged,
// and a checker that polls both database nodes for a moment with two writable primaries. Both
// run in the test's process, reaching the lab through a forward (src/lab/forward.ts) from the wan
// namespace, where clients live: a partition cuts them exactly as it cuts any client.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { createConnection as myConnect } from 'mariadb';
import pg from 'pg';
import type { Forward } from './forward.js';
import type { Lab } from './lab.js';
import { myAdminSql } from './mariadb.js';
import { patroniAdminSql } from './patroni.js';
import { pgAdminSql } from './postgres.js';
import { ADDRESSES, PORTS } from './topology.js';

/** `patroni`: Patroni's PostgreSQL pair (port 5433), for the side-by-side benchmark. */
export type Engine = 'postgres' | 'mariadb' | 'patroni';

/** A connection that runs one statement at a time. */
export interface SqlClient {
  query(sql: string, params?: unknown[]): Promise<unknown[]>;
  end(): Promise<void>;
}

export interface Writer {
  /** Ids acknowledged by the server, in order. */
  readonly acked: number[];
  /** Statements that failed (connection refused, read-only, timeout). */
  readonly failures: number;
  /** Errors seen, by message (the first few words), with counts: what a client was told. */
  readonly errors: Map<string, number>;
  /** Restarts the "first acknowledgement after" clock: `firstAckAfterMark` is measured from now. */
  mark(): void;
  /** ms from the last `mark()` to the first acknowledgement after it, once there is one. */
  firstAckAfterMark(): number | undefined;
  /** The longest time without an acknowledgement since the last `mark()` (ms). */
  longestGapSinceMark(): number;
  /** Waits until `n` more ids are acknowledged than now, at most `ms`; false on timeout. */
  waitForMore(n: number, ms: number): Promise<boolean>;
  stop(): Promise<void>;
}

export interface Workload {
  /** A new connection through HAProxy (the service's address, as clients use it). */
  connect(): Promise<SqlClient>;
  /** Starts writing ids 1, 2, ... into `table` (created if missing). */
  writer(table: string, opts?: { pauseOnErrorMs?: number }): Promise<Writer>;
  close(): Promise<void>;
}

/** Opens a forward from the wan namespace to HAProxy's `engine` port as the `app` user. */
export async function openWorkload(
  lab: Lab,
  engine: Engine,
  opts: { name?: string; connectTimeoutMs?: number; queryTimeoutMs?: number } = {},
): Promise<Workload> {
  const ep = lab.endpoints();
  const isPg = engine !== 'mariadb';
  const port = {
    postgres: PORTS.haproxyPostgres,
    patroni: PORTS.haproxyPatroni,
    mariadb: PORTS.haproxyMariadb,
  }[engine];
  const fwd: Forward = await lab.forward(opts.name ?? `wl-${engine}`, {
    host: ADDRESSES.wan,
    port,
    pg: isPg,
  });
  // Patroni's pair has the same `app` role and password as the lab's own PostgreSQL.
  const passwordFile = isPg
    ? ep.postgres.users.app.passwordFile
    : ep.mariadb.users.app.passwordFile;
  const password = readFileSync(passwordFile, 'utf8').trim();
  const connectMs = opts.connectTimeoutMs ?? 1000;
  const queryMs = opts.queryTimeoutMs ?? 2000;
  const connect = async (): Promise<SqlClient> => {
    if (isPg) {
      const c = new pg.Client({
        host: fwd.path,
        port,
        user: 'app',
        password,
        database: 'app',
        connectionTimeoutMillis: connectMs,
        query_timeout: queryMs,
      });
      c.on('error', () => undefined); // a fence or a switch ends it on purpose
      await c.connect();
      return {
        query: async (sql, params) => (await c.query(sql, params as unknown[])).rows,
        end: () => c.end().catch(() => undefined),
      };
    }
    const c = await myConnect({
      socketPath: fwd.path,
      user: 'app',
      password,
      database: 'app',
      connectTimeout: connectMs,
      queryTimeout: queryMs,
      bigIntAsNumber: true,
    });
    c.on('error', () => undefined);
    // The connector's queryTimeout is enforced by the server (max_statement_time): a server cut
    // off by a partition never answers. So a client-side bound, and destroy() on a dead link.
    return {
      query: async (sql, params) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          return (await Promise.race([
            c.query(sql, params),
            new Promise((_, reject) => {
              timer = setTimeout(() => {
                c.destroy();
                reject(new Error(`query timed out after ${queryMs} ms`));
              }, queryMs);
            }),
          ])) as unknown[];
        } finally {
          clearTimeout(timer);
        }
      },
      end: async () => {
        await Promise.race([c.end().catch(() => undefined), sleep(500)]);
        c.destroy();
      },
    };
  };
  return {
    connect,
    writer: async (table, wopts = {}) => {
      const setup = await connect();
      await setup.query(`CREATE TABLE IF NOT EXISTS ${table} (id integer PRIMARY KEY)`);
      await setup.end();
      return startWriter(connect, table, wopts.pauseOnErrorMs ?? 50);
    },
    close: async () => fwd.close(),
  };
}

function startWriter(connect: () => Promise<SqlClient>, table: string, pauseMs: number): Writer {
  const acked: number[] = [];
  const errors = new Map<string, number>();
  let failures = 0;
  let stop = false;
  let markAt = performance.now();
  let firstAck: number | undefined;
  let lastAck = performance.now();
  let longestGap = 0;
  const loop = (async () => {
    let client: SqlClient | undefined;
    // Bounded by `stop()`, which every caller reaches (in a finally).
    for (let id = 1; !stop; id++) {
      try {
        client ??= await connect();
        await client.query(`INSERT INTO ${table} (id) VALUES (${id})`);
        acked.push(id);
        const now = performance.now();
        firstAck ??= now - markAt;
        longestGap = Math.max(longestGap, now - lastAck);
        lastAck = now;
      } catch (e) {
        failures++;
        const msg = (e instanceof Error ? e.message : String(e)).split(/\s+/).slice(0, 6).join(' ');
        errors.set(msg, (errors.get(msg) ?? 0) + 1);
        void client?.end();
        client = undefined;
        await sleep(pauseMs);
      }
    }
    await client?.end();
  })();
  return {
    acked,
    errors,
    get failures() {
      return failures;
    },
    mark() {
      markAt = performance.now();
      lastAck = markAt;
      firstAck = undefined;
      longestGap = 0;
    },
    firstAckAfterMark: () => firstAck,
    longestGapSinceMark: () => Math.max(longestGap, performance.now() - lastAck),
    async waitForMore(n, ms) {
      const want = acked.length + n;
      const deadline = Date.now() + ms;
      while (acked.length < want && Date.now() < deadline) await sleep(50);
      return acked.length >= want;
    },
    async stop() {
      stop = true;
      await loop;
    },
  };
}

export interface PrimaryChecker {
  /** Moments when more than one node answered as a writable primary, with the nodes. */
  readonly doubles: string[][];
  readonly checks: number;
  stop(): Promise<void>;
}

/** Which nodes answer as writable primaries now; stopped or unreachable ones do not count. */
export async function writablePrimaries(lab: Lab, engine: Engine): Promise<string[]> {
  const out: string[] = [];
  for (const site of ['a', 'b'] as const) {
    try {
      const writable =
        "SELECT NOT pg_is_in_recovery() AND current_setting('default_transaction_read_only') = 'off';";
      const r =
        engine === 'postgres'
          ? await pgAdminSql(lab.paths, site, writable, 2000)
          : engine === 'patroni'
            ? await patroniAdminSql(lab.paths, site, writable, 2000)
            : await myAdminSql(lab.paths, site, 'SELECT @@global.read_only = 0;');
      if (/^(t|1)\b/.test(String(r).trim())) out.push(site);
    } catch {
      // stopped or unreachable: not writable
    }
  }
  return out;
}

/** Polls both nodes every `everyMs` until stopped. */
export function watchPrimaries(lab: Lab, engine: Engine, everyMs = 50): PrimaryChecker {
  const doubles: string[][] = [];
  let checks = 0;
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      const w = await writablePrimaries(lab, engine);
      checks++;
      if (w.length > 1) doubles.push(w);
      await sleep(everyMs);
    }
  })();
  return {
    doubles,
    get checks() {
      return checks;
    },
    async stop() {
      stop = true;
      await loop;
    },
  };
}

/** Of `ids`, how many `table` holds, asked through `client`. */
export async function countPresent(
  client: SqlClient,
  table: string,
  ids: number[],
): Promise<number> {
  if (ids.length === 0) return 0;
  const rows = (await client.query(
    `SELECT count(*) AS n FROM ${table} WHERE id IN (${ids.join(',')})`,
  )) as { n: number | string }[];
  return Number(rows[0]?.n ?? 0);
}

/** The site ('a' or 'b') of the server that answers a connection made through HAProxy. */
export async function servingSite(client: SqlClient, engine: Engine): Promise<string> {
  if (engine !== 'mariadb') {
    const rows = (await client.query('SELECT host(inet_server_addr()) AS addr')) as {
      addr: string;
    }[];
    const addr = String(rows[0]?.addr ?? '');
    return addr === ADDRESSES.a ? 'a' : addr === ADDRESSES.b ? 'b' : addr;
  }
  // The lab's MariaDB servers have server-id 1 (a) and 2 (b).
  const rows = (await client.query('SELECT @@server_id AS id')) as { id: number }[];
  const id = Number(rows[0]?.id);
  return id === 1 ? 'a' : id === 2 ? 'b' : String(id);
}
