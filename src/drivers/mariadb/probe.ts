// The `sql` health probe for MariaDB: a fresh connection (can the server take a new client?),
// SET SESSION TRANSACTION READ ONLY, one read-only statement (multipleStatements stays off),
// bounded by a timeout, and the first column of the first row compared with the expected text.
import mariadb, { type ConnectionConfig } from 'mariadb';
import { LifeboatError } from '../../core/errors/index.js';
import { throwIfAborted } from '../context.js';
import type { Observation, OperationContext, ProbeResult, Probing } from '../driver.js';
import { safeHost, safeName, safePort } from '../safe-values.js';
import type { Secret } from '../secrets.js';
import { firstCell, safeProbeQuery } from '../sql-probe-query.js';
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
    throwIfAborted(ctx, `probe ${this.target}`);
    const c = this.#cfg;
    const t0 = performance.now();
    const latency = () => Math.round(performance.now() - t0);
    let conn: MyProbeConnection | undefined;
    let timer: NodeJS.Timeout | undefined;
    let onAbort = () => {};
    const stop = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${c.timeoutMs} ms`)),
        c.timeoutMs,
      );
      onAbort = () =>
        reject(new LifeboatError('LB_E_DRIVER_ABORTED', `probe ${this.target} was aborted`));
      ctx.signal.addEventListener('abort', onAbort, { once: true });
    });
    stop.catch(() => {});
    const run = async () => {
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
    };
    try {
      const rows = await Promise.race([run(), stop]);
      const got = firstCell(Array.isArray(rows) ? rows : []);
      const ok = c.expect === undefined || got === c.expect;
      return {
        ok,
        latencyMs: latency(),
        detail: `${c.query} → ${got ?? '(no row)'}${ok ? '' : ` (expected ${c.expect})`}`,
      };
    } catch (e) {
      if (e instanceof LifeboatError && e.code === 'LB_E_DRIVER_ABORTED') throw e;
      const why =
        e instanceof Error && /^no answer/.test(e.message)
          ? e.message
          : myError(e, 'query', [c.password]).message;
      return { ok: false, latencyMs: latency(), detail: why };
    } finally {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      (conn as MyProbeConnection | undefined)?.destroy();
    }
  }

  async observe(ctx: OperationContext): Promise<Observation> {
    const r = await this.probe(ctx);
    return {
      healthy: r.ok,
      summary: `probe ${this.target}: ${r.ok ? 'ok' : 'failing'}: ${r.detail}`,
      facts: { ok: r.ok, detail: r.detail, latencyMs: r.latencyMs },
    };
  }
}
