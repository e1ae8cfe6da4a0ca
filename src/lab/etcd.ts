// A 3-member etcd 3.4 cluster, one member per site (a, b, witness), so that either site plus
// the witness keeps a quorum. --pre-vote: without it a healed member forces a leader change.
import { join } from 'node:path';
import type { LabComponent, LabContext } from './context.js';
import type { LabPaths } from './paths.js';
import { httpRequest } from './probes.js';
import { ADDRESSES, PORTS, type ServerSpec, SITES, type Site, serversOf } from './topology.js';
import { waitFor } from './wait.js';

export function etcdPaths(paths: LabPaths, site: Site) {
  const dir = paths.component('etcd');
  return { dir, data: join(dir, site) };
}

export function etcdClientUrl(site: Site): string {
  return `http://${ADDRESSES[site]}:${PORTS.etcdClient}`;
}

export function etcdPeerUrl(site: Site): string {
  return `http://${ADDRESSES[site]}:${PORTS.etcdPeer}`;
}

/** The member's command line. Pure. */
export function etcdArgv(paths: LabPaths, site: Site, lab: string): string[] {
  const cluster = SITES.map((s) => `${s}=${etcdPeerUrl(s)}`).join(',');
  return [
    'etcd',
    ...['--name', site],
    ...['--data-dir', etcdPaths(paths, site).data],
    ...['--listen-peer-urls', etcdPeerUrl(site)],
    ...['--initial-advertise-peer-urls', etcdPeerUrl(site)],
    ...['--listen-client-urls', `${etcdClientUrl(site)},http://127.0.0.1:${PORTS.etcdClient}`],
    ...['--advertise-client-urls', etcdClientUrl(site)],
    ...['--initial-cluster', cluster],
    ...['--initial-cluster-token', `lifeboat-lab-${lab}`],
    // Ignored once the data directory exists: a restarted member rejoins its cluster.
    ...['--initial-cluster-state', 'new'],
    '--pre-vote',
    ...['--log-level', 'warn'],
  ];
}

async function healthy(ctx: LabContext, site: Site): Promise<boolean> {
  const r = await httpRequest(ctx.ns.wan, {
    url: `${etcdClientUrl(site)}/health`,
    timeoutMs: 1000,
  });
  return r.status === 200 && /"health":\s*"true"/.test(r.body ?? '');
}

export const etcd: LabComponent = {
  name: 'etcd',
  async up(ctx) {
    await ctx.mkdirFor(etcdPaths(ctx.paths, 'a').dir, 'etcd', 0o755);
    const started: { s: ServerSpec; site: Site; exited: Promise<unknown> }[] = [];
    for (const s of serversOf('etcd')) {
      if (ctx.isRunning(s)) continue;
      const site = s.place as Site;
      await ctx.mkdirFor(etcdPaths(ctx.paths, site).data, 'etcd', 0o700);
      const d = ctx.launch(s, etcdArgv(ctx.paths, site, ctx.name));
      started.push({ s, site, exited: d.exited });
    }
    // A member is healthy only once the cluster has a leader: wait for all members together.
    for (const { s, site } of started) {
      await waitFor(() => healthy(ctx, site), {
        what: `${s.name} to report healthy`,
        log: ctx.paths.log(s.name),
        timeoutMs: 30_000,
        intervalMs: 150,
      });
    }
  },
};
