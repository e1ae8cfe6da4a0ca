// Failover (unplanned) and the moves it shares with switchover and failback. A failover is
// what happens when the primary site is lost or broken: the old primary may be dead, half alive
// or merely cut off, so it is fenced first (stopped: it must never take another write), then the
// standby is checked, promoted, receives the traffic, and is verified.
//
// Order and why:
//   fence        the old primary can no longer write: no split brain, and the replica's lag
//                stops growing, so the next check measures what will really be lost
//   provision    (pilot light) start the stopped standby
//   check-ready  the standby answers and its copies are within the tier's RPO
//   promote      POINT OF NO RETURN: the replica takes writes; the old primary's timeline
//                diverges and only a rebuild brings it back (restore: a dump is loaded instead)
//   switch       clients follow (DNS, HAProxy, VIP)
//   verify       the health probes pass at the new site
import { type Diagnostic, diagnostic } from '../plan/index.js';
import {
  checkReadyStep,
  dataMoves,
  fenceSteps,
  fileCopiesOn,
  provisionStep,
  takeoverStep,
} from './data-steps.js';
import { pointOfNoReturnAt, type StepDraft } from './draft.js';
import { type Move, resolveMove, type Scope, siteOf } from './scope.js';
import { probeStep, switchSteps } from './traffic-steps.js';
import type { RunParams } from './types.js';

export function tierRpoMs(scope: Scope): number {
  return scope.plan.tiers?.[scope.svc.tier]?.rpo ?? 0;
}

/**
 * Blue/green colours usually share a site, so the move is from the live colour to the idle one
 * (`--to` picks the idle colour's site when there are several), not from site to site.
 */
function colourMove(scope: Scope, params: RunParams, out: Diagnostic[]): Move | undefined {
  const live = scope.svc.placement.active[0] as string;
  const idle = (scope.svc.placement.standby ?? []).filter(
    (n) => params.to === undefined || siteOf(scope.plan, n) === params.to,
  );
  const toNode = idle[0];
  if (toNode === undefined) {
    out.push(
      diagnostic(
        'LB_E_RUNBOOK_NO_STANDBY',
        `\`${scope.name}\` has no idle colour${params.to === undefined ? '' : ` on site ${params.to}`} to switch to`,
        { path: [...scope.path, 'placement'] },
      ),
    );
    return undefined;
  }
  return {
    from: siteOf(scope.plan, live) as string,
    to: siteOf(scope.plan, toNode) as string,
    fromNode: live,
    toNode,
  };
}

export function failoverMove(scope: Scope, params: RunParams, out: Diagnostic[]): Move | undefined {
  return scope.svc.strategy === 'blue-green'
    ? colourMove(scope, params, out)
    : resolveMove(scope, params, 'away', out);
}

export function failoverDrafts(
  scope: Scope,
  move: Move,
  params: RunParams,
  out: Diagnostic[],
): StepDraft[] {
  const moves = dataMoves(scope, move, out);
  const copies = fileCopiesOn(scope, move.to).map((d) => d.name);
  const drafts: StepDraft[] = [
    ...fenceSteps(scope, moves, 'stop'),
    ...(scope.svc.strategy === 'pilot-light' ? [provisionStep(scope, move.toNode)] : []),
  ];
  // Nothing to check on a stateless standby: the probes after the switch are its check.
  if (moves.length + copies.length > 0)
    drafts.push(
      checkReadyStep(scope, {
        site: move.to,
        node: move.toNode,
        dataSets: [...moves.map((m) => m.d.name), ...copies],
        maxLagMs: tierRpoMs(scope),
        ...(params.acceptDataLoss ? { acceptDataLoss: true } : {}),
      }),
    );
  const firstTakeover = drafts.length;
  drafts.push(...moves.map((m) => takeoverStep(scope, m)));
  drafts.push(
    ...switchSteps(scope, move.toNode, move.fromNode, out),
    probeStep(scope, 'verify', { site: move.to }, out),
  );
  if (moves.length > 0) pointOfNoReturnAt(drafts, firstTakeover);
  return drafts;
}
