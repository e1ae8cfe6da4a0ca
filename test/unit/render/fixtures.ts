// Plans and hand-built analyses for the render tests. The analyses are written by hand so that
// these tests pin what the renderers do with given numbers, whatever the analysis computes.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import type { Analysis, ServiceAssessment } from '../../../src/core/analysis/types.js';
import { loadPlan, type Plan } from '../../../src/core/plan/index.js';

export const TWO_SITES_FILE = fileURLToPath(
  new URL('../../fixtures/render/two-sites.yaml', import.meta.url),
);

/** Loads plan text as `/plan.yaml`; fails the test on any error diagnostic. */
export function planFrom(text: string): Plan {
  const loaded = loadPlan('/plan.yaml', {
    read: () => text,
    expand: () => [],
  });
  if (!loaded.plan) {
    throw new Error(loaded.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
  }
  return loaded.plan;
}

export function twoSites(): Plan {
  return planFrom(readFileSync(TWO_SITES_FILE, 'utf8'));
}

const H = 3_600_000;

function assessment(
  service: string,
  plan: Plan,
  extra: Partial<ServiceAssessment> = {},
): ServiceAssessment {
  const svc = plan.services?.[service];
  const tier = plan.tiers?.[svc?.tier ?? ''];
  return {
    service,
    tier: svc?.tier ?? '?',
    strategy: svc?.strategy ?? '?',
    targetRtoMs: tier?.rto ?? 0,
    plannedRtoMs: 40 * 60_000,
    rtoPath: [
      {
        step: 'detect',
        description: 'probe `db`: 3 × 10s + 2s timeout',
        ms: 32_000,
        source: 'probe',
      },
      {
        step: 'promote',
        description: 'promote replica dlrn-db-b (mariadb)',
        ms: 60_000,
        source: 'default',
      },
      {
        step: 'switch-traffic',
        description: 'DNS TTL of trunk.rdoproject.org',
        ms: 300_000,
        source: 'ttl',
      },
    ],
    targetRpoMs: tier?.rpo ?? 0,
    plannedRpoMs: 5_000,
    rpoBasis: 'mariadb async replication, lag 5s',
    rtoVerdict: 'ok',
    rpoVerdict: 'ok',
    verdict: 'ok',
    activeSites: ['main-cloud'],
    standbySites: ['offsite'],
    scenario: 'site `main-cloud` lost',
    ...extra,
  };
}

/** A plausible analysis of two-sites.yaml with one failing service and findings of each kind. */
export function twoSitesAnalysis(plan: Plan): Analysis {
  return {
    services: [
      assessment('dlrn-db', plan),
      assessment('trunk', plan, { plannedRtoMs: 2 * H + 15 * 60_000, plannedRpoMs: 15 * 60_000 }),
      assessment('www', plan, { plannedRpoMs: 0, rpoBasis: 'stateless: no data sets' }),
      assessment('ara', plan, {
        plannedRtoMs: Number.POSITIVE_INFINITY,
        rtoPath: [
          {
            step: 'redeploy',
            description: 'no redeploy: cannot be restored',
            ms: Number.POSITIVE_INFINITY,
            source: 'unknown',
          },
        ],
        rtoVerdict: 'fails',
        verdict: 'fails',
        plannedRpoMs: 0,
      }),
    ],
    blastRadius: [
      {
        kind: 'site',
        name: 'main-cloud',
        site: 'main-cloud',
        services: ['dlrn-db', 'www', 'ara'],
        servicesDown: ['ara'],
        tiers: { High: 1, Medium: 1, Low: 1 },
      },
      {
        kind: 'node',
        name: 'trunk',
        site: 'offsite',
        services: ['trunk'],
        servicesDown: [],
        tiers: { High: 1 },
      },
    ],
    recoveryOrder: [['dlrn-db', 'www', 'ara'], ['trunk']],
    cost: [
      { tier: 'High', monthly: 360, budget: 500, nodes: ['dlrn-db-b', 'trunk', 'web-b'] },
      { tier: 'Medium', monthly: 120, budget: undefined, nodes: ['web-b'] },
    ],
    currency: plan.currency,
    tierOrder: ['High', 'Medium', 'Low'],
    findings: [
      {
        code: 'LB_E_CHECK_OPEN_QUESTION',
        severity: 'warning',
        message: '`trunk`: open question: Is a vhost needed | on the builder?',
        hint: 'Answer it and write the answer into the plan; then remove it from `openQuestions`.',
        path: ['services', 'trunk', 'openQuestions', 0],
      },
      {
        code: 'LB_E_CHECK_RTO_EXCEEDED',
        severity: 'error',
        message: '`ara` cannot be restored when site main-cloud is lost',
        hint: 'Add a standby node on another site.',
        path: ['services', 'ara'],
        file: 'plan.yaml',
        line: 104,
        col: 3,
      },
    ],
  };
}

/** A plan of `services` services spread over `nodes` nodes per site, each with DNS and replication. */
export function bigPlan(services: number, nodes: number): Plan {
  const nodeMap: Record<string, unknown> = {};
  for (let i = 0; i < nodes; i++) {
    nodeMap[`a-${i}`] = { site: 'main', domain: i % 2 ? 'rack-1' : 'rack-2' };
    nodeMap[`b-${i}`] = { site: 'off', domain: 'zone-1' };
  }
  const serviceMap: Record<string, unknown> = {};
  for (let i = 0; i < services; i++) {
    const n = i % nodes;
    serviceMap[`svc-${i}`] = {
      tier: ['high', 'medium', 'low'][i % 3],
      strategy: 'active-passive',
      placement: { active: [`a-${n}`], standby: [`b-${n}`] },
      data: [
        {
          name: 'db',
          kind: 'postgres',
          source: `a-${n}`,
          targets: [`b-${n}`],
          replication: { mode: 'async' },
        },
      ],
      traffic: [{ kind: 'dns', record: `svc-${i}.example.org`, zone: 'example.org', ttl: '5m' }],
    };
  }
  return planFrom(
    stringify({
      version: 1,
      name: 'big',
      tiers: {
        high: { rto: '4h', rpo: '1h' },
        medium: { rto: '1d', rpo: '1d' },
        low: { rto: '5d', rpo: '5d' },
      },
      sites: {
        main: {
          role: 'primary',
          provider: 'cloud A',
          domains: {
            'region-1': { kind: 'region' },
            'rack-1': { kind: 'rack', parent: 'region-1' },
            'rack-2': { kind: 'rack', parent: 'region-1' },
          },
        },
        off: { role: 'offsite', provider: 'cloud B', domains: { 'zone-1': { kind: 'zone' } } },
      },
      nodes: nodeMap,
      services: serviceMap,
    }),
  );
}

/** An analysis with no assessments: enough for the diagram and the document skeleton. */
export function emptyAnalysis(plan: Plan): Analysis {
  return {
    services: [],
    blastRadius: [],
    recoveryOrder: [],
    cost: [],
    currency: plan.currency,
    tierOrder: Object.keys(plan.tiers ?? {}),
    findings: [],
  };
}
