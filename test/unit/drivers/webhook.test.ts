// The webhook driver against a real HTTP server on 127.0.0.1 (allowed explicitly): delivery and
// headers, refused hosts and addresses, redirects, timeouts, retries and Retry-After, and no
// secret in an error text. Every wait is bounded; the server is closed in afterAll.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Secret } from '../../../src/drivers/secrets.js';
import {
  backoffMs,
  type DeliveryOptions,
  deliverWebhook,
  refusedAddress,
  retryAfterMs,
} from '../../../src/drivers/webhook/index.js';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let base = '';
let handlers: Handler[] = [];
let received: Received[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const h = handlers.shift();
      if (h) h(req, body, res);
      else res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

beforeEach(() => {
  handlers = [];
  received = [];
});

const sleeps: number[] = [];
const fast = (extra: Partial<DeliveryOptions> = {}): DeliveryOptions => ({
  allowedHosts: ['127.0.0.1'],
  connectTimeoutMs: 1_000,
  timeoutMs: 2_000,
  sleep: async (ms) => {
    sleeps.push(ms);
  },
  random: () => 1,
  ...extra,
});

describe('deliverWebhook', () => {
  it('POSTs the body as JSON with the headers, and reports the status', async () => {
    const r = await deliverWebhook(
      {
        name: 'ops',
        url: `${base}/hook?x=1`,
        headers: { Authorization: new Secret('Bearer s3cr3t-value', 'env:HOOK_AUTH') },
      },
      '{"event":"outage"}',
      fast(),
    );
    expect(r).toMatchObject({ webhook: 'ops', ok: true, attempts: 1, status: 204 });
    expect(received).toHaveLength(1);
    const got = received[0] as Received;
    expect(got.method).toBe('POST');
    expect(got.url).toBe('/hook?x=1');
    expect(got.body).toBe('{"event":"outage"}');
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers.authorization).toBe('Bearer s3cr3t-value');
  });

  it('appends a secret path to the origin, and never shows it', async () => {
    handlers.push((_q, _b, res) => res.writeHead(404).end());
    const r = await deliverWebhook(
      { name: 'slack', url: base, pathSecret: new Secret('/services/T0/B0/tok3nvalue', 'env:P') },
      '{}',
      fast(),
    );
    expect(received[0]?.url).toBe('/services/T0/B0/tok3nvalue');
    expect(r).toMatchObject({
      ok: false,
      status: 404,
      code: 'LB_E_NOTIFY_HTTP_STATUS',
      attempts: 1,
    });
    expect(r.error).not.toContain('tok3nvalue');
  });

  it('refuses a host that is not allowed, before any connection', async () => {
    const r = await deliverWebhook(
      { name: 'x', url: `${base}/` },
      '{}',
      fast({ allowedHosts: ['hooks.example.org'] }),
    );
    expect(r).toMatchObject({ ok: false, attempts: 0, code: 'LB_E_NOTIFY_HOST_NOT_ALLOWED' });
    expect(received).toHaveLength(0);
  });

  it('refuses plain http to a host allowed only through a wildcard', async () => {
    const r = await deliverWebhook(
      { name: 'x', url: 'http://hooks.example.org/' },
      '{}',
      fast({
        allowedHosts: ['*.example.org'],
        lookup: async () => [{ address: '127.0.0.1', family: 4 }],
      }),
    );
    expect(r).toMatchObject({ ok: false, attempts: 0, code: 'LB_E_NOTIFY_INSECURE_URL' });
    expect(received).toHaveLength(0);
  });

  it('refuses a name resolving to a link-local, metadata or loopback address unless that address is listed', async () => {
    for (const address of ['169.254.169.254', '127.0.0.1', '::1', '::ffff:169.254.169.254']) {
      const r = await deliverWebhook(
        { name: 'x', url: 'https://hooks.example.org/' },
        '{}',
        fast({
          allowedHosts: ['hooks.example.org'],
          lookup: async () => [{ address, family: address.includes(':') ? 6 : 4 }],
        }),
      );
      expect(r, address).toMatchObject({
        ok: false,
        code: 'LB_E_NOTIFY_ADDRESS_REFUSED',
        attempts: 1,
      });
    }
    // Listed itself, the loopback address is reached (http: the host is listed literally).
    const r = await deliverWebhook(
      { name: 'x', url: `http://local.test:${new URL(base).port}/` },
      '{}',
      fast({
        allowedHosts: ['local.test', '127.0.0.1'],
        lookup: async () => [{ address: '127.0.0.1', family: 4 }],
      }),
    );
    expect(r).toMatchObject({ ok: true, status: 204 });
    expect(received[0]?.headers.host).toBe(`local.test:${new URL(base).port}`);
  });

  it('never follows a redirect', async () => {
    handlers.push((_q, _b, res) =>
      res.writeHead(302, { location: 'http://169.254.169.254/' }).end(),
    );
    const r = await deliverWebhook({ name: 'x', url: `${base}/` }, '{}', fast());
    expect(r).toMatchObject({ ok: false, status: 302, code: 'LB_E_NOTIFY_REDIRECT', attempts: 1 });
    expect(received).toHaveLength(1);
  });

  it('times out an attempt that gets no answer, and retries it a bounded number of times', async () => {
    for (let i = 0; i < 3; i++) handlers.push(() => undefined); // never answers
    const started = Date.now();
    const r = await deliverWebhook(
      { name: 'x', url: `${base}/` },
      '{}',
      fast({ timeoutMs: 150, attempts: 2 }),
    );
    expect(r).toMatchObject({ ok: false, code: 'LB_E_NOTIFY_TIMEOUT', attempts: 2 });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('retries a 503 with backoff, then succeeds', async () => {
    sleeps.length = 0;
    handlers.push((_q, _b, res) => res.writeHead(503).end());
    handlers.push((_q, _b, res) => res.writeHead(503).end());
    handlers.push((_q, _b, res) => res.writeHead(200).end('ok'));
    const r = await deliverWebhook(
      { name: 'x', url: `${base}/` },
      '{"a":1}',
      fast({ baseDelayMs: 100 }),
    );
    expect(r).toMatchObject({ ok: true, attempts: 3, status: 200 });
    expect(sleeps).toEqual([100, 200]);
    expect(received.map((x) => x.body)).toEqual(['{"a":1}', '{"a":1}', '{"a":1}']);
  });

  it('does not retry a 4xx other than 429', async () => {
    handlers.push((_q, _b, res) => res.writeHead(400).end());
    const r = await deliverWebhook({ name: 'x', url: `${base}/` }, '{}', fast());
    expect(r).toMatchObject({ ok: false, attempts: 1, status: 400 });
  });

  it('honours Retry-After on a 429, bounded by maxRetryAfterMs', async () => {
    sleeps.length = 0;
    handlers.push((_q, _b, res) => res.writeHead(429, { 'retry-after': '3' }).end());
    handlers.push((_q, _b, res) => res.writeHead(429, { 'retry-after': '3600' }).end());
    handlers.push((_q, _b, res) => res.writeHead(204).end());
    const r = await deliverWebhook(
      { name: 'x', url: `${base}/` },
      '{}',
      fast({ baseDelayMs: 100, maxRetryAfterMs: 5_000 }),
    );
    expect(r).toMatchObject({ ok: true, attempts: 3 });
    expect(sleeps).toEqual([3_000, 5_000]);
  });

  it('gives up after the last attempt, and says so', async () => {
    for (let i = 0; i < 4; i++) handlers.push((_q, _b, res) => res.writeHead(500).end());
    const r = await deliverWebhook({ name: 'x', url: `${base}/` }, '{}', fast());
    expect(r).toMatchObject({
      ok: false,
      attempts: 4,
      status: 500,
      code: 'LB_E_NOTIFY_HTTP_STATUS',
    });
    expect(r.error).toContain('after 4 attempts');
    expect(received).toHaveLength(4);
  });

  it('never puts a secret header value in the error text', async () => {
    const secret = 'Bearer do-not-show-1234';
    // A connection refused: the port of a server just closed.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const r = await deliverWebhook(
      {
        name: 'x',
        url: `http://127.0.0.1:${port}/${encodeURIComponent(secret)}`,
        headers: { Authorization: new Secret(secret, 'env:A') },
      },
      '{}',
      fast({ attempts: 2 }),
    );
    expect(r).toMatchObject({ ok: false, code: 'LB_E_NOTIFY_NETWORK', attempts: 2 });
    expect(JSON.stringify(r)).not.toContain('do-not-show');
    // An invalid header value (a newline) is refused by node without quoting it.
    const bad = await deliverWebhook(
      {
        name: 'x',
        url: `${base}/`,
        headers: { Authorization: new Secret('Bearer do-not-show\nX: y', 'env:A') },
      },
      '{}',
      fast(),
    );
    expect(bad).toMatchObject({ ok: false, attempts: 1, code: 'LB_E_NOTIFY_NETWORK' }); // not retried
    expect(JSON.stringify(bad)).not.toContain('do-not-show');
  });

  it('refuses a body larger than the bound', async () => {
    const r = await deliverWebhook({ name: 'x', url: `${base}/` }, 'x'.repeat(70_000), fast());
    expect(r).toMatchObject({ ok: false, attempts: 0, code: 'LB_E_NOTIFY_BODY_TOO_LARGE' });
  });

  it('stops waiting when cancelled', async () => {
    handlers.push(() => undefined);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const r = await deliverWebhook({ name: 'x', url: `${base}/` }, '{}', {
      allowedHosts: ['127.0.0.1'],
      timeoutMs: 5_000,
      signal: ac.signal,
    });
    expect(r.ok).toBe(false);
    expect(r.ms).toBeLessThan(2_000);
  });
});

describe('helpers', () => {
  it('refusedAddress', () => {
    expect(refusedAddress('169.254.169.254')).toBe(true);
    expect(refusedAddress('127.0.0.53')).toBe(true);
    expect(refusedAddress('0.0.0.0')).toBe(true);
    expect(refusedAddress('fe80::1')).toBe(true);
    expect(refusedAddress('fd00:ec2::254')).toBe(true);
    expect(refusedAddress('10.1.2.3')).toBe(false);
    expect(refusedAddress('2001:db8::1')).toBe(false);
    expect(refusedAddress('not-an-ip')).toBe(true);
  });

  it('retryAfterMs reads seconds and dates', () => {
    expect(retryAfterMs('7')).toBe(7_000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });

  it('backoffMs doubles, is bounded, and jitters between half and all of it', () => {
    expect(backoffMs(1, 500, 10_000, () => 1)).toBe(500);
    expect(backoffMs(3, 500, 10_000, () => 1)).toBe(2_000);
    expect(backoffMs(10, 500, 10_000, () => 1)).toBe(10_000);
    expect(backoffMs(2, 500, 10_000, () => 0)).toBe(500);
  });
});
