// keepalived at sites a and b sharing a VIP by VRRP over the bridge. a starts as MASTER with
// the higher priority, so the VIP is placed at once rather than after a master-down interval.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabComponent, LabContext } from './context.js';
import { inNamespace, run } from './exec.js';
import type { LabPaths } from './paths.js';
import { PREFIX_LENGTH, type ServerSpec, SITE_IFACE, serversOf, VIP } from './topology.js';
import { waitFor } from './wait.js';

export const VRRP = {
  virtualRouterId: 77,
  version: 3,
  /** VRRPv3 allows sub-second adverts: the backup takes over after ~3 × this plus skew. */
  advertIntervalS: 0.5,
  priority: { a: 150, b: 100 },
} as const;

type KaSite = 'a' | 'b';

export function keepalivedPaths(paths: LabPaths, site: KaSite) {
  const dir = paths.component('keepalived');
  return {
    dir,
    config: join(dir, `${site}.conf`),
    pidFile: join(dir, `${site}.pid`),
    vrrpPidFile: join(dir, `${site}.vrrp.pid`),
  };
}

/** One site's configuration. Pure. `vrrp_version` belongs in global_defs (LAB-NOTES). */
export function renderKeepalivedConf(site: KaSite, lab: string): string {
  return `global_defs {
  router_id ${lab}_${site}
  vrrp_version ${VRRP.version}
  vrrp_garp_master_delay 0
  script_user root
  enable_script_security
}
vrrp_instance lab {
  state ${site === 'a' ? 'MASTER' : 'BACKUP'}
  interface ${SITE_IFACE}
  virtual_router_id ${VRRP.virtualRouterId}
  priority ${VRRP.priority[site]}
  advert_int ${VRRP.advertIntervalS}
  virtual_ipaddress {
    ${VIP}/${PREFIX_LENGTH} dev ${SITE_IFACE}
  }
}
`;
}

/** Sites whose eth0 carries the VIP now (both, briefly, after a kill -9 of the master). */
export async function vipHolders(ns: Readonly<Record<KaSite, string>>): Promise<KaSite[]> {
  const out: KaSite[] = [];
  for (const site of ['a', 'b'] as const) {
    const r = await run(
      inNamespace(ns[site], ['ip', '-o', '-4', 'addr', 'show', 'dev', SITE_IFACE]),
      {
        timeoutMs: 5000,
      },
    );
    if (r.stdout.includes(` ${VIP}/`)) out.push(site);
  }
  return out;
}

async function start(ctx: LabContext, s: ServerSpec, site: KaSite) {
  if (ctx.isRunning(s)) return undefined;
  const p = keepalivedPaths(ctx.paths, site);
  writeFileSync(p.config, renderKeepalivedConf(site, ctx.name));
  // keepalived refuses to start while its own pid files name a live process, and a killed
  // instance's VRRP child can linger as a zombie (kill(pid, 0) succeeds) where nothing reaps
  // it. The lab knows ours is not running (PID and start time checked): the files are stale.
  rmSync(p.pidFile, { force: true });
  rmSync(p.vrrpPidFile, { force: true });
  // -n: the parent stays in the foreground (our PID); -P: VRRP only; -l -G: log to stderr only.
  return ctx.launch(s, [
    'keepalived',
    ...['-n', '-l', '-G', '-D', '-P'],
    ...['-f', p.config, '-p', p.pidFile, '-r', p.vrrpPidFile],
  ]);
}

export const keepalived: LabComponent = {
  name: 'keepalived',
  async up(ctx) {
    const [a, b] = serversOf('keepalived') as [ServerSpec, ServerSpec];
    await ctx.mkdirFor(keepalivedPaths(ctx.paths, 'a').dir, 'root', 0o755);
    const da = await start(ctx, a, 'a');
    const db = await start(ctx, b, 'b');
    if (!da && !db) return;
    await waitFor(async () => (await vipHolders(ctx.ns)).length === 1, {
      what: 'the VIP to be held by exactly one of keepalived-a, keepalived-b',
      log: ctx.paths.log(da ? a.name : b.name),
      timeoutMs: 20_000,
      exited: (da ?? db)?.exited,
    });
  },
};
