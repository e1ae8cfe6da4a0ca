// Which services a run acts on, and in which order. A run names one service or a group: `all`,
// a tier, a site (the services running there), or a comma list of any of these. Services are
// handled dependencies first, in the waves of the recovery order: a wave's services depend only
// on earlier waves, so the engine may run a wave's chains side by side.
import { recoveryWaves } from '../analysis/dependencies.js';
import { type Diagnostic, diagnostic, type Plan } from '../plan/index.js';
import { siteOf } from './scope.js';

export interface Selection {
  services: string[];
  /** One service named directly: a runbook that does not fit it is an error, not a skip. */
  single: boolean;
  /** The group was a site: a failover or switchover of it leaves that site. */
  site?: string;
}

/** Resolves `selector` (`all`, a service, a tier, a site, or a comma list of them). */
export function selectServices(
  plan: Plan,
  selector: string | readonly string[],
  out: Diagnostic[],
): Selection | undefined {
  const services = plan.services ?? {};
  const names = Object.keys(services);
  const items = (typeof selector === 'string' ? selector.split(',') : [...selector])
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) {
    out.push(diagnostic('LB_E_RUNBOOK_NO_TARGET', 'no service or group given'));
    return undefined;
  }
  const chosen = new Set<string>();
  let site: string | undefined;
  for (const item of items) {
    if (item === 'all') {
      for (const n of names) chosen.add(n);
    } else if (Object.hasOwn(services, item)) {
      chosen.add(item);
    } else if (Object.hasOwn(plan.tiers ?? {}, item)) {
      for (const n of names) if (services[n]?.tier === item) chosen.add(n);
    } else if (Object.hasOwn(plan.sites ?? {}, item)) {
      site = items.length === 1 ? item : undefined;
      for (const n of names)
        if (services[n]?.placement.active.some((a) => siteOf(plan, a) === item)) chosen.add(n);
    } else {
      out.push(
        diagnostic(
          'LB_E_RUNBOOK_UNKNOWN_SERVICE',
          `\`${item}\` is no service, tier or site of the plan, nor \`all\``,
        ),
      );
    }
  }
  if (out.some((d) => d.severity === 'error')) return undefined;
  const single = items.length === 1 && Object.hasOwn(services, items[0] as string);
  return { services: names.filter((n) => chosen.has(n)), single, ...(site ? { site } : {}) };
}

/** Hard dependencies: on services of the plan, not external, without a fallback. */
export function hardDependencies(plan: Plan): Map<string, { to: string; at: number }[]> {
  const services = plan.services ?? {};
  const deps = new Map<string, { to: string; at: number }[]>();
  for (const [name, svc] of Object.entries(services)) {
    const edges: { to: string; at: number }[] = [];
    (svc.dependsOn ?? []).forEach((dep, at) => {
      if (typeof dep === 'string') {
        if (Object.hasOwn(services, dep)) edges.push({ to: dep, at });
      } else if (
        !dep.external &&
        dep.fallback === undefined &&
        Object.hasOwn(services, dep.service)
      )
        edges.push({ to: dep.service, at });
    });
    deps.set(name, edges);
  }
  return deps;
}

export interface Order {
  waves: string[][];
  /** For each selected service, the selected services it waits for (through unselected ones). */
  waitsFor: Map<string, string[]>;
}

/** The selected services in waves; those caught in a dependency cycle are an error. */
export function orderServices(plan: Plan, selected: readonly string[], out: Diagnostic[]): Order {
  const deps = hardDependencies(plan);
  const chosen = new Set(selected);
  const waves = recoveryWaves(Object.keys(plan.services ?? {}), deps)
    .map((w) => w.filter((n) => chosen.has(n)))
    .filter((w) => w.length > 0);
  const placed = new Set(waves.flat());
  for (const n of selected)
    if (!placed.has(n))
      out.push(
        diagnostic(
          'LB_E_RUNBOOK_DEPENDENCY_CYCLE',
          `\`${n}\` depends, directly or not, on a cycle of services: no order can bring it back`,
          { path: ['services', n, 'dependsOn'] },
        ),
      );
  const waitsFor = new Map<string, string[]>();
  for (const n of placed) {
    const found = new Set<string>();
    const seen = new Set<string>([n]);
    const queue = (deps.get(n) ?? []).map((e) => e.to);
    while (queue.length > 0) {
      const d = queue.shift() as string;
      if (seen.has(d)) continue;
      seen.add(d);
      // A selected dependency is waited for; an unselected one is looked through.
      if (chosen.has(d)) found.add(d);
      else queue.push(...(deps.get(d) ?? []).map((e) => e.to));
    }
    waitsFor.set(n, [...found].sort());
  }
  return { waves, waitsFor };
}
