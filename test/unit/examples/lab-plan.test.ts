// examples/lab/plan.yaml describes the lab that `lifeboat lab up` builds: the same addresses,
// ports, names and secret files, so that drivers built from the plan drive the lab's servers.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlanFile } from '../../../src/cli/plan-files.js';
import type { Plan } from '../../../src/core/plan/index.js';
import {
  ADDRESSES,
  DEFAULT_LAB_NAME,
  DEFAULT_LAB_ROOT,
  HAPROXY_BACKENDS,
  labEndpoints,
  labPaths,
  PORTS,
  VIP,
  VRRP,
} from '../../../src/lab/index.js';

const root = join(import.meta.dirname, '..', '..', '..');
const loaded = loadPlanFile(join(root, 'examples', 'lab', 'plan.yaml'));
const plan = loaded.plan as Plan;
const dir = join(DEFAULT_LAB_ROOT, DEFAULT_LAB_NAME);
const paths = labPaths(dir);
const ep = labEndpoints(DEFAULT_LAB_NAME, paths);

function traffic<K extends string>(service: string, kind: K) {
  return (plan.services?.[service]?.traffic ?? []).filter((t) => t.kind === kind) as Extract<
    NonNullable<Plan['services']>[string]['traffic'],
    unknown[]
  >[number][];
}

describe('the lab plan', () => {
  it('is a valid plan', () => {
    expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it("places its nodes at the lab sites' addresses", () => {
    expect(plan.nodes?.a?.address).toBe(ADDRESSES.a);
    expect(plan.nodes?.b?.address).toBe(ADDRESSES.b);
    expect(plan.nodes?.witness?.address).toBe(ADDRESSES.witness);
  });

  it("names the lab's HAProxy backends, runtime API and files", () => {
    for (const svc of ['app-db', 'dlrn-db', 'web']) {
      for (const t of traffic(svc, 'haproxy')) {
        if (t.kind !== 'haproxy') continue;
        expect(Object.keys(HAPROXY_BACKENDS)).toContain(t.backend);
        expect(t.address).toBe(ADDRESSES.wan);
        expect(t.port).toBe(PORTS.haproxyRuntime);
        if (t.readOnlyMap) expect(t.readOnlyMap).toBe(ep.haproxy.readOnlyMap);
        if (t.stateFile) expect(t.stateFile).toBe(ep.haproxy.stateFile);
      }
    }
  });

  it("updates the lab zone on the lab's BIND with its TSIG key", () => {
    for (const svc of ['app-db', 'dlrn-db']) {
      for (const t of traffic(svc, 'dns')) {
        if (t.kind !== 'dns') continue;
        expect(`${t.zone.replace(/\.$/, '')}.`).toBe(`${ep.bind.zone.replace(/\.$/, '')}.`);
        expect(t.server).toBe(ep.bind.host);
        expect(t.tsigKey).toBe(ep.bind.tsig.name);
        expect(t.tsigSecret).toBe(`file:${ep.bind.tsig.secretFile}`);
      }
    }
  });

  it('reads the database secrets the lab generates and knows its data directories', () => {
    const pg = plan.services?.['app-db']?.data?.[0];
    expect(pg?.password).toBe(`file:${ep.postgres.users.lifeboat.passwordFile}`);
    expect(pg?.replication.password).toBe(`file:${ep.postgres.users.replicator.passwordFile}`);
    expect(pg?.dataDir?.replace('{node}', 'a')).toBe(ep.postgres.a.dataDir);
    expect(pg?.dataDir?.replace('{node}', 'b')).toBe(ep.postgres.b.dataDir);
    const my = plan.services?.['dlrn-db']?.data?.[0];
    expect(my?.password).toBe(`file:${ep.mariadb.users.lifeboat.passwordFile}`);
    expect(my?.replication.password).toBe(`file:${ep.mariadb.users.repl.passwordFile}`);
  });

  it("moves the lab's VIP with its VRRP instance", () => {
    const [vip] = traffic('vip', 'vip');
    if (vip?.kind !== 'vip') throw new Error('no vip traffic');
    expect(vip.address).toBe(`${VIP}/24`);
    expect(vip.routerId).toBe(VRRP.virtualRouterId);
    expect(vip.priorities).toEqual(VRRP.priority);
  });

  it("mirrors the lab's rsync source tree", () => {
    const tree = plan.services?.mirror?.data?.[0];
    expect(tree?.path).toBe(ep.rsync.source.dir);
  });
});
