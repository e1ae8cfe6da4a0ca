// The engine's StepDrivers port over the DriverFactory: what each step's target and args mean
// in terms of the plan (nodes, data sets, traffic items, probes), turned into concrete drivers.
// Drivers are cached per target so that a run reuses its connections; `close()` releases them.
import { LifeboatError } from '../../core/errors/index.js';
import type { Plan, Probe, Service } from '../../core/plan/index.js';
import { CommandDriver, LocalCommandRunner } from '../../drivers/command/index.js';
import type { Driver, Probing } from '../../drivers/driver.js';
import { HttpProbe } from '../../drivers/probes/index.js';
import type { DataSetFacts, Runnable, StepDrivers, Syncable } from '../../engine/index.js';
import type { DriverEnvironment, DriverFactory } from './driver-factory.js';

export interface ComposedDrivers extends StepDrivers {
  close(): Promise<void>;
}

function config(message: string): LifeboatError {
  return new LifeboatError('LB_E_DRIVER_CONFIG', message);
}

/** A SQL probe without a node is aimed at the data set's node on the site asked for. */
function probeAt(svc: Service, plan: Plan, p: Probe, site: string | undefined): Probe {
  if (p.kind !== 'sql' || p.node !== undefined || site === undefined) return p;
  const ds = svc.data?.find((d) => d.name === p.data);
  const nodes = [ds?.source, ...(ds?.targets ?? [])].filter((n): n is string => n !== undefined);
  const node = nodes.find((n) => plan.nodes?.[n]?.site === site);
  return node ? { ...p, node } : p;
}

export function composeStepDrivers(
  plan: Plan,
  factory: DriverFactory,
  env: DriverEnvironment,
  baseDir: string,
  labNamespace?: (node: string) => string,
): ComposedDrivers {
  const cache = new Map<string, Driver>();
  const cached = <T extends Driver>(key: string, make: () => T): T => {
    let d = cache.get(key);
    if (!d) {
      d = make();
      cache.set(key, d);
    }
    return d as T;
  };
  const service = (name: string) => factory.service(name);
  const probeWith = (svcName: string, name: string, site: string | undefined): Probing => {
    const svc = service(svcName);
    const p = svc.health?.find((h) => h.name === name);
    if (!p) throw config(`service \`${svcName}\` has no probe \`${name}\``);
    const aimed = probeAt(svc, plan, p, site);
    return cached(`probe:${svcName}/${name}@${site ?? ''}`, () => factory.probeOf(svcName, aimed));
  };
  return {
    database: (svc, ds, node) =>
      cached(`db:${svc}/${ds}/${node}`, () => factory.database(svc, ds, node)),
    dataSet(svc, name): DataSetFacts {
      const ds = service(svc).data?.find((d) => d.name === name);
      if (!ds) throw config(`service \`${svc}\` has no data set \`${name}\``);
      return {
        kind: ds.kind,
        synchronous: ds.replication.mode === 'sync',
        nodes: [ds.source, ...(ds.targets ?? [])].filter((n): n is string => n !== undefined),
      };
    },
    replicaSource(svc, name, node) {
      const ds = service(svc).data?.find((d) => d.name === name);
      const address = plan.nodes?.[node]?.address;
      if (!ds || !address) throw config(`no address for node \`${node}\` of \`${svc}/${name}\``);
      return { host: address, port: ds.port ?? (ds.kind === 'mariadb' ? 3306 : 5432) };
    },
    traffic: (svc, index) => cached(`traffic:${svc}#${index}`, () => factory.traffic(svc, index)),
    trafficIndex(svc, name) {
      const i = (service(svc).traffic ?? []).findIndex(
        (t) =>
          (t.kind === 'dns' && t.record === name) ||
          (t.kind === 'haproxy' && t.backend === name) ||
          (t.kind === 'vip' && t.address === name),
      );
      return i < 0 ? undefined : i;
    },
    probe: (svc, name, site) => probeWith(svc, name, site),
    siteProbes(svc, site) {
      const s = service(svc);
      return (s.health ?? [])
        .filter(
          (p) =>
            (p.kind === 'sql' && (p.node === undefined || plan.nodes?.[p.node]?.site === site)) ||
            (p.kind === 'command' && p.node !== undefined && plan.nodes?.[p.node]?.site === site),
        )
        .map((p) => probeWith(svc, p.name, site));
    },
    playbook(svc, args) {
      const s = service(svc);
      const which = s.upgrade && args.playbook === s.upgrade.playbook ? 'upgrade' : 'redeploy';
      const limit = typeof args.limit === 'string' ? args.limit : undefined;
      return factory.playbook(svc, which, baseDir, limit);
    },
    mirror: (svc, ds, from, to): Syncable =>
      cached(`mirror:${svc}/${ds}:${from}>${to}`, () => factory.mirror(svc, ds, from, to)),
    mirrorSyncedThrough: (svc, ds, node, signal) =>
      factory.mirrorSyncedThrough(svc, ds, node, signal),
    command(node, args) {
      const argv = args.argv;
      if (!Array.isArray(argv) || argv.length === 0 || !argv.every((a) => typeof a === 'string'))
        throw config(`command.run on \`${node}\` needs \`argv\`, a non-empty list of strings`);
      const runner = labNamespace
        ? new LocalCommandRunner({ namespace: labNamespace(node) })
        : (env.runnerFor(node) as never);
      const driver = new CommandDriver({ target: node, runner });
      return {
        kind: 'command',
        target: node,
        observe: (ctx) => driver.observe(ctx),
        run: (ctx) => driver.run(ctx, { argv: argv as string[] }),
      } satisfies Runnable;
    },
    http(args) {
      const url = args.url;
      if (typeof url !== 'string') throw config('http.get needs `url`');
      return new HttpProbe({
        name: url,
        url,
        expectStatus: typeof args.expectStatus === 'number' ? args.expectStatus : 200,
        timeoutMs: 5000,
      });
    },
    siteOf(x) {
      if (plan.sites?.[x]) return x;
      return plan.nodes?.[x]?.site;
    },
    async close() {
      for (const d of cache.values()) await d.close?.().catch(() => undefined);
      cache.clear();
    },
  };
}
