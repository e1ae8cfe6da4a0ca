// One DNS exchange with the authoritative server: UDP first, TCP when the answer is truncated
// (TC bit), each attempt bounded, the whole honouring the operation's AbortSignal.
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { LifeboatError } from '../../core/errors/index.js';
import { throwIfAborted } from '../context.js';
import type { OperationContext } from '../driver.js';

export interface DnsServer {
  host: string;
  port: number;
}

export interface ExchangeOptions {
  /** Per attempt. */
  timeoutMs: number;
  /** UDP attempts before giving up (a lost datagram is retried; TCP is not). */
  attempts: number;
}

/** Sends a message, resolves with the answer whose ID matches. Injected in unit tests. */
export type DnsTransport = (
  ctx: OperationContext,
  server: DnsServer,
  message: Buffer,
  opts: ExchangeOptions,
) => Promise<Buffer>;

const TC = 0x0200;
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EPIPE',
  'EADDRNOTAVAIL',
]);

function unreachable(server: DnsServer, why: string): LifeboatError {
  return new LifeboatError(
    'LB_E_DRIVER_UNREACHABLE',
    `DNS server ${server.host}:${server.port} did not answer: ${why}`,
  );
}

function aborted(): LifeboatError {
  return new LifeboatError('LB_E_DRIVER_ABORTED', 'the DNS exchange was aborted');
}

function errnoWhy(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code && UNREACHABLE_CODES.has(code) ? code : ((e as Error).message ?? String(e));
}

function udpOnce(
  ctx: OperationContext,
  server: DnsServer,
  message: Buffer,
  timeoutMs: number,
): Promise<Buffer | 'timeout'> {
  const id = message.readUInt16BE(0);
  return new Promise((resolve, reject) => {
    const sock = createSocket(server.host.includes(':') ? 'udp6' : 'udp4');
    const finish = (fn: () => void) => {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      sock.close();
      fn();
    };
    const onAbort = () => finish(() => reject(aborted()));
    const timer = setTimeout(() => finish(() => resolve('timeout')), timeoutMs);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    sock.on('error', (e) => finish(() => reject(unreachable(server, errnoWhy(e)))));
    sock.on('message', (msg) => {
      // A stray or spoofed datagram with another ID is ignored, not taken as the answer.
      if (msg.length >= 12 && msg.readUInt16BE(0) === id) finish(() => resolve(msg));
    });
    // A connected socket turns an ICMP port-unreachable into ECONNREFUSED at once.
    sock.connect(server.port, server.host, () => sock.send(message));
  });
}

function tcpOnce(
  ctx: OperationContext,
  server: DnsServer,
  message: Buffer,
  timeoutMs: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: server.host, port: server.port });
    let data = Buffer.alloc(0);
    const finish = (fn: () => void) => {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      sock.destroy();
      fn();
    };
    const onAbort = () => finish(() => reject(aborted()));
    const timer = setTimeout(
      () => finish(() => reject(unreachable(server, `no TCP answer within ${timeoutMs} ms`))),
      timeoutMs,
    );
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    sock.on('error', (e) => finish(() => reject(unreachable(server, errnoWhy(e)))));
    sock.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(message.length, 0);
      sock.write(Buffer.concat([len, message]));
    });
    sock.on('data', (d: Buffer) => {
      data = Buffer.concat([data, d]);
      if (data.length >= 2 && data.length >= 2 + data.readUInt16BE(0)) {
        const answer = data.subarray(2, 2 + data.readUInt16BE(0));
        finish(() => resolve(answer));
      }
    });
    sock.on('end', () =>
      finish(() => reject(unreachable(server, 'the TCP connection closed before an answer'))),
    );
  });
}

/** The real transport: UDP (retried on loss), then TCP if the UDP answer was truncated. */
export const udpThenTcp: DnsTransport = async (ctx, server, message, opts) => {
  for (let attempt = 1; attempt <= Math.max(1, opts.attempts); attempt++) {
    throwIfAborted(ctx, 'the DNS exchange');
    const answer = await udpOnce(ctx, server, message, opts.timeoutMs);
    if (answer === 'timeout') continue;
    if ((answer.readUInt16BE(2) & TC) === 0) return answer;
    return tcpOnce(ctx, server, message, opts.timeoutMs);
  }
  throw unreachable(server, `no answer to ${opts.attempts} UDP attempts of ${opts.timeoutMs} ms`);
};
