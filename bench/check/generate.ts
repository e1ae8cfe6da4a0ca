// Writes a large, realistic plan for the `lifeboat check` benchmark: 10,000 services over a
// primary cloud and an offsite cloud, 200 failure domains (regions > racks > hypervisors on the
// primary, regions > zones offsite), 4,000 nodes, data sets, DNS/HAProxy/VIP traffic, probes,
// dependencies, runbooks and drills. Services are split over 20 included files, as a team this
// size would keep them (and because one file is capped at 8 MiB).
//
//   npx tsx bench/check/generate.ts [out-dir]     (default: $TMPDIR/lifeboat-bench-check)
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export const SHAPE = {
  services: 10_000,
  serviceFiles: 20,
  primaryNodes: 3_000,
  offsiteNodes: 1_000,
  /** Primary: 2 regions, 9 racks each, 160 hypervisors; offsite: 2 regions, 18 zones. */
  domains: 200,
  runbooks: 50,
  drills: 200,
} as const;

/** A deterministic pseudo-random sequence, so every run benchmarks the same plan. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1_664_525 + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

function topology() {
  const primaryDomains: Record<string, object> = {};
  const racks: string[] = [];
  const hypervisors: string[] = [];
  for (let r = 1; r <= 2; r++) {
    primaryDomains[`region-${r}`] = { kind: 'region' };
    for (let k = 1; k <= 9; k++) {
      const rack = `rack-${r}-${k}`;
      primaryDomains[rack] = { kind: 'rack', parent: `region-${r}` };
      racks.push(rack);
    }
  }
  for (let h = 0; h < 160; h++) {
    const hv = `hv-${String(h).padStart(3, '0')}`;
    primaryDomains[hv] = { kind: 'hypervisor', parent: racks[h % racks.length] };
    hypervisors.push(hv);
  }
  const offsiteDomains: Record<string, object> = {};
  const zones: string[] = [];
  for (let r = 1; r <= 2; r++) {
    offsiteDomains[`off-region-${r}`] = { kind: 'region' };
    for (let z = 1; z <= 9; z++) {
      const zone = `off-zone-${r}-${z}`;
      offsiteDomains[zone] = { kind: 'zone', parent: `off-region-${r}` };
      zones.push(zone);
    }
  }
  const nodes: Record<string, object> = {};
  const primary: string[] = [];
  const offsite: string[] = [];
  for (let i = 0; i < SHAPE.primaryNodes; i++) {
    const name = `vm-${String(i).padStart(4, '0')}`;
    nodes[name] = {
      site: 'main-cloud',
      domain: hypervisors[i % hypervisors.length],
      address: `10.${(i >> 8) & 255}.${i & 255}.10`,
      ssh: { user: 'lifeboat' },
    };
    primary.push(name);
  }
  for (let i = 0; i < SHAPE.offsiteNodes; i++) {
    const name = `off-${String(i).padStart(4, '0')}`;
    nodes[name] = {
      site: 'offsite-cloud',
      domain: zones[i % zones.length],
      address: `172.16.${(i >> 8) & 255}.${i & 255}`,
      ssh: { user: 'lifeboat' },
      ...(i % 10 === 0 ? { monthlyCost: 180 } : {}),
    };
    offsite.push(name);
  }
  const sites = {
    'main-cloud': { role: 'primary', provider: 'Main cloud (OpenStack)', domains: primaryDomains },
    'offsite-cloud': {
      role: 'offsite',
      provider: 'Public cloud',
      costPerNodeMonth: 95,
      domains: offsiteDomains,
    },
  };
  return { sites, nodes, primary, offsite };
}

function service(i: number, primary: string[], offsite: string[], next: () => number) {
  const name = `svc-${String(i).padStart(5, '0')}`;
  const roll = next();
  const tier = roll < 0.1 ? 'high' : roll < 0.4 ? 'medium' : 'low';
  const active = primary[Math.floor(next() * primary.length)] as string;
  const standby = offsite[Math.floor(next() * offsite.length)] as string;
  const host = `${name}.example.org`;
  const health = [
    { kind: 'http', name: 'web', url: `https://${host}/health`, interval: '15s', failures: 3 },
    ...(next() < 0.5 ? [{ kind: 'tcp', name: 'port', host, port: 443 }] : []),
  ];
  const dependsOn =
    i > 10 && next() < 0.5 ? [`svc-${String(Math.floor(next() * i)).padStart(5, '0')}`] : undefined;
  const redeploy = { playbook: `playbooks/${name}.yml`, inventory: 'inventory/', duration: '2h' };
  const common = {
    tier,
    description: `Benchmark service ${i}.`,
    owner: `team-${i % 40}`,
    ...(dependsOn ? { dependsOn } : {}),
    health,
    redeploy,
  };
  if (tier === 'high') {
    return [
      name,
      {
        ...common,
        strategy: i % 20 === 0 ? 'blue-green' : 'active-passive',
        placement: { active: [active], standby: [standby] },
        data: [
          {
            name: 'db',
            kind: i % 2 ? 'postgres' : 'mariadb',
            source: active,
            targets: [standby],
            replication: { mode: 'async', expectedLag: '10s', tool: 'streaming' },
            database: 'app',
            user: 'app',
            password: 'env:DB_PASSWORD',
            size: '40GiB',
          },
          {
            name: 'uploads',
            kind: 'files',
            source: active,
            targets: [standby],
            path: '/srv/uploads',
            replication: { mode: 'periodic', interval: '15m', tool: 'rsync' },
          },
        ],
        traffic: [
          { kind: 'dns', record: host, zone: 'example.org', ttl: '5m', server: 'ns1.example.org' },
        ],
        estimates: { 'switch-traffic': '2m' },
      },
    ] as const;
  }
  if (tier === 'medium') {
    const pilot = i % 3 === 0;
    return [
      name,
      {
        ...common,
        strategy: pilot ? 'pilot-light' : 'backup-restore',
        placement: { active: [active], ...(pilot ? { standby: [standby] } : {}) },
        justification: 'Restoring offsite is the only way to meet 24h when the main cloud is down.',
        data: [
          {
            name: 'backup',
            kind: 'backup',
            source: active,
            storage: `s3://backups/${name}`,
            replication: { mode: 'periodic', interval: '1d', tool: 'backup' },
            size: '120GiB',
            retention: '30d',
          },
        ],
        traffic: [
          i % 2
            ? {
                kind: 'haproxy',
                backend: name,
                servers: { [active]: 'a', [standby]: 'b' },
                node: primary[0],
              }
            : {
                kind: 'vip',
                address: `10.200.${(i >> 8) & 255}.${i & 255}/24`,
                routerId: (i % 250) + 1,
              },
        ],
      },
    ] as const;
  }
  return [
    name,
    {
      ...common,
      strategy: 'redeploy',
      placement: { active: [active] },
      ...(i % 7 === 0 ? { openQuestions: ['Could we live without it for a week?'] } : {}),
    },
  ] as const;
}

export function generatePlan(dir: string): { entry: string; files: string[] } {
  const next = rng(20_241_121);
  const { sites, nodes, primary, offsite } = topology();
  mkdirSync(join(dir, 'services'), { recursive: true });
  const files: string[] = [];
  const perFile = SHAPE.services / SHAPE.serviceFiles;
  const names: string[] = [];
  for (let f = 0; f < SHAPE.serviceFiles; f++) {
    const services: Record<string, unknown> = {};
    for (let i = f * perFile; i < (f + 1) * perFile; i++) {
      const [name, svc] = service(i, primary, offsite, next);
      services[name] = svc;
      names.push(name);
    }
    const file = join(dir, 'services', `part-${String(f).padStart(2, '0')}.yaml`);
    writeFileSync(file, stringify({ services }, { lineWidth: 0 }));
    files.push(file);
  }
  const runbooks: Record<string, object> = {};
  for (let r = 0; r < SHAPE.runbooks; r++) {
    const svc = names[r * 37] as string;
    runbooks[`switchover-${r}`] = {
      kind: 'switchover',
      service: svc,
      steps: [
        { id: 'check', action: 'postgres.check', target: 'db', estimate: '30s' },
        {
          id: 'read-only',
          action: 'haproxy.read-only',
          target: svc,
          undo: { action: 'haproxy.read-write' },
        },
        { id: 'approve', action: 'manual', approval: { role: 'dba' }, estimate: '10m' },
        {
          id: 'promote',
          action: 'postgres.promote',
          target: 'db',
          pointOfNoReturn: true,
          estimate: '1m',
        },
        { id: 'switch', action: 'dns.switch', target: `${svc}.example.org`, estimate: '1m' },
      ],
    };
  }
  const drills: Record<string, object> = {};
  for (let d = 0; d < SHAPE.drills; d++) {
    const svc = names[d * 50] as string;
    drills[`drill-${d}`] = {
      service: svc,
      fault: { kind: 'kill', target: primary[d] },
      schedule: '0 3 * * 1',
    };
  }
  const tiers = {
    high: { rto: '4h', rpo: '1h', drillEvery: '13w', offsite: 'allowed', offsiteBudget: 200_000 },
    medium: { rto: '24h', rpo: '24h', offsite: 'justify', offsiteBudget: 50_000 },
    low: { rto: '5d', rpo: '5d', offsite: 'never' },
  };
  const entry = join(dir, 'plan.yaml');
  const plan = {
    version: 1,
    name: 'bench-estate',
    description: 'Generated by bench/check/generate.ts.',
    include: ['services/*.yaml'],
    detection: { manual: '1h' },
    tiers,
    sites,
    nodes,
    roles: { dba: { members: ['amy', 'bo', 'cy'] } },
    runbooks,
    drills,
  };
  writeFileSync(entry, stringify(plan, { lineWidth: 0 }));
  return { entry, files: [entry, ...files] };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2] ?? join(tmpdir(), 'lifeboat-bench-check');
  const { entry, files } = generatePlan(dir);
  process.stdout.write(`wrote ${entry} and ${files.length - 1} included files\n`);
}
