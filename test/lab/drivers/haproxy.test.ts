// Given HAProxy in wan in front of the HTTP service of sites a and b: the driver, over the Unix
// socket and over TCP, moves the traffic a → b with no failed request on the way, refuses a
// destination that is down, turns the frontend read-only and back, and its switch survives a reload.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HaproxyConfig, HaproxyDriver } from '../../../src/drivers/haproxy/index.js';
import { haproxyCommand, httpRequest, Lab } from '../../../src/lab/index.js';
import { runDriverConformance } from '../../conformance/driver-suite.js';
import { netnsDriver } from './support/netns-driver.js';

const LAB = 'drvhap';
const ctx = () => ({ signal: AbortSignal.timeout(20_000) });
const figures: Record<string, unknown> = {};
let lab: Lab;

beforeAll(async () => {
  lab = Lab.open({ name: LAB });
  await lab.down();
  await lab.up(['haproxy']);
}, 180_000);

afterAll(async () => {
  await lab?.down();
  console.log('haproxy driver figures:', JSON.stringify(figures));
});

const hp = () => lab.endpoints().haproxy;
function config(over: Partial<HaproxyConfig> = {}): HaproxyConfig {
  return {
    backend: 'http',
    servers: { 'node-a': 'a', 'node-b': 'b' },
    runtime: { socket: hp().runtime.socket },
    readOnly: { map: hp().readOnlyMap },
    ...over,
  };
}
const tcpRuntime = (port?: number) => ({
  host: hp().runtime.host,
  port: port ?? hp().runtime.port,
});
const overTcp = (over: Partial<HaproxyConfig> = {}) =>
  netnsDriver(
    lab.namespaces.wan,
    'src/drivers/haproxy/index.ts',
    'HaproxyDriver',
    config({ runtime: tcpRuntime(), ...over }),
  );

const get = async (path = '/') => {
  const r = await httpRequest(lab.namespaces.wan, {
    url: `${hp().http.url}${path}`,
    timeoutMs: 2000,
  });
  return {
    status: r.status,
    site: r.body ? (JSON.parse(r.body) as { site?: string }).site : undefined,
    body: r.body,
  };
};

runDriverConformance({
  name: 'haproxy (lab, unix socket)',
  setup: async () => new HaproxyDriver(config()),
  destinations: ['node-a', 'node-b'],
  unreachable: () =>
    new HaproxyDriver(config({ runtime: { socket: `${hp().runtime.socket}.missing` } })),
});

runDriverConformance({
  name: 'haproxy (lab, TCP runtime API from wan)',
  setup: () => overTcp(),
  destinations: ['node-a', 'node-b'],
  unreachable: () => overTcp({ runtime: tcpRuntime(9998) }),
});

/** A client in wan that GETs through HAProxy every 5 ms for `ms`; counts answers per site and failures. */
function clientLoop(ms: number) {
  const script = `
const url = process.argv[1]; const end = Date.now() + Number(process.argv[2]);
const out = { a: 0, b: 0, failed: 0, errors: [] };
(async () => {
  while (Date.now() < end) {
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
      const j = await r.json();
      if (r.status === 200 && (j.site === 'a' || j.site === 'b')) out[j.site]++; else { out.failed++; out.errors.push(r.status); }
    } catch (e) { out.failed++; out.errors.push(String(e.cause?.code ?? e.message)); }
    await new Promise((r) => setTimeout(r, 5));
  }
  process.stdout.write(JSON.stringify(out));
})();`;
  return lab
    .exec('wan', [process.execPath, '-e', script, `${hp().http.url}/`, String(ms)], {
      timeoutMs: ms + 10_000,
    })
    .then(
      (r) => JSON.parse(r.stdout) as { a: number; b: number; failed: number; errors: string[] },
    );
}

describe('HAProxy driver against the lab', () => {
  const driver = () => new HaproxyDriver(config());

  it('moves the traffic a → b: a client in wan sees site b, and no request fails during the switch', async () => {
    const d = driver();
    await d.switchTo(ctx(), 'node-a');
    expect((await get()).site).toBe('a');
    const loop = clientLoop(2500);
    await new Promise((r) => setTimeout(r, 700));
    const r = await d.switchTo(ctx(), 'node-b');
    const seen = await loop;
    figures.switchAtoB = { ms: r.data?.ms, check: r.data?.check, client: seen };
    expect(r.changed).toBe(true);
    expect((await get()).site).toBe('b');
    expect(seen.failed).toBe(0);
    expect(seen.a).toBeGreaterThan(0);
    expect(seen.b).toBeGreaterThan(0);
  });

  it('refuses a destination whose server is down (LB_E_DRIVER_NOT_READY), leaving traffic where it was', async () => {
    const d = driver();
    await d.switchTo(ctx(), 'node-b');
    await lab.kill('http-a');
    const err = await d.switchTo(ctx(), 'node-a').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'LB_E_DRIVER_NOT_READY', retryable: true });
    expect(await d.current(ctx())).toBe('node-b');
    expect((await get()).site).toBe('b');
    const o = await d.observe(ctx());
    expect(o.facts.servers).toMatchObject([
      { server: 'a', admin: 'maint' },
      { server: 'b', admin: 'ready' },
    ]);
    await lab.up(['http']);
  });

  it("read-only mode: PUT is refused with the frontend's status while GET answers, then back to rw", async () => {
    const d = driver();
    const rule =
      readFileSync(hp().config, 'utf8')
        .split('\n')
        .find((l) => l.includes('http-request deny')) ?? '';
    const status = Number(/deny_status (\d+)/.exec(rule)?.[1] ?? 403);
    const text = /string "([^"]+)"/.exec(rule)?.[1];
    const put = () =>
      httpRequest(lab.namespaces.wan, {
        method: 'PUT',
        url: `${hp().http.url}/k`,
        body: 'v',
        timeoutMs: 2000,
      });
    expect((await put()).status).toBe(200);
    const r = await d.setReadOnly(ctx(), true);
    figures.setReadOnlyMs = r.data?.ms;
    const refused = await put();
    expect(refused.status).toBe(status);
    if (text) expect(refused.body).toContain(text);
    figures.readOnlyAnswer = { status: refused.status, body: refused.body?.trim().slice(0, 120) };
    expect((await get('/k')).status).toBe(200);
    expect((await d.observe(ctx())).facts.readOnly).toBe(true);
    await d.setReadOnly(ctx(), false);
    expect((await put()).status).toBe(200);
  });

  it('with the server-state-file and the map file written, a reload keeps the switch and read-only mode', async () => {
    const d = new HaproxyDriver(
      config({
        serverStateFile: hp().stateFile,
        readOnly: { map: hp().readOnlyMap, persist: true },
      }),
    );
    await d.switchTo(ctx(), 'node-a');
    await d.switchTo(ctx(), 'node-b');
    await d.setReadOnly(ctx(), true);
    const t0 = performance.now();
    await haproxyCommand(hp().masterSocket, 'reload');
    let info = '';
    for (let i = 0; i < 100 && !info.includes('Name: HAProxy'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      info = await haproxyCommand(hp().runtime.socket, 'show info').catch(() => '');
    }
    figures.reloadMs = Math.round(performance.now() - t0);
    expect(await d.current(ctx())).toBe('node-b');
    expect((await d.observe(ctx())).facts.readOnly).toBe(true);
    expect(readFileSync(hp().readOnlyMap, 'utf8')).toMatch(/^mode ro$/m);
    await d.setReadOnly(ctx(), false);
  });
});
