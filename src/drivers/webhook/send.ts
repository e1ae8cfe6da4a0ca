// One webhook delivery: a POST with node:http/https (no dependency), safe by default. The host
// must be in the allow list; it is resolved here and each address checked (a loopback,
// link-local — cloud metadata at 169.254.169.254 — unspecified or multicast address is refused
// unless that address itself is listed), and the connection goes to the address checked (no
// second lookup to rebind). Redirects are never followed (a 3xx is a failure). Connecting and
// the whole exchange are bounded in time; network errors, timeouts, 429 and 5xx are retried with
// exponential backoff and jitter (Retry-After honoured, bounded), a bounded number of times.
// Header values and the URL's secret path are Secrets: never logged, never in an error text.
import { lookup as dnsLookup } from 'node:dns/promises';
import { type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import type { ErrorCode } from '../../core/errors/index.js';
import { hostAllowed, urlHost } from '../../core/plan/index.js';
import type { Secret } from '../secrets.js';

export interface WebhookTarget {
  /** The webhook's name in the plan (shown in results and logs). */
  name: string;
  url: string;
  /** Appended to `url`'s origin: the path when it is a credential (a Slack webhook's). */
  pathSecret?: Secret;
  headers?: Record<string, Secret>;
}

export interface DeliveryOptions {
  /** `notifications.allowedHosts`. */
  allowedHosts: readonly string[];
  /** Until the connection is made (default 5 s). */
  connectTimeoutMs?: number;
  /** One attempt, from the start to the end of the answer (default 10 s). */
  timeoutMs?: number;
  /** Attempts in all (default 4). */
  attempts?: number;
  /** The first backoff (default 500 ms), doubled each retry, at most `maxDelayMs` (10 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** The longest Retry-After obeyed (default 30 s); a longer one is cut to this. */
  maxRetryAfterMs?: number;
  /** Largest body sent (default 64 KiB). */
  maxBodyBytes?: number;
  /** Name resolution (tests); default node's `dns.lookup` with every address. */
  lookup?: (host: string) => Promise<{ address: string; family: number }[]>;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Ends the waits and the attempt in progress (the controller stopping). */
  signal?: AbortSignal;
}

export interface DeliveryResult {
  webhook: string;
  ok: boolean;
  attempts: number;
  /** The last HTTP status received. */
  status?: number;
  /** For a failure: why (never a secret). */
  code?: ErrorCode;
  error?: string;
  ms: number;
}

const DEFAULTS = {
  connectTimeoutMs: 5_000,
  timeoutMs: 10_000,
  attempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 30_000,
  maxBodyBytes: 64 * 1024,
};
/** At most this many attempts, whatever the options say. */
const MAX_ATTEMPTS = 10;
const MAX_RESPONSE_BYTES = 64 * 1024;

const REFUSED = new BlockList();
REFUSED.addSubnet('0.0.0.0', 8, 'ipv4');
REFUSED.addSubnet('127.0.0.0', 8, 'ipv4');
REFUSED.addSubnet('169.254.0.0', 16, 'ipv4');
REFUSED.addSubnet('224.0.0.0', 4, 'ipv4');
REFUSED.addAddress('255.255.255.255', 'ipv4');
REFUSED.addAddress('100.100.100.200', 'ipv4'); // Alibaba Cloud's metadata service
REFUSED.addAddress('::', 'ipv6');
REFUSED.addAddress('::1', 'ipv6');
REFUSED.addSubnet('fe80::', 10, 'ipv6');
REFUSED.addSubnet('ff00::', 8, 'ipv6');
REFUSED.addAddress('fd00:ec2::254', 'ipv6'); // AWS's metadata service over IPv6

/** Whether an address is one a webhook may not reach unless it is listed itself. */
export function refusedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return REFUSED.check(address, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped?.[1] !== undefined) return REFUSED.check(mapped[1], 'ipv4');
    return REFUSED.check(address, 'ipv6');
  }
  return true;
}

class Failure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retry: boolean,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** `Retry-After`: seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d{1,9}$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/** The backoff before attempt `n + 1` (n ≥ 1): base·2^(n-1), at most max, jittered to 50–100 %. */
export function backoffMs(n: number, base: number, max: number, random: () => number): number {
  const full = Math.min(max, base * 2 ** (n - 1));
  return Math.round(full * (0.5 + random() * 0.5));
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Replaces every secret value in `text` (a driver's or node's message) by `[secret]`. */
function scrub(text: string, secrets: readonly Secret[]): string {
  let out = text;
  for (const s of secrets) {
    const v = s.reveal();
    if (v.length >= 4) out = out.split(v).join('[secret]');
  }
  return out;
}

async function resolveChecked(
  host: string,
  allowedHosts: readonly string[],
  lookup: NonNullable<DeliveryOptions['lookup']>,
): Promise<{ address: string; family: number }> {
  const listed = new Set(allowedHosts.map((h) => h.toLowerCase().replace(/^\[(.*)\]$/, '$1')));
  const family = isIP(host);
  let addresses: { address: string; family: number }[];
  if (family !== 0) addresses = [{ address: host, family }];
  else {
    try {
      addresses = await lookup(host);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'error';
      throw new Failure('LB_E_NOTIFY_NETWORK', `cannot resolve ${host}: ${code}`, true);
    }
  }
  const ok = addresses.filter((a) => !refusedAddress(a.address) || listed.has(a.address));
  const first = ok[0];
  if (!first) {
    throw new Failure(
      'LB_E_NOTIFY_ADDRESS_REFUSED',
      `${host} resolves to ${addresses.map((a) => a.address).join(', ') || 'no address'}: a loopback, link-local, unspecified or multicast address is refused unless listed in notifications.allowedHosts`,
      false,
    );
  }
  return first;
}

interface Attempt {
  url: URL;
  address: { address: string; family: number };
  body: Buffer;
  headers: Record<string, string>;
  connectTimeoutMs: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

function attempt(a: Attempt): Promise<{ status: number; retryAfter?: string }> {
  return new Promise((resolve, reject) => {
    const lookup: LookupFunction = (_hostname, options, callback) => {
      if (options.all)
        (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [
          a.address,
        ]);
      else callback(null, a.address.address, a.address.family);
    };
    const send = a.url.protocol === 'https:' ? httpsRequest : httpRequest;
    let settled = false;
    const finish = (err: Failure | undefined, value?: { status: number; retryAfter?: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(total);
      clearTimeout(connect);
      a.signal?.removeEventListener('abort', onAbort);
      if (err) {
        req.destroy();
        reject(err);
      } else resolve(value as { status: number; retryAfter?: string });
    };
    let req: ClientRequest;
    try {
      req = send(a.url, {
        method: 'POST',
        lookup,
        headers: {
          ...a.headers,
          'content-type': 'application/json',
          'content-length': String(a.body.length),
          'user-agent': 'lifeboat-notifier',
        },
        agent: false,
      });
    } catch (e) {
      // A header node refuses (a control character in a value): only its code, never the value.
      settled = true;
      const code = (e as NodeJS.ErrnoException).code ?? 'error';
      reject(new Failure('LB_E_NOTIFY_NETWORK', `the request cannot be made: ${code}`, false));
      return;
    }
    const total = setTimeout(
      () => finish(new Failure('LB_E_NOTIFY_TIMEOUT', `no answer within ${a.timeoutMs} ms`, true)),
      a.timeoutMs,
    );
    const connect = setTimeout(
      () =>
        finish(
          new Failure('LB_E_NOTIFY_TIMEOUT', `not connected within ${a.connectTimeoutMs} ms`, true),
        ),
      a.connectTimeoutMs,
    );
    const onAbort = () => finish(new Failure('LB_E_NOTIFY_NETWORK', 'cancelled', false));
    a.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('socket', (socket) => {
      if (!socket.connecting) clearTimeout(connect);
      else socket.once('connect', () => clearTimeout(connect));
    });
    req.on('error', (e: NodeJS.ErrnoException) =>
      finish(new Failure('LB_E_NOTIFY_NETWORK', e.code ?? e.message, true)),
    );
    req.on('response', (res: IncomingMessage) => {
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_RESPONSE_BYTES) res.destroy(); // the answer's body is not used
      });
      const retryAfter = res.headers['retry-after'];
      const done = () =>
        finish(undefined, {
          status: res.statusCode ?? 0,
          ...(typeof retryAfter === 'string' ? { retryAfter } : {}),
        });
      res.on('end', done);
      res.on('close', done);
      res.on('error', done);
    });
    req.end(a.body);
  });
}

/**
 * Sends `body` (JSON text) to the webhook; never throws. Refused before any connection: a host
 * not allowed, an address refused, a body too large, a secret unreadable (the caller resolves
 * secrets: pass them in `target`).
 */
export async function deliverWebhook(
  target: WebhookTarget,
  body: string,
  options: DeliveryOptions,
): Promise<DeliveryResult> {
  const o = { ...DEFAULTS, ...stripUndefined(options) };
  const attempts = Math.max(1, Math.min(MAX_ATTEMPTS, Math.floor(o.attempts)));
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? ((ms: number) => abortableSleep(ms, options.signal));
  const lookup =
    options.lookup ??
    (async (host: string) => (await dnsLookup(host, { all: true, verbatim: true })).slice(0, 16));
  const started = Date.now();
  const secrets = [
    ...Object.values(target.headers ?? {}),
    ...(target.pathSecret ? [target.pathSecret] : []),
  ];
  const result = (r: Omit<DeliveryResult, 'webhook' | 'ms'>): DeliveryResult => ({
    webhook: target.name,
    ...r,
    ...(r.error !== undefined ? { error: scrub(r.error, secrets) } : {}),
    ms: Date.now() - started,
  });

  let url: URL;
  let host: string;
  try {
    url = new URL(target.url);
    host = urlHost(target.url);
    if (target.pathSecret) url = new URL(target.pathSecret.reveal(), url.origin);
  } catch {
    return result({
      ok: false,
      attempts: 0,
      code: 'LB_E_NOTIFY_NETWORK',
      error: `webhook ${target.name}: its URL is not valid`,
    });
  }
  // Shown in errors: the origin only (the path may be a credential).
  const where = `webhook ${target.name} (${url.origin})`;
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return result({
      ok: false,
      attempts: 0,
      code: 'LB_E_NOTIFY_INSECURE_URL',
      error: `${where}: only https:// and http:// URLs are called`,
    });
  }
  if (urlHost(url.href) !== host) {
    return result({
      ok: false,
      attempts: 0,
      code: 'LB_E_NOTIFY_HOST_NOT_ALLOWED',
      error: `${where}: its secret path changes the host`,
    });
  }
  const allowed = hostAllowed(host, options.allowedHosts);
  if (!allowed.allowed) {
    return result({
      ok: false,
      attempts: 0,
      code: 'LB_E_NOTIFY_HOST_NOT_ALLOWED',
      error: `${where}: ${host} is not in notifications.allowedHosts`,
    });
  }
  if (url.protocol === 'http:' && !allowed.literal) {
    return result({
      ok: false,
      attempts: 0,
      code: 'LB_E_NOTIFY_INSECURE_URL',
      error: `${where}: plain http:// is allowed only to a host listed literally in notifications.allowedHosts`,
    });
  }
  const payload = Buffer.from(body, 'utf8');
  if (payload.length > o.maxBodyBytes) {
    return result({
      ok: false,
      attempts: 0,
      code: 'LB_E_NOTIFY_BODY_TOO_LARGE',
      error: `${where}: the body is ${payload.length} bytes, more than ${o.maxBodyBytes}`,
    });
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(target.headers ?? {})) headers[k.toLowerCase()] = v.reveal();

  let last: Failure | undefined;
  let n = 0;
  while (n < attempts) {
    n++;
    if (options.signal?.aborted) break;
    try {
      const address = await resolveChecked(host, options.allowedHosts, lookup);
      const r = await attempt({
        url,
        address,
        body: payload,
        headers,
        connectTimeoutMs: o.connectTimeoutMs,
        timeoutMs: o.timeoutMs,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (r.status >= 200 && r.status < 300)
        return result({ ok: true, attempts: n, status: r.status });
      if (r.status >= 300 && r.status < 400) {
        last = new Failure(
          'LB_E_NOTIFY_REDIRECT',
          `${where}: answered ${r.status} (a redirect, never followed)`,
          false,
          r.status,
        );
      } else {
        const retry = r.status === 429 || r.status >= 500;
        last = new Failure(
          'LB_E_NOTIFY_HTTP_STATUS',
          `${where}: answered ${r.status}`,
          retry,
          r.status,
          retry ? retryAfterMs(r.retryAfter) : undefined,
        );
      }
    } catch (e) {
      last =
        e instanceof Failure
          ? new Failure(e.code, `${where}: ${e.message}`, e.retry, e.status, e.retryAfterMs)
          : new Failure('LB_E_NOTIFY_NETWORK', `${where}: ${String(e)}`, true);
    }
    if (!last.retry || n >= attempts) break;
    const backoff = backoffMs(n, o.baseDelayMs, o.maxDelayMs, random);
    const wait =
      last.retryAfterMs !== undefined
        ? Math.max(backoff, Math.min(o.maxRetryAfterMs, last.retryAfterMs))
        : backoff;
    await sleep(wait);
  }
  return result({
    ok: false,
    attempts: n,
    ...(last?.status !== undefined ? { status: last.status } : {}),
    code: last?.code ?? 'LB_E_NOTIFY_NETWORK',
    error: last ? `${last.message}${n > 1 ? ` (after ${n} attempts)` : ''}` : `${where}: cancelled`,
  });
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
