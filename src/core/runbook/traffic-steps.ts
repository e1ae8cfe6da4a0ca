// Steps that move clients: switch each traffic item to the new node, refuse writes at the load
// balancer and lift it again, and check with the service's probes that it serves.
import { humanDuration } from '../plan/duration.js';
import { type Diagnostic, diagnostic, probeFixedSite, type Traffic } from '../plan/index.js';
import type { StepDraft } from './draft.js';
import { derivedEstimate, trafficEstimate } from './estimate.js';
import { type Scope, siteOf } from './scope.js';
import type { StepArgs } from './types.js';

/** The plan object a traffic item is known by: its record, backend or address. */
export function trafficTarget(t: Exclude<Traffic, { kind: 'none' }>): string {
  return t.kind === 'dns' ? t.record : t.kind === 'haproxy' ? t.backend : t.address;
}

/** Why `node` cannot be a destination of `t`, or undefined when it can. */
function unmapped(scope: Scope, t: Traffic, node: string): string | undefined {
  if (t.kind === 'dns') {
    const value =
      t.values?.[node] ??
      t.values?.[siteOf(scope.plan, node) ?? ''] ??
      scope.plan.nodes?.[node]?.address;
    return value === undefined
      ? `no value for ${node} (no \`values\` entry, no address)`
      : undefined;
  }
  if (t.kind === 'haproxy')
    return Object.hasOwn(t.servers, node) ? undefined : `${node} is not in its \`servers\``;
  if (t.kind === 'vip' && t.priorities && !Object.hasOwn(t.priorities, node))
    return `${node} has no VRRP priority`;
  return undefined;
}

/** `traffic` is the item's index in the service's `traffic`: how the engine finds its driver. */
function switchArgs(
  t: Exclude<Traffic, { kind: 'none' }>,
  traffic: number,
  node: string | undefined,
): StepArgs {
  const destination = node ?? null;
  if (t.kind === 'dns') return { traffic, zone: t.zone, type: t.type, destination, ttlMs: t.ttl };
  if (t.kind === 'haproxy')
    return {
      traffic,
      destination,
      ...(node && t.servers[node] ? { server: t.servers[node] } : {}),
    };
  return { traffic, destination, routerId: t.routerId };
}

/**
 * One switch per traffic item. `to` undefined means machines the plan does not name (a rebuild
 * onto new machines): the switch is then done by hand. The undo points back at `from`.
 */
export function switchSteps(
  scope: Scope,
  to: string | undefined,
  from: string | undefined,
  out: Diagnostic[],
): StepDraft[] {
  const steps: StepDraft[] = [];
  (scope.svc.traffic ?? []).forEach((t, i) => {
    if (t.kind === 'none') return;
    const path = [...scope.path, 'traffic', i];
    const target = trafficTarget(t);
    const problem = to === undefined ? undefined : unmapped(scope, t, to);
    if (problem)
      out.push(
        diagnostic(
          'LB_E_RUNBOOK_TRAFFIC_UNMAPPED',
          `\`${scope.name}\`: traffic cannot be switched to ${to}: ${t.kind} ${target} has ${problem}`,
          { path },
        ),
      );
    const byHand = to === undefined || (t.kind === 'dns' && t.provider === 'manual');
    const action = byHand
      ? 'manual'
      : t.kind === 'dns'
        ? 'dns.switch'
        : t.kind === 'haproxy'
          ? 'haproxy.switch'
          : 'keepalived.switch';
    const where = to ?? 'the rebuilt machines';
    const description =
      t.kind === 'dns'
        ? `${byHand ? 'By hand, point' : 'Point'} ${t.record} (${t.type}) at ${where}; resolvers may keep the old answer for its TTL (${humanDuration(t.ttl)}).`
        : t.kind === 'haproxy'
          ? `${byHand ? 'By hand, send' : 'Send'} HAProxy backend ${t.backend} to ${where}: the new server is made ready before the others are drained.`
          : `${byHand ? 'By hand, move' : 'Move'} VIP ${t.address} to ${where} (keepalived priorities).`;
    const back = from !== undefined && from !== to && unmapped(scope, t, from) === undefined;
    steps.push({
      kind: 'switch-traffic',
      action,
      target,
      args: switchArgs(t, i, to),
      description,
      estimate: trafficEstimate(scope.svc, t, byHand),
      ...(back
        ? {
            undo: {
              action,
              target,
              args: switchArgs(t, i, from),
              description: `Send ${target} back to ${from}.`,
            },
          }
        : {}),
      readOnly: false,
      origin: { path },
    });
  });
  return steps;
}

/** HAProxy backends whose frontend can refuse writes (a `readOnlyMap`). */
export function readOnlyBackends(scope: Scope): { t: Traffic & { kind: 'haproxy' }; i: number }[] {
  const out: { t: Traffic & { kind: 'haproxy' }; i: number }[] = [];
  (scope.svc.traffic ?? []).forEach((t, i) => {
    if (t.kind === 'haproxy' && t.readOnlyMap !== undefined) out.push({ t, i });
  });
  return out;
}

/** Refuse writes at the load balancer (`on`) or accept them again; reads are served throughout. */
export function loadBalancerReadOnly(scope: Scope, on: boolean): StepDraft[] {
  return readOnlyBackends(scope).map(({ t, i }) => {
    const args = { traffic: i, readOnly: on, map: t.readOnlyMap as string };
    return {
      kind: 'read-only' as const,
      action: 'haproxy.read-only',
      target: t.backend,
      qualifier: on ? 'on' : 'off',
      args,
      description: on
        ? `Refuse writes at HAProxy backend ${t.backend} (read-only map entry); reads are still served.`
        : `Lift read-only at HAProxy backend ${t.backend}: writes are accepted again.`,
      estimate: derivedEstimate(scope.svc, 'read-only'),
      ...(on
        ? {
            undo: {
              action: 'haproxy.read-only',
              target: t.backend,
              args: { ...args, readOnly: false },
              description: `Accept writes at ${t.backend} again.`,
            },
          }
        : {}),
      readOnly: false,
      origin: { path: [...scope.path, 'traffic', i] },
      ...(on ? {} : { anchor: false }),
    };
  });
}

/**
 * The service's health probes until they pass. Without probes nothing can tell that the service
 * serves, so a human checks: the step is manual and the run says so.
 */
export function probeStep(
  scope: Scope,
  kind: 'verify' | 'test',
  where: { site?: string; nodes?: string[] },
  out: Diagnostic[],
): StepDraft {
  // A probe of another site's node (the old primary, a witness's check of it) cannot tell that
  // the service serves from this one: a failover's verify would wait on a node it just fenced.
  const probes = (scope.svc.health ?? [])
    .filter((p) => {
      if (where.site === undefined) return true;
      const site = probeFixedSite(scope.plan, p);
      return site === undefined || site === where.site;
    })
    .map((p) => p.name);
  const place = where.nodes
    ? `the idle colour (${where.nodes.join(', ')})`
    : where.site !== undefined
      ? `site ${where.site}`
      : 'the rebuilt machines';
  if (probes.length === 0)
    out.push(
      diagnostic(
        'LB_E_RUNBOOK_NO_PROBES',
        `\`${scope.name}\` has no health probe: the ${kind} step is done by hand`,
        { path: scope.path },
      ),
    );
  const names = probes.map((p) => `\`${p}\``).join(', ');
  return {
    kind,
    action: probes.length === 0 ? 'manual' : 'probe.verify',
    target: scope.name,
    args: {
      probes,
      ...(where.site ? { site: where.site } : {}),
      ...(where.nodes ? { nodes: where.nodes } : {}),
    },
    description:
      probes.length === 0
        ? `Check by hand that ${scope.name} works on ${place}: the plan gives it no health probe.`
        : kind === 'test'
          ? `Run the probes ${names} against ${place} directly, not through the load balancer: the upgrade must work before it takes traffic.`
          : `Run the probes ${names} until they pass: ${scope.name} serves from ${place}.`,
    estimate: derivedEstimate(scope.svc, kind),
    readOnly: true,
    origin: { path: [...scope.path, ...(probes.length > 0 ? ['health'] : [])] },
  };
}
