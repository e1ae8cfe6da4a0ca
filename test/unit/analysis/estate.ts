// A small two-site estate for analysis tests, in the shape of seed 000: tiers high/medium/low
// (4h/24h/5d), a primary cloud with a region > racks > hypervisor hierarchy, and a paid offsite
// cloud. Tests add the services (and anything else) they are about.
import type { ErrorCode } from '../../../src/core/errors/index.js';
import {
  type Plan,
  type PlanInput,
  planSchema,
  type Service,
} from '../../../src/core/plan/index.js';

export const H = 3_600_000;
export const M = 60_000;
export const S = 1_000;

export const BASE: PlanInput = {
  version: 1,
  name: 'estate',
  detection: { manual: '30m' },
  tiers: {
    high: { rto: '4h', rpo: '1h', offsiteBudget: 300 },
    medium: { rto: '24h', rpo: '24h', offsite: 'justify' },
    low: { rto: '5d', rpo: '5d', offsite: 'never' },
  },
  sites: {
    main: {
      role: 'primary',
      provider: 'Main cloud',
      domains: {
        dc: { kind: 'region' },
        'rack-1': { kind: 'rack', parent: 'dc' },
        'rack-2': { kind: 'rack', parent: 'dc' },
        'hv-1': { kind: 'hypervisor', parent: 'rack-1' },
      },
    },
    far: { role: 'offsite', provider: 'Public cloud', costPerNodeMonth: 100 },
  },
  nodes: {
    a1: { site: 'main', domain: 'hv-1' },
    a2: { site: 'main', domain: 'hv-1' },
    a3: { site: 'main', domain: 'rack-2' },
    a4: { site: 'main' },
    f1: { site: 'far' },
    f2: { site: 'far', monthlyCost: 40 },
  },
};

type ServiceInput = NonNullable<PlanInput['services']>[string];

/** The estate with these services (and any other top-level sections replaced or added). */
export function estate(
  services: Record<string, ServiceInput>,
  extra: Partial<PlanInput> = {},
): Plan {
  return planSchema.parse({ ...BASE, ...extra, services });
}

/** The service `name` of a parsed plan. */
export function svc(plan: Plan, name: string): Service {
  const s = plan.services?.[name];
  if (!s) throw new Error(`no service ${name}`);
  return s;
}

export function codes(findings: readonly { code: ErrorCode }[]): ErrorCode[] {
  return findings.map((f) => f.code);
}
