// Blue/green upgrade behind a load balancer that can refuse writes (seed 003). The live colour
// is the service's active nodes, the idle colour its standby nodes.
//
// Order, so that reads are served throughout and writes are refused only during the window:
//   read-only  the load balancer refuses writes; the live colour keeps serving reads. Nothing
//              written from here on can be missing from the idle colour.
//   restore    files and backups of the live colour are copied to the idle colour, which
//              starts from the live colour's state (they are complete: nothing changes now)
//   upgrade    the `upgrade` playbook, limited to the idle colour's nodes
//   test       the probes, against the idle colour directly: it must work before it serves
//   switch     the load balancer makes the idle colour ready, then drains the live one; reads
//              never stop. Still read-only: no write reaches the new colour yet, so switching
//              back loses nothing
//   confirm    POINT OF NO RETURN, approved by a human: until here the old colour is the
//              rollback target and every step above has an undo
//   lift       writes are accepted, on the new colour only
//   verify     the probes, through the load balancer, writes included
// A colour pair replicating a database by streaming cannot be handled this way (promoting the
// idle colour's replica before the confirm could not be undone): that needs an explicit runbook.
import { type Diagnostic, diagnostic } from '../plan/index.js';
import { pointOfNoReturnAt, type StepDraft } from './draft.js';
import { derivedEstimate, restoreEstimate, upgradeEstimate } from './estimate.js';
import { dataNodes, dataRecovery, type Scope, siteOf } from './scope.js';
import { loadBalancerReadOnly, probeStep, switchSteps } from './traffic-steps.js';
import type { RunParams } from './types.js';

/** Files and backups on the live colour, copied to the idle colour while nothing changes. */
function seedSteps(scope: Scope, live: string[], idle: string[]): StepDraft[] {
  const out: StepDraft[] = [];
  (scope.svc.data ?? []).forEach((d, index) => {
    if (d.kind !== 'files' && d.kind !== 'backup') return;
    const nodes = dataNodes(d);
    const from = nodes.find((n) => live.includes(n));
    const to = nodes.find((n) => idle.includes(n));
    if (from === undefined || to === undefined) return;
    const target = `${scope.name}/${d.name}`;
    out.push({
      kind: 'restore',
      action: 'rsync.sync',
      target,
      args: { dataSet: d.name, from, to },
      description:
        d.kind === 'files'
          ? `Copy \`${d.name}\` from ${from} (live) to ${to} (idle), so that the idle colour starts from the live colour's state.`
          : `Copy the latest \`${d.name}\` backup from ${from} (live) to ${to} (idle). Loading it is the upgrade playbook's job, or a custom step \`before: upgrade\`.`,
      estimate: restoreEstimate(scope.svc, d),
      undo: {
        action: 'manual',
        target,
        args: {},
        description: `Nothing to reverse: ${to} serves no traffic.`,
      },
      readOnly: false,
      origin: { path: [...scope.path, 'data', index] },
    });
  });
  return out;
}

export function bluegreenDrafts(
  scope: Scope,
  params: RunParams,
  out: Diagnostic[],
): StepDraft[] | undefined {
  const { svc, path } = scope;
  const live = svc.placement.active;
  const idle = svc.placement.standby ?? [];
  const before = out.length;
  if (params.from !== undefined || params.to !== undefined)
    out.push(
      diagnostic(
        'LB_E_RUNBOOK_PARAM_IGNORED',
        'bluegreen moves from the live colour (`placement.active`) to the idle one (`placement.standby`): --from and --to are not used',
        { severity: 'warning' },
      ),
    );
  if (idle.length === 0)
    out.push(
      diagnostic('LB_E_RUNBOOK_NO_STANDBY', `\`${scope.name}\` has no idle colour (no standby)`, {
        path: [...path, 'placement'],
      }),
    );
  const upgrade = svc.upgrade;
  if (upgrade === undefined)
    out.push(
      diagnostic('LB_E_RUNBOOK_NO_UPGRADE', `\`${scope.name}\` has no \`upgrade\` playbook`, {
        path,
      }),
    );
  (svc.data ?? []).forEach((d, i) => {
    if (dataRecovery(d, 'standby') === 'promote')
      out.push(
        diagnostic(
          'LB_E_RUNBOOK_BLUEGREEN_STREAMED_DB',
          `\`${scope.name}\`: data set \`${d.name}\` is a streamed ${d.kind} replica; promoting it before the confirm could not be undone`,
          { path: [...path, 'data', i] },
        ),
      );
  });
  if (out.slice(before).some((d) => d.severity === 'error') || upgrade === undefined)
    return undefined;

  const setReadOnly = loadBalancerReadOnly(scope, true);
  if (setReadOnly.length === 0)
    out.push(
      diagnostic(
        'LB_E_RUNBOOK_NO_READ_ONLY',
        `\`${scope.name}\` has no HAProxy \`readOnlyMap\`: writes are not refused, so whatever the live colour takes after the copy is missing from the new colour, and a switch back after the new colour took writes loses them`,
        { path: [...path, 'traffic'], severity: 'warning' },
      ),
    );
  const limit = idle.join(',');
  if (upgrade.limit !== undefined && upgrade.limit !== limit)
    out.push(
      diagnostic(
        'LB_E_RUNBOOK_LIMIT_REPLACED',
        `\`${scope.name}\`: the upgrade runs with --limit ${limit} (the idle colour), not the plan's \`${upgrade.limit}\`: the live colour must not be touched`,
        { path: [...path, 'upgrade', 'limit'], severity: 'warning' },
      ),
    );
  const upgradeStep: StepDraft = {
    kind: 'upgrade',
    action: 'ansible.playbook',
    target: idle.length === 1 ? (idle[0] as string) : scope.name,
    args: {
      playbook: upgrade.playbook,
      ...(upgrade.inventory !== undefined ? { inventory: upgrade.inventory } : {}),
      limit,
      ...(upgrade.extraVars !== undefined ? { extraVars: upgrade.extraVars } : {}),
    },
    description: `Upgrade the idle colour (${limit}) with ${upgrade.playbook}; the live colour keeps serving.`,
    estimate: upgradeEstimate(svc),
    undo: {
      action: 'manual',
      target: idle[0] as string,
      args: {},
      description: `Nothing to reverse: the idle colour serves no traffic. Restore it from the live colour before the next attempt.`,
    },
    readOnly: false,
    origin: { path: [...path, 'upgrade'] },
  };
  const confirm: StepDraft = {
    kind: 'confirm',
    action: 'engine.confirm',
    target: scope.name,
    args: { live: idle, rollbackTo: live },
    description: `Confirm the new colour (${limit}). Until now, switching back to ${live.join(', ')} loses nothing; once writes are accepted on the new colour, going back would lose them.`,
    estimate: derivedEstimate(svc, 'confirm'),
    approval: {
      when: 'always',
      distinctFromRequester: true,
      reason: `Approve once the new colour serves correctly; after this there is no way back to ${live.join(', ')}.`,
    },
    readOnly: true,
    origin: { path },
  };
  const drafts = [
    ...setReadOnly,
    ...seedSteps(scope, live, idle),
    upgradeStep,
    probeStep(scope, 'test', { nodes: idle }, out),
    ...switchSteps(scope, idle[0], live[0], out),
    confirm,
    ...loadBalancerReadOnly(scope, false),
    probeStep(scope, 'verify', { site: siteOf(scope.plan, idle[0] as string) as string }, out),
  ];
  pointOfNoReturnAt(drafts, drafts.indexOf(confirm));
  return drafts;
}
