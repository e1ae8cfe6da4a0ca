// GET /api/v1/events on a real socket (127.0.0.1:0): live events with their ids, resuming after
// Last-Event-ID, a `gap` event when the controller no longer holds what was missed, heartbeats,
// the subscription released on close, and a client that does not read dropped.
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ControllerEvent } from '../../../src/controller/model.js';
import { type Harness, harness } from './helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

interface Stream {
  status: number;
  /** Resolves once the stream's text contains `text` (rejects after `ms`). */
  waitFor(text: string, ms?: number): Promise<string>;
  text(): string;
  close(): void;
}

async function listen(harness: Harness): Promise<number> {
  await harness.app.listen({ host: '127.0.0.1', port: 0 });
  return (harness.app.server.address() as AddressInfo).port;
}

function open(port: number, headers: Record<string, string>): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/v1/events', headers }, (res) => {
      let text = '';
      const waiters: (() => void)[] = [];
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        for (const w of waiters.splice(0)) w();
      });
      resolve({
        status: res.statusCode ?? 0,
        text: () => text,
        close: () => req.destroy(),
        waitFor: (want, ms = 3000) =>
          new Promise((ok, fail) => {
            const deadline = setTimeout(
              () =>
                fail(
                  new Error(
                    `no ${JSON.stringify(want)} within ${ms} ms in ${JSON.stringify(text)}`,
                  ),
                ),
              ms,
            );
            const check = () => {
              if (text.includes(want)) {
                clearTimeout(deadline);
                ok(text);
              } else waiters.push(check);
            };
            check();
          }),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const probe = (n: number): ControllerEvent => ({
  type: 'probe',
  sample: {
    at: '2026-11-21T10:00:00.000Z',
    service: 'app-db',
    probe: `p${n}`,
    from: 'controller',
    ok: true,
    ms: n,
  },
});

/** The ids of the `id:` lines, in order. */
const ids = (text: string) => [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('server-sent events', () => {
  it('streams events with their ids and resumes after Last-Event-ID', async () => {
    h = await harness();
    const port = await listen(h);
    const auth = h.bearer('viewer');
    const first = await open(port, auth);
    expect(first.status).toBe(200);
    await first.waitFor(': connected');
    for (let i = 1; i <= 3; i++) h.fake.emit(probe(i));
    const seen = await first.waitFor('id: 3\n');
    expect(ids(seen)).toEqual([1, 2, 3]);
    expect(seen).toContain('event: probe\n');
    const data = seen.split('\n').find((l) => l.startsWith('data: {"id":2'));
    expect(JSON.parse((data as string).slice(6))).toMatchObject({
      id: 2,
      event: { type: 'probe' },
    });
    first.close();
    await until(() => h?.fake.listeners === 1); // only the metrics' subscription is left
    // Missed while disconnected: 4 and 5; resuming after 3 replays them, then goes live.
    h.fake.emit(probe(4));
    h.fake.emit(probe(5));
    const resumed = await open(port, { ...auth, 'last-event-id': '3' });
    await resumed.waitFor('id: 5\n');
    h.fake.emit(probe(6));
    const text = await resumed.waitFor('id: 6\n');
    expect(ids(text)).toEqual([4, 5, 6]);
    expect(text).not.toContain('event: gap');
    resumed.close();
  });

  it('tells a client that missed more than the controller holds to refetch (gap)', async () => {
    h = await harness();
    h.fake.bufferSize = 2;
    const port = await listen(h);
    for (let i = 1; i <= 5; i++) h.fake.emit(probe(i));
    const s = await open(port, { ...h.bearer('viewer'), 'last-event-id': '1' });
    const text = await s.waitFor('id: 5\n');
    expect(text).toContain('event: gap\ndata: {"after":1}\n\n');
    expect(ids(text)).toEqual([4, 5]);
    s.close();
  });

  it('sends heartbeats and releases the subscription when the client goes', async () => {
    h = await harness({ sse: { heartbeatMs: 50 } });
    const port = await listen(h);
    const s = await open(port, h.bearer('viewer'));
    await s.waitFor(': heartbeat\n\n', 2000);
    expect(h.fake.listeners).toBe(2);
    s.close();
    await until(() => h?.fake.listeners === 1);
    const metrics = await h.app.inject({ url: '/metrics', headers: h.bearer('viewer') });
    expect(metrics.body).toMatch(/^lifeboat_sse_clients 0$/m);
  });

  it('refuses a malformed Last-Event-ID and an anonymous client', async () => {
    h = await harness();
    const port = await listen(h);
    expect((await open(port, { ...h.bearer('viewer'), 'last-event-id': 'x' })).status).toBe(400);
    expect((await open(port, {})).status).toBe(401);
  });

  it('drops a client that stops reading instead of buffering without bound', async () => {
    h = await harness({ sse: { maxBufferBytes: 64 * 1024 } });
    const port = await listen(h);
    // A raw client that never reads: the socket's buffers fill, then the server's.
    const { connect } = await import('node:net');
    const sock = connect(port, '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.pause();
    sock.write(
      `GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${h.bearer('viewer').authorization}\r\n\r\n`,
    );
    await until(() => h?.fake.listeners === 2);
    const big = 'x'.repeat(256 * 1024);
    let sent = 0;
    for (; sent < 400 && (h?.fake.listeners ?? 0) > 1; sent++) {
      h.fake.emit({
        type: 'run',
        runId: 'r',
        service: 's',
        runbook: 'b',
        state: 'running',
        message: big,
      });
      await new Promise((r) => setImmediate(r));
    }
    expect(h.fake.listeners).toBe(1);
    expect(sent).toBeGreaterThanOrEqual(2); // one large event alone is not a backlog
    const metrics = await h.app.inject({ url: '/metrics', headers: h.bearer('viewer') });
    expect(metrics.body).toMatch(/^lifeboat_sse_dropped_clients_total 1$/m);
    sock.destroy();
  });

  it('keeps a client that reads, even when events are larger than the bound', async () => {
    h = await harness({ sse: { maxBufferBytes: 64 * 1024 } });
    const port = await listen(h);
    const s = await open(port, h.bearer('viewer'));
    await s.waitFor(': connected');
    const big = 'y'.repeat(200 * 1024);
    for (let i = 1; i <= 5; i++) {
      h.fake.emit({
        type: 'run',
        runId: 'r',
        service: 's',
        runbook: 'b',
        state: 'running',
        message: big,
      });
      await s.waitFor(`id: ${i}\n`);
    }
    expect(h.fake.listeners).toBe(2);
    s.close();
  });

  it('ends open streams when the server closes', async () => {
    h = await harness();
    const port = await listen(h);
    const s = await open(port, h.bearer('viewer'));
    await s.waitFor(': connected');
    const started = Date.now();
    await h.app.close();
    expect(Date.now() - started).toBeLessThan(2000);
    await h.fake.close();
    h = undefined;
  });
});
