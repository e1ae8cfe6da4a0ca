// Redeploy: rebuild the service from scratch with its `redeploy` playbook, put its data back,
// then move the traffic and verify. No step is a point of no return: the old machines are not
// touched (they are lost, or being replaced in place), and the switch can be pointed back.
//
// Where it is rebuilt: with --to, a node of the service on that site; with --from (the site that
// was lost), its first node elsewhere, standby first; with neither, in place: the playbook's
// `limit` when it names a node of the plan, else the first active node. When no node of the plan
// qualifies, the playbook builds machines the plan does not name, and the switch is manual.
import { type Diagnostic, diagnostic } from '../plan/index.js';
import type { StepDraft } from './draft.js';
import { redeployEstimate, restoreEstimate } from './estimate.js';
import { dataNodes, dataRecovery, nodesOn, type Scope, siteOf } from './scope.js';
import { probeStep, switchSteps } from './traffic-steps.js';
import type { RunParams } from './types.js';

export function redeployDestination(scope: Scope, params: RunParams): string | undefined {
  const { plan, svc } = scope;
  const limit = svc.redeploy?.limit;
  const limitNode =
    limit !== undefined && Object.hasOwn(plan.nodes ?? {}, limit) ? limit : undefined;
  if (params.to !== undefined)
    return (
      nodesOn(scope, params.to, 'standby')[0] ??
      (limitNode !== undefined && siteOf(plan, limitNode) === params.to ? limitNode : undefined)
    );
  if (params.from !== undefined)
    return [...(svc.placement.standby ?? []), ...svc.placement.active].find(
      (n) => siteOf(plan, n) !== params.from,
    );
  return limitNode ?? svc.placement.active[0];
}

/**
 * Each data set with a copy is put back: pulled with rsync from a surviving copy (files and
 * backups with a path), else restored by hand (databases, object storage). A copy already on
 * the new machine only has to be taken into use.
 */
function restoreSteps(
  scope: Scope,
  dest: string | undefined,
  lost: string | undefined,
): StepDraft[] {
  const out: StepDraft[] = [];
  (scope.svc.data ?? []).forEach((d, index) => {
    if (dataRecovery(d, 'rebuild') !== 'restore') return;
    const e = restoreEstimate(scope.svc, d);
    const target = `${scope.name}/${d.name}`;
    const onto = dest ?? 'the rebuilt machines';
    const nodes = dataNodes(d);
    const copy = [...(d.targets ?? []), ...(d.source === undefined ? [] : [d.source])].find(
      (n) => n !== dest && (lost === undefined || siteOf(scope.plan, n) !== lost),
    );
    const already = dest !== undefined && nodes.includes(dest);
    const pull =
      !already &&
      copy !== undefined &&
      d.path !== undefined &&
      d.kind !== 'postgres' &&
      d.kind !== 'mariadb';
    const from = already ? dest : (copy ?? d.storage ?? 'its backup');
    const size = e.note ? ` (${e.note})` : '';
    out.push({
      kind: 'restore',
      action: pull ? 'rsync.sync' : 'manual',
      target,
      args: { dataSet: d.name, from: from ?? null, to: dest ?? null },
      description: pull
        ? `Copy \`${d.name}\` from ${copy} to ${onto}${size}.`
        : already
          ? `\`${d.name}\` is already copied to ${onto}: put that copy in place for the rebuilt service${size}.`
          : `Restore ${d.kind} \`${d.name}\` onto ${onto} from ${from}${size}.`,
      estimate: e,
      readOnly: false,
      origin: { path: [...scope.path, 'data', index] },
    });
  });
  return out;
}

export function redeployDrafts(scope: Scope, params: RunParams, out: Diagnostic[]): StepDraft[] {
  const { svc, path } = scope;
  const dest = redeployDestination(scope, params);
  const onto = dest ?? 'new machines';
  if (svc.redeploy === undefined)
    out.push(
      diagnostic('LB_E_RUNBOOK_NO_REDEPLOY', `\`${scope.name}\` has no \`redeploy\` playbook`, {
        path,
      }),
    );
  if (dest === undefined)
    out.push(
      diagnostic(
        'LB_E_RUNBOOK_NO_DESTINATION',
        `\`${scope.name}\` is rebuilt onto machines the plan does not name: its traffic is switched by hand`,
        { path: [...path, 'placement'], severity: 'warning' },
      ),
    );
  const r = svc.redeploy;
  const redeploy: StepDraft = {
    kind: 'redeploy',
    action: r ? 'ansible.playbook' : 'manual',
    target: dest ?? scope.name,
    args: r
      ? {
          playbook: r.playbook,
          ...(r.inventory !== undefined ? { inventory: r.inventory } : {}),
          ...(r.limit !== undefined ? { limit: r.limit } : {}),
          ...(r.extraVars !== undefined ? { extraVars: r.extraVars } : {}),
        }
      : {},
    description: r
      ? `Rebuild ${scope.name} from scratch onto ${onto} with ${r.playbook}.`
      : `Rebuild ${scope.name} from scratch onto ${onto} by hand: the plan has no redeploy playbook.`,
    estimate: redeployEstimate(svc),
    readOnly: false,
    origin: { path: r ? [...path, 'redeploy'] : path },
  };
  // Traffic pointed at the old node; with an in-place rebuild there is nothing to point back to.
  const old = svc.placement.active.find((n) => n !== dest);
  return [
    redeploy,
    ...restoreSteps(scope, dest, params.from),
    ...switchSteps(scope, dest, old, out),
    probeStep(scope, 'verify', dest ? { site: siteOf(scope.plan, dest) as string } : {}, out),
  ];
}
