// Shared set-up of the controller's unit tests: the lab plan's app-db with probes the tests
// control (a SQL probe from the controller and the same from the witness, per site), the fake
// world of the engine's tests, a fresh SQLite store, and a controller on a manual clock.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../src/controller/clock.js';
import { Controller, type ControllerOptions } from '../../../src/controller/controller.js';
import type { LoadedPlan, Plan, Probe } from '../../../src/core/plan/index.js';
import type { StepDrivers } from '../../../src/engine/index.js';
import { openSqliteStore, type SqliteStateStore } from '../../../src/store/index.js';
import type { FakeWorld } from '../../support/fake-drivers.js';
import { appDbWorld, fakeStepDrivers } from '../../support/fake-step-drivers.js';
import { labPlan } from '../engine/helpers.js';

/** Who reaches which site: a site down, or only cut off from the controller. */
export class FakeNet {
  readonly down = new Set<string>();
  /** Sites the controller cannot reach (the witness still can). */
  readonly cutFromController = new Set<string>();
  witnessUnreachable = false;
  /** Probe executions, for concurrency checks. */
  running = 0;
  maxRunning = 0;
  calls = 0;
}

export function sqlProbe(name: string, extra: Partial<Probe> = {}): Probe {
  return {
    kind: 'sql',
    name,
    data: 'pg',
    query: 'SELECT 1',
    expect: '1',
    interval: 1000,
    timeout: 500,
    failures: 3,
    successes: 2,
    ...extra,
  } as Probe;
}

export function testPlan(onOutage: 'notify' | 'propose' | 'failover', witness = true): Plan {
  const plan = structuredClone(labPlan);
  const svc = plan.services?.['app-db'];
  if (!svc) throw new Error('no app-db');
  svc.onOutage = onOutage;
  svc.health = [
    sqlProbe('select-1'),
    ...(witness ? [sqlProbe('select-1-witness', { from: 'witness' })] : []),
  ];
  // Only app-db: the other services' probes would hit the same fake net.
  plan.services = { 'app-db': svc };
  plan.drills = {};
  return plan;
}

export function loaded(plan: Plan): LoadedPlan {
  return {
    plan,
    diagnostics: [],
    files: [],
    locate: () => ({ file: 'plan.yaml', line: 1, col: 1 }),
  };
}

export interface Harness {
  c: Controller;
  clock: ManualClock;
  net: FakeNet;
  world: FakeWorld;
  store: SqliteStateStore;
  drivers: StepDrivers;
  /** How many drivers (one per plan applied) were closed. */
  driversClosed: number;
  /** Runs every probe once, `n` times. */
  rounds(n: number): Promise<void>;
  close(): Promise<void>;
}

export function harness(
  plan: Plan,
  opts: Partial<Omit<ControllerOptions, 'drivers'>> & {
    synchronous?: boolean;
    probeDelay?: () => Promise<void>;
    wrapDrivers?: (base: StepDrivers) => StepDrivers;
  } = {},
): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-controller-'));
  const store = openSqliteStore(join(dir, 'state.db'));
  const { world, site } = appDbWorld();
  const net = new FakeNet();
  const base = fakeStepDrivers(world, site, { synchronous: opts.synchronous ?? true });
  let drivers: StepDrivers = {
    ...base,
    probe: (svc, name, s) => {
      const fromWitness = name.endsWith('-witness');
      return {
        kind: 'fake-probe',
        target: `${svc}/${name}@${s ?? 'any'}`,
        observe: async () => ({ healthy: true, summary: '', facts: {} }),
        probe: async () => {
          net.calls++;
          net.running++;
          net.maxRunning = Math.max(net.maxRunning, net.running);
          try {
            await opts.probeDelay?.();
            if (fromWitness && net.witnessUnreachable) throw new Error('witness unreachable');
            const ok =
              s !== undefined && !net.down.has(s) && (fromWitness || !net.cutFromController.has(s));
            return { ok, latencyMs: 1, detail: ok ? 'SELECT 1 → 1' : 'connection refused' };
          } finally {
            net.running--;
          }
        },
      };
    },
  };
  if (opts.wrapDrivers) drivers = opts.wrapDrivers(drivers);
  const clock = new ManualClock();
  const { synchronous: _s, probeDelay: _p, wrapDrivers: _d, ...controllerOpts } = opts;
  const c = new Controller({
    file: 'plan.yaml',
    load: () => loaded(plan),
    drivers: () => ({
      ...drivers,
      close: async () => {
        h.driversClosed++;
      },
    }),
    store,
    clock,
    engine: { pollMs: 20, retryBackoffMs: 10, siteGateMs: 200, leaseTtlMs: 2000 },
    ...controllerOpts,
  });
  const h: Harness = {
    driversClosed: 0,
    c,
    clock,
    net,
    world,
    store,
    drivers,
    async rounds(n) {
      for (let i = 0; i < n; i++) await c.probeNow();
    },
    async close() {
      await c.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}

/** Waits (real time, bounded) until `cond` holds. */
export async function until(cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * A plan file's text: one service `web` at site a (127.0.0.1) with a standby at b, probed by TCP
 * on `port` every 100 ms, down after 2 failures, its outages only told (`onOutage: notify`).
 */
export const tcpServicePlan = (port: number, name = 't') => `version: 1
name: ${name}
tiers:
  high: { rto: 5m, rpo: 5s }
sites:
  a: { role: primary, provider: here }
  b: { role: offsite, provider: there }
nodes:
  a1: { site: a, address: 127.0.0.1 }
  b1: { site: b, address: 127.0.0.2 }
services:
  web:
    tier: high
    strategy: active-passive
    onOutage: notify
    placement: { active: [a1], standby: [b1] }
    health:
      - { kind: tcp, name: port, host: 127.0.0.1, port: ${port}, interval: 100ms, timeout: 500ms, failures: 2 }
`;
