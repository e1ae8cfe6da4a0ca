// Switchover (planned, no data lost) and failback (the switchover home). Unlike a failover, the
// old primary is healthy: it is made to refuse writes instead of being stopped, so the replica
// can apply the very last write before it is promoted.
//
// Order and why:
//   read-only      writes are refused (HAProxy read-only map, else the database fenced
//                  read-only); reads go on. From here the replica's lag can only shrink.
//   provision      (pilot light) start the standby
//   wait-catch-up  lag 0 on every replica; files pushed from the old primary get a last copy
//   promote        POINT OF NO RETURN: the new primary takes writes
//   switch         clients follow
//   rebuild        the old primary becomes the new replica: the data has a copy again before
//                  writes are accepted, so the tier's RPO holds from the first write (and a
//                  synchronous setup would refuse writes without a replica anyway)
//   lift           writes are accepted again (the read-only map entry is removed, or the old
//                  primary, now a replica, loses its read-only default for its next promotion)
//   verify         the health probes pass at the new site
import { type Diagnostic, diagnostic } from '../plan/index.js';
import {
  checkReadyStep,
  type DataMove,
  dataMoves,
  fenceSteps,
  fileCopiesOn,
  finalSyncSteps,
  provisionStep,
  rebuildSteps,
  takeoverStep,
  waitCatchUpStep,
} from './data-steps.js';
import { pointOfNoReturnAt, type StepDraft } from './draft.js';
import { derivedEstimate } from './estimate.js';
import { tierRpoMs } from './failover.js';
import { isDatabase, type Move, type Scope } from './scope.js';
import { loadBalancerReadOnly, probeStep, switchSteps } from './traffic-steps.js';

/** A database periodically copied has no stream to wait for: a last copy is taken by hand. */
function finalCopySteps(scope: Scope, moves: DataMove[]): StepDraft[] {
  return moves
    .filter((m) => m.how === 'restore')
    .map((m) => ({
      kind: 'wait-catch-up' as const,
      action: 'manual',
      target: m.primary,
      qualifier: m.d.name,
      args: { dataSet: m.d.name, to: m.replica },
      description: `Now that writes are refused, take a last copy of \`${m.d.name}\` on ${m.primary} (its usual dump or copy job) and bring it to ${m.replica}, so that the copy loaded next is complete.`,
      estimate: derivedEstimate(scope.svc, 'wait-catch-up'),
      undo: {
        action: 'manual',
        target: m.replica,
        args: {},
        description: `Nothing to reverse: ${m.replica} only received a fresher copy.`,
      },
      readOnly: false,
      origin: { path: [...scope.path, 'data', m.index] },
    }));
}

/** Lifting a database's read-only fence: on the old primary, which is a replica by now. */
function unfenceSteps(scope: Scope, fences: StepDraft[]): StepDraft[] {
  return fences.map((f) => ({
    ...f,
    action: f.action.replace(/\.fence$/, '.unfence'),
    qualifier: 'lift',
    args: { dataSet: f.args.dataSet ?? null },
    description: `Lift the read-only fence of ${f.target}, now a replica, so that it can take writes when it is promoted one day.`,
    estimate: derivedEstimate(scope.svc, 'read-only'),
    undo: undefined,
    anchor: false,
  }));
}

export function switchoverDrafts(
  scope: Scope,
  move: Move,
  moves: DataMove[],
  out: Diagnostic[],
): StepDraft[] {
  const atBalancer = loadBalancerReadOnly(scope, true);
  const fences = atBalancer.length > 0 ? [] : fenceSteps(scope, moves, 'read-only');
  const streamed = moves.filter((m) => m.how === 'promote' && isDatabase(m.d));
  const drafts: StepDraft[] = [
    ...atBalancer,
    ...fences,
    ...(scope.svc.strategy === 'pilot-light' ? [provisionStep(scope, move.toNode)] : []),
    ...(streamed.length > 0 ? [waitCatchUpStep(scope, move, streamed)] : []),
    ...finalCopySteps(scope, moves),
    ...finalSyncSteps(scope, move),
  ];
  // An old primary whose copy was loaded elsewhere (not streamed) is not rebuilt as a replica:
  // it stays read-only, since two writable copies of the data must never exist.
  const lift = fences.filter(
    (f) =>
      !moves.some(
        (m) => m.how === 'restore' && m.primary === f.target && f.action === `${m.d.kind}.fence`,
      ),
  );
  const firstTakeover = drafts.length;
  drafts.push(
    ...moves.map((m) => takeoverStep(scope, m)),
    ...switchSteps(scope, move.toNode, move.fromNode, out),
    ...rebuildSteps(scope, moves),
    ...(atBalancer.length > 0 ? loadBalancerReadOnly(scope, false) : unfenceSteps(scope, lift)),
    probeStep(scope, 'verify', { site: move.to }, out),
  );
  if (moves.length > 0) pointOfNoReturnAt(drafts, firstTakeover);
  return drafts;
}

/**
 * Failback: back to the home site once it is healthy and re-synced. The first step checks that
 * (the home site's replicas stream from the current primary, within the RPO); a home site that
 * was stopped by a failover's fence must be rebuilt as a replica before this can pass.
 */
export function failbackDrafts(scope: Scope, move: Move, out: Diagnostic[]): StepDraft[] {
  const moves = dataMoves(scope, move, out);
  const check = checkReadyStep(scope, {
    site: move.to,
    node: move.toNode,
    dataSets: [...moves.map((m) => m.d.name), ...fileCopiesOn(scope, move.to).map((d) => d.name)],
    maxLagMs: tierRpoMs(scope),
    replicaOf: move.fromNode,
  });
  if (moves.some((m) => m.how === 'restore'))
    out.push(
      diagnostic(
        'LB_E_RUNBOOK_NO_REPLICA',
        `\`${scope.name}\`: a database copied periodically cannot be re-synced by streaming; check its copy on ${move.toNode} by hand before failing back`,
        { path: [...scope.path, 'data'], severity: 'warning' },
      ),
    );
  return [check, ...switchoverDrafts(scope, move, moves, out)];
}
