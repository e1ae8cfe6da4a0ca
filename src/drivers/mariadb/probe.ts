// The `sql` health probe for MariaDB: a fresh connection (can the server take a new client?),
// SET SESSION TRANSACTION READ ONLY, one read-only statement (multipleStatements stays off),
// bounded by a timeout, and the first column of the first row compared with the expected text.
import mariadb, { type ConnectionConfig } from 'mariadb';
import { LifeboatError } from '../../core/errors/index.js';
import type { Observation, OperationContext, ProbeResult, Probing } from '../driver.js';
import { safeHost, safeName, safePort } from '../safe-values.js';
import type { Secret } from '../secrets.js';
import { probeObservation, runSqlProbe, safeProbeQuery } from '../sql-probe-query.js';
import { safeAccount, safeSocketPath } from './config.js';
import { myError } from './session.js';

export interface MariadbProbeConfig {
  name: string;
  /** Host name or IP, or a Unix socket file (`/...`). */
  host: string;
  port: number;
  database?: string;
  user: string;
  password?: Secret;
  /** Default `SELECT 1`. */
  query?: string;
  expect?: string;
  /** Default 2000 ms. */
  timeoutMs?: number;
}

/** What the probe needs of a connection; tests inject a fake to see what would be sent. */
export interface MyProbeConnection {
  query(sql: string): Promise<unknown>;
  destroy(): void;
}

export type MyProbeConnect = (c: ConnectionConfig) => Promise<MyProbeConnection>;

export class MariadbProbe implements Probing {
  readonly kind = 'mariadb-probe';
  readonly target: string;
  readonly #cfg: MariadbProbeConfig & { query: string; timeoutMs: number };
  readonly #connect: MyProbeConnect;

  constructor(config: MariadbProbeConfig, connect?: MyProbeConnect) {
    this.target = safeName(config.name, 'probe name');
    if (config.host.startsWith('/')) safeSocketPath(config.host, 'host (socket)');
    else safeHost(config.host, 'host');
    safePort(config.port, 'port');
    if (config.database !== undefined) safeName(config.database, 'database');
    safeAccount(config.user, 'user');
    if (config.expect !== undefined && /[\0\r\n]/.test(config.expect)) {
      throw new LifeboatError('LB_E_DRIVER_BAD_INPUT', 'expect must be one line of text');
    }
    this.#cfg = {
      ...config,
      query: safeProbeQuery(config.query ?? 'SELECT 1'),
      timeoutMs: config.timeoutMs ?? 2000,
    };
    this.#connect = connect ?? ((c) => mariadb.createConnection(c));
  }

  async probe(ctx: OperationContext): Promise<ProbeResult> {
    const c = this.#cfg;
    let conn: MyProbeConnection | undefined;
    return runSqlProbe(
      ctx,
      { target: this.target, ...c },
      {
        attempt: async () => {
          conn = await this.#connect({
            ...(c.host.startsWith('/') ? { socketPath: c.host } : { host: c.host, port: c.port }),
            ...(c.database ? { database: c.database } : {}),
            user: c.user,
            password: c.password?.reveal(),
            connectTimeout: c.timeoutMs,
            bigIntAsNumber: true,
            multipleStatements: false,
            logParam: false,
            rowsAsArray: true,
          });
          await conn.query('SET SESSION TRANSACTION READ ONLY');
          return (await conn.query(c.query)) as unknown[];
        },
        release: () => (conn as MyProbeConnection | undefined)?.destroy(),
        describe: (e) => myError(e, 'query', [c.password]).message,
      },
    );
  }

  async observe(ctx: OperationContext): Promise<Observation> {
    return probeObservation(this.target, await this.probe(ctx));
  }
}
