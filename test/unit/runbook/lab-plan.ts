// Small two-site plans for derivation tests, in the shape of the lab: a primary site `a` with
// nodes a1..a3, an offsite site `b` with b1..b3, tiers high (4h/1h) and low. Tests add the
// services (and runbooks, roles) they are about, and read steps back in a compact form.
import type { Diagnostic, Plan, PlanInput } from '../../../src/core/plan/index.js';
import { planSchema } from '../../../src/core/plan/index.js';
import {
  type Derivation,
  deriveRunbook,
  type PlannedRun,
  type PlannedStep,
  type RunParams,
} from '../../../src/core/runbook/index.js';

export const M = 60_000;
export const S = 1_000;
export const H = 60 * M;

type ServiceInput = NonNullable<PlanInput['services']>[string];

export const BASE: PlanInput = {
  version: 1,
  name: 'lab',
  tiers: { high: { rto: '4h', rpo: '1h' }, low: { rto: '5d', rpo: '1d' } },
  sites: {
    a: { role: 'primary', provider: 'Site A' },
    b: { role: 'offsite', provider: 'Site B' },
    c: { role: 'offsite', provider: 'Site C' },
  },
  nodes: {
    a1: { site: 'a', address: '192.0.2.1' },
    a2: { site: 'a', address: '192.0.2.2' },
    a3: { site: 'a', address: '192.0.2.3' },
    b1: { site: 'b', address: '198.51.100.1' },
    b2: { site: 'b', address: '198.51.100.2' },
    b3: { site: 'b', address: '198.51.100.3' },
    c1: { site: 'c', address: '203.0.113.1' },
  },
};

export function labPlan(
  services: Record<string, ServiceInput>,
  extra: Partial<PlanInput> = {},
): Plan {
  return planSchema.parse({ ...BASE, ...extra, services });
}

/** A PostgreSQL pair a1 → b1 streaming asynchronously, behind a DNS record. */
export const pgPair = (over: Partial<ServiceInput> = {}): ServiceInput => ({
  tier: 'high',
  strategy: 'active-passive',
  placement: { active: ['a1'], standby: ['b1'] },
  data: [
    {
      name: 'db',
      kind: 'postgres',
      source: 'a1',
      targets: ['b1'],
      replication: { mode: 'async' },
      user: 'lifeboat',
      password: 'env:PG_PASSWORD',
    },
  ],
  traffic: [{ kind: 'dns', record: 'db.example.org', zone: 'example.org', ttl: '1m' }],
  health: [{ kind: 'sql', name: 'select-one', data: 'db' }],
  ...over,
});

export function derive(
  plan: Plan,
  runbook: string,
  selector?: string,
  params: RunParams = {},
): Derivation {
  return deriveRunbook(plan, runbook, selector, params);
}

/** The run, failing the test with the diagnostics when there is none. */
export function runOf(d: Derivation): PlannedRun {
  if (!d.run)
    throw new Error(`no run: ${d.diagnostics.map((x) => `${x.code} ${x.message}`).join('; ')}`);
  return d.run;
}

/** `kind action target` per step: the shape of a runbook at a glance. */
export const shape = (steps: readonly PlannedStep[]) =>
  steps.map((s) => `${s.kind} ${s.action} ${s.target}`);

export const ids = (steps: readonly PlannedStep[]) => steps.map((s) => s.id);

export const codes = (diags: readonly Diagnostic[]) => diags.map((d) => d.code);

export const step = (run: PlannedRun, id: string): PlannedStep => {
  const s = run.steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id} in ${ids(run.steps).join(', ')}`);
  return s;
};
