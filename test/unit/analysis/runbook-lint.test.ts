// Runbooks are checked before anyone runs one: every target exists, every step can run, what
// comes before the point of no return can be undone, and someone can approve.
import { describe, expect, it } from 'vitest';
import { buildIndex } from '../../../src/core/analysis/plan-index.js';
import {
  isReadOnlyAction,
  knownTargets,
  lintStepList,
  stepLists,
} from '../../../src/core/analysis/runbook-lint.js';
import type { Diagnostic, PlanInput } from '../../../src/core/plan/index.js';
import { estate } from './estate.js';

const services = {
  'dlrn-db': {
    tier: 'high',
    strategy: 'active-passive',
    placement: { active: ['a1'], standby: ['f1'] },
    data: [{ name: 'dlrn', kind: 'mariadb', targets: ['f1'], replication: { mode: 'async' } }],
    traffic: [{ kind: 'dns', record: 'trunk.example.org', zone: 'example.org', ttl: '5m' }],
    health: [{ kind: 'tcp', name: 'mysql', host: 'db.example.org', port: 3306 }],
  },
} as const;

function lint(extra: Partial<PlanInput>, svcExtra: object = {}): Diagnostic[] {
  const plan = estate({ 'dlrn-db': { ...services['dlrn-db'], ...svcExtra } } as never, extra);
  const index = buildIndex(plan);
  const out: Diagnostic[] = [];
  for (const list of stepLists(index)) lintStepList(list, knownTargets(index), plan.roles, out);
  return out;
}

const adoption = (steps: object[]): Partial<PlanInput> =>
  ({ runbooks: { adopt: { kind: 'migration', steps } } }) as unknown as Partial<PlanInput>;

describe('step targets', () => {
  it('may name a node, site, service, data set, DNS record or probe; anything else is unknown', () => {
    const found = lint(
      adoption([
        { id: 's1', action: 'mariadb.check', target: 'dlrn' },
        { id: 's2', action: 'dns.switch', target: 'trunk.example.org' },
        { id: 's3', action: 'probe.wait', target: 'mysql' },
        {
          id: 's4',
          action: 'command.run',
          target: 'far',
          undo: { action: 'command.run', target: 'dlrn-bd' },
        },
        { id: 's5', action: 'command.run', target: 'f9' },
      ]),
    );
    expect(found.map((f) => [f.code, f.path])).toEqual([
      ['LB_E_CHECK_RUNBOOK_UNKNOWN_TARGET', ['runbooks', 'adopt', 'steps', 3, 'undo', 'target']],
      ['LB_E_CHECK_RUNBOOK_UNKNOWN_TARGET', ['runbooks', 'adopt', 'steps', 4, 'target']],
    ]);
  });
});

describe('steps that can never run', () => {
  it('needing a step that does not exist', () => {
    const found = lint(
      adoption([
        { id: 'a', action: 'manual' },
        { id: 'b', action: 'manual', needs: ['c'] },
      ]),
    );
    expect(found.map((f) => [f.code, f.path])).toEqual([
      ['LB_E_CHECK_RUNBOOK_UNREACHABLE', ['runbooks', 'adopt', 'steps', 1, 'needs', 0]],
    ]);
  });

  it('waiting for each other, through explicit needs and the default "previous step"', () => {
    const found = lint(
      adoption([
        { id: 'a', action: 'manual', needs: ['c'] },
        { id: 'b', action: 'manual' },
        { id: 'c', action: 'manual' },
      ]),
    );
    expect(found.map((f) => f.message)).toEqual([
      'runbook `adopt`: steps wait for each other in a cycle, so none of them can run: `a` → `c` → `b` → `a`',
    ]);
  });

  it('custom steps may wait for a derived step by its name', () => {
    const found = lint(
      {},
      {
        steps: { after: { promote: [{ id: 'repoint', action: 'manual', needs: ['promote'] }] } },
      },
    );
    expect(found).toEqual([]);
  });
});

describe('the point of no return', () => {
  const steps = [
    { id: 'stop-old', action: 'command.run', undo: { action: 'command.run' } },
    { id: 'copy-db', action: 'mariadb.dump' },
    { id: 'assess', action: 'osdiff.check' },
    { id: 'adopt-dataplane', action: 'edpm.deploy', pointOfNoReturn: true },
    { id: 'cleanup', action: 'command.run', undo: { action: 'command.run' } },
  ];

  it('before it, a step that changes something needs an undo; read-only steps do not', () => {
    const found = lint(adoption(steps));
    expect(found.map((f) => [f.code, f.path])).toEqual([
      ['LB_E_CHECK_RUNBOOK_NO_UNDO', ['runbooks', 'adopt', 'steps', 1]],
      ['LB_E_CHECK_RUNBOOK_UNDO_AFTER_PNR', ['runbooks', 'adopt', 'steps', 4, 'undo']],
    ]);
    expect(found[0]?.message).toBe(
      'runbook `adopt`, step `copy-db` (mariadb.dump) comes before the point of no return `adopt-dataplane` and has no undo',
    );
  });

  it('a runbook without one has no step "before" it', () => {
    expect(lint(adoption(steps.map((s) => ({ ...s, pointOfNoReturn: false }))))).toEqual([]);
  });

  it('reads checks, observations, probes, waits, verifications and manual steps as read-only', () => {
    for (const a of ['pg.check', 'x.observe', 'http.probe', 'timer.wait', 'dns.verify', 'manual'])
      expect(isReadOnlyAction(a)).toBe(true);
    for (const a of ['pg.promote', 'dns.switch', 'command.run', 'x.checkpoint'])
      expect(isReadOnlyAction(a)).toBe(false);
  });
});

describe('approvals', () => {
  const approve = (distinct: boolean) =>
    adoption([
      { id: 'go', action: 'manual', approval: { role: 'leads', distinctFromRequester: distinct } },
    ]);

  it('by an undefined role, an empty role, or a single member who started the run, cannot be given', () => {
    expect(lint(approve(true)).map((f) => f.message)).toEqual([
      'runbook `adopt`, step `go` waits for an approval nobody can give: role `leads` is not defined',
    ]);
    expect(lint({ ...approve(true), roles: { leads: { members: [] } } })[0]?.message).toContain(
      'has no members',
    );
    expect(
      lint({ ...approve(true), roles: { leads: { members: ['amy'] } } })[0]?.message,
    ).toContain('has one member, who may not approve a run they started');
  });

  it('by one member is fine when the approver may be the requester, and by two always', () => {
    expect(lint({ ...approve(false), roles: { leads: { members: ['amy'] } } })).toEqual([]);
    expect(lint({ ...approve(true), roles: { leads: { members: ['amy', 'bo'] } } })).toEqual([]);
  });
});
