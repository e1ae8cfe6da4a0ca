// The runbooks the example plans derive, as their source documents describe them: RDO's DLRN DB
// ("set the slave instance as master, and re-configure DLRN instances to use it"), CAR/Harbor's
// blue/green upgrade (seed 003), and the adoption rollback before the point of no return (001).
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fsPlanSource } from '../../../src/cli/plan-files.js';
import { analyzePlan } from '../../../src/core/analysis/index.js';
import { loadPlan, type Plan } from '../../../src/core/plan/index.js';
import { deriveRunbook, runTotals } from '../../../src/core/runbook/index.js';
import { codes, ids, runOf, shape } from './lab-plan.js';

const EXAMPLES = resolve(import.meta.dirname, '../../../examples');

function example(name: string): Plan {
  const loaded = loadPlan(join(EXAMPLES, name, 'plan.yaml'), fsPlanSource);
  if (!loaded.plan) throw new Error(`${name} does not load`);
  return loaded.plan;
}

describe('examples/rdo', () => {
  const plan = example('rdo');

  it('dlrn-db failover: fence the master, check, approve, promote the MariaDB replica, re-point DLRN, verify', () => {
    const run = runOf(deriveRunbook(plan, 'failover', 'dlrn-db'));
    expect(shape(run.steps)).toEqual([
      'fence mariadb.fence dlrn-db',
      'check-ready engine.check-ready dlrn-db-replica',
      'custom manual dlrn-db',
      'promote mariadb.promote dlrn-db-replica',
      'custom ansible.playbook dlrn-builder',
      'verify probe.verify dlrn-db',
    ]);
    // DLRN finds its database by a name in projects.ini, not DNS (`traffic: none`): the plan's
    // re-point step is the switch, so no DNS step is derived.
    expect(ids(run.steps)).toEqual([
      'dlrn-db/fence/dlrn-db',
      'dlrn-db/check-ready/dlrn-db-replica',
      'dlrn-db/approve-promotion',
      'dlrn-db/promote/dlrn-db-replica',
      'dlrn-db/repoint-dlrn-instances',
      'dlrn-db/verify/dlrn-db',
    ]);
    expect(run.steps.find((s) => s.pointOfNoReturn)?.id).toBe('dlrn-db/promote/dlrn-db-replica');
    expect(run.steps[1]?.args).toMatchObject({ maxLagMs: 3_600_000, site: 'offsite-cloud' });
    expect(run.warnings).toEqual([]);
  });

  it('trunk failover: switch the DNS entry to the DLRN builder in the RDO Cloud', () => {
    const run = runOf(deriveRunbook(plan, 'failover', 'trunk'));
    expect(shape(run.steps)).toEqual([
      'check-ready engine.check-ready dlrn-builder',
      'switch-traffic dns.switch trunk.rdoproject.org',
      'verify probe.verify trunk',
    ]);
  });

  it("check's planned RTO is detection + the failover's steps (+ TTLs): one source of truth", () => {
    const analysis = analyzePlan(plan);
    for (const name of ['dlrn-db', 'trunk', 'images', 'www']) {
      const a = analysis.services.find((s) => s.service === name);
      const run = runOf(deriveRunbook(plan, 'failover', name));
      const ttls = (plan.services?.[name]?.traffic ?? []).reduce(
        (sum, t) => sum + (t.kind === 'dns' ? t.ttl : 0),
        0,
      );
      const detect = a?.rtoPath[0]?.ms ?? Number.NaN;
      expect(a?.plannedRtoMs, name).toBe(detect + runTotals(run).sequentialMs + ttls);
    }
  });

  it('a failover of the RDO Cloud moves every service that has a standby there, in dependency order', () => {
    const run = runOf(deriveRunbook(plan, 'failover', 'rdo-cloud'));
    expect(run.waves).toEqual([['dlrn-db', 'images', 'www'], ['dlrn-rpm-packaging']]);
    expect(codes(run.warnings)).toContain('LB_E_RUNBOOK_SERVICE_SKIPPED');
  });
});

describe('examples/car-harbor', () => {
  const plan = example('car-harbor');

  it('harbor blue/green: the plan’s approval before the switch, the confirm as point of no return', () => {
    const run = runOf(deriveRunbook(plan, 'bluegreen', 'harbor'));
    expect(ids(run.steps)).toEqual([
      'harbor/read-only/harbor/on',
      'harbor/restore/harbor/harbor-db',
      'harbor/upgrade/harbor-blue',
      'harbor/test/harbor',
      'harbor/approve-harbor-switch',
      'harbor/switch-traffic/harbor',
      'harbor/confirm/harbor',
      'harbor/read-only/harbor/off',
      'harbor/verify/harbor',
    ]);
    expect(run.steps.find((s) => s.pointOfNoReturn)?.kind).toBe('confirm');
    expect(run.steps[2]?.args).toMatchObject({
      playbook: 'playbooks/harbor-upgrade.yml',
      limit: 'harbor-blue',
    });
    expect(run.steps[4]?.approval).toMatchObject({ role: 'system-team' });
  });

  it('car blue/green derives too; the explicit car-maintenance runbook runs as written', () => {
    expect(shape(runOf(deriveRunbook(plan, 'bluegreen', 'car')).steps)).toContain(
      'upgrade ansible.playbook car-blue',
    );
    const manual = runOf(deriveRunbook(plan, 'car-maintenance'));
    expect(manual.kind).toBe('bluegreen');
    expect(ids(manual.steps)).toEqual([
      'car/announce',
      'car/read-only',
      'car/sync-blue',
      'car/upgrade-blue',
      'car/test-blue',
      'car/switch',
      'car/confirm',
    ]);
    expect(manual.steps.at(-1)?.pointOfNoReturn).toBe(true);
  });
});

describe('examples/adoption-rollback', () => {
  const plan = example('adoption-rollback');

  it('rollback: the rollback runbook, valid only before the adoption touches the data plane', () => {
    const run = runOf(deriveRunbook(plan, 'rollback', 'control-plane'));
    expect(ids(run.steps)).toEqual([
      'control-plane/decide-rollback',
      'control-plane/delete-podified',
      'control-plane/start-osp17-services',
      'control-plane/verify-osp17',
    ]);
    expect(run.guards).toEqual([
      {
        kind: 'before-point-of-no-return',
        service: 'control-plane',
        runbook: 'adoption',
        step: 'adopt-data-plane',
      },
    ]);
    expect(runTotals(run)).toEqual({
      criticalPathMs: 75 * 60_000,
      sequentialMs: 75 * 60_000,
      unknownSteps: 0,
    });
  });
});
