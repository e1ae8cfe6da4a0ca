// The RFC 2136 driver against an in-memory authoritative server: idempotent switch, read-back,
// error codes by RCODE, and every config field and argument refused when it carries injection.
import { describe, expect, it } from 'vitest';
import { type Rfc2136Config, Rfc2136Driver } from '../../../src/drivers/dns/index.js';
import { Secret } from '../../../src/drivers/secrets.js';
import { FakeAuthority } from './support/fake-dns.js';

const NOW = 1_800_000_000;
const ctx = () => ({ signal: AbortSignal.timeout(5000) });
const key = {
  name: 'lifeboat-lab',
  algorithm: 'hmac-sha256' as const,
  secret: new Secret('c2VjcmV0LXNlY3JldA==', 'env:TSIG'),
};

function config(over: Partial<Rfc2136Config> = {}): Rfc2136Config {
  return {
    record: 'app.lab.test',
    zone: 'lab.test',
    type: 'A',
    ttl: 5,
    values: { a: '10.77.0.1', b: '10.77.0.2' },
    server: { host: '10.77.0.3', port: 53 },
    tsig: key,
    timing: { pollIntervalMs: 1, visibleTimeoutMs: 500 },
    ...over,
  };
}

function setup(over: Partial<Rfc2136Config> = {}) {
  const auth = new FakeAuthority(key, () => NOW);
  auth.set('app.lab.test', ['10.77.0.1']);
  const driver = new Rfc2136Driver(config(over), {
    transport: auth.transport,
    nowSeconds: () => NOW,
  });
  return { auth, driver };
}

describe('RFC 2136 driver', () => {
  it('switches, reads the change back from the server, and says caches may lag by the TTL', async () => {
    const { auth, driver } = setup();
    expect(await driver.current(ctx())).toBe('a');
    auth.lagQueries = 3;
    const r = await driver.switchTo(ctx(), 'b');
    expect(r.changed).toBe(true);
    expect(r.detail).toMatch(/resolvers may keep the old answer \(10\.77\.0\.1\) up to 5 s/);
    expect(r.data).toMatchObject({ from: 'a', destination: 'b', value: '10.77.0.2', ttl: 5 });
    expect(auth.records.get('app.lab.test A')?.values).toEqual(['10.77.0.2']);
    expect(await driver.current(ctx())).toBe('b');
  });

  it('is idempotent: already that value and TTL → changed: false and no update sent', async () => {
    const { auth, driver } = setup();
    const sent = auth.received.length;
    expect((await driver.switchTo(ctx(), 'a')).changed).toBe(false);
    expect(auth.received.slice(sent).every((m) => ((m.readUInt16BE(2) >> 11) & 0xf) === 0)).toBe(
      true,
    );
  });

  it('observe is read-only and maps the value back to a destination', async () => {
    const { auth, driver } = setup();
    const o = await driver.observe(ctx());
    expect(o).toMatchObject({
      healthy: true,
      facts: { values: ['10.77.0.1'], destination: 'a', ttl: 5 },
    });
    expect(auth.received.every((m) => ((m.readUInt16BE(2) >> 11) & 0xf) === 0)).toBe(true);
  });

  it('an unknown value maps to no destination', async () => {
    const { auth, driver } = setup();
    auth.set('app.lab.test', ['192.0.2.9']);
    expect(await driver.current(ctx())).toBeUndefined();
    auth.set('app.lab.test', ['10.77.0.1', '10.77.0.2']);
    expect(await driver.current(ctx())).toBeUndefined();
  });

  it('a wrong key is LB_E_DRIVER_AUTH, not retryable, and the record is unchanged', async () => {
    const auth = new FakeAuthority(key, () => NOW);
    auth.set('app.lab.test', ['10.77.0.1']);
    const wrong = { ...key, secret: new Secret('d3Jvbmctc2VjcmV0', 'env:TSIG') };
    const driver = new Rfc2136Driver(config({ tsig: wrong }), {
      transport: auth.transport,
      nowSeconds: () => NOW,
    });
    const err = await driver.switchTo(ctx(), 'b').catch((e) => e);
    expect(err).toMatchObject({ code: 'LB_E_DRIVER_AUTH', retryable: false });
    expect(String(err.message)).not.toContain('d3Jvbmc');
    expect(auth.records.get('app.lab.test A')?.values).toEqual(['10.77.0.1']);
  });

  it.each([
    [17, 'LB_E_DRIVER_AUTH', false],
    [18, 'LB_E_DRIVER_AUTH', false],
  ])('TSIG error %i in a signed answer → %s', async (tsigError, code, retryable) => {
    const { auth, driver } = setup();
    auth.tsigError = tsigError;
    await expect(driver.switchTo(ctx(), 'b')).rejects.toMatchObject({ code, retryable });
  });

  it.each([
    [5, 'LB_E_DNS_REFUSED', true],
    [2, 'LB_E_DNS_SERVFAIL', true],
    [10, 'LB_E_DNS_UPDATE_REJECTED', false],
    [1, 'LB_E_DNS_UPDATE_REJECTED', false],
  ])('RCODE %i on the update → %s (retryable %s)', async (rcode, code, retryable) => {
    const { auth, driver } = setup();
    auth.updateRcode = rcode;
    await expect(driver.switchTo(ctx(), 'b')).rejects.toMatchObject({ code, retryable });
  });

  it('a change that never shows at the server ends in LB_E_DRIVER_TIMEOUT, bounded', async () => {
    const { auth, driver } = setup();
    auth.lagQueries = 1_000_000;
    const t0 = Date.now();
    await expect(driver.switchTo(ctx(), 'b')).rejects.toMatchObject({
      code: 'LB_E_DRIVER_TIMEOUT',
      retryable: true,
    });
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('honours an aborted signal before sending anything', async () => {
    const { auth, driver } = setup();
    const ac = new AbortController();
    ac.abort();
    await expect(driver.switchTo({ signal: ac.signal }, 'b')).rejects.toMatchObject({
      code: 'LB_E_DRIVER_ABORTED',
    });
    await expect(driver.observe({ signal: ac.signal })).rejects.toMatchObject({
      code: 'LB_E_DRIVER_ABORTED',
    });
    expect(auth.received).toHaveLength(0);
  });
});

const HOSTILE = ['a;id', '$(id)', '`id`', 'a\nb', '--option', '../etc', 'a b'];

describe('RFC 2136 driver refuses injection before anything is sent', () => {
  const fields: [string, (v: string) => Partial<Rfc2136Config>][] = [
    ['record', (v) => ({ record: v })],
    ['zone', (v) => ({ zone: v })],
    ['destination name', (v) => ({ values: { [v]: '10.77.0.1' } })],
    ['A value', (v) => ({ values: { a: v } })],
    ['CNAME value', (v) => ({ type: 'CNAME', values: { a: v } })],
    ['server host', (v) => ({ server: { host: v, port: 53 } })],
    ['TSIG key name', (v) => ({ tsig: { ...key, name: v } })],
  ];
  for (const [field, make] of fields) {
    it.each(HOSTILE)(`${field}: %j`, (v) => {
      const auth = new FakeAuthority(key, () => NOW);
      expect(() => new Rfc2136Driver(config(make(v)), { transport: auth.transport })).toThrow(
        expect.objectContaining({ code: 'LB_E_DRIVER_BAD_INPUT' }),
      );
      expect(auth.received).toHaveLength(0);
    });
  }

  it.each(HOSTILE)('switchTo destination %j', async (v) => {
    const { auth, driver } = setup();
    await expect(driver.switchTo(ctx(), v)).rejects.toMatchObject({
      code: 'LB_E_DRIVER_BAD_INPUT',
    });
    expect(auth.received).toHaveLength(0);
  });

  it('a port, TTL or algorithm out of range is refused', () => {
    for (const over of [
      { server: { host: '10.77.0.3', port: 0 } },
      { ttl: -1 },
      { ttl: 1.5 },
      { tsig: { ...key, algorithm: 'hmac-md5' as never } },
      { type: 'TXT' as never },
    ]) {
      expect(() => new Rfc2136Driver(config(over))).toThrow(
        expect.objectContaining({ code: 'LB_E_DRIVER_BAD_INPUT' }),
      );
    }
  });

  it('a record outside its zone is a configuration error', () => {
    expect(() => new Rfc2136Driver(config({ record: 'app.other.test' }))).toThrow(
      expect.objectContaining({ code: 'LB_E_DRIVER_CONFIG' }),
    );
  });
});
