// Steps that move a service's data role: fence the old primary, check or wait for the replica,
// promote it (or load the last copy), and rebuild the old primary as a replica. Each builder
// returns drafts; which ones a runbook uses, and in which order, is decided by the runbook.
import { humanDuration } from '../plan/duration.js';
import { type DataSet, type Diagnostic, diagnostic } from '../plan/index.js';
import type { StepDraft } from './draft.js';
import { derivedEstimate, restoreEstimate } from './estimate.js';
import {
  dataNodeOn,
  dataNodes,
  dataRecovery,
  isDatabase,
  type Move,
  type Scope,
  siteOf,
} from './scope.js';

/** A data set whose primary role moves with the service. */
export interface DataMove {
  d: DataSet;
  /** Index in the service's `data`. */
  index: number;
  how: 'promote' | 'restore';
  /** Its node on `from`: the old primary. */
  primary: string;
  /** Its node on `to`: the replica (or copy) that takes over. */
  replica: string;
}

/**
 * The databases that must change primary. A data set that lists no node at all is assumed to
 * run on the service's nodes; one whose nodes are all elsewhere has no replica to take over,
 * which is an error: the service would come up at `to` without its data.
 */
export function dataMoves(scope: Scope, move: Move, out: Diagnostic[]): DataMove[] {
  const moves: DataMove[] = [];
  (scope.svc.data ?? []).forEach((d, index) => {
    const how = dataRecovery(d, 'standby');
    if (how === 'none') return;
    const nodes = dataNodes(d);
    const on = (site: string, except?: string) =>
      nodes.find((n) => n !== except && siteOf(scope.plan, n) === site);
    // The exact node first: blue/green colours share a site, so the site alone cannot tell.
    const replica = nodes.includes(move.toNode)
      ? move.toNode
      : (on(move.to, move.fromNode) ?? (nodes.length > 0 ? undefined : move.toNode));
    if (replica === undefined) {
      out.push(
        diagnostic(
          'LB_E_RUNBOOK_NO_REPLICA',
          `\`${scope.name}\`: data set \`${d.name}\` (${d.kind}) has no copy on site ${move.to}, so nothing there can take over its writes`,
          { path: [...scope.path, 'data', index] },
        ),
      );
      return;
    }
    const primary = nodes.includes(move.fromNode)
      ? move.fromNode
      : (on(move.from, replica) ?? move.fromNode);
    moves.push({ d, index, how, primary, replica });
  });
  return moves;
}

/** Files data sets that already have a copy on `site` (mirrored by rsync or shared). */
export function fileCopiesOn(scope: Scope, site: string): DataSet[] {
  return (scope.svc.data ?? []).filter(
    (d) => d.kind === 'files' && dataNodeOn(scope, d, site) !== undefined,
  );
}

/**
 * One fence per database server (kind and node): `stop` for a failover, where the old primary
 * may be half alive; `read-only` for a switchover, where it must keep serving reads.
 */
export function fenceSteps(
  scope: Scope,
  moves: DataMove[],
  mode: 'stop' | 'read-only',
): StepDraft[] {
  const seen = new Set<string>();
  const out: StepDraft[] = [];
  for (const m of moves) {
    const key = `${m.d.kind}\0${m.primary}`;
    if (!isDatabase(m.d) || seen.has(key)) continue;
    seen.add(key);
    const kind = m.d.kind;
    out.push({
      kind: mode === 'stop' ? 'fence' : 'read-only',
      action: `${kind}.fence`,
      target: m.primary,
      qualifier: m.d.name,
      args:
        mode === 'stop'
          ? { dataSet: m.d.name, mode: 'stop', onUnreachable: 'require-approval' }
          : { dataSet: m.d.name, mode: 'read-only' },
      description:
        mode === 'stop'
          ? `Fence the old primary: stop ${kind} on ${m.primary}, so that it cannot take a write while ${m.replica} is promoted. If ${m.primary} cannot be reached it is recorded as unfenced, and the run waits for an approval.`
          : `Make ${kind} on ${m.primary} refuse writes and end write sessions; reads go on, and the replica can catch up with the last write.`,
      estimate: derivedEstimate(scope.svc, mode === 'stop' ? 'fence' : 'read-only'),
      ...(mode === 'stop'
        ? {
            approval: {
              when: 'on-unreachable' as const,
              distinctFromRequester: true,
              reason: `${m.primary} could not be fenced: if it still accepts writes, promoting ${m.replica} splits \`${m.d.name}\` in two. Approve only if ${m.primary} is known to be down or cut off from its clients.`,
            },
          }
        : {}),
      undo: {
        action: `${kind}.unfence`,
        target: m.primary,
        args: { dataSet: m.d.name },
        description: `Start ${kind} on ${m.primary} again and let it accept writes.`,
      },
      readOnly: false,
      origin: { path: [...scope.path, 'data', m.index] },
    });
  }
  return out;
}

/** A pilot light's standby is stopped: start it before anything is checked on it. */
export function provisionStep(scope: Scope, node: string): StepDraft {
  return {
    kind: 'provision',
    action: 'manual',
    target: node,
    args: {},
    description: `Start the pilot light on ${node}: boot the stopped standby machines and their services.`,
    estimate: derivedEstimate(scope.svc, 'provision'),
    undo: {
      action: 'manual',
      target: node,
      args: {},
      description: `Stop ${node} again: a pilot light is kept stopped.`,
    },
    readOnly: false,
    origin: { path: [...scope.path, 'placement'] },
  };
}

export interface ReadyCheck {
  site: string;
  node: string;
  dataSets: string[];
  maxLagMs: number;
  acceptDataLoss?: boolean;
  /** Failback: the replicas must stream from this node (re-synced with the current primary). */
  replicaOf?: string;
}

/** Reachable, and each copy recent enough: the engine reads lag and freshness at run time. */
export function checkReadyStep(scope: Scope, c: ReadyCheck): StepDraft {
  const lag = humanDuration(c.maxLagMs);
  const data =
    c.dataSets.length === 0
      ? ''
      : ` ${c.dataSets.map((n) => `\`${n}\``).join(', ')} ${c.replicaOf ? `replicated from ${c.replicaOf}, ` : ''}at most ${lag} behind (the tier's RPO)${c.acceptDataLoss ? '; further behind is accepted (--accept-data-loss)' : ''}`;
  return {
    kind: 'check-ready',
    action: 'engine.check-ready',
    target: c.node,
    args: {
      site: c.site,
      dataSets: c.dataSets,
      maxLagMs: c.maxLagMs,
      ...(c.acceptDataLoss ? { acceptDataLoss: true } : {}),
      ...(c.replicaOf ? { replicaOf: c.replicaOf } : {}),
    },
    description: `Check that ${c.node} is reachable and ready to take over${data ? `:${data}` : ''}.`,
    estimate: derivedEstimate(scope.svc, 'check-ready'),
    readOnly: true,
    origin: { path: [...scope.path, 'placement'] },
  };
}

/** Promote a streaming replica, or load the last copy of a database copied periodically. */
export function takeoverStep(scope: Scope, m: DataMove): StepDraft {
  const origin = { path: [...scope.path, 'data', m.index] };
  if (m.how === 'promote')
    return {
      kind: 'promote',
      action: `${m.d.kind}.promote`,
      target: m.replica,
      qualifier: m.d.name,
      args: { dataSet: m.d.name },
      description: `Promote the ${m.d.kind} replica of \`${m.d.name}\` on ${m.replica} to primary; it accepts writes once this step ends.`,
      estimate: derivedEstimate(scope.svc, 'promote'),
      readOnly: false,
      origin,
    };
  const e = restoreEstimate(scope.svc, m.d);
  const every = m.d.replication.interval;
  return {
    kind: 'restore',
    action: 'manual',
    target: m.replica,
    qualifier: m.d.name,
    args: { dataSet: m.d.name },
    description: `Load the latest copy of \`${m.d.name}\` (${m.d.kind}${every ? `, copied every ${humanDuration(every)}` : ''}) into ${m.d.kind} on ${m.replica} and open it for writes${e.note ? ` (${e.note})` : ''}.`,
    estimate: e,
    readOnly: false,
    origin,
  };
}

/** Switchover: with writes refused, the lag can only shrink; wait until it is zero. */
export function waitCatchUpStep(scope: Scope, move: Move, moves: DataMove[]): StepDraft {
  const names = moves.map((m) => m.d.name);
  return {
    kind: 'wait-catch-up',
    action: 'engine.wait-catch-up',
    target: move.toNode,
    args: { dataSets: names, maxLagMs: 0 },
    description: `Wait until the replicas on ${move.toNode} have applied every write of ${names.map((n) => `\`${n}\``).join(', ')} (lag 0): nothing acknowledged is lost.`,
    estimate: derivedEstimate(scope.svc, 'wait-catch-up'),
    readOnly: true,
    origin: { path: [...scope.path, 'data'] },
  };
}

/** Switchover: files pushed from the old primary get one last copy, now that nothing changes. */
export function finalSyncSteps(scope: Scope, move: Move): StepDraft[] {
  const out: StepDraft[] = [];
  (scope.svc.data ?? []).forEach((d, index) => {
    const to = dataNodeOn(scope, d, move.to);
    if (d.kind !== 'files' || d.source === undefined || to === undefined || to === d.source) return;
    if (dataNodeOn(scope, d, move.from) !== d.source) return;
    out.push({
      kind: 'wait-catch-up',
      action: 'rsync.sync',
      target: `${scope.name}/${d.name}`,
      args: { dataSet: d.name, from: d.source, to },
      description: `Copy \`${d.name}\` from ${d.source} to ${to} one last time, so that ${to} has every file.`,
      estimate: derivedEstimate(scope.svc, 'wait-catch-up'),
      undo: {
        action: 'manual',
        target: `${scope.name}/${d.name}`,
        args: {},
        description: `Nothing to reverse: ${to} only received a fresher copy.`,
      },
      readOnly: false,
      origin: { path: [...scope.path, 'data', index] },
    });
  });
  return out;
}

/** After a switchover the old primary becomes the new replica, so the data has a copy again. */
export function rebuildSteps(scope: Scope, moves: DataMove[]): StepDraft[] {
  return moves
    .filter((m) => m.how === 'promote')
    .map((m) => ({
      kind: 'rebuild' as const,
      action: `${m.d.kind}.rebuild`,
      target: m.primary,
      qualifier: m.d.name,
      args: { dataSet: m.d.name, source: m.replica },
      description: `Rebuild ${m.d.kind} on ${m.primary} as a replica of the new primary ${m.replica} (rewind, or copy again), so that \`${m.d.name}\` has a copy again.`,
      estimate: derivedEstimate(scope.svc, 'rebuild'),
      readOnly: false,
      origin: { path: [...scope.path, 'data', m.index] },
    }));
}
