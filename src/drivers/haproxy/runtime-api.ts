// HAProxy's runtime API (the "stats socket"), over a Unix socket or TCP: one command per
// connection, HAProxy answers and closes. Commands are built from tokens that are checked here,
// because the API has no quoting: a space splits arguments, `;` chains commands, a newline ends
// one. A plan value that could do either is refused before any connection is opened.
import { connect, type Socket } from 'node:net';
import { LifeboatError } from '../../core/errors/index.js';
import { throwIfAborted } from '../context.js';
import type { OperationContext } from '../driver.js';
import { safeAbsolutePath, safeHost, safeName, safePort } from '../safe-values.js';

export type RuntimeEndpoint = { socket: string } | { host: string; port: number };

/** Sends one command line (no newline), resolves with the whole answer. Injected in unit tests. */
export type RuntimeTransport = (
  ctx: OperationContext,
  endpoint: RuntimeEndpoint,
  line: string,
  timeoutMs: number,
) => Promise<string>;

/** A token of a command: a name, a number, or a map file path, and nothing that splits a command. */
export type Token =
  | { name: string }
  | { server: readonly [string, string] }
  | { number: number }
  | { path: string }
  | { word: string };

export function validateEndpoint(e: RuntimeEndpoint): RuntimeEndpoint {
  if ('socket' in e) return { socket: safeMapPath(e.socket, 'the HAProxy runtime socket') };
  return {
    host: safeHost(e.host, 'the HAProxy runtime host'),
    port: safePort(e.port, 'the HAProxy runtime port'),
  };
}

/** An absolute path that stays one argument of a command: letters, digits, `.`, `_`, `-`, `/`. */
export function safeMapPath(value: string, what: string): string {
  safeAbsolutePath(value, what);
  if (!/^\/[A-Za-z0-9._/-]{0,1023}$/.test(value)) {
    throw new LifeboatError(
      'LB_E_DRIVER_BAD_INPUT',
      `${what} may hold only letters, digits, \`.\`, \`_\`, \`-\` and \`/\``,
    );
  }
  return value;
}

/** Joins checked tokens into one command line. Plain words are our own literals (`set`, `state`). */
export function commandLine(tokens: readonly Token[]): string {
  return tokens
    .map((t) => {
      if ('name' in t) return safeName(t.name, 'an HAProxy name');
      if ('server' in t)
        return `${safeName(t.server[0], 'an HAProxy backend name')}/${safeName(t.server[1], 'an HAProxy server name')}`;
      if ('path' in t) return safeMapPath(t.path, 'an HAProxy map path');
      if ('number' in t) {
        if (!Number.isInteger(t.number) || t.number < 0 || t.number > 2 ** 31)
          throw new LifeboatError(
            'LB_E_DRIVER_BAD_INPUT',
            'an HAProxy number must be a whole number',
          );
        return String(t.number);
      }
      if (!/^[a-z][a-z-]*$|^-1$/.test(t.word)) throw new Error(`bad literal ${t.word}`);
      return t.word;
    })
    .join(' ');
}

function describe(e: RuntimeEndpoint): string {
  return 'socket' in e ? e.socket : `${e.host}:${e.port}`;
}

/** The real transport: node:net to a Unix socket or a TCP port. */
export const netTransport: RuntimeTransport = (ctx, endpoint, line, timeoutMs) =>
  new Promise((resolve, reject) => {
    throwIfAborted(ctx, 'the HAProxy command');
    const sock: Socket =
      'socket' in endpoint
        ? connect({ path: endpoint.socket })
        : connect({ host: endpoint.host, port: endpoint.port });
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (fn: () => void) => {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      sock.destroy();
      fn();
    };
    const onAbort = () =>
      finish(() =>
        reject(new LifeboatError('LB_E_DRIVER_ABORTED', 'the HAProxy command was aborted')),
      );
    const timer = setTimeout(
      () =>
        finish(() =>
          reject(
            new LifeboatError(
              'LB_E_DRIVER_UNREACHABLE',
              `HAProxy runtime API ${describe(endpoint)} did not answer within ${timeoutMs} ms`,
            ),
          ),
        ),
      timeoutMs,
    );
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    sock.on('connect', () => sock.write(`${line}\n`));
    sock.on('data', (d: Buffer) => {
      size += d.length;
      // A runaway answer is cut rather than held in memory.
      if (size <= 16 << 20) chunks.push(d);
    });
    sock.on('end', () => finish(() => resolve(Buffer.concat(chunks).toString('utf8'))));
    sock.on('error', (e: NodeJS.ErrnoException) =>
      finish(() =>
        reject(
          e.code === 'EACCES'
            ? new LifeboatError(
                'LB_E_DRIVER_AUTH',
                `no permission to open the HAProxy socket ${describe(endpoint)}`,
              )
            : new LifeboatError(
                'LB_E_DRIVER_UNREACHABLE',
                `HAProxy runtime API ${describe(endpoint)}: ${e.code ?? e.message}`,
              ),
        ),
      ),
    );
  });

/** Turns an answer that reports a failure into a coded error; a success answer is returned. */
export function checkAnswer(line: string, answer: string): string {
  const text = answer.trim();
  const first = text.split('\n')[0] ?? '';
  const fail = (
    code:
      | 'LB_E_DRIVER_AUTH'
      | 'LB_E_DRIVER_CONFLICT'
      | 'LB_E_DRIVER_CONFIG'
      | 'LB_E_DRIVER_PROTOCOL'
      | 'LB_E_DRIVER_COMMAND_FAILED',
  ) => new LifeboatError(code, `HAProxy refused \`${line}\`: ${first.slice(0, 160)}`);
  if (/^Permission denied/i.test(first)) throw fail('LB_E_DRIVER_AUTH');
  if (/^(No such (server|backend|proxy)|Can't find backend)/i.test(first))
    throw fail('LB_E_DRIVER_CONFLICT');
  if (/^Unknown map identifier/i.test(first)) throw fail('LB_E_DRIVER_CONFIG');
  if (/^Unknown command/i.test(first)) throw fail('LB_E_DRIVER_PROTOCOL');
  return text;
}

export class RuntimeApi {
  private readonly endpoint: RuntimeEndpoint;

  constructor(
    endpoint: RuntimeEndpoint,
    private readonly transport: RuntimeTransport = netTransport,
    private readonly timeoutMs = 2000,
  ) {
    this.endpoint = validateEndpoint(endpoint);
  }

  get where(): string {
    return describe(this.endpoint);
  }

  /** Runs one command; a failure answer becomes a coded error. */
  async run(ctx: OperationContext, tokens: readonly Token[]): Promise<string> {
    const line = commandLine(tokens);
    throwIfAborted(ctx, `HAProxy \`${line}\``);
    return checkAnswer(line, await this.transport(ctx, this.endpoint, line, this.timeoutMs));
  }

  /** Runs a command whose success is an empty answer (`set ...`, `shutdown ...`). */
  async set(ctx: OperationContext, tokens: readonly Token[]): Promise<void> {
    const answer = await this.run(ctx, tokens);
    if (answer !== '') {
      throw new LifeboatError(
        'LB_E_DRIVER_COMMAND_FAILED',
        `HAProxy refused \`${commandLine(tokens)}\`: ${answer.split('\n')[0]?.slice(0, 160)}`,
      );
    }
  }
}

export const w = (word: string): Token => ({ word });
export const n = (name: string): Token => ({ name });
