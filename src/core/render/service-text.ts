// One-line descriptions derived from a service's structure. They fill the seed table's
// "contingency plan" and "redeployment plan" columns, so they must read like what a person would
// have written there: what copy exists where, and what to do with it when the active site fails.
import { formatDuration } from '../plan/duration.js';
import type { DataSet, Plan, Probe, Service, Traffic } from '../plan/schema/plan.js';

const KIND_LABEL: Record<DataSet['kind'], string> = {
  postgres: 'PostgreSQL',
  mariadb: 'MariaDB',
  files: 'files',
  backup: 'backup',
  none: 'no data',
};

const isDatabase = (d: DataSet) => d.kind === 'postgres' || d.kind === 'mariadb';

/** `dlrn-db-b (offsite)`: a node with the site it is in. */
export function nodeWithSite(plan: Plan, node: string): string {
  const site = plan.nodes?.[node]?.site;
  return site === undefined ? node : `${node} (${site})`;
}

function nodeList(plan: Plan, nodes: readonly string[]): string {
  return nodes.map((n) => nodeWithSite(plan, n)).join(', ');
}

/** `async, lag 5s`, `periodic every 1h (rsync)`, `sync`, `none`. */
export function replicationText(d: DataSet): string {
  const r = d.replication;
  const tool = r.tool === undefined ? '' : ` (${r.tool})`;
  switch (r.mode) {
    case 'sync':
      return `sync${tool}`;
    case 'async':
      return `async, lag ${formatDuration(r.expectedLag ?? 5_000)}${tool}`;
    case 'periodic':
      return `every ${r.interval === undefined ? '?' : formatDuration(r.interval)}${tool}`;
    case 'none':
      return 'none';
  }
}

/** `MariaDB async replica on dlrn-db-b (offsite)`, `repos files copied every 5m (rsync) to trunk-01 (offsite)`. */
export function dataCopyText(plan: Plan, d: DataSet): string {
  const targets = d.targets ?? [];
  const where =
    targets.length > 0 ? nodeList(plan, targets) : (d.storage ?? 'no target named in the plan');
  const r = d.replication;
  if (r.mode === 'none') return `${d.name} ${KIND_LABEL[d.kind]}: no copy`;
  if (isDatabase(d) && (r.mode === 'sync' || r.mode === 'async'))
    return `${KIND_LABEL[d.kind]} ${r.mode} replica on ${where}`;
  if (d.kind === 'backup') return `${d.name} backup ${replicationText(d)} to ${where}`;
  return `${d.name} ${KIND_LABEL[d.kind]} copied ${replicationText(d)} to ${where}`;
}

/** `switch DNS trunk.rdoproject.org (TTL 5m)`, `move VIP 10.0.0.100/24`. */
export function trafficAction(t: Traffic): string | undefined {
  switch (t.kind) {
    case 'dns':
      return `switch DNS ${t.record} (TTL ${formatDuration(t.ttl)}${t.provider === 'manual' ? ', by hand' : ''})`;
    case 'haproxy':
      return `switch HAProxy backend ${t.backend}`;
    case 'vip':
      return `move VIP ${t.address} (keepalived)`;
    case 'none':
      return undefined;
  }
}

/** A fuller description for the service section. */
export function trafficText(plan: Plan, t: Traffic): string {
  switch (t.kind) {
    case 'dns':
      return `DNS ${t.type} record ${t.record} in zone ${t.zone}, TTL ${formatDuration(t.ttl)}, changed ${t.provider === 'manual' ? 'by hand' : `by ${t.provider}`}${t.server === undefined ? '' : ` on ${t.server}`}`;
    case 'haproxy': {
      const servers = Object.entries(t.servers)
        .map(([node, server]) => `${server} = ${nodeWithSite(plan, node)}`)
        .join(', ');
      return `HAProxy backend ${t.backend} (${servers})${t.node === undefined ? '' : `, HAProxy runs on ${nodeWithSite(plan, t.node)}`}`;
    }
    case 'vip':
      return `keepalived VIP ${t.address}, VRRP router id ${t.routerId}${t.interface === undefined ? '' : ` on ${t.interface}`}`;
    case 'none':
      return `no switching${t.description === undefined ? '' : `: ${t.description}`}`;
  }
}

function switchActions(svc: Service): string[] {
  return (svc.traffic ?? []).flatMap((t) => trafficAction(t) ?? []);
}

function rebuildText(svc: Service): string {
  return svc.redeploy
    ? `rebuild with ${svc.redeploy.playbook} (${formatDuration(svc.redeploy.duration)})`
    : 'rebuild by hand';
}

/** The contingency plan derived from structure (the seed's third column), without the notes. */
export function contingencyText(plan: Plan, svc: Service): string {
  const copies = (svc.data ?? [])
    .filter((d) => d.kind !== 'none')
    .map((d) => dataCopyText(plan, d));
  const standby = svc.placement.standby ?? [];
  const switches = switchActions(svc);
  const clauses: string[] = [];
  const actions: string[] = [];
  switch (svc.strategy) {
    case 'active-passive':
    case 'pilot-light': {
      clauses.push(...copies);
      const dataOnStandby = (svc.data ?? []).some((d) =>
        (d.targets ?? []).some((t) => standby.includes(t)),
      );
      if (standby.length > 0 && !dataOnStandby)
        clauses.push(`standby on ${nodeList(plan, standby)}`);
      if (svc.strategy === 'pilot-light') actions.push('start the standby');
      if ((svc.data ?? []).some((d) => isDatabase(d) && d.replication.mode !== 'none'))
        actions.push('promote it');
      break;
    }
    case 'backup-restore':
      clauses.push(...copies);
      actions.push(`restore on ${standby.length > 0 ? nodeList(plan, standby) : 'a rebuilt node'}`);
      break;
    case 'redeploy':
      clauses.push(...copies);
      actions.push(rebuildText(svc));
      break;
    case 'blue-green':
      clauses.push(
        `blue-green: ${nodeList(plan, svc.placement.active)} serve, ${standby.length > 0 ? nodeList(plan, standby) : 'no idle colour'} idle`,
        ...copies,
      );
      actions.push(
        svc.upgrade
          ? `upgrade the idle colour with ${svc.upgrade.playbook}`
          : 'upgrade the idle colour',
      );
      break;
    case 'multi-provider': {
      const sites = [...new Set(svc.placement.active.map((n) => plan.nodes?.[n]?.site ?? n))];
      const providers = sites.map((s) => plan.sites?.[s]?.provider ?? s);
      clauses.push(`active on ${sites.length} site(s): ${providers.join(', ')}`, ...copies);
      actions.push('the remaining providers keep serving');
      break;
    }
    case 'migration':
      clauses.push(
        `migration by runbook ${svc.migration?.runbook ?? '(none named)'}${svc.migration?.rollback ? `, rollback by runbook ${svc.migration.rollback} until its point of no return` : ', no rollback runbook'}`,
      );
      break;
  }
  actions.push(...switches);
  const head = clauses.length > 0 ? clauses.join('; ') : 'no copy or standby';
  return actions.length > 0 ? `${head}; ${actions.join(', ')}` : head;
}

/** The seed's "redeployment plan" column. */
export function redeploymentText(svc: Service): string {
  const r = svc.redeploy;
  if (!r) return 'none (manual rebuild)';
  const extra = [
    r.inventory === undefined ? undefined : `inventory ${r.inventory}`,
    r.limit === undefined ? undefined : `limit ${r.limit}`,
  ].filter((x) => x !== undefined);
  return `Ansible playbook ${r.playbook}${extra.length ? ` (${extra.join(', ')})` : ''}, ${formatDuration(r.duration)}`;
}

/** `http GET https://... expects 200, every 10s, down after 3 failures`. */
export function probeText(p: Probe): string {
  const cadence = `every ${formatDuration(p.interval)}, timeout ${formatDuration(p.timeout)}, down after ${p.failures} failure${p.failures === 1 ? '' : 's'}`;
  switch (p.kind) {
    case 'http':
      return `GET ${p.url} expects ${p.expectStatus}${p.bodyMatch === undefined ? '' : ` and "${p.bodyMatch}"`}; ${cadence}`;
    case 'tcp':
      return `connect ${p.host}:${p.port}; ${cadence}`;
    case 'sql':
      return `${p.query} on data set ${p.data}${p.node === undefined ? '' : ` at ${p.node}`}${p.expect === undefined ? '' : ` expects ${p.expect}`}; ${cadence}`;
    case 'command':
      return `run ${p.argv.join(' ')}${p.node === undefined ? '' : ` on ${p.node}`}; ${cadence}`;
  }
}

export function dependencyText(dep: NonNullable<Service['dependsOn']>[number]): string {
  if (typeof dep === 'string') return dep;
  const parts = [dep.service + (dep.external ? ' (external)' : '')];
  if (dep.description !== undefined) parts.push(dep.description);
  parts.push(dep.fallback === undefined ? 'no fallback' : `fallback: ${dep.fallback}`);
  return parts.join(' — ');
}
