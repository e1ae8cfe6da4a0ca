// The composition root builds each concrete driver from the plan alone (plus how to reach nodes
// and read secrets), so that the same plan drives production and the lab.
import { describe, expect, it } from 'vitest';
import { type DriverEnvironment, DriverFactory } from '../../../src/cli/compose/driver-factory.js';
import { loadPlan, type Plan } from '../../../src/core/plan/index.js';
import { LocalNodeRunner } from '../../../src/drivers/node-runner.js';
import { Secret } from '../../../src/drivers/secrets.js';
import { memorySource } from '../plan/memory-source.js';

const PLAN = `
version: 1
name: factory
tiers: { high: { rto: 1h, rpo: 1m } }
sites:
  a: { role: primary, provider: lab }
  b: { role: offsite, provider: lab }
nodes:
  db-a: { site: a, address: 10.77.0.1 }
  db-b: { site: b, address: 10.77.0.2 }
services:
  app:
    tier: high
    strategy: active-passive
    placement: { active: [db-a], standby: [db-b] }
    data:
      - name: pg
        kind: postgres
        source: db-a
        targets: [db-b]
        database: app
        user: lifeboat
        password: env:PG_PASSWORD
        dataDir: /var/lib/postgresql/15/main
        replication: { mode: sync, user: replicator, password: file:/etc/lifeboat/replicator }
    traffic:
      - { kind: dns, record: db.lab.test, zone: lab.test, ttl: 5s, server: 10.77.0.3, tsigKey: lifeboat-lab, tsigSecret: file:/etc/lifeboat/tsig }
      - { kind: haproxy, backend: postgres, servers: { db-a: a, db-b: b }, socket: /run/haproxy/admin.sock, readOnlyMap: /etc/haproxy/ro.map }
      - { kind: vip, address: 10.77.0.100/24, routerId: 51, instance: app, priorities: { db-a: 150, db-b: 100 } }
      - { kind: dns, record: www.lab.test, zone: lab.test, ttl: 60s, provider: manual }
    health:
      - { kind: sql, name: select, data: pg, expect: '1' }
      - { kind: tcp, name: port, host: 10.77.0.1, port: 5432 }
      - { kind: http, name: web, url: 'http://10.77.0.254/' }
      - { kind: command, name: ping, argv: [ping, -c1, 10.77.0.1] }
`;

function plan(): Plan {
  const loaded = loadPlan('/p/plan.yaml', memorySource({ '/p/plan.yaml': PLAN }));
  expect(loaded.diagnostics).toEqual([]);
  return loaded.plan as Plan;
}

function env(): DriverEnvironment & { secretsRead: string[]; runners: string[] } {
  const secretsRead: string[] = [];
  const runners: string[] = [];
  return {
    secretsRead,
    runners,
    runnerFor: (node) => {
      runners.push(node);
      return new LocalNodeRunner();
    },
    localRunner: () => new LocalNodeRunner(),
    secret: (ref) => {
      secretsRead.push(ref);
      return new Secret('s3cret-value', ref);
    },
  };
}

describe('the driver factory', () => {
  it('builds the database driver of each node of a data set, with its secrets resolved by reference', async () => {
    const e = env();
    const f = new DriverFactory(plan(), e);
    const d = f.database('app', 'pg', 'db-b');
    expect(d.kind).toBe('postgres');
    expect(d.target).toContain('db-b');
    expect(e.secretsRead).toEqual(['file:/etc/lifeboat/replicator', 'env:PG_PASSWORD']);
    expect(e.runners).toEqual(['db-b']);
    expect(JSON.stringify(d)).not.toContain('s3cret-value');
  });

  it('builds one traffic driver per traffic item: DNS (RFC 2136), HAProxy, keepalived', () => {
    const e = env();
    const f = new DriverFactory(plan(), e);
    expect(f.traffic('app', 0).kind).toBe('dns');
    expect(f.traffic('app', 1).kind).toBe('haproxy');
    expect(f.traffic('app', 2).kind).toBe('keepalived');
    expect(e.runners).toEqual(['db-a', 'db-b']);
    expect(e.secretsRead).toContain('file:/etc/lifeboat/tsig');
  });

  it('refuses to drive a record that is changed by hand, with a coded error', () => {
    const f = new DriverFactory(plan(), env());
    expect(() => f.traffic('app', 3)).toThrow(
      expect.objectContaining({ code: 'LB_E_DRIVER_CONFIG' }),
    );
    expect(() => f.traffic('app', 9)).toThrow(
      expect.objectContaining({ code: 'LB_E_DRIVER_CONFIG' }),
    );
  });

  it('builds every kind of probe', () => {
    const f = new DriverFactory(plan(), env());
    for (const name of ['select', 'port', 'web', 'ping']) {
      const p = f.probe('app', name);
      expect(typeof p.probe).toBe('function');
    }
    expect(() => f.probe('app', 'nope')).toThrow(
      expect.objectContaining({ code: 'LB_E_DRIVER_CONFIG' }),
    );
  });

  it('names what is missing when the plan lacks a field a driver needs', () => {
    const f = new DriverFactory(plan(), env());
    expect(() => f.database('app', 'nope', 'db-a')).toThrow(/no data set `nope`/);
    expect(() => f.database('ghost', 'pg', 'db-a')).toThrow(/no service `ghost`/);
    expect(() => f.playbook('app', 'redeploy', '/p')).toThrow(/no `redeploy` playbook/);
  });
});
