// The `sql` health probe for PostgreSQL: a fresh connection (a probe must see whether the server
// takes new clients), one read-only statement in a READ ONLY transaction, bounded by a timeout,
// and the first column of the first row compared with the expected text.
import pg from 'pg';
import { LifeboatError } from '../../core/errors/index.js';
import type { Observation, OperationContext, ProbeResult, Probing } from '../driver.js';
import { safeHost, safeName, safePort, safeSqlIdentifier } from '../safe-values.js';
import type { Secret } from '../secrets.js';
import { probeObservation, runSqlProbe, safeProbeQuery } from '../sql-probe-query.js';
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
    const c = this.#cfg;
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
    return runSqlProbe(
      ctx,
      { target: this.target, ...c },
      {
        attempt: () => this.#run(client),
        release: () => {
          client.end().catch(() => {});
        },
        describe: (e) => pgError(e, 'query').message,
      },
    );
  }

  async observe(ctx: OperationContext): Promise<Observation> {
    return probeObservation(this.target, await this.probe(ctx));
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
