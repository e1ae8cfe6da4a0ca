// Given a two-site lab with an HTTP service at each site, when a site is cut off (both ways or
// one way), then wan and the other sites cannot reach it, and healing restores every path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADDRESSES, type Lab, PORTS, siteCutOff } from '../../src/lab/index.js';
import { httpRequest } from '../../src/lab/probes.js';
import { freshLab, namespaces, reaches, udpDelivered, within } from './helpers.js';

let lab: Lab;
const timings: Record<string, number> = {};

beforeAll(async () => {
  lab = await freshLab('tnet');
  const r = await lab.up(['http']);
  timings.up = r.ms;
});

afterAll(async () => {
  const d = await lab.down();
  timings.down = d.ms;
  console.log('network timings (ms):', JSON.stringify(timings), 'down:', JSON.stringify(d.phases));
});

describe('the lab network', () => {
  it('makes four namespaces named after the lab, joined by the wan bridge', async () => {
    expect(namespaces()).toEqual(
      expect.arrayContaining(['tnet-wan', 'tnet-a', 'tnet-b', 'tnet-witness']),
    );
    expect(await reaches(lab, 'wan', ADDRESSES.a, PORTS.http)).toBe(true);
    expect(await reaches(lab, 'wan', ADDRESSES.b, PORTS.http)).toBe(true);
    expect(await reaches(lab, 'a', ADDRESSES.b, PORTS.http)).toBe(true);
    expect(await reaches(lab, 'witness', ADDRESSES.a, PORTS.http)).toBe(true);
    // The subnet exists only inside the lab: not in the host's namespace.
    const host = await import('node:child_process').then((cp) =>
      cp.execFileSync('ip', ['-o', 'addr'], { encoding: 'utf8' }),
    );
    expect(host).not.toContain('10.77.0.');
  });

  it('up twice starts nothing new and says what is already up', async () => {
    const r = await lab.up(['http']);
    expect(r.network.created).toBe(false);
    expect(r.components).toEqual([
      expect.objectContaining({ component: 'http', started: [], alreadyUp: ['http-a', 'http-b'] }),
    ]);
  });

  it('partition a: wan and b cannot reach a, b is still reachable; heal restores', async () => {
    timings.partition = (await lab.partition('a')).ms;
    expect(await lab.partitions()).toEqual(['a']);
    expect((await lab.status()).partitions).toEqual(['a']);
    expect(await reaches(lab, 'wan', ADDRESSES.a, PORTS.http)).toBe(false);
    expect(await reaches(lab, 'b', ADDRESSES.a, PORTS.http)).toBe(false);
    expect(await reaches(lab, 'a', ADDRESSES.b, PORTS.http)).toBe(false);
    expect(await reaches(lab, 'wan', ADDRESSES.b, PORTS.http)).toBe(true);
    expect(await reaches(lab, 'witness', ADDRESSES.b, PORTS.http)).toBe(true);
    // What LIFEBOAT_LAB_NO_OOB reads: a cut of every link, not of replication only.
    expect(await siteCutOff(lab.namespaces.wan, 'a')).toBe(true);
    expect(await siteCutOff(lab.namespaces.wan, 'b')).toBe(false);
    timings.heal = (await lab.heal('a')).ms;
    expect(await lab.partitions()).toEqual([]);
    timings.healToReachable = await within(
      () => reaches(lab, 'wan', ADDRESSES.a, PORTS.http),
      5000,
    );
    expect(await reaches(lab, 'b', ADDRESSES.a, PORTS.http)).toBe(true);
    expect(await siteCutOff(lab.namespaces.wan, 'a')).toBe(false);
    // A cut of replication only leaves the site's management reachable.
    await lab.partition('a', { link: 'replication' });
    expect(await siteCutOff(lab.namespaces.wan, 'a')).toBe(false);
    await lab.heal('a');
  });

  it('a partition is a silent blackhole: the carrier stays up, packets vanish', async () => {
    await lab.partition('b');
    const t0 = performance.now();
    const r = await httpRequest(lab.namespaces.wan, {
      url: `http://${ADDRESSES.b}:${PORTS.http}/`,
      timeoutMs: 800,
    });
    expect(r.ok).toBe(false);
    expect(r.error).toBe('timeout'); // not ECONNREFUSED, not EHOSTUNREACH at once
    expect(performance.now() - t0).toBeGreaterThan(700);
    const link = await lab.exec('b', ['ip', '-o', 'link', 'show', 'eth0']);
    expect(link.stdout).toContain('state UP');
    await lab.heal('b');
  });

  it('--one-way out: datagrams from the site are dropped, datagrams to it arrive', async () => {
    await lab.partition('a', { oneWay: 'out' });
    expect(await udpDelivered(lab, 'a', 'b', ADDRESSES.b)).toBe(false);
    expect(await udpDelivered(lab, 'b', 'a', ADDRESSES.a)).toBe(true);
    await lab.heal('a');
  });

  it('--one-way in: datagrams to the site are dropped, datagrams from it arrive', async () => {
    await lab.partition('a', { oneWay: 'in' });
    expect(await udpDelivered(lab, 'b', 'a', ADDRESSES.a)).toBe(false);
    expect(await udpDelivered(lab, 'a', 'b', ADDRESSES.b)).toBe(true);
    await lab.heal('a');
    expect(await udpDelivered(lab, 'b', 'a', ADDRESSES.a)).toBe(true);
  });

  it('pause freezes a server with its socket open; resume thaws it', async () => {
    const url = `http://${ADDRESSES.b}:${PORTS.http}/health`;
    await lab.pause('http-b');
    expect(serverState(await lab.status(), 'http-b')).toBe('paused');
    expect((await httpRequest(lab.namespaces.wan, { url, timeoutMs: 500 })).error).toBe('timeout');
    await lab.resume('http-b');
    expect(serverState(await lab.status(), 'http-b')).toBe('running');
    expect((await httpRequest(lab.namespaces.wan, { url })).status).toBe(200);
  });

  it('kill ends the server: its process is gone and status says down', async () => {
    const pid = (await lab.status()).components.find((c) => c.component === 'http')?.servers[0]
      ?.pid;
    expect(pid).toBeGreaterThan(0);
    await lab.kill('http-a');
    expect(serverState(await lab.status(), 'http-a')).toBe('down');
    expect(() => process.kill(pid as number, 0)).toThrow();
    expect(await reaches(lab, 'wan', ADDRESSES.a, PORTS.http)).toBe(false);
    await expect(lab.kill('http-a')).rejects.toMatchObject({ code: 'LB_E_LAB_NOT_UP' });
    // up starts only what is missing.
    const r = await lab.up(['http']);
    expect(r.components[0]).toMatchObject({ started: ['http-a'], alreadyUp: ['http-b'] });
  });
});

function serverState(status: Awaited<ReturnType<Lab['status']>>, name: string) {
  return status.components.flatMap((c) => c.servers).find((s) => s.name === name)?.state;
}
