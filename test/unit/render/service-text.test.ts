// The seed table's "contingency plan" and "redeployment plan" columns, derived from structure.
import { describe, expect, it } from 'vitest';
import {
  contingencyText,
  dataCopyText,
  redeploymentText,
  replicationText,
} from '../../../src/core/render/service-text.js';
import { planFrom, twoSites } from './fixtures.js';

const plan = twoSites();
const svc = (name: string) => {
  const s = plan.services?.[name];
  if (!s) throw new Error(`no service ${name}`);
  return s;
};

describe('contingency plan derived from the structure', () => {
  it('names the replica, its site, the promotion and the DNS switch with its TTL', () => {
    expect(contingencyText(plan, svc('dlrn-db'))).toBe(
      'MariaDB async replica on dlrn-db-b (offsite); promote it, switch DNS trunk.rdoproject.org (TTL 5m)',
    );
  });

  it('describes a periodic file copy and an HAProxy switch', () => {
    expect(contingencyText(plan, svc('trunk'))).toBe(
      'repos files copied every 15m (rsync) to trunk (offsite); standby on builder (main-cloud); switch HAProxy backend trunk',
    );
  });

  it('names a standby without data and a VIP move', () => {
    expect(contingencyText(plan, svc('www'))).toBe(
      'standby on web-b (offsite); move VIP 192.0.2.100/24 (keepalived)',
    );
  });

  it('says a service without playbook is rebuilt by hand', () => {
    expect(contingencyText(plan, svc('ara'))).toBe('no copy or standby; rebuild by hand');
  });

  it('covers backup-restore, multi-provider and migration', () => {
    const p = planFrom(`
version: 1
name: p
tiers: { t: { rto: 4h, rpo: 1h } }
sites:
  a: { role: primary, provider: Cloud A }
  b: { role: offsite, provider: Cloud B }
nodes: { n1: { site: a }, n2: { site: b } }
runbooks:
  fwd: { steps: [{ id: s, action: manual }] }
  back: { steps: [{ id: s, action: manual }] }
services:
  lists:
    tier: t
    strategy: backup-restore
    placement: { active: [n1] }
    data: [{ name: archives, kind: backup, storage: s3://b/lists, replication: { mode: periodic, interval: 1d, tool: s3 } }]
  nodepool:
    tier: t
    strategy: multi-provider
    placement: { active: [n1, n2] }
  adoption:
    tier: t
    strategy: migration
    placement: { active: [n1] }
    migration: { runbook: fwd, rollback: back }
`);
    const s = (n: string) => p.services?.[n] as NonNullable<typeof p.services>[string];
    expect(contingencyText(p, s('lists'))).toBe(
      'archives backup every 1d (s3) to s3://b/lists; restore on a rebuilt node',
    );
    expect(contingencyText(p, s('nodepool'))).toBe(
      'active on 2 site(s): Cloud A, Cloud B; the remaining providers keep serving',
    );
    expect(contingencyText(p, s('adoption'))).toBe(
      'migration by runbook fwd, rollback by runbook back until its point of no return',
    );
  });
});

describe('redeployment plan', () => {
  it('gives the playbook and its duration, or says the rebuild is manual', () => {
    expect(redeploymentText(svc('trunk'))).toBe('Ansible playbook playbooks/trunk.yml, 2h');
    expect(redeploymentText(svc('ara'))).toBe('none (manual rebuild)');
  });
});

describe('replication wording', () => {
  it('gives the default lag of async replication and the copy of a data set', () => {
    const data = svc('dlrn-db').data?.[0];
    if (!data) throw new Error('no data');
    expect(replicationText(data)).toBe('async, lag 5s (gtid)');
    expect(dataCopyText(plan, data)).toBe('MariaDB async replica on dlrn-db-b (offsite)');
  });
});
