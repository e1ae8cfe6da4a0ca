// The HAProxy driver against a simulated runtime API: the order of a switch (never without a
// ready server), refusal of a down destination, read-only mode, and injection refused.
import { describe, expect, it } from 'vitest';
import { type HaproxyConfig, HaproxyDriver } from '../../../src/drivers/haproxy/index.js';
import { labBackend } from './support/fake-haproxy.js';

const ctx = () => ({ signal: AbortSignal.timeout(5000) });
const MAP = '/run/haproxy/ro.map';

function setup(over: Partial<HaproxyConfig> = {}) {
  const hap = labBackend();
  hap.maps.set(MAP, new Map([['mode', 'rw']]));
  const driver = new HaproxyDriver(
    {
      backend: 'http',
      servers: { 'node-a': 'a', 'node-b': 'b' },
      runtime: { socket: '/run/haproxy/admin.sock' },
      readOnly: { map: MAP },
      timing: { pollIntervalMs: 1, checkTimeoutMs: 300, settleMs: 50 },
      ...over,
    },
    { transport: hap.transport },
  );
  return { hap, driver };
}

describe('HAProxy switch', () => {
  it('verifies the new server by a health check, makes it ready, then puts the old one in maint and shuts its sessions', async () => {
    const { hap, driver } = setup();
    expect(await driver.current(ctx())).toBe('node-a');
    const r = await driver.switchTo(ctx(), 'node-b');
    expect(r).toMatchObject({
      changed: true,
      data: { from: 'node-a', destination: 'node-b', server: 'b', verdict: 'up' },
    });
    expect(hap.writes()).toEqual([
      'set server http/b state drain',
      'set server http/b state ready',
      'set server http/a state maint',
      'shutdown sessions server http/a',
    ]);
    expect(await driver.current(ctx())).toBe('node-b');
  });

  it('is idempotent: a second switch sends no command that changes anything', async () => {
    const { hap, driver } = setup();
    await driver.switchTo(ctx(), 'node-b');
    const n = hap.writes().length;
    expect((await driver.switchTo(ctx(), 'node-b')).changed).toBe(false);
    expect(hap.writes()).toHaveLength(n);
  });

  it('a destination whose check fails is refused with LB_E_DRIVER_NOT_READY and put back in maint', async () => {
    const { hap, driver } = setup();
    hap.servers.get('b')!.check!.passes = false;
    await expect(driver.switchTo(ctx(), 'node-b')).rejects.toMatchObject({
      code: 'LB_E_DRIVER_NOT_READY',
      retryable: true,
    });
    expect(hap.writes()).toEqual([
      'set server http/b state drain',
      'set server http/b state maint',
    ]);
    expect(await driver.current(ctx())).toBe('node-a');
  });

  it('with force, traffic goes to a down destination anyway and the result says so', async () => {
    const { hap, driver } = setup();
    hap.servers.get('b')!.check!.passes = false;
    const r = await driver.switchTo(ctx(), 'node-b', { force: true });
    expect(r).toMatchObject({ changed: true, data: { verdict: 'down', forced: true } });
    expect(r.detail).toMatch(/forced although its check says L4CON/);
  });

  it('a server without health check is switched, and the result says readiness was not verified', async () => {
    const { hap, driver } = setup();
    delete hap.servers.get('b')!.check;
    const r = await driver.switchTo(ctx(), 'node-b');
    expect(r.detail).toMatch(/no health check/);
  });

  it('restores a zero weight, and puts every other server taking traffic in maint', async () => {
    const { hap, driver } = setup();
    const b = hap.servers.get('b')!;
    b.admin = 0x08; // drain, checks running
    b.op = 2;
    b.check!.health = 2;
    b.weight = 0;
    await driver.switchTo(ctx(), 'node-b');
    expect(hap.writes()).toEqual([
      'set server http/b weight 1',
      'set server http/b state ready',
      'set server http/a state maint',
      'shutdown sessions server http/a',
    ]);
  });

  it('a configured server missing from the backend is LB_E_DRIVER_CONFLICT, before any change', async () => {
    const { hap, driver } = setup({ servers: { 'node-a': 'a', 'node-c': 'c' } });
    await expect(driver.switchTo(ctx(), 'node-a')).rejects.toMatchObject({
      code: 'LB_E_DRIVER_CONFLICT',
    });
    expect(hap.writes()).toEqual([]);
  });

  it('observe is read-only and reports states, checks and read-only mode', async () => {
    const { hap, driver } = setup();
    const o = await driver.observe(ctx());
    expect(o).toMatchObject({
      healthy: true,
      facts: {
        current: 'node-a',
        readOnly: false,
        servers: [
          { server: 'a', admin: 'ready', op: 'running', checkStatus: 'L7OK' },
          { server: 'b', admin: 'maint' },
        ],
      },
    });
    expect(hap.writes()).toEqual([]);
  });

  it('an admin-level refusal is LB_E_DRIVER_AUTH; an unknown command is LB_E_DRIVER_PROTOCOL', async () => {
    const { hap, driver } = setup();
    hap.answerAll = 'Permission denied\n';
    await expect(driver.observe(ctx())).rejects.toMatchObject({
      code: 'LB_E_DRIVER_AUTH',
      retryable: false,
    });
    hap.answerAll = 'Unknown command, but maybe one of the following ones is a better match:\n';
    await expect(driver.observe(ctx())).rejects.toMatchObject({ code: 'LB_E_DRIVER_PROTOCOL' });
  });
});

describe('HAProxy read-only mode', () => {
  it('sets the map key to ro and back, idempotently', async () => {
    const { hap, driver } = setup();
    expect((await driver.setReadOnly(ctx(), true)).changed).toBe(true);
    expect(hap.maps.get(MAP)?.get('mode')).toBe('ro');
    expect((await driver.setReadOnly(ctx(), true)).changed).toBe(false);
    expect((await driver.setReadOnly(ctx(), false)).changed).toBe(true);
    expect((await driver.setReadOnly(ctx(), false)).changed).toBe(false);
    expect(hap.writes()).toEqual([`set map ${MAP} mode ro`, `set map ${MAP} mode rw`]);
  });

  it('adds the key when the map does not have it', async () => {
    const { hap, driver } = setup();
    hap.maps.set(MAP, new Map());
    await driver.setReadOnly(ctx(), true);
    expect(hap.writes()).toEqual([`set map ${MAP} mode ro`, `add map ${MAP} mode ro`]);
    expect(hap.maps.get(MAP)?.get('mode')).toBe('ro');
  });

  it('a map HAProxy does not know is LB_E_DRIVER_CONFIG; no map configured too', async () => {
    const { hap, driver } = setup();
    hap.maps.clear();
    await expect(driver.setReadOnly(ctx(), true)).rejects.toMatchObject({
      code: 'LB_E_DRIVER_CONFIG',
    });
    const { driver: noMap } = setup({ readOnly: undefined });
    await expect(noMap.setReadOnly(ctx(), true)).rejects.toMatchObject({
      code: 'LB_E_DRIVER_CONFIG',
    });
  });
});

const HOSTILE = [
  'a;id',
  '$(id)',
  '`id`',
  'a\nshow info',
  '--option',
  '../x',
  'a b',
  'a;shutdown sessions server x/y',
];

/** Inside an absolute path `--option` is a plain file name; `../` and the rest are not. */
const inPath = (v: string) => (v === '--option' ? '../x' : v);

describe('HAProxy driver refuses injection before any command', () => {
  const fields: [string, (v: string) => Partial<HaproxyConfig>][] = [
    ['backend', (v) => ({ backend: v })],
    ['server name', (v) => ({ servers: { 'node-a': v } })],
    ['destination name', (v) => ({ servers: { [v]: 'a' } })],
    ['socket path', (v) => ({ runtime: { socket: v } })],
    ['socket path under /run', (v) => ({ runtime: { socket: `/run/${inPath(v)}` } })],
    ['runtime host', (v) => ({ runtime: { host: v, port: 9999 } })],
    ['map path', (v) => ({ readOnly: { map: v } })],
    ['map path under /run', (v) => ({ readOnly: { map: `/run/${inPath(v)}` } })],
    ['map key', (v) => ({ readOnly: { map: MAP, key: v } })],
    ['server-state-file', (v) => ({ serverStateFile: v })],
    ['server-state-file under /run', (v) => ({ serverStateFile: `/run/${inPath(v)}` })],
  ];
  for (const [field, make] of fields) {
    it.each(HOSTILE)(`${field}: %j`, (v) => {
      const hap = labBackend();
      expect(
        () =>
          new HaproxyDriver(
            {
              backend: 'http',
              servers: { 'node-a': 'a' },
              runtime: { socket: '/run/h.sock' },
              ...make(v),
            },
            { transport: hap.transport },
          ),
      ).toThrow(expect.objectContaining({ code: 'LB_E_DRIVER_BAD_INPUT' }));
      expect(hap.log).toEqual([]);
    });
  }

  it.each(HOSTILE)('switchTo destination %j', async (v) => {
    const { hap, driver } = setup();
    await expect(driver.switchTo(ctx(), v)).rejects.toMatchObject({
      code: 'LB_E_DRIVER_BAD_INPUT',
    });
    expect(hap.log).toEqual([]);
  });

  it('a runtime port out of range is refused', () => {
    expect(
      () =>
        new HaproxyDriver({
          backend: 'http',
          servers: { a: 'a' },
          runtime: { host: '10.0.0.1', port: 70000 },
        }),
    ).toThrow(expect.objectContaining({ code: 'LB_E_DRIVER_BAD_INPUT' }));
  });
});
