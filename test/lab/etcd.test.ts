// Given a 3-member etcd cluster with one member per site: it keeps a quorum when any one site
// is cut off, and the cut-off member refuses writes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab, Site } from '../../src/lab/index.js';
import { httpRequest } from '../../src/lab/probes.js';
import { freshLab, within } from './helpers.js';

let lab: Lab;
const timings: Record<string, number> = {};
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A put through etcd's HTTP/JSON gateway (v3 API), from wan, to one member. */
const put = async (member: Site, key: string, value: string, timeoutMs = 3000) => {
  const url = `${lab.endpoints().etcd.members[member].clientUrl}/v3/kv/put`;
  return httpRequest(lab.namespaces.wan, {
    method: 'POST',
    url,
    body: JSON.stringify({ key: b64(key), value: b64(value) }),
    timeoutMs,
  });
};

const get = async (member: Site, key: string) => {
  const url = `${lab.endpoints().etcd.members[member].clientUrl}/v3/kv/range`;
  const r = await httpRequest(lab.namespaces.wan, {
    method: 'POST',
    url,
    body: JSON.stringify({ key: b64(key) }),
    timeoutMs: 1000,
  });
  try {
    const kv = JSON.parse(r.body ?? '').kvs?.[0];
    return kv ? Buffer.from(kv.value, 'base64').toString() : undefined;
  } catch {
    return undefined; // no answer (cut off, or no leader yet)
  }
};

beforeAll(async () => {
  lab = await freshLab('tetcd');
  timings.up = (await lab.up(['etcd'])).ms;
});

afterAll(async () => {
  const d = await lab.down();
  timings.down = d.ms;
  console.log(
    'etcd timings (ms):',
    JSON.stringify(timings),
    'stop:',
    JSON.stringify(d.stopped),
    'down:',
    JSON.stringify(d.phases),
  );
});

describe('etcd', () => {
  it('has three members, one per site, all healthy, started with --pre-vote', async () => {
    const r = await httpRequest(lab.namespaces.wan, {
      method: 'POST',
      url: `${lab.endpoints().etcd.members.witness.clientUrl}/v3/cluster/member/list`,
      body: '{}',
    });
    const names = (JSON.parse(r.body ?? '{}').members as { name: string }[])
      .map((m) => m.name)
      .sort();
    expect(names).toEqual(['a', 'b', 'witness']);
    const cmd = (await lab.status()).components
      .find((c) => c.component === 'etcd')
      ?.servers.map((s) => s.state);
    expect(cmd).toEqual(['running', 'running', 'running']);
  });

  it('writes through one member and reads through another', async () => {
    expect((await put('a', 'k', 'v1')).status).toBe(200);
    expect(await get('b', 'k')).toBe('v1');
  });

  it('partition witness: a and b keep the quorum and accept writes', async () => {
    await lab.partition('witness');
    // If the witness led, a and b first elect a new leader (election timeout 1 s, pre-vote).
    timings.writableWithoutWitness = await within(
      async () => (await put('a', 'k', 'v2', 1000)).status === 200,
      15_000,
      100,
    );
    expect(await get('b', 'k')).toBe('v2');
    await lab.heal('witness');
    timings.witnessCatchUp = await within(
      async () => (await get('witness', 'k')) === 'v2',
      15_000,
      100,
    );
  });

  it('partition a: b and the witness accept writes; a refuses them until healed', async () => {
    await lab.partition('a');
    const t0 = performance.now();
    await within(async () => (await put('b', 'k', 'v3', 1000)).status === 200, 15_000, 100);
    timings.writableWithoutA = performance.now() - t0;
    // a cannot be reached from wan now, and on its own it has no quorum.
    expect((await put('a', 'k', 'lost', 1000)).ok).toBe(false);
    await lab.heal('a');
    timings.aCatchUp = await within(async () => (await get('a', 'k')) === 'v3', 15_000, 100);
  });
});
