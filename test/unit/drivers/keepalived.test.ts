// The keepalived driver against simulated nodes (support/fake-vrrp.ts): the move, its refusals,
// and every config field and argument refused when it carries injection.
import { describe, expect, it } from 'vitest';
import { type KeepalivedConfig, KeepalivedDriver } from '../../../src/drivers/keepalived/index.js';
import { conf, FakeVrrp } from './support/fake-vrrp.js';

const ctx = () => ({ signal: AbortSignal.timeout(5000) });

function setup(over: Partial<KeepalivedConfig> = {}) {
  const vrrp = new FakeVrrp();
  const node = (n: string) => ({
    name: `node-${n}`,
    runner: vrrp.runner(n),
    configFile: `/etc/ka/${n}.conf`,
    pidFile: `/run/ka/${n}.pid`,
  });
  const driver = new KeepalivedDriver({
    vip: '10.77.0.100/24',
    interface: 'eth0',
    instance: 'lab',
    nodes: [node('a'), node('b')],
    timing: { pollIntervalMs: 1, moveTimeoutMs: 500 },
    ...over,
  });
  return { vrrp, driver };
}

describe('keepalived driver', () => {
  it('moves the VIP by priorities + SIGHUP on every node, and waits until only it holds the VIP', async () => {
    const { vrrp, driver } = setup();
    expect(await driver.current(ctx())).toBe('node-a');
    const r = await driver.switchTo(ctx(), 'node-b');
    expect(r).toMatchObject({
      changed: true,
      data: { destination: 'node-b', priorities: { 'node-b': 150, 'node-a': 100 } },
    });
    expect(vrrp.files.get('/etc/ka/b.conf')).toBe(conf(150));
    expect(vrrp.files.get('/etc/ka/a.conf')).toBe(conf(100));
    const kills = vrrp.calls.filter((c) => c.argv[0] === 'pkill');
    expect(kills.map((c) => [c.node, c.argv.join(' ')]).sort()).toEqual([
      ['a', 'pkill --signal HUP --exact --pidfile /run/ka/a.pid keepalived'],
      ['b', 'pkill --signal HUP --exact --pidfile /run/ka/b.pid keepalived'],
    ]);
    expect(await driver.current(ctx())).toBe('node-b');
    expect((await driver.switchTo(ctx(), 'node-b')).changed).toBe(false);
  });

  it('refuses with LB_E_KEEPALIVED_NOPREEMPT, changing nothing', async () => {
    const { vrrp } = setup();
    vrrp.files.set('/etc/ka/b.conf', conf(100, '  nopreempt\n'));
    const { driver } = (() => {
      const node = (n: string) => ({
        name: `node-${n}`,
        runner: vrrp.runner(n),
        configFile: `/etc/ka/${n}.conf`,
        pidFile: `/run/ka/${n}.pid`,
      });
      return {
        driver: new KeepalivedDriver({
          vip: '10.77.0.100',
          instance: 'lab',
          nodes: [node('a'), node('b')],
        }),
      };
    })();
    await expect(driver.switchTo(ctx(), 'node-b')).rejects.toMatchObject({
      code: 'LB_E_KEEPALIVED_NOPREEMPT',
      retryable: false,
    });
    expect(vrrp.calls.filter((c) => ['sed', 'pkill'].includes(c.argv[0] ?? ''))).toEqual([]);
  });

  it('a VIP that does not arrive ends in LB_E_DRIVER_TIMEOUT, bounded', async () => {
    const { vrrp, driver } = setup();
    vrrp.preempt = false;
    await expect(driver.switchTo(ctx(), 'node-b')).rejects.toMatchObject({
      code: 'LB_E_DRIVER_TIMEOUT',
    });
  });

  it('observe reports holders and priorities, and a duplicate VIP as unhealthy', async () => {
    const { vrrp, driver } = setup();
    expect(await driver.observe(ctx())).toMatchObject({
      healthy: true,
      facts: { holders: ['node-a'], priorities: { 'node-a': 150, 'node-b': 100 } },
    });
    vrrp.holders = new Set(['a', 'b']);
    const o = await driver.observe(ctx());
    expect(o).toMatchObject({ healthy: false, facts: { holders: ['node-a', 'node-b'] } });
    expect(o.summary).toMatch(/DUPLICATE/);
    expect(await driver.current(ctx())).toBeUndefined();
  });

  it('a stale PID file (not keepalived) is LB_E_DRIVER_CONFLICT: pkill matched nothing', async () => {
    const { vrrp, driver } = setup();
    vrrp.files.set('/proc/4002/comm', 'postgres\n');
    await expect(driver.switchTo(ctx(), 'node-b')).rejects.toMatchObject({
      code: 'LB_E_DRIVER_CONFLICT',
    });
    expect(vrrp.holders).toEqual(new Set(['a']));
  });

  it('an unreachable node (exit 255) is LB_E_DRIVER_UNREACHABLE, retryable', async () => {
    const vrrp = new FakeVrrp();
    const node = (n: string) => ({
      name: n,
      runner: vrrp.runner(n, n === 'b'),
      configFile: `/etc/ka/${n}.conf`,
      pidFile: `/run/ka/${n}.pid`,
    });
    const driver = new KeepalivedDriver({
      vip: '10.77.0.100',
      instance: 'lab',
      nodes: [node('a'), node('b')],
    });
    await expect(driver.observe(ctx())).rejects.toMatchObject({
      code: 'LB_E_DRIVER_UNREACHABLE',
      retryable: true,
    });
  });
});

const HOSTILE = ['a;id', '$(id)', '`id`', 'a\nb', '--option', '../x', 'a b'];

describe('keepalived driver refuses injection before running anything', () => {
  const fields: [string, (v: string, base: KeepalivedConfig) => KeepalivedConfig][] = [
    ['vip', (v, b) => ({ ...b, vip: v })],
    ['interface', (v, b) => ({ ...b, interface: v })],
    ['instance', (v, b) => ({ ...b, instance: v })],
    ['node name', (v, b) => ({ ...b, nodes: [{ ...b.nodes[0]!, name: v }, b.nodes[1]!] })],
    ['config file', (v, b) => ({ ...b, nodes: [{ ...b.nodes[0]!, configFile: v }, b.nodes[1]!] })],
    [
      'config file under /etc',
      (v, b) => ({
        ...b,
        nodes: [
          { ...b.nodes[0]!, configFile: `/etc/${v === '--option' ? '../x' : v}` },
          b.nodes[1]!,
        ],
      }),
    ],
    ['pid file', (v, b) => ({ ...b, nodes: [{ ...b.nodes[0]!, pidFile: v }, b.nodes[1]!] })],
  ];
  for (const [field, make] of fields) {
    it.each(HOSTILE)(`${field}: %j`, (v) => {
      const vrrp = new FakeVrrp();
      const base: KeepalivedConfig = {
        vip: '10.77.0.100/24',
        instance: 'lab',
        nodes: ['a', 'b'].map((n) => ({
          name: n,
          runner: vrrp.runner(n),
          configFile: `/etc/ka/${n}.conf`,
          pidFile: `/run/ka/${n}.pid`,
        })),
      };
      expect(() => new KeepalivedDriver(make(v, base))).toThrow(
        expect.objectContaining({ code: 'LB_E_DRIVER_BAD_INPUT' }),
      );
      expect(vrrp.calls).toEqual([]);
    });
  }

  it.each(HOSTILE)('switchTo destination %j', async (v) => {
    const { vrrp, driver } = setup();
    await expect(driver.switchTo(ctx(), v)).rejects.toMatchObject({
      code: 'LB_E_DRIVER_BAD_INPUT',
    });
    expect(vrrp.calls).toEqual([]);
  });
});
