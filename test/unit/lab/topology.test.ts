// The lab's shape as data: what a plan, the docs and the CLI all read.
import { describe, expect, it } from 'vitest';
import { netUpCommands } from '../../../src/lab/netns.js';
import { labPaths, resolveLabDir, validateLabName } from '../../../src/lab/paths.js';
import {
  ADDRESSES,
  COMPONENTS,
  describeTopology,
  findServer,
  namespacesOf,
  parseComponents,
  parsePlace,
  parseSite,
  REQUIRES,
  SERVERS,
  withRequirements,
} from '../../../src/lab/topology.js';

const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
};

describe('topology', () => {
  it('gives every place its own address in one private /24', () => {
    const all = Object.values(ADDRESSES);
    expect(new Set(all).size).toBe(all.length);
    for (const a of all) expect(a).toMatch(/^10\.77\.0\.\d+$/);
  });

  it('names every server once, each at a place and with a user', () => {
    const names = SERVERS.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const s of SERVERS) {
      expect(COMPONENTS).toContain(s.component);
      expect(s.user).not.toBe('');
    }
    expect(findServer('postgres-a')).toMatchObject({ place: 'a', user: 'postgres' });
    expect(findServer('mariadb-b')).toMatchObject({ place: 'b', user: 'mysql' });
    expect(code(() => findServer('nope'))).toBe('LB_E_LAB_USAGE');
  });

  it('puts one etcd member in each of a, b and witness', () => {
    expect(SERVERS.filter((s) => s.component === 'etcd').map((s) => s.place)).toEqual([
      'a',
      'b',
      'witness',
    ]);
  });

  it('lists requirements before what requires them, so start order is COMPONENTS order', () => {
    for (const c of COMPONENTS) {
      for (const r of REQUIRES[c])
        expect(COMPONENTS.indexOf(r)).toBeLessThan(COMPONENTS.indexOf(c));
    }
  });

  it('parses --only with requirements added, in start order', () => {
    expect(parseComponents('haproxy,postgres')).toEqual(['postgres', 'http', 'haproxy']);
    expect(parseComponents('rsync')).toEqual(['ssh', 'rsync']);
    // `all` is every component but Patroni (asked for by name, by the side-by-side benchmark).
    expect(parseComponents(undefined)).toEqual(COMPONENTS.filter((c) => c !== 'patroni'));
    expect(parseComponents('all')).toEqual(COMPONENTS.filter((c) => c !== 'patroni'));
    expect(parseComponents('patroni')).toEqual(['etcd', 'patroni']);
    expect(parseComponents(['etcd', ' bind '])).toEqual(['bind', 'etcd']);
    expect(withRequirements(['haproxy'])).toEqual(['http', 'haproxy']);
    expect(code(() => parseComponents('postgres,nginx'))).toBe('LB_E_LAB_USAGE');
  });

  it('parses sites and places', () => {
    expect(parseSite('witness')).toBe('witness');
    expect(code(() => parseSite('wan'))).toBe('LB_E_LAB_USAGE');
    expect(parsePlace('wan')).toBe('wan');
    expect(code(() => parsePlace('c'))).toBe('LB_E_LAB_USAGE');
  });

  it('prefixes namespaces with the lab name so that two labs do not collide', () => {
    expect(namespacesOf('t1')).toEqual({
      wan: 't1-wan',
      a: 't1-a',
      b: 't1-b',
      witness: 't1-witness',
    });
    const a = Object.values(namespacesOf('lb'));
    const b = Object.values(namespacesOf('t1'));
    expect(a.filter((n) => b.includes(n))).toEqual([]);
  });

  it('describes sites, nodes and addresses as data for plans', () => {
    const t = describeTopology('lb');
    expect(t.subnet).toBe('10.77.0.0/24');
    const a = t.places.find((p) => p.place === 'a');
    expect(a?.namespace).toBe('lb-a');
    expect(a?.servers.map((s) => s.name)).toContain('postgres-a');
    expect(a?.servers.find((s) => s.name === 'postgres-a')?.listen).toEqual(['10.77.0.1:5432']);
  });
});

describe('lab names and directories', () => {
  it('accepts short lower-case names only', () => {
    expect(validateLabName('lb')).toBe('lb');
    expect(validateLabName('t1')).toBe('t1');
    for (const bad of ['', 'Lb', '1a', 'a-b', 'abcdefghijk', 'a b', '../x']) {
      expect(code(() => validateLabName(bad))).toBe('LB_E_LAB_USAGE');
    }
  });

  it('defaults the directory under /tmp/lifeboat-lab and refuses unsafe ones', () => {
    expect(resolveLabDir('lb')).toBe('/tmp/lifeboat-lab/lb');
    expect(resolveLabDir('lb', '/var/tmp/x/')).toBe('/var/tmp/x');
    for (const bad of ['relative/dir', '/tmp', '/', '/tmp/a b', '/tmp/$x', "/tmp/it's"]) {
      expect(code(() => resolveLabDir('lb', bad))).toBe('LB_E_LAB_USAGE');
    }
  });

  it('keeps every file of a lab under its directory', () => {
    const p = labPaths('/tmp/lifeboat-lab/x');
    for (const f of [
      p.state,
      p.lock,
      p.pidFile('bind'),
      p.log('bind'),
      p.secret('k'),
      p.component('pg', 'a'),
    ]) {
      expect(f.startsWith('/tmp/lifeboat-lab/x/')).toBe(true);
    }
  });
});

describe('network commands', () => {
  it('creates both veth ends inside namespaces, never in the host namespace', () => {
    const cmds = netUpCommands(namespacesOf('t1'));
    const adds = cmds.filter((c) => c.includes('veth'));
    expect(adds).toHaveLength(3);
    for (const c of adds) {
      expect(c.slice(0, 3)).toEqual(['ip', '-n', 't1-wan']);
      expect(c).toContain('netns');
    }
    for (const c of cmds) {
      if (c[1] === 'netns') continue;
      expect(c[1]).toBe('-n'); // every link/addr command names its namespace
    }
    expect(cmds.map((c) => c.join(' '))).toContain('ip -n t1-a addr add 10.77.0.1/24 dev eth0');
    expect(cmds.map((c) => c.join(' '))).toContain('ip -n t1-wan addr add 10.77.0.254/24 dev br0');
  });
});

describe('lab directories are recognised before anything is removed', () => {
  it('accepts a missing, empty or marked directory and refuses a foreign one', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { isLabDir, LAB_MARKER } = await import('../../../src/lab/paths.js');
    const root = mkdtempSync(join(tmpdir(), 'lab-dir-'));
    try {
      expect(isLabDir(join(root, 'missing'))).toBe('missing');
      mkdirSync(join(root, 'empty'));
      expect(isLabDir(join(root, 'empty'))).toBe('empty');
      mkdirSync(join(root, 'lab'));
      writeFileSync(join(root, 'lab', LAB_MARKER), '');
      expect(isLabDir(join(root, 'lab'))).toBe('marked');
      mkdirSync(join(root, 'usr-lib'));
      writeFileSync(join(root, 'usr-lib', 'libc.so'), '');
      expect(isLabDir(join(root, 'usr-lib'))).toBe('foreign');
      // A foreign --dir is refused before anything is stopped, matched or removed.
      const { Lab } = await import('../../../src/lab/lab.js');
      const lab = Lab.open({ name: 'u9', dir: join(root, 'usr-lib'), uid: 0 });
      await expect(lab.down()).rejects.toMatchObject({ code: 'LB_E_LAB_USAGE' });
      expect(isLabDir(join(root, 'usr-lib'))).toBe('foreign');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
