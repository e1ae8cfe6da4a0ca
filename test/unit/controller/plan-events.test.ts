// Plan reload (an invalid plan never replaces the running one), and the sequenced event stream.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPlanFile } from '../../../src/cli/plan-files.js';
import { settle } from '../../../src/controller/clock.js';
import { EventLog } from '../../../src/controller/event-log.js';
import type { SequencedEvent } from '../../../src/controller/model.js';
import { LAB_PLAN } from '../engine/helpers.js';
import { type Harness, harness, testPlan } from './helpers.js';

let h: Harness | undefined;
let dir: string | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('plan reload', () => {
  it('keeps the running plan when the new one is invalid, reports it, and applies a valid one', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lifeboat-reload-'));
    const file = join(dir, 'plan.yaml');
    copyFileSync(LAB_PLAN, file);
    h = harness(testPlan('notify'), { load: () => loadPlanFile(file), file });
    const first = h.c.planStatus();
    expect(first).toMatchObject({ file, reloads: 0, failedReloads: 0 });
    expect(Object.keys(h.c.plan().services ?? {})).toContain('dlrn-db');

    writeFileSync(file, readFileSync(LAB_PLAN, 'utf8').replace('rto: 5m', 'rto: soon'));
    const failed = h.c.reload();
    expect(failed.failedReloads).toBe(1);
    expect(failed.reloads).toBe(0);
    expect(failed.hash).toBe(first.hash);
    expect(failed.lastError?.message).toMatch(/invalid/);
    expect(failed.lastError?.diagnostics.join('\n')).toMatch(/plan\.yaml:\d+:\d+ /);
    expect(h.c.plan().tiers?.high?.rto).toBe(300_000);
    expect(h.c.service('dlrn-db')).toBeDefined();
    const planEvents = h.c.eventsSince(0).events.filter((e) => e.event.type === 'plan');
    expect(planEvents).toHaveLength(1);

    // Unreadable counts as failed too.
    rmSync(file);
    expect(h.c.reload()).toMatchObject({ failedReloads: 2, reloads: 0 });

    writeFileSync(
      file,
      readFileSync(LAB_PLAN, 'utf8').replace('name: lab\n', 'name: lab-changed\n'),
    );
    const ok = h.c.reload();
    expect(ok).toMatchObject({ reloads: 1, failedReloads: 2 });
    expect(ok.lastError).toBeUndefined();
    expect(ok.hash).not.toBe(first.hash);
    expect(h.c.plan().name).toBe('lab-changed');
    // The same plan again changes nothing.
    expect(h.c.reload()).toMatchObject({ reloads: 1, hash: ok.hash });
  });

  it('keeps the probe history of a service across a reload', async () => {
    const plan = testPlan('notify');
    let current = plan;
    h = harness(plan, {
      load: () => ({
        plan: current,
        diagnostics: [],
        files: [],
        locate: () => ({ file: '', line: 1, col: 1 }),
      }),
    });
    await h.rounds(3);
    const n = h.c.probeHistory('app-db').length;
    current = structuredClone(plan);
    current.description = 'changed';
    expect(h.c.reload().reloads).toBe(1);
    // The drivers of the replaced plan are closed (no run uses them).
    await settle();
    expect(h.driversClosed).toBe(1);
    expect(h.c.probeHistory('app-db')).toHaveLength(n);
    await h.rounds(1);
    expect(h.c.probeHistory('app-db').length).toBeGreaterThan(n);
  });
});

describe('events', () => {
  const ev = (i: number) => ({ type: 'recovered' as const, service: `s${i}`, site: 'a' });

  it('numbers events 1, 2, 3... and reports a gap once the asked id fell out of the buffer', () => {
    const log = new EventLog(5, () => 0);
    const seen: SequencedEvent[] = [];
    const off = log.subscribe((e) => seen.push(e));
    for (let i = 1; i <= 12; i++) log.emit(ev(i));
    off();
    log.emit(ev(13));
    expect(seen.map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(log.since(0)).toMatchObject({ gap: true });
    expect(log.since(0).events.map((e) => e.id)).toEqual([9, 10, 11, 12, 13]);
    expect(log.since(7).gap).toBe(true);
    expect(log.since(8)).toMatchObject({ gap: false });
    expect(log.since(8).events.map((e) => e.id)).toEqual([9, 10, 11, 12, 13]);
    expect(log.since(11).events.map((e) => e.id)).toEqual([12, 13]);
    expect(log.since(13)).toEqual({ events: [], gap: false });
    // An id this log never issued (another lifetime of the controller): start again.
    expect(log.since(99).gap).toBe(true);
  });

  it('a throwing listener does not stop the others', () => {
    const errors: unknown[] = [];
    const log = new EventLog(
      5,
      () => 0,
      (e) => errors.push(e),
    );
    const got: number[] = [];
    log.subscribe(() => {
      throw new Error('boom');
    });
    log.subscribe((e) => got.push(e.id));
    log.emit(ev(1));
    expect(got).toEqual([1]);
    expect(errors).toHaveLength(1);
  });

  it("the controller's stream has no gaps and tells probes that change, outages and services", async () => {
    h = harness(testPlan('notify'), { eventBuffer: 1000 });
    const seen: number[] = [];
    h.c.subscribe((e) => seen.push(e.id));
    await h.rounds(2);
    h.net.down.add('a');
    await h.rounds(3);
    const { events, gap } = h.c.eventsSince(0);
    expect(gap).toBe(false);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(seen).toEqual(events.map((e) => e.id));
    const types = new Set(events.map((e) => e.event.type));
    expect([...types].sort()).toEqual(['outage', 'probe', 'service']);
    // Probes appear when their result changes, not on every sample: 4 slots, up then a down.
    expect(events.filter((e) => e.event.type === 'probe')).toHaveLength(6);
  });
});
