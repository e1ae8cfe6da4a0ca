// One connection to one PostgreSQL server, opened on first use and kept: promote polls every
// 10 ms, and a fresh connection per poll would cost more than the poll. A connection the server
// ended (restart, terminate) is dropped and the next query opens a new one. Every query honours
// the operation's AbortSignal by closing the connection, and every failure becomes a coded error.
import { Socket } from 'node:net';
import pg from 'pg';
import { LifeboatError } from '../../core/errors/index.js';
import { throwIfAborted } from '../context.js';
import type { OperationContext } from '../driver.js';
import type { CheckedPgConfig } from './config.js';

type Row = Record<string, unknown>;

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOENT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/** Maps a pg or socket error to a coded LifeboatError. Pure; never quotes a password. */
export function pgError(e: unknown, what: string): LifeboatError {
  if (e instanceof LifeboatError) return e;
  const err = e as { code?: string; message?: string };
  const code = err.code ?? '';
  const msg = (err.message ?? String(e)).split('\n')[0] ?? '';
  if (NETWORK_CODES.has(code) || /Connection terminated|timeout expired|not queryable/i.test(msg))
    return new LifeboatError('LB_E_DRIVER_UNREACHABLE', `${what}: ${code || msg}`, { cause: e });
  if (code === '28P01' || code === '28000')
    return new LifeboatError('LB_E_DRIVER_AUTH', `${what}: ${msg}`);
  // 57P01-03: shut down by an admin, crashed, or still starting up: try again later.
  if (/^57P0[1-3]$/.test(code))
    return new LifeboatError('LB_E_DRIVER_UNREACHABLE', `${what}: ${msg} (${code})`);
  if (code === '57014') return new LifeboatError('LB_E_DRIVER_TIMEOUT', `${what}: ${msg}`);
  return new LifeboatError(
    'LB_E_DRIVER_COMMAND_FAILED',
    `${what}: ${msg}${code ? ` (SQLSTATE ${code})` : ''}`,
    { details: { sqlstate: code || undefined } },
  );
}

export class PgSession {
  #client: pg.Client | undefined;
  #pending: Promise<pg.Client> | undefined;
  /** The socket of the connection being opened: close() destroys it (see there). */
  #opening: Socket | undefined;
  #backendPid: number | undefined;

  constructor(
    private readonly config: CheckedPgConfig,
    private readonly label: string,
  ) {}

  /** Our own server process, which fencing must not terminate. */
  get backendPid(): number | undefined {
    return this.#backendPid;
  }

  async query<T extends Row = Row>(
    ctx: OperationContext,
    sql: string,
    params: unknown[] = [],
    what = 'query',
  ): Promise<T[]> {
    throwIfAborted(ctx, `${what} on ${this.label}`);
    const client = await this.#withAbort(ctx, this.#connect(), what);
    try {
      const res = await this.#withAbort(ctx, client.query<T>(sql, params), what);
      return res.rows;
    } catch (e) {
      if (e instanceof LifeboatError && e.code === 'LB_E_DRIVER_ABORTED') throw e;
      const mapped = pgError(e, `${what} on ${this.label}`);
      if (mapped.code === 'LB_E_DRIVER_UNREACHABLE') this.#drop();
      throw mapped;
    }
  }

  /**
   * Ends the connection, and abandons one still being opened: to an unreachable server its
   * socket would otherwise stay connecting (pg's end() waits to write its goodbye) until the
   * connect timeout, keeping the process alive after everything else ended.
   */
  async close(): Promise<void> {
    const c = this.#client;
    this.#drop();
    this.#opening?.destroy();
    this.#opening = undefined;
    await c?.end().catch(() => {});
  }

  #connect(): Promise<pg.Client> {
    if (this.#client) return Promise.resolve(this.#client);
    if (this.#pending) return this.#pending;
    const c = this.config;
    const client = new pg.Client({
      host: c.host,
      port: c.port,
      database: c.database,
      user: c.user,
      password: c.password?.reveal(),
      connectionTimeoutMillis: c.connectTimeoutMs,
      statement_timeout: c.statementTimeoutMs,
      application_name: 'lifeboat',
      keepAlive: true,
      // pg's own plain socket, kept so that close() can abandon a connect in progress.
      stream: () => {
        this.#opening = new Socket();
        return this.#opening;
      },
    });
    // A connection ended by the server must not crash the process: it is simply dropped.
    client.on('error', () => {
      if (this.#client === client) this.#drop();
    });
    client.on('end', () => {
      if (this.#client === client) this.#drop();
    });
    this.#pending = client
      .connect()
      .then(async () => {
        const r = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        this.#backendPid = r.rows[0]?.pid;
        this.#client = client;
        return client;
      })
      .catch((e: unknown) => {
        client.end().catch(() => {});
        throw pgError(e, `connecting to ${this.label}`);
      })
      .finally(() => {
        this.#pending = undefined;
        this.#opening = undefined;
      });
    return this.#pending;
  }

  #drop(): void {
    const c = this.#client;
    this.#client = undefined;
    this.#backendPid = undefined;
    c?.end().catch(() => {});
  }

  /** Races `p` against the signal; on abort the connection is closed (it may be mid-query). */
  #withAbort<T>(ctx: OperationContext, p: Promise<T>, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        this.#drop();
        reject(new LifeboatError('LB_E_DRIVER_ABORTED', `${what} on ${this.label} was aborted`));
      };
      if (ctx.signal.aborted) return onAbort();
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      p.then(
        (v) => {
          ctx.signal.removeEventListener('abort', onAbort);
          resolve(v);
        },
        (e: unknown) => {
          ctx.signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      );
    });
  }
}
