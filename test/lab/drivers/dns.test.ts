// Given the lab's BIND (RFC 2136 + TSIG) and PowerDNS (HTTP API) in the witness, the DNS drivers,
// run from a client in `wan`, switch app.lab.test between sites a and b; the change is read
// back from the authoritative server itself; a wrong key changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rfc2136Config } from '../../../src/drivers/dns/index.js';
import { resolveSecret, Secret } from '../../../src/drivers/secrets.js';
import { Lab } from '../../../src/lab/index.js';
import { runDriverConformance } from '../../conformance/driver-suite.js';
import { netnsDriver, type RemoteDriver } from './support/netns-driver.js';

const LAB = 'drvdns';
const MODULE = 'src/drivers/dns/index.ts';
const ctx = () => ({ signal: AbortSignal.timeout(20_000) });
const figures: Record<string, unknown> = {};
let lab: Lab;

beforeAll(async () => {
  lab = Lab.open({ name: LAB });
  await lab.down();
  await lab.up(['bind', 'powerdns']);
}, 180_000);

afterAll(async () => {
  await lab?.down();
  console.log('dns driver figures:', JSON.stringify(figures));
});

const ep = () => lab.endpoints();
const values = { a: '10.77.0.1', b: '10.77.0.2' };

function bindConfig(over: Partial<Rfc2136Config> = {}): Rfc2136Config {
  const b = ep().bind;
  return {
    record: 'app.lab.test',
    zone: b.zone,
    type: 'A',
    ttl: 5,
    values,
    server: { host: b.host, port: b.port },
    tsig: {
      name: b.tsig.name,
      algorithm: b.tsig.algorithm,
      secret: resolveSecret(`file:${b.tsig.secretFile}`),
    },
    ...over,
  };
}

function pdnsConfig(key?: Secret, apiPort?: number) {
  const p = ep().powerdns;
  const url = apiPort ? p.api.url.replace(/:\d+\//, `:${apiPort}/`) : p.api.url;
  return {
    record: 'app.lab.test',
    zone: p.zone,
    type: 'A',
    ttl: 5,
    values,
    server: { host: p.host, port: p.port },
    api: { url, key: key ?? resolveSecret(`file:${p.api.keyFile}`) },
  };
}

/** `dig` from wan straight at the authoritative server: an independent reading of the record. */
async function dig(server: string, port: number, name = 'app.lab.test'): Promise<string> {
  const r = await lab.exec('wan', [
    'dig',
    '+short',
    '+norecurse',
    '+time=1',
    '+tries=2',
    '-p',
    String(port),
    `@${server}`,
    name,
    'A',
  ]);
  return r.stdout.trim();
}

const inWan = (exportName: string, config: unknown) =>
  netnsDriver(lab.namespaces.wan, MODULE, exportName, config);

runDriverConformance({
  name: 'dns rfc2136 (lab BIND, from wan)',
  setup: () => inWan('Rfc2136Driver', bindConfig()),
  destinations: ['a', 'b'],
  unreachable: () =>
    inWan('Rfc2136Driver', bindConfig({ server: { host: ep().bind.host, port: 5399 } })),
});

runDriverConformance({
  name: 'dns powerdns (lab PowerDNS API, from wan)',
  setup: () => inWan('PowerDnsDriver', pdnsConfig()),
  destinations: ['a', 'b'],
  unreachable: () => inWan('PowerDnsDriver', pdnsConfig(undefined, 8089)),
});

describe('DNS drivers against the lab', () => {
  let bind: RemoteDriver;
  let pdns: RemoteDriver;
  beforeAll(async () => {
    bind = await inWan('Rfc2136Driver', bindConfig());
    pdns = await inWan('PowerDnsDriver', pdnsConfig());
  });
  afterAll(async () => {
    await bind?.close?.();
    await pdns?.close?.();
  });

  it('an RFC 2136 update is visible at the authoritative server within milliseconds (dig agrees)', async () => {
    const b = ep().bind;
    const samples: { updateMs: number; visibleMs: number; totalMs: number }[] = [];
    for (const dest of ['a', 'b', 'a', 'b', 'a', 'b']) {
      const r = (await bind.switchTo!(ctx(), dest)) as {
        changed: boolean;
        detail: string;
        data: Record<string, number>;
      };
      if (!r.changed) continue;
      expect(r.detail).toMatch(/resolvers may keep the old answer .* up to 5 s \(TTL\)/);
      samples.push({
        updateMs: r.data.updateMs as number,
        visibleMs: r.data.visibleMs as number,
        totalMs: Math.round(bind.lastMs),
      });
      expect(await dig(b.host, b.port)).toBe(values[dest as 'a' | 'b']);
    }
    figures.bindSwitch = samples;
    expect(samples.length).toBeGreaterThanOrEqual(5);
    expect(Math.max(...samples.map((s) => s.visibleMs))).toBeLessThan(1000);
  });

  it('a wrong TSIG key is refused (LB_E_DRIVER_AUTH, not retryable) and the record is unchanged', async () => {
    const b = ep().bind;
    const before = await dig(b.host, b.port);
    const wrongSecret = new Secret(
      Buffer.from('not the lab key, but 32 bytes!!').toString('base64'),
      'test:wrong',
    );
    for (const tsig of [
      { name: b.tsig.name, algorithm: 'hmac-sha256' as const, secret: wrongSecret },
      { name: 'no-such-key', algorithm: 'hmac-sha256' as const, secret: wrongSecret },
    ]) {
      const bad = await inWan('Rfc2136Driver', bindConfig({ tsig }));
      const target = before === values.a ? 'b' : 'a';
      const err = await bad.switchTo!(ctx(), target).catch((e: unknown) => e);
      await bad.close?.();
      expect(err).toMatchObject({ code: 'LB_E_DRIVER_AUTH', retryable: false });
      expect(await dig(b.host, b.port)).toBe(before);
    }
  });

  it('an answer too big for UDP is fetched again over TCP from BIND', async () => {
    const b = ep().bind;
    const adds = Array.from(
      { length: 60 },
      (_, i) => `update add big.lab.test. 5 A 192.0.2.${i + 1}`,
    );
    const r = await lab.exec('wan', ['nsupdate', '-k', b.tsig.keyFile], {
      input: `server ${b.host} ${b.port}\nzone lab.test.\n${adds.join('\n')}\nsend\n`,
    });
    expect(r.code, r.stderr).toBe(0);
    const big = await inWan('Rfc2136Driver', bindConfig({ record: 'big.lab.test' }));
    const o = await big.observe(ctx());
    await big.close?.();
    expect(o.facts.values).toHaveLength(60);
  });

  it('PowerDNS: a PATCH is visible on its DNS port within milliseconds; without the key, 401 → LB_E_DRIVER_AUTH and nothing changes', async () => {
    const p = ep().powerdns;
    const samples: Record<string, number>[] = [];
    for (const dest of ['b', 'a', 'b', 'a']) {
      const r = (await pdns.switchTo!(ctx(), dest)) as {
        changed: boolean;
        data: Record<string, number>;
      };
      if (r.changed)
        samples.push({
          updateMs: r.data.updateMs as number,
          visibleMs: r.data.visibleMs as number,
          totalMs: Math.round(pdns.lastMs),
        });
      expect(await dig(p.host, p.port)).toBe(values[dest as 'a' | 'b']);
    }
    figures.powerdnsSwitch = samples;
    const noKey = await inWan('PowerDnsDriver', pdnsConfig(new Secret('wrong-key', 'test:wrong')));
    const err = await noKey.switchTo!(ctx(), 'b').catch((e: unknown) => e);
    await noKey.close?.();
    expect(err).toMatchObject({ code: 'LB_E_DRIVER_AUTH', retryable: false });
    expect(await dig(p.host, p.port)).toBe(values.a);
  });
});
