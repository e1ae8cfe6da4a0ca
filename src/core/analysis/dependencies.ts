// The dependency graph between services: cycles (no recovery order exists), dependencies on a
// lower tier, external dependencies with no fallback, and the recovery order as waves.
// A dependency with a `fallback` is soft: the service can come back without it, so it neither
// closes a cycle nor holds the service back in the recovery order.
import { type Diagnostic, diagnostic } from '../plan/index.js';
import type { PlanIndex } from './plan-index.js';

interface Edge {
  to: string;
  /** Index in the service's `dependsOn`. */
  at: number;
}

export interface DependencyAnalysis {
  recoveryOrder: string[][];
  findings: Diagnostic[];
}

export function analyzeDependencies(index: PlanIndex): DependencyAnalysis {
  const findings: Diagnostic[] = [];
  const hard = new Map<string, Edge[]>();
  const services = index.plan.services ?? {};
  for (const [name, svc] of index.services) {
    const edges: Edge[] = [];
    (svc.dependsOn ?? []).forEach((dep, at) => {
      const d = typeof dep === 'string' ? { service: dep, external: false } : dep;
      const path = ['services', name, 'dependsOn', at];
      const fallback = typeof dep === 'string' ? undefined : dep.fallback;
      if (d.external) {
        if (fallback === undefined)
          findings.push(
            diagnostic(
              'LB_E_CHECK_DEP_EXTERNAL_NO_FALLBACK',
              `\`${name}\` depends on external \`${d.service}\` with no fallback: its outage is ours`,
              { path },
            ),
          );
        return;
      }
      const target = services[d.service];
      if (!target || fallback !== undefined) return;
      edges.push({ to: d.service, at });
      if ((index.tierRank.get(target.tier) ?? 0) > (index.tierRank.get(svc.tier) ?? 0))
        findings.push(
          diagnostic(
            'LB_E_CHECK_DEP_LOWER_TIER',
            `\`${name}\` (tier ${svc.tier}) depends on \`${d.service}\` (tier ${target.tier}, longer RTO): it cannot recover sooner than \`${d.service}\``,
            { path },
          ),
        );
    });
    hard.set(name, edges);
  }
  for (const cycle of findCycles(
    index.services.map(([n]) => n),
    hard,
  )) {
    const from = cycle[0] as string;
    const edge = hard.get(from)?.find((e) => e.to === cycle[1]) as Edge;
    findings.push(
      diagnostic(
        'LB_E_CHECK_DEP_CYCLE',
        `services depend on each other in a cycle: ${cycle.map((c) => `\`${c}\``).join(' → ')}`,
        { path: ['services', from, 'dependsOn', edge.at] },
      ),
    );
  }
  return {
    recoveryOrder: recoveryWaves(
      index.services.map(([n]) => n),
      hard,
    ),
    findings,
  };
}

/**
 * Waves of services whose hard dependencies are all in earlier waves (Kahn's algorithm, level by
 * level). Services in a cycle, and those that need them, never become ready and are left out.
 */
export function recoveryWaves(names: readonly string[], deps: Map<string, Edge[]>): string[][] {
  const waiting = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const n of names) {
    const targets = new Set((deps.get(n) ?? []).map((e) => e.to));
    waiting.set(n, targets.size);
    for (const t of targets) {
      const list = dependents.get(t);
      if (list) list.push(n);
      else dependents.set(t, [n]);
    }
  }
  const waves: string[][] = [];
  let wave = names.filter((n) => waiting.get(n) === 0);
  while (wave.length > 0) {
    wave.sort();
    waves.push(wave);
    const next: string[] = [];
    for (const done of wave) {
      for (const d of dependents.get(done) ?? []) {
        const left = (waiting.get(d) as number) - 1;
        waiting.set(d, left);
        if (left === 0) next.push(d);
      }
    }
    wave = next;
  }
  return waves;
}

/**
 * One cycle per strongly connected component with more than one service (or a self-loop), found
 * with Tarjan's algorithm, written iteratively: 10,000 services would overflow a recursive one.
 * Each cycle is spelled out from its first service in plan order back to itself.
 */
export function findCycles(names: readonly string[], deps: Map<string, Edge[]>): string[][] {
  const order = new Map(names.map((n, i) => [n, i]));
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let counter = 0;
  for (const root of names) {
    if (idx.has(root)) continue;
    const work: [string, number][] = [[root, 0]];
    idx.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const top = work[work.length - 1] as [string, number];
      const [v, i] = top;
      const edges = deps.get(v) ?? [];
      if (i < edges.length) {
        top[1] = i + 1;
        const w = (edges[i] as Edge).to;
        if (!idx.has(w)) {
          idx.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push([w, 0]);
        } else if (onStack.has(w)) {
          low.set(v, Math.min(low.get(v) as number, idx.get(w) as number));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent[0], Math.min(low.get(parent[0]) as number, low.get(v) as number));
      if (low.get(v) !== idx.get(v)) continue;
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      const selfLoop = (deps.get(v) ?? []).some((e) => e.to === v);
      if (component.length > 1 || selfLoop) cycles.push(spellCycle(component, deps, order));
    }
  }
  return cycles.sort((a, b) => (order.get(a[0] as string) ?? 0) - (order.get(b[0] as string) ?? 0));
}

/** A shortest path from the component's first service back to itself, inside the component. */
function spellCycle(
  component: string[],
  deps: Map<string, Edge[]>,
  order: Map<string, number>,
): string[] {
  const members = new Set(component);
  const start = component.reduce((a, b) => ((order.get(a) ?? 0) <= (order.get(b) ?? 0) ? a : b));
  const prev = new Map<string, string>();
  const queue = [start];
  for (let q = 0; q < queue.length; q++) {
    const v = queue[q] as string;
    for (const { to } of deps.get(v) ?? []) {
      if (!members.has(to)) continue;
      if (to === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(prev.get(path[0] as string) as string);
        return [...path, start];
      }
      if (!prev.has(to)) {
        prev.set(to, v);
        queue.push(to);
      }
    }
  }
  return [start, start];
}
