// One connection to one MariaDB server, opened on first use and kept; dropped when the server
// ends it, reopened by the next query. Queries honour the AbortSignal by destroying the
// connection; failures become coded errors whose text never carries a parameter (passwords go
// as parameters and `logParam` stays off; the server's own message is all we quote).
import { connect, type Socket } from 'node:net';
import mariadb, { type Connection } from 'mariadb';
import { LifeboatError } from '../../core/errors/index.js';
import { throwIfAborted } from '../context.js';
import type { OperationContext } from '../driver.js';
import { redact, type Secret } from '../secrets.js';
import type { MariadbPeer } from './config.js';

type Row = Record<string, unknown>;

const NETWORK =
  /^(ECONNREFUSED|ECONNRESET|ENOENT|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|ER_CONNECTION_TIMEOUT|ER_SOCKET_UNEXPECTED_CLOSE|ER_CONNECTION_ALREADY_CLOSED|ER_CMD_CONNECTION_CLOSED|ER_SOCKET_TIMEOUT|ER_CONNECTION_KILLED|ER_SERVER_SHUTDOWN|ER_GET_CONNECTION_TIMEOUT|ER_CLOSED_CONN)$/;

/** Maps a connector or socket error to a coded LifeboatError. Pure. */
export function myError(
  e: unknown,
  what: string,
  secrets: readonly (Secret | undefined)[] = [],
): LifeboatError {
  if (e instanceof LifeboatError) return e;
  const err = e as {
    code?: string;
    errno?: number;
    sqlState?: string;
    text?: string;
    message?: string;
  };
  const code = err.code ?? '';
  const text = redact(err.text ?? (err.message ?? String(e)).split('\n')[0] ?? '', secrets);
  if (
    NETWORK.test(code) ||
    err.sqlState === '08S01' ||
    [1053, 1927, 2002, 2003, 2006, 2013].includes(err.errno ?? 0)
  )
    return new LifeboatError('LB_E_DRIVER_UNREACHABLE', `${what}: ${code || text}`);
  if (err.errno === 1045 || code === 'ER_ACCESS_DENIED_ERROR')
    return new LifeboatError('LB_E_DRIVER_AUTH', `${what}: ${text}`);
  if (err.errno === 1969 || code === 'ER_STATEMENT_TIMEOUT' || err.errno === 1205)
    return new LifeboatError('LB_E_DRIVER_TIMEOUT', `${what}: ${text}`);
  return new LifeboatError(
    'LB_E_DRIVER_COMMAND_FAILED',
    `${what}: ${text}${err.errno ? ` (errno ${err.errno})` : ''}`,
    {
      details: { errno: err.errno, sqlState: err.sqlState },
    },
  );
}

export interface MySessionOptions {
  peer: MariadbPeer;
  user: string;
  password: Secret | undefined;
  connectTimeoutMs: number;
  queryTimeoutMs: number;
  label: string;
  /** Other secrets that must never show in a message (the replication password). */
  secrets?: readonly (Secret | undefined)[];
}

export class MySession {
  #conn: Connection | undefined;
  #pending: Promise<Connection> | undefined;
  /** The TCP socket of the connection being opened: close() destroys it (see there). */
  #opening: Socket | undefined;

  constructor(private readonly o: MySessionOptions) {}

  get threadId(): number | undefined {
    return this.#conn?.threadId ?? undefined;
  }

  /** Bounded by the signal and by queryTimeoutMs (or `timeoutMs`): past it, LB_E_DRIVER_TIMEOUT. */
  async query<T extends Row = Row>(
    ctx: OperationContext,
    sql: string,
    params: unknown[] = [],
    what = 'query',
    timeoutMs = this.o.queryTimeoutMs,
  ): Promise<T[]> {
    throwIfAborted(ctx, `${what} on ${this.o.label}`);
    const conn = await this.#withAbort(ctx, this.#connect(), what, this.o.connectTimeoutMs + 1000);
    try {
      const rows = await this.#withAbort(ctx, conn.query(sql, params), what, timeoutMs);
      return (Array.isArray(rows) ? rows : []) as T[];
    } catch (e) {
      if (e instanceof LifeboatError && e.code === 'LB_E_DRIVER_ABORTED') throw e;
      const mapped = myError(e, `${what} on ${this.o.label}`, [
        this.o.password,
        ...(this.o.secrets ?? []),
      ]);
      if (mapped.code === 'LB_E_DRIVER_UNREACHABLE' || (e as { fatal?: boolean }).fatal)
        this.#drop();
      throw mapped;
    }
  }

  /**
   * Ends the connection, and abandons one still being opened: to an unreachable server its
   * socket and the connector's connect timer would otherwise keep the process alive until the
   * connect timeout. Destroyed with an error, so that the connector clears its timer.
   */
  async close(): Promise<void> {
    const c = this.#conn;
    this.#conn = undefined;
    this.#opening?.destroy(new Error('the session was closed'));
    this.#opening = undefined;
    await c?.end().catch(() => c.destroy());
  }

  #connect(): Promise<Connection> {
    if (this.#conn) return Promise.resolve(this.#conn);
    if (this.#pending) return this.#pending;
    const p = this.o.peer;
    this.#pending = mariadb
      .createConnection({
        ...(p.socketPath
          ? { socketPath: p.socketPath }
          : {
              host: p.host ?? 'localhost',
              port: p.port ?? 3306,
              // The connector's own socket, kept so that close() can abandon a connect.
              stream: (done) => {
                const socket = connect(p.port ?? 3306, p.host ?? 'localhost');
                socket.setNoDelay(true);
                this.#opening = socket;
                done(undefined, socket);
              },
            }),
        user: this.o.user,
        password: this.o.password?.reveal(),
        connectTimeout: this.o.connectTimeoutMs,
        bigIntAsNumber: true,
        logParam: false,
        multipleStatements: false,
      })
      .then((conn) => {
        conn.on('error', () => {
          if (this.#conn === conn) this.#conn = undefined;
        });
        conn.on('end', () => {
          if (this.#conn === conn) this.#conn = undefined;
        });
        this.#conn = conn;
        return conn;
      })
      .catch((e: unknown) => {
        throw myError(e, `connecting to ${this.o.label}`, [this.o.password]);
      })
      .finally(() => {
        this.#pending = undefined;
        this.#opening = undefined;
      });
    return this.#pending;
  }

  #drop(): void {
    const c = this.#conn;
    this.#conn = undefined;
    c?.destroy();
  }

  /** Races `p` against the signal and a timer; either closes the connection (it may be mid-query). */
  #withAbort<T>(ctx: OperationContext, p: Promise<T>, what: string, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const settle = () => {
        ctx.signal.removeEventListener('abort', onAbort);
        clearTimeout(timer);
      };
      const onAbort = () => {
        settle();
        this.#drop();
        reject(new LifeboatError('LB_E_DRIVER_ABORTED', `${what} on ${this.o.label} was aborted`));
      };
      if (ctx.signal.aborted) return onAbort();
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      timer = setTimeout(() => {
        settle();
        this.#drop();
        reject(
          new LifeboatError(
            'LB_E_DRIVER_TIMEOUT',
            `${what} on ${this.o.label} took more than ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      p.then(
        (v) => {
          settle();
          resolve(v);
        },
        (e: unknown) => {
          settle();
          reject(e);
        },
      );
    });
  }
}
