// `lifeboat run ... --dry-run` as an operator runs it: the plan on disk, the steps that would
// run on stdout (numbered, with target, action, args, estimate, approvals, undo and the point of
// no return on its own line), the same as JSON, and honest refusals.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../src/cli/commands/index.js';
import { runCli } from '../../../src/cli/program.js';

const dir = mkdtempSync(join(tmpdir(), 'lifeboat-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RDO = resolve(import.meta.dirname, '../../../examples/rdo/plan.yaml');
const CAR = resolve(import.meta.dirname, '../../../examples/car-harbor/plan.yaml');

const PLAN = `version: 1
name: lab
tiers:
  high: {rto: 4h, rpo: 1h}
sites:
  a: {role: primary, provider: A}
  b: {role: offsite, provider: B}
nodes:
  a1: {site: a, address: 192.0.2.1}
  b1: {site: b, address: 198.51.100.1}
services:
  db:
    tier: high
    strategy: active-passive
    placement: {active: [a1], standby: [b1]}
    data:
      - name: db
        kind: postgres
        source: a1
        targets: [b1]
        replication: {mode: async}
        user: lifeboat
        password: env:PG_SECRET_PASSWORD
    traffic:
      - {kind: dns, record: db.example.org, zone: example.org, ttl: 1m, tsigKey: k, tsigSecret: "env:TSIG_SECRET"}
    health:
      - {kind: sql, name: select-one, data: db}
`;

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

async function run(...args: string[]) {
  return run2(['run', ...args]);
}

async function run2(argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(COMMANDS, argv, {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
  });
  return { code, out, err };
}

describe('lifeboat run --dry-run', () => {
  it('prints the numbered steps with target, action, args, estimate, approval, undo and the point of no return', async () => {
    const r = await run('failover', 'db', '--plan', write('lab.yaml', PLAN), '--dry-run');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('Dry run: failover db');
    expect(lines[1]).toMatch(/^Plan lab \(.*lab\.yaml\), sha256:[0-9a-f]{64}$/);
    expect(lines).toContain('  1. db/fence/a1');
    expect(lines).toContain('     fence · postgres.fence → a1');
    expect(lines).toContain(
      '     args: {"dataSet":"db","mode":"stop","onUnreachable":"require-approval"}',
    );
    expect(lines).toContain('     estimate 1m (default) · timeout 3m · retries 2');
    expect(r.out).toContain('     approval required if a1 cannot be reached: an operator other');
    expect(r.out).toContain('     undo: postgres.unfence → a1 {"dataSet":"db"}: ');
    // The point of no return is a line of its own, right before the promotion.
    const pnr = lines.findIndex((l) => l.includes('POINT OF NO RETURN'));
    expect(lines[pnr]).toBe(
      '  ──── POINT OF NO RETURN (db): from step 3 on the run only goes forward; abort is refused and nothing is undone ────',
    );
    expect(lines[pnr + 1]).toBe('  3. db/promote/b1');
    expect(lines).toContain('  5. db/verify/db');
    expect(lines).toContain('Total estimate: 5.5m.');
    // Secrets are never printed: the plan holds references only, and args do not carry them.
    expect(r.out).not.toContain('SECRET');
  });

  it('--json prints the PlannedRun', async () => {
    const r = await run('failover', 'db', '--plan', write('lab.yaml', PLAN), '--dry-run', '--json');
    expect(r.code).toBe(0);
    const planned = JSON.parse(r.out);
    expect(Object.keys(planned)).toEqual([
      'runbook',
      'kind',
      'services',
      'waves',
      'params',
      'steps',
      'guards',
      'planHash',
      'warnings',
    ]);
    expect(planned.steps.map((s: { id: string }) => s.id)).toEqual([
      'db/fence/a1',
      'db/check-ready/b1',
      'db/promote/b1',
      'db/switch-traffic/db.example.org',
      'db/verify/db',
    ]);
    expect(planned.steps[2]).toMatchObject({ pointOfNoReturn: true, estimateMs: 60_000 });
    expect(r.out).not.toContain('SECRET');
  });

  it('the text and the JSON describe the same steps', async () => {
    const file = write('lab.yaml', PLAN);
    const text = await run('switchover', 'db', '--plan', file, '--dry-run');
    const json = JSON.parse(
      (await run('switchover', 'db', '--plan', file, '--dry-run', '--json')).out,
    );
    json.steps.forEach((s: { id: string; action: string; target: string }, i: number) => {
      expect(text.out).toContain(`${String(i + 1).padStart(3)}. ${s.id}\n`);
      expect(text.out).toContain(`${s.action} → ${s.target}`);
    });
  });

  it('takes --from, --to, --accept-data-loss and --reason into the run', async () => {
    const r = await run(
      'failover',
      'db',
      '--plan',
      write('lab.yaml', PLAN),
      '--dry-run',
      '--json',
      '--from',
      'a',
      '--to',
      'b',
      '--accept-data-loss',
      '--reason',
      'site a flooded',
    );
    const planned = JSON.parse(r.out);
    expect(planned.params).toEqual({
      from: 'a',
      to: 'b',
      acceptDataLoss: true,
      reason: 'site a flooded',
    });
    expect(planned.steps[1].args.acceptDataLoss).toBe(true);
  });

  it('shows a group in waves, warnings located in the plan, and the parallel total', async () => {
    const r = await run('failover', 'rdo-cloud', '--plan', RDO, '--dry-run');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Wave 1: dlrn-db, images, www');
    expect(r.out).toContain('Wave 2: dlrn-rpm-packaging');
    expect(r.out).toContain('     waits for: dlrn-db/verify/dlrn-db');
    expect(r.out).toMatch(
      /Total estimate: 43m with independent services in parallel, 51m one after the other\./,
    );
    expect(r.out).toMatch(/plan\.yaml:\d+:\d+ LB_E_RUNBOOK_SERVICE_SKIPPED warning `review`/);
  });

  it('an explicit runbook runs by name; the blue/green confirm waits for an approval', async () => {
    const r = await run('car-maintenance', '--plan', CAR, '--dry-run');
    expect(r.code).toBe(0);
    expect(r.out).toContain('  7. car/confirm');
    expect(r.out).toContain('approval required: a member of release-managers other than');
    const bg = await run('bluegreen', 'car', '--plan', CAR, '--dry-run');
    expect(bg.out).toMatch(/POINT OF NO RETURN \(car\): from step 6 on/);
  });
});

describe('lifeboat run refuses honestly', () => {
  it('without --dry-run: executes, and a secret it cannot read fails the first step (its name, never a value) (exit 1), recorded in the state file', async () => {
    const state = write('state.db', '').replace(/state\.db$/, 'run-state.db');
    const r = await run('failover', 'db', '--plan', write('lab.yaml', PLAN), '--state', state);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/▶ db\/fence\/\S+: postgres\.fence/);
    expect(r.out).toMatch(
      /: failed: db\/fence\/\S+ failed: LB_E_DRIVER_SECRET the environment variable PG_SECRET_PASSWORD is not set/,
    );
    const runs = await run2(['runs', '--state', state, '--json']);
    expect(JSON.parse(runs.out)).toMatchObject([
      { runbook: 'failover', service: 'db', state: 'failed' },
    ]);
  });

  it('a run that cannot be derived: the coded diagnostics, located, and exit 1', async () => {
    const file = write('nostandby.yaml', PLAN.replace('standby: [b1]', 'standby: []'));
    const r = await run('failover', 'db', '--plan', file, '--dry-run');
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/nostandby\.yaml:\d+:\d+ LB_E_RUNBOOK_NO_STANDBY error `db` has no node/);
    expect(r.err).toContain('the run cannot be derived: nothing would run');
    const j = await run('failover', 'db', '--plan', file, '--dry-run', '--json');
    expect(JSON.parse(j.out)).toMatchObject({
      run: null,
      diagnostics: [{ code: 'LB_E_RUNBOOK_NO_STANDBY', line: expect.any(Number) }],
    });
  });

  it('unknown runbook or service: coded, exit 1', async () => {
    const file = write('lab.yaml', PLAN);
    expect((await run('failovr', 'db', '--plan', file, '--dry-run')).err).toContain(
      'LB_E_RUNBOOK_UNKNOWN_RUNBOOK',
    );
    const r = await run('failover', 'dbb', '--plan', file, '--dry-run');
    expect(r.code).toBe(1);
    expect(r.err).toContain('LB_E_RUNBOOK_UNKNOWN_SERVICE');
  });

  it('an invalid or missing plan: exit 2, nothing derived; the default plan is ./lifeboat.yaml', async () => {
    const bad = write('bad.yaml', PLAN.replace('tier: high', 'tier: higher'));
    const r = await run('failover', 'db', '--plan', bad, '--dry-run');
    expect(r.code).toBe(2);
    expect(r.err).toContain('LB_E_PLAN_UNKNOWN_REF');
    expect(r.err).toContain('the plan is invalid: nothing derived');
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const missing = await run('failover', 'db', '--dry-run');
      expect(missing.code).toBe(2);
      expect(missing.err).toMatch(/LB_E_CLI_FILE_READ .*lifeboat\.yaml/);
    } finally {
      process.chdir(cwd);
    }
  });
});
