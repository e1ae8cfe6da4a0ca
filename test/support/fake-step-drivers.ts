// StepDrivers over the fake world (test/support/fake-drivers.ts): what the engine's unit tests
// run on. Databases are keyed by node, traffic items by `<service>#<index>`, probes answer from
// `probeOk` per site. The world can be saved to a file after every effect, so that a test can
// kill -9 a process running the engine and resume in another one with the same world.
import { readFileSync, writeFileSync } from 'node:fs';
import { LifeboatError } from '../../src/core/errors/index.js';
import type {
  EffectResult,
  OperationContext,
  ProbeResult,
  Probing,
} from '../../src/drivers/driver.js';
import type { DataSetFacts, Runnable, StepDrivers, Syncable } from '../../src/engine/index.js';
import { FakeDatabase, FakeSwitch, FakeWorld } from './fake-drivers.js';

export class FakeSite {
  /** Probes aimed at a site answer from here (default: pass). */
  readonly probeOk = new Map<string, boolean>();
  /** Commands run by `command.run`, by target. */
  readonly commands: string[] = [];
  /** Per node: when its mirror copy was last complete (the marker's T0); absent: no marker. */
  readonly mirrorSyncedThrough = new Map<string, number>();
}

export interface WorldSnapshot {
  databases: [string, unknown][];
  switches: [
    string,
    { current: string | undefined; destinations: string[]; readOnly: boolean; up: boolean },
  ][];
  effects: string[];
  commands: string[];
}

export function saveWorld(world: FakeWorld, site: FakeSite, file: string): void {
  const snap: WorldSnapshot = {
    databases: [...world.databases],
    switches: [...world.switches].map(([k, v]) => [k, { ...v, destinations: [...v.destinations] }]),
    effects: world.effects,
    commands: site.commands,
  };
  writeFileSync(file, JSON.stringify(snap));
}

export function loadWorld(file: string): { world: FakeWorld; site: FakeSite } {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as WorldSnapshot;
  const world = new FakeWorld();
  for (const [k, v] of snap.databases) world.databases.set(k, v as never);
  for (const [k, v] of snap.switches)
    world.switches.set(k, { ...v, destinations: new Set(v.destinations) });
  world.effects.push(...snap.effects);
  const site = new FakeSite();
  site.commands.push(...snap.commands);
  return { world, site };
}

/** The lab plan's app-db world: primary a, synchronous replica b, traffic on a. */
export function appDbWorld(): { world: FakeWorld; site: FakeSite } {
  const world = new FakeWorld();
  world.databases.set('a', { role: 'primary', fenced: false, up: true, lagBytes: 0 });
  world.databases.set('b', {
    role: 'replica',
    fenced: false,
    up: true,
    lagBytes: 0,
    source: 'a:5432',
  });
  for (const t of ['app-db#0', 'app-db#1'])
    world.switches.set(t, {
      current: 'a',
      destinations: new Set(['a', 'b']),
      readOnly: false,
      up: true,
    });
  return { world, site: new FakeSite() };
}

class FakeProbe implements Probing {
  readonly kind = 'fake-probe';
  constructor(
    readonly target: string,
    private readonly answer: () => boolean,
  ) {}
  async observe() {
    return { healthy: this.answer(), summary: this.target, facts: {} };
  }
  async probe(): Promise<ProbeResult> {
    const ok = this.answer();
    return { ok, latencyMs: 1, detail: ok ? 'ok' : 'failing' };
  }
}

class Recorder implements Runnable, Syncable {
  readonly kind = 'fake-run';
  constructor(
    readonly target: string,
    private readonly log: string[],
    private readonly after?: () => void,
  ) {}
  async observe() {
    return { healthy: true, summary: this.target, facts: {} };
  }
  async run(_ctx: OperationContext): Promise<EffectResult> {
    if (this.target.includes(' fail'))
      throw new LifeboatError('LB_E_DRIVER_COMMAND_FAILED', `${this.target}: exit 1`);
    this.log.push(this.target);
    this.after?.();
    return { changed: true, detail: `ran ${this.target}` };
  }
  async sync(ctx: OperationContext): Promise<EffectResult> {
    return this.run(ctx);
  }
}

export function fakeStepDrivers(
  world: FakeWorld,
  site: FakeSite,
  opts: { synchronous?: boolean; afterEffect?: () => void } = {},
): StepDrivers {
  // Every effect is saved at once when asked: a kill -9 right after loses nothing the fake did.
  const push = world.effects.push.bind(world.effects);
  Object.defineProperty(world.effects, 'push', {
    enumerable: false,
    value: (...items: string[]) => {
      const n = push(...items);
      opts.afterEffect?.();
      return n;
    },
  });
  const siteOk = (s: string | undefined) => site.probeOk.get(s ?? 'any') ?? true;
  return {
    database: (_svc, _ds, node) => new FakeDatabase(world, node),
    dataSet: (): DataSetFacts => ({
      kind: 'postgres',
      synchronous: opts.synchronous ?? true,
      nodes: ['a', 'b'],
    }),
    replicaSource: (_svc, _ds, node) => ({ host: node, port: 5432 }),
    traffic: (svc, index) => new FakeSwitch(world, `${svc}#${index}`),
    trafficIndex: () => undefined,
    probe: (svc, name, s) => new FakeProbe(`${svc}/${name}@${s ?? 'any'}`, () => siteOk(s)),
    siteProbes: (svc, s) => [new FakeProbe(`${svc}/site@${s}`, () => siteOk(s))],
    playbook: (svc) => new Recorder(`playbook ${svc}`, site.commands, opts.afterEffect),
    mirror: (svc, ds, from, to) =>
      new Recorder(`mirror ${svc}/${ds} ${from}→${to}`, site.commands, opts.afterEffect),
    mirrorSyncedThrough: async (_svc, _ds, node) => site.mirrorSyncedThrough.get(node),
    command: (node, args) =>
      new Recorder(
        `${node}: ${(args.argv as string[]).join(' ')}`,
        site.commands,
        opts.afterEffect,
      ),
    http: () => new FakeProbe('http', () => true),
    siteOf: (x) => (['a', 'b'].includes(x) ? x : undefined),
  };
}
