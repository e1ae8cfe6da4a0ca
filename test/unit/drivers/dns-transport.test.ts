// The UDP/TCP transport on loopback sockets (truncation → TCP, port closed, silence, stray IDs),
// and the PowerDNS provider against a fake fetch (status codes → error codes, the PATCH body).
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import dnsPacket from 'dns-packet';
import { afterAll, describe, expect, it } from 'vitest';
import { type PowerDnsConfig, PowerDnsDriver, udpThenTcp } from '../../../src/drivers/dns/index.js';
import { buildQuery } from '../../../src/drivers/dns/wire.js';
import { Secret } from '../../../src/drivers/secrets.js';

const ctx = (ms = 5000) => ({ signal: AbortSignal.timeout(ms) });
const answer = (id: number, flags: number, ips: string[]) =>
  dnsPacket.encode({
    type: 'response',
    id,
    flags,
    questions: [{ type: 'A', name: 'app.lab.test' }],
    answers: ips.map((data) => ({ type: 'A', name: 'app.lab.test', ttl: 5, data })),
  });

describe('UDP with TCP fallback (loopback)', () => {
  let udp = createSocket('udp4');
  const tcp = createServer((s) => {
    s.once('data', (d: Buffer) => {
      const msg = answer(d.readUInt16BE(2), dnsPacket.AUTHORITATIVE_ANSWER, ['10.77.0.2']);
      const len = Buffer.alloc(2);
      len.writeUInt16BE(msg.length, 0);
      s.end(Buffer.concat([len, msg]));
    });
  });
  let port = 0;
  // The same port number for UDP and TCP: TCP takes a free one first, then UDP binds it; when
  // that UDP port is taken (other tests run side by side), try again with another (at most 20).
  const ready = (async () => {
    for (let attempt = 0; attempt < 20; attempt++) {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(0, '127.0.0.1', () => resolve());
      });
      port = (tcp.address() as { port: number }).port;
      const bound = await new Promise<boolean>((resolve) => {
        udp.once('error', () => resolve(false));
        udp.bind(port, '127.0.0.1', () => resolve(true));
      });
      if (bound) {
        udp.on('message', onMessage);
        return;
      }
      udp.close();
      udp = createSocket('udp4');
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    }
    throw new Error('no port free for both UDP and TCP on 127.0.0.1 in 20 attempts');
  })();
  let mode: 'tc' | 'silent' | 'stray' = 'tc';
  function onMessage(m: Buffer, rinfo: { port: number; address: string }): void {
    const id = m.readUInt16BE(0);
    if (mode === 'silent') return;
    if (mode === 'stray') udp.send(answer(id ^ 1, 0, ['192.0.2.66']), rinfo.port, rinfo.address);
    const flags = mode === 'tc' ? dnsPacket.TRUNCATED_RESPONSE : dnsPacket.AUTHORITATIVE_ANSWER;
    setTimeout(
      () =>
        udp.send(answer(id, flags, mode === 'tc' ? [] : ['10.77.0.1']), rinfo.port, rinfo.address),
      5,
    );
  }
  afterAll(() => {
    udp.close();
    tcp.close();
  });

  it('a truncated UDP answer is asked again over TCP', async () => {
    await ready;
    mode = 'tc';
    const a = dnsPacket.decode(
      await udpThenTcp(ctx(), { host: '127.0.0.1', port }, buildQuery(42, 'app.lab.test', 'A'), {
        timeoutMs: 1000,
        attempts: 1,
      }),
    );
    expect(a.id).toBe(42);
    expect(a.answers?.map((x) => (x as { data: string }).data)).toEqual(['10.77.0.2']);
  });

  it('an answer with another ID is ignored, the right one taken', async () => {
    await ready;
    mode = 'stray';
    const a = dnsPacket.decode(
      await udpThenTcp(ctx(), { host: '127.0.0.1', port }, buildQuery(7, 'app.lab.test', 'A'), {
        timeoutMs: 1000,
        attempts: 1,
      }),
    );
    expect(a.answers?.map((x) => (x as { data: string }).data)).toEqual(['10.77.0.1']);
  });

  it('silence is LB_E_DRIVER_UNREACHABLE (retryable) after the bounded attempts', async () => {
    await ready;
    mode = 'silent';
    const t0 = Date.now();
    await expect(
      udpThenTcp(ctx(), { host: '127.0.0.1', port }, buildQuery(1, 'a.test', 'A'), {
        timeoutMs: 100,
        attempts: 2,
      }),
    ).rejects.toMatchObject({ code: 'LB_E_DRIVER_UNREACHABLE', retryable: true });
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('a closed port is LB_E_DRIVER_UNREACHABLE at once; an abort is LB_E_DRIVER_ABORTED', async () => {
    const s = createSocket('udp4');
    const closed = await new Promise<number>((r) =>
      s.bind(0, '127.0.0.1', () => r(s.address().port)),
    );
    s.close();
    await expect(
      udpThenTcp(ctx(), { host: '127.0.0.1', port: closed }, buildQuery(1, 'a.test', 'A'), {
        timeoutMs: 2000,
        attempts: 1,
      }),
    ).rejects.toMatchObject({ code: 'LB_E_DRIVER_UNREACHABLE', retryable: true });
    mode = 'silent';
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 20);
    await expect(
      udpThenTcp({ signal: ac.signal }, { host: '127.0.0.1', port }, buildQuery(1, 'a.test', 'A'), {
        timeoutMs: 2000,
        attempts: 1,
      }),
    ).rejects.toMatchObject({ code: 'LB_E_DRIVER_ABORTED' });
  });
});

describe('PowerDNS API provider (fake fetch)', () => {
  const KEY = 'pdns-api-key-123';
  function setup(respond: (url: string, init: RequestInit) => Response | Promise<Response>) {
    const calls: { url: string; init: RequestInit }[] = [];
    let content = '10.77.0.1';
    const fetch = (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      const r = await respond(url, init);
      if (init.method === 'PATCH' && r.status === 204) {
        content = JSON.parse(String(init.body)).rrsets[0].records[0].content;
      }
      if (init.method === 'GET' && r.status === 200) {
        return Response.json({
          rrsets: [
            { name: 'app.lab.test.', type: 'A', ttl: 5, records: [{ content, disabled: false }] },
          ],
        });
      }
      return r;
    }) as typeof globalThis.fetch;
    const cfg: PowerDnsConfig = {
      record: 'app.lab.test',
      zone: 'lab.test',
      type: 'A',
      ttl: 5,
      values: { a: '10.77.0.1', b: '10.77.0.2' },
      api: { url: 'http://10.77.0.3:8081/api/v1', key: new Secret(KEY, 'file:/k') },
      timing: { pollIntervalMs: 1, visibleTimeoutMs: 200 },
    };
    return { calls, driver: new PowerDnsDriver(cfg, { fetch }) };
  }

  it('PATCHes one REPLACE rrset with the key in X-API-Key, then reads it back', async () => {
    const { calls, driver } = setup(
      (_u, init) =>
        new Response(init.method === 'PATCH' ? null : '{}', {
          status: init.method === 'PATCH' ? 204 : 200,
        }),
    );
    const r = await driver.switchTo(ctx(), 'b');
    expect(r).toMatchObject({ changed: true, data: { from: 'a', destination: 'b', ttl: 5 } });
    const patch = calls.find((c) => c.init.method === 'PATCH')!;
    expect(patch.url).toBe('http://10.77.0.3:8081/api/v1/servers/localhost/zones/lab.test.');
    expect(JSON.parse(String(patch.init.body))).toEqual({
      rrsets: [
        {
          name: 'app.lab.test.',
          type: 'A',
          ttl: 5,
          changetype: 'REPLACE',
          records: [{ content: '10.77.0.2', disabled: false }],
        },
      ],
    });
    expect((patch.init.headers as Record<string, string>)['X-API-Key']).toBe(KEY);
    expect(r.detail).not.toContain(KEY);
    expect((await driver.switchTo(ctx(), 'b')).changed).toBe(false);
  });

  it.each([
    [401, 'LB_E_DRIVER_AUTH', false],
    [403, 'LB_E_DRIVER_AUTH', false],
    [422, 'LB_E_DNS_UPDATE_REJECTED', false],
    [500, 'LB_E_DNS_SERVFAIL', true],
  ])('HTTP %i → %s', async (status, code, retryable) => {
    const { driver } = setup(() => new Response('nope', { status }));
    const err = await driver.observe(ctx()).catch((e) => e);
    expect(err).toMatchObject({ code, retryable });
    expect(String(err.message)).not.toContain(KEY);
  });

  it('a refused connection is LB_E_DRIVER_UNREACHABLE (retryable)', async () => {
    const { driver } = setup(() => {
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    });
    await expect(driver.observe(ctx())).rejects.toMatchObject({
      code: 'LB_E_DRIVER_UNREACHABLE',
      retryable: true,
    });
  });

  it.each([
    'http://h/api;id',
    'http://$(id)/api',
    'file:///etc/passwd',
    'http://u:p@h/api',
    'http://h/api?x=1',
    'not a url',
  ])('refuses the API URL %j before any request', (url) => {
    const calls: unknown[] = [];
    const fetch = (async () => calls.push(1)) as unknown as typeof globalThis.fetch;
    expect(
      () =>
        new PowerDnsDriver(
          {
            record: 'app.lab.test',
            zone: 'lab.test',
            type: 'A',
            ttl: 5,
            values: { a: '10.77.0.1' },
            api: { url, key: new Secret(KEY, 'x') },
          },
          { fetch },
        ),
    ).toThrow(expect.objectContaining({ code: 'LB_E_DRIVER_BAD_INPUT' }));
    expect(calls).toHaveLength(0);
  });

  it.each(['a;id', '$(id)', '`id`', 'x\ny', '--option', '../x'])(
    'refuses the server id %j',
    (serverId) => {
      expect(
        () =>
          new PowerDnsDriver({
            record: 'app.lab.test',
            zone: 'lab.test',
            type: 'A',
            ttl: 5,
            values: { a: '10.77.0.1' },
            api: { url: 'http://h:8081/api/v1', serverId, key: new Secret(KEY, 'x') },
          }),
      ).toThrow(expect.objectContaining({ code: 'LB_E_DRIVER_BAD_INPUT' }));
    },
  );
});
