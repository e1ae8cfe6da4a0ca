// keepalived config edits: the instance block found by brace matching, the sed script run by
// the real GNU sed, the priority plan, and the address parser.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  addressesIn,
  KeepalivedDriver,
  priorityEdit,
  priorityPlan,
  readInstance,
} from '../../../src/drivers/keepalived/index.js';
import { conf, FakeVrrp } from './support/fake-vrrp.js';

const ctx = () => ({ signal: AbortSignal.timeout(5000) });

describe('keepalived config edit', () => {
  it('reads the instance and rewrites only its priority digits', () => {
    expect(readInstance(conf(150, '  nopreempt\n'), 'lab', 'f')).toEqual({
      priority: 150,
      nopreempt: true,
      state: 'BACKUP',
      advertInt: 0.5,
    });
    expect(priorityEdit(conf(150), 'lab', 99, 'f')).toMatchObject({
      line: 9,
      from: 150,
      to: 99,
      result: conf(99),
    });
  });

  it('its sed script, run by the real GNU sed, gives exactly the planned text, and does nothing to a file that moved on', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lb-ka-'));
    const file = join(dir, 'k.conf');
    const edit = priorityEdit(conf(150), 'lab', 99, 'f');
    writeFileSync(file, conf(150));
    const out = execFileSync('sed', ['-i', '-E', '-e', edit.sedScript, '--', file], {
      encoding: 'utf8',
    });
    expect(out).toMatch(/priority 99 {2}# set by lifeboat/);
    expect(readFileSync(file, 'utf8')).toBe(edit.result);
    writeFileSync(file, conf(120));
    expect(
      execFileSync('sed', ['-i', '-E', '-e', edit.sedScript, '--', file], { encoding: 'utf8' }),
    ).toBe('');
    expect(readFileSync(file, 'utf8')).toBe(conf(120));
    rmSync(dir, { recursive: true });
  });

  it('a config file changed between read and edit is LB_E_DRIVER_CONFLICT, no reload', async () => {
    const vrrp = new FakeVrrp();
    const runner = vrrp.runner('b');
    const original = runner.run.bind(runner);
    const racing = new KeepalivedDriver({
      vip: '10.77.0.100',
      instance: 'lab',
      nodes: [
        {
          name: 'node-a',
          runner: vrrp.runner('a'),
          configFile: '/etc/ka/a.conf',
          pidFile: '/run/ka/a.pid',
        },
        {
          name: 'node-b',
          runner: {
            run: async (argv, opts) => {
              if (argv[0] === 'sed') vrrp.files.set('/etc/ka/b.conf', conf(120));
              return original(argv, opts);
            },
          },
          configFile: '/etc/ka/b.conf',
          pidFile: '/run/ka/b.pid',
        },
      ],
    });
    await expect(racing.switchTo(ctx(), 'node-b')).rejects.toMatchObject({
      code: 'LB_E_DRIVER_CONFLICT',
    });
    expect(vrrp.calls.filter((c) => c.node === 'b' && c.argv[0] === 'pkill')).toEqual([]);
  });

  it('refuses a file without the instance, with two priorities, or with a bad one', () => {
    for (const text of [
      conf(150).replace('vrrp_instance lab', 'vrrp_instance other'),
      conf(150).replace('  advert_int', '  priority 7\n  advert_int'),
      conf(150).replace('priority 150', 'priority high'),
    ]) {
      expect(() => readInstance(text, 'lab', 'f')).toThrow(
        expect.objectContaining({ code: 'LB_E_KEEPALIVED_CONFIG_EDIT' }),
      );
    }
    // A priority inside a nested block is not the instance's.
    expect(() =>
      readInstance(conf(150).replace('    chk', '    chk\n    priority 9'), 'lab', 'f'),
    ).not.toThrow();
  });

  it('plans priorities: destination highest, values reused, never tied', () => {
    const p = (o: Record<string, number>, d: string) =>
      Object.fromEntries(priorityPlan(new Map(Object.entries(o)), d));
    expect(p({ a: 150, b: 100 }, 'b')).toEqual({ b: 150, a: 100 });
    expect(p({ a: 100, b: 150 }, 'a')).toEqual({ a: 150, b: 100 });
    expect(p({ a: 150, b: 100 }, 'a')).toEqual({ a: 150, b: 100 });
    expect(p({ a: 100, b: 100 }, 'b')).toEqual({ b: 100, a: 99 });
    expect(p({ a: 150, b: 100, c: 50 }, 'c')).toEqual({ c: 150, a: 100, b: 50 });
  });

  it('finds addresses in ip -o output', () => {
    expect(
      addressesIn(
        '2: eth0    inet 10.77.0.100/24 scope global secondary eth0\\n\n3: x inet6 FE80::1/64 scope link',
      ),
    ).toEqual(['10.77.0.100', 'fe80::1']);
  });
});
