// The `sql` health probe for PostgreSQL: a fresh connection (a probe must see whether the server
// takes new clients), one read-only statement in a READ ONLY transaction, bounded by a timeout,
// and the first column of the first row compared with the expected text.
import pg from 'pg';
import { LifeboatError } from '../../core/errors/index.js';
import { throwIfAborted } from '../context.js';
import type { Observation, OperationContext, ProbeResult, Probing } from '../driver.js';
import { safeHost, safeName, safePort, safeSqlIdentifier } from '../safe-values.js';
import type { Secret } from '../secrets.js';
import { firstCell, safeProbeQuery } from '../sql-probe-query.js';
import { safeFilePath } from './config.js';
import { pgError } from './session.js';

export interface PostgresProbeConfig {
  /** The probe's name in the plan. */
  name: string;
  host: string;
  port: number;
  database: string;
  user: string;
  password?: Secret;
  /** Default `SELECT 1`. */
  query?: string;
  /** Expected first column of the first row, as text; absent: any answer is healthy. */
  expect?: string;
  /** Default 2000 ms. */
  timeoutMs?: number;
}

/** The client a probe uses; tests inject a fake to see exactly what would be sent. */
export interface ProbeClient {
  connect(): Promise<unknown>;
  query(q: { text: string; queryMode?: 'extended' }): Promise<{ rows: unknown[] }>;
  end(): Promise<void>;
}

export type ProbeClientFactory = (c: pg.ClientConfig) => ProbeClient;

export class PostgresProbe implements Probing {
  readonly kind = 'postgres-probe';
  readonly target: string;
  readonly #cfg: PostgresProbeConfig & { query: string; timeoutMs: number };
  readonly #newClient: ProbeClientFactory;

  constructor(config: PostgresProbeConfig, newClient?: ProbeClientFactory) {
    this.target = safeName(config.name, 'probe name');
    if (config.host.startsWith('/')) safeFilePath(config.host, 'host (socket directory)');
    else safeHost(config.host, 'host');
    safePort(config.port, 'port');
    safeName(config.database, 'database');
    safeSqlIdentifier(config.user, 'user');
    if (config.expect !== undefined && /[\0\r\n]/.test(config.expect)) {
      throw new LifeboatError('LB_E_DRIVER_BAD_INPUT', 'expect must be one line of text');
    }
    this.#cfg = {
      ...config,
      query: safeProbeQuery(config.query ?? 'SELECT 1'),
      timeoutMs: config.timeoutMs ?? 2000,
    };
    this.#newClient = newClient ?? ((c) => new pg.Client(c) as unknown as ProbeClient);
  }

  async probe(ctx: OperationContext): Promise<ProbeResult> {
    throwIfAborted(ctx, `probe ${this.target}`);
    const c = this.#cfg;
    const t0 = performance.now();
    const client = this.#newClient({
      host: c.host,
      port: c.port,
      database: c.database,
      user: c.user,
      password: c.password?.reveal(),
      connectionTimeoutMillis: c.timeoutMs,
      statement_timeout: c.timeoutMs,
      application_name: 'lifeboat-probe',
    });
    (client as unknown as { on?: (e: string, f: () => void) => void }).on?.('error', () => {});
    const latency = () => Math.round(performance.now() - t0);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${c.timeoutMs} ms`)),
        c.timeoutMs,
      );
    });
    let onAbort = () => {};
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () =>
        reject(new LifeboatError('LB_E_DRIVER_ABORTED', `probe ${this.target} was aborted`));
      ctx.signal.addEventListener('abort', onAbort, { once: true });
    });
    aborted.catch(() => {}); // settles after the race only when nobody listens any more
    try {
      const rows = await Promise.race([this.#run(client), deadline, aborted]);
      const got = firstCell(rows);
      const ok = c.expect === undefined || got === c.expect;
      const detail = `${c.query} → ${got ?? '(no row)'}${ok ? '' : ` (expected ${c.expect})`}`;
      return { ok, latencyMs: latency(), detail };
    } catch (e) {
      if (e instanceof LifeboatError && e.code === 'LB_E_DRIVER_ABORTED') throw e;
      const why =
        e instanceof Error && /^no answer/.test(e.message)
          ? e.message
          : pgError(e, 'query').message;
      return { ok: false, latencyMs: latency(), detail: why };
    } finally {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      client.end().catch(() => {});
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

  async #run(client: ProbeClient): Promise<unknown[]> {
    await client.connect();
    // Extended protocol: the server accepts exactly one statement, whatever the text holds.
    await client.query({ text: 'BEGIN TRANSACTION READ ONLY', queryMode: 'extended' });
    try {
      return (await client.query({ text: this.#cfg.query, queryMode: 'extended' })).rows;
    } finally {
      await client.query({ text: 'ROLLBACK', queryMode: 'extended' }).catch(() => {});
    }
  }
}
