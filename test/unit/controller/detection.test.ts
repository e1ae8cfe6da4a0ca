// Outage detection: the plan's thresholds, recovery, and the witness's confirmation.
import { afterEach, describe, expect, it } from 'vitest';
import type { ControllerEvent } from '../../../src/controller/model.js';
import { type Harness, harness, testPlan } from './helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const types = (x: Harness, type: ControllerEvent['type']) =>
  x.c.eventsSince(0).events.filter((e) => e.event.type === type);

describe('outage detection', () => {
  it('declares nothing after N-1 consecutive failures and an outage after N', async () => {
    h = harness(testPlan('notify'));
    await h.rounds(2);
    expect(h.c.service('app-db')?.sites.map((s) => [s.site, s.health])).toEqual([
      ['a', 'up'],
      ['b', 'up'],
    ]);
    h.net.down.add('a');
    await h.rounds(2);
    const before = h.c.service('app-db');
    expect(before?.sites.find((s) => s.site === 'a')).toMatchObject({ health: 'up', failures: 2 });
    expect(before?.outage).toBeUndefined();
    expect(types(h, 'outage')).toHaveLength(0);
    await h.rounds(1);
    const after = h.c.service('app-db');
    expect(after?.sites.find((s) => s.site === 'a')).toMatchObject({ health: 'down', failures: 3 });
    expect(after?.outage).toMatchObject({
      site: 'a',
      confirmedBy: ['controller', 'witness'],
      action: 'notified',
    });
    expect(types(h, 'outage').length).toBeGreaterThanOrEqual(1);
    expect(await h.store.runs.list()).toHaveLength(0);
  });

  it('a failure in between restarts the count', async () => {
    h = harness(testPlan('notify'));
    await h.rounds(2);
    h.net.down.add('a');
    await h.rounds(2);
    h.net.down.delete('a');
    await h.rounds(1);
    h.net.down.add('a');
    await h.rounds(2);
    expect(h.c.service('app-db')?.outage).toBeUndefined();
    await h.rounds(1);
    expect(h.c.service('app-db')?.outage?.site).toBe('a');
  });

  it('recovers only after `successes` consecutive successes', async () => {
    h = harness(testPlan('notify'));
    await h.rounds(2);
    h.net.down.add('a');
    await h.rounds(3);
    expect(h.c.service('app-db')?.outage).toBeDefined();
    h.net.down.delete('a');
    await h.rounds(1);
    expect(h.c.service('app-db')?.outage).toBeDefined();
    expect(types(h, 'recovered')).toHaveLength(0);
    await h.rounds(1);
    const s = h.c.service('app-db');
    expect(s?.outage).toBeUndefined();
    expect(s?.sites.find((x) => x.site === 'a')?.health).toBe('up');
    expect(types(h, 'recovered').map((e) => e.event)).toEqual([
      { type: 'recovered', service: 'app-db', site: 'a' },
    ]);
  });

  it('a cut between the controller and site a is not an outage of a: the witness still reaches it', async () => {
    h = harness(testPlan('propose'));
    await h.rounds(2);
    h.net.cutFromController.add('a');
    await h.rounds(6);
    const s = h.c.service('app-db');
    // The controller's own view of a is down, but nothing is declared and nothing started.
    expect(s?.sites.find((x) => x.site === 'a')?.health).toBe('down');
    expect(s?.outage).toBeUndefined();
    expect(types(h, 'outage')).toHaveLength(0);
    expect(await h.store.runs.list()).toHaveLength(0);
    expect(h.world.effects).toEqual([]);
    // The witness's own probes say a is fine.
    const probes = s?.sites.find((x) => x.site === 'a')?.probes ?? [];
    expect(probes.find((p) => p.name === 'select-1-witness (from witness)')?.ok).toBe(true);
  });

  it('a witness that cannot run its probes confirms nothing', async () => {
    h = harness(testPlan('notify'));
    await h.rounds(2);
    h.net.witnessUnreachable = true;
    h.net.cutFromController.add('a');
    await h.rounds(5);
    expect(h.c.service('app-db')?.outage).toBeUndefined();
  });

  it('site a down for the controller and the witness: the outage is confirmed by both', async () => {
    h = harness(testPlan('notify'));
    await h.rounds(2);
    h.net.cutFromController.add('a');
    await h.rounds(3);
    expect(h.c.service('app-db')?.outage).toBeUndefined();
    h.net.down.add('a');
    // The witness needs its own 3 failures.
    await h.rounds(2);
    expect(h.c.service('app-db')?.outage).toBeUndefined();
    await h.rounds(1);
    expect(h.c.service('app-db')?.outage).toMatchObject({
      site: 'a',
      confirmedBy: ['controller', 'witness'],
    });
  });

  it('without witness probes the controller alone confirms', async () => {
    h = harness(testPlan('notify', false));
    await h.rounds(2);
    h.net.cutFromController.add('a');
    await h.rounds(3);
    expect(h.c.service('app-db')?.outage).toMatchObject({ site: 'a', confirmedBy: ['controller'] });
  });

  it('keeps a bounded probe history per service, newest last', async () => {
    h = harness(testPlan('notify'), { probeHistory: 10 });
    await h.rounds(20);
    const hist = h.c.probeHistory('app-db');
    expect(hist).toHaveLength(10);
    expect(h.c.probeHistory('app-db', 3)).toEqual(hist.slice(-3));
    expect(hist[0]).toMatchObject({ service: 'app-db', from: expect.any(String), ok: true });
  });
});
