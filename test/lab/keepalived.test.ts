// Given keepalived at sites a and b sharing a VIP by VRRP across the wan bridge, with the HTTP
// service listening at both: the VIP is at a; kill keepalived-a and it moves to b, and clients
// in wan reach site b at the same address.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Lab, PORTS, VIP, vipHolders } from '../../src/lab/index.js';
import { httpRequest } from '../../src/lab/probes.js';
import { freshLab, within } from './helpers.js';

let lab: Lab;
const timings: Record<string, number> = {};

const siteBehindVip = async () => {
  const r = await httpRequest(lab.namespaces.wan, {
    url: `http://${VIP}:${PORTS.http}/`,
    timeoutMs: 500,
  });
  return r.status === 200 ? (JSON.parse(r.body ?? '{}').site as string) : undefined;
};

beforeAll(async () => {
  lab = await freshLab('tka');
  timings.up = (await lab.up(['http', 'keepalived'])).ms;
});

afterAll(async () => {
  const d = await lab.down();
  timings.down = d.ms;
  console.log(
    'keepalived timings (ms):',
    JSON.stringify(timings),
    'stop:',
    JSON.stringify(d.stopped),
    'down:',
    JSON.stringify(d.phases),
  );
});

describe('keepalived', () => {
  it('puts the VIP on site a, which has the higher priority', async () => {
    expect(await vipHolders(lab.namespaces)).toEqual(['a']);
    await within(async () => (await siteBehindVip()) === 'a', 5000);
  });

  it('kill keepalived-a: the VIP moves to b over VRRP, and wan reaches b at the VIP', async () => {
    const t0 = performance.now();
    await lab.kill('keepalived-a');
    timings.vipOnB = await within(
      async () => (await vipHolders(lab.namespaces)).includes('b'),
      15_000,
      50,
    );
    // A SIGKILLed keepalived cannot remove its VIP: a keeps it too (a duplicate address) and
    // only b's gratuitous ARP moves the clients (LAB-NOTES).
    expect(await vipHolders(lab.namespaces)).toEqual(['a', 'b']);
    await within(async () => (await siteBehindVip()) === 'b', 10_000, 50);
    timings.clientsOnB = performance.now() - t0;
  });

  it('up brings keepalived-a back; with the higher priority it takes the VIP again', async () => {
    await lab.exec('a', ['ip', 'addr', 'del', `${VIP}/24`, 'dev', 'eth0']); // what a reboot would clear
    const r = await lab.up(['keepalived']);
    expect(r.components[0]).toMatchObject({
      started: ['keepalived-a'],
      alreadyUp: ['keepalived-b'],
    });
    await within(async () => (await vipHolders(lab.namespaces)).join() === 'a', 15_000, 50);
  });
});
