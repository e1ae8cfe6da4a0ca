// Every example under examples/ is a plan an operator could copy: it must load with no plan
// diagnostic, and `lifeboat check` must report the weaknesses its source document admits.
// A new example directory is picked up without editing this file.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fsPlanSource } from '../../../src/cli/plan-files.js';
import { analyzePlan } from '../../../src/core/analysis/index.js';
import { isErrorCode } from '../../../src/core/errors/index.js';
import {
  type Diagnostic,
  type LoadedPlan,
  loadPlan,
  type PlanPath,
} from '../../../src/core/plan/index.js';

const EXAMPLES = resolve(import.meta.dirname, '../../../examples');
const SCHEMA_LINE = '# yaml-language-server: $schema=../../schema/plan.schema.json';

const examples = readdirSync(EXAMPLES, { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(EXAMPLES, e.name, 'plan.yaml')))
  .map((e) => e.name)
  .sort();

const planFile = (example: string) => join(EXAMPLES, example, 'plan.yaml');

function load(example: string, edit?: (text: string) => string): LoadedPlan {
  const file = planFile(example);
  const source = {
    ...fsPlanSource,
    read: (f: string) => {
      const text = fsPlanSource.read(f);
      return edit && f === file ? edit(text) : text;
    },
  };
  return loadPlan(file, source);
}

function findings(example: string, edit?: (text: string) => string): Diagnostic[] {
  const loaded = load(example, edit);
  expect(loaded.diagnostics.filter((d) => d.code.startsWith('LB_E_PLAN_'))).toEqual([]);
  return analyzePlan(loaded.plan!).findings;
}

const pathOf = (d: Diagnostic) => (d.path ?? []).join('.');
const has = (all: Diagnostic[], code: string, path: PlanPath) =>
  all.filter((d) => d.code === code && pathOf(d) === path.join('.'));

/** Findings each example exists to show: code and the exact path of the plan it points at. */
const MUST_SHOW: Record<string, { code: string; path: PlanPath; mentions?: string[] }[]> = {
  rdo: [
    // "Our current nodepool setup only includes one cloud (RDO Cloud)."
    {
      code: 'LB_E_CHECK_SINGLE_PROVIDER',
      path: ['services', 'nodepool-nodes', 'placement', 'active'],
    },
    // "I assume repos.fedorapeople.org has its own replication/DR, right?"
    {
      code: 'LB_E_CHECK_DEP_EXTERNAL_NO_FALLBACK',
      path: ['services', 'www', 'dependsOn', 0],
      mentions: ['repos.fedorapeople.org'],
    },
    // planet: "the same hosts as www"; dashboards: "the same VM as www".
    {
      code: 'LB_E_CHECK_SHARED_NODE',
      path: ['nodes', 'www-vm'],
      mentions: ['www', 'planet', 'dashboards'],
    },
    {
      code: 'LB_E_CHECK_OPEN_QUESTION',
      path: ['services', 'logs', 'openQuestions', 0],
      mentions: ['Could we live without artifacts for a day or two?'],
    },
    {
      code: 'LB_E_CHECK_OPEN_QUESTION',
      path: ['services', 'logs', 'openQuestions', 1],
      mentions: ['Could we lose them completely?'],
    },
    {
      code: 'LB_E_CHECK_OPEN_QUESTION',
      path: ['services', 'monitoring', 'openQuestions', 0],
      mentions: ['Recreate machine (automated?)'],
    },
    {
      code: 'LB_E_CHECK_OPEN_QUESTION',
      path: ['services', 'ara', 'openQuestions', 0],
      mentions: ['Recreate machine (automated?)'],
    },
    { code: 'LB_E_CHECK_NO_DATA_COPY', path: ['services', 'logs', 'data', 0] },
    // High tier, but a daily backup: up to a day of mail archives can be lost.
    {
      code: 'LB_E_CHECK_RPO_EXCEEDED',
      path: ['services', 'lists', 'data', 0, 'replication'],
    },
    { code: 'LB_E_CHECK_NO_STANDBY_OFFSITE', path: ['services', 'lists', 'placement'] },
    // CI nodes are useless while the nodepool launcher (on review, tier medium) is down.
    {
      code: 'LB_E_CHECK_DEP_LOWER_TIER',
      path: ['services', 'nodepool-nodes', 'dependsOn', 0],
      mentions: ['review'],
    },
    { code: 'LB_E_CHECK_NO_REDEPLOY', path: ['services', 'monitoring'] },
    { code: 'LB_E_CHECK_NO_REDEPLOY', path: ['services', 'ara'] },
  ],
  'car-harbor': [
    {
      code: 'LB_E_CHECK_OPEN_QUESTION',
      path: ['services', 'car', 'openQuestions', 1],
      mentions: ['HAProxy'],
    },
    // Both colours run in one AWS region: blue/green protects upgrades, not a region outage.
    { code: 'LB_E_CHECK_NO_STANDBY_OFFSITE', path: ['services', 'car', 'placement'] },
    {
      code: 'LB_E_CHECK_SAME_FAILURE_DOMAIN',
      path: ['services', 'harbor', 'placement', 'standby', 0],
    },
  ],
  'adoption-rollback': [
    // The adoption happens in one data centre: it is a migration, not a disaster recovery.
    { code: 'LB_E_CHECK_NO_STANDBY_OFFSITE', path: ['services', 'control-plane', 'placement'] },
  ],
  'infra-cloud': [
    // The two regions share nothing but the puppet master: both depend on it.
    {
      code: 'LB_E_CHECK_DEP_LOWER_TIER',
      path: ['services', 'control-plane-a', 'dependsOn', 0],
      mentions: ['puppetmaster'],
    },
    {
      code: 'LB_E_CHECK_DEP_LOWER_TIER',
      path: ['services', 'control-plane-b', 'dependsOn', 0],
      mentions: ['puppetmaster'],
    },
    // The DRBD pair shares a rack: the passive controller does not survive a rack outage.
    {
      code: 'LB_E_CHECK_SAME_FAILURE_DOMAIN',
      path: ['services', 'control-plane-a', 'placement', 'standby', 0],
    },
  ],
};

/** Codes an example must not show: what its plan gets right. */
const MUST_NOT_SHOW: Record<string, string[]> = {
  rdo: [
    'LB_E_CHECK_COST_OVER_BUDGET',
    'LB_E_CHECK_COST_UNJUSTIFIED',
    'LB_E_CHECK_DEP_CYCLE',
    'LB_E_CHECK_RUNBOOK_NO_APPROVER',
    'LB_E_CHECK_RUNBOOK_UNKNOWN_TARGET',
  ],
  'car-harbor': [
    'LB_E_CHECK_RUNBOOK_NO_UNDO',
    'LB_E_CHECK_RUNBOOK_UNDO_AFTER_PNR',
    'LB_E_CHECK_RUNBOOK_NO_APPROVER',
    'LB_E_CHECK_RUNBOOK_UNKNOWN_TARGET',
    'LB_E_CHECK_RUNBOOK_UNREACHABLE',
    'LB_E_CHECK_SINGLE_PROVIDER',
  ],
  'adoption-rollback': [
    'LB_E_CHECK_RUNBOOK_NO_UNDO',
    'LB_E_CHECK_RUNBOOK_UNDO_AFTER_PNR',
    'LB_E_CHECK_RUNBOOK_NO_APPROVER',
    'LB_E_CHECK_RUNBOOK_UNKNOWN_TARGET',
    'LB_E_CHECK_RUNBOOK_UNREACHABLE',
    'LB_E_CHECK_RPO_EXCEEDED',
    'LB_E_CHECK_RTO_EXCEEDED',
  ],
  'infra-cloud': ['LB_E_CHECK_SINGLE_PROVIDER', 'LB_E_CHECK_NO_DATA_COPY'],
};

it('finds the examples', () => {
  expect(examples).toEqual(expect.arrayContaining(Object.keys(MUST_SHOW)));
});

describe.each(examples)('example %s', (example) => {
  it('starts with the schema line and has a README', () => {
    expect(readFileSync(planFile(example), 'utf8').split('\n')[0]).toBe(SCHEMA_LINE);
    expect(existsSync(join(EXAMPLES, example, 'README.md'))).toBe(true);
  });

  it('loads with the real loader and no plan diagnostic', () => {
    const loaded = load(example);
    expect(loaded.diagnostics.map((d) => `${d.line}:${d.col} ${d.code} ${d.message}`)).toEqual([]);
    expect(loaded.plan).toBeDefined();
  });

  it('analyses into registered findings that locate in the plan file', () => {
    const loaded = load(example);
    const analysis = analyzePlan(loaded.plan!);
    for (const f of analysis.findings) {
      expect(isErrorCode(f.code), f.code).toBe(true);
      expect(f.code.startsWith('LB_E_CHECK_'), f.code).toBe(true);
      expect(f.path, `${f.code} ${f.message}`).toBeDefined();
      const at = loaded.locate(f.path ?? []);
      expect(at.file).toBe(planFile(example));
      expect(at.line).toBeGreaterThan(1);
    }
  });

  const mustShow = (MUST_SHOW[example] ?? []).map((m) => ({ ...m, where: m.path.join('.') }));
  it.each(mustShow)('shows $code at $where', ({ code, path, mentions }) => {
    const found = has(findings(example), code, path);
    expect(found, `${code} at ${path.join('.')}`).toHaveLength(1);
    for (const m of mentions ?? []) expect(found[0]?.message).toContain(m);
  });

  it.each(MUST_NOT_SHOW[example] ?? [])('does not show %s', (code) => {
    expect(findings(example).filter((d) => d.code === code)).toEqual([]);
  });
});

// The "must not show" lists above only mean something if the analysis would report the same
// codes for a slightly broken version of the same plan.
describe('the examples fail when their safeguards are removed', () => {
  it('adoption-rollback: a step before the point of no return without its undo', () => {
    const broken = findings('adoption-rollback', (t) =>
      t.replace(
        /( {6}- id: copy-mariadb\n(?: {8}.*\n)*?) {8}undo:\n {10}action: command\.run\n {10}target: ocp\n {10}args: .*\n {10}description: .*\n/,
        '$1',
      ),
    );
    expect(broken.filter((d) => d.code === 'LB_E_CHECK_RUNBOOK_NO_UNDO').map(pathOf)).toEqual([
      'runbooks.adoption.steps.2',
    ]);
  });

  it('car-harbor: an approval by a role with a single member', () => {
    const broken = findings('car-harbor', (t) =>
      t.replace('members: [piers, ugur]', 'members: [piers]'),
    );
    expect(broken.filter((d) => d.code === 'LB_E_CHECK_RUNBOOK_NO_APPROVER').map(pathOf)).toEqual([
      'runbooks.car-maintenance.steps.5.approval.role',
      'services.harbor.steps.before.switch-traffic.0.approval.role',
    ]);
  });

  it('rdo: medium-tier offsite use without a justification', () => {
    const broken = findings('rdo', (t) =>
      t.replace(/ {4}justification: Uses the trunk\.rdoproject\.org machine.*\n/, ''),
    );
    expect(broken.filter((d) => d.code === 'LB_E_CHECK_COST_UNJUSTIFIED').map(pathOf)).toEqual([
      expect.stringMatching(/^services\.dlrn-rpm-packaging/),
    ]);
  });
});
