// `lifeboat check` as an operator runs it: a plan on disk, a report on stdout, an exit code CI
// can act on (0 fine, 1 error findings, 2 invalid plan), and the same content as JSON.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../src/cli/commands/index.js';
import { runCli } from '../../../src/cli/program.js';

const dir = mkdtempSync(join(tmpdir(), 'lifeboat-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEAD = `version: 1
name: rdo
tiers:
  high: {rto: 4h, rpo: 1h}
  low: {rto: 5d, rpo: 5d}
sites:
  rdo-cloud: {role: primary, provider: RDO Cloud}
  offsite: {role: offsite, provider: Public cloud, costPerNodeMonth: 120}
nodes:
  dlrn-db: {site: rdo-cloud}
  dlrn-db-replica: {site: offsite}
  www-vm: {site: rdo-cloud}
services:
  dlrn-db:
    tier: high
    strategy: active-passive
    placement: {active: [dlrn-db], standby: [dlrn-db-replica]}
    redeploy: {playbook: db.yml, duration: 2h}
    health:
      - {kind: tcp, name: mysql, host: db.example.org, port: 3306}
    data:
      - name: dlrn
        kind: mariadb
        targets: [dlrn-db-replica]
        replication: {mode: async}
`;

const GOOD = `${HEAD}  planet:
    tier: low
    strategy: redeploy
    placement: {active: [www-vm]}
    redeploy: {playbook: www.yml, duration: 1h}
`;

// The replica is refreshed by a nightly dump: a day of changes lost, against a 1h RPO.
const NIGHTLY = GOOD.replace(
  'replication: {mode: async}',
  'replication: {mode: periodic, interval: 1d}',
);

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

async function check(...args: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(COMMANDS, ['check', ...args], {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
  });
  return { code, out, err };
}

describe('lifeboat check', () => {
  it('prints the table, blast radius, order, cost and findings of a plan that holds, and exits 0', async () => {
    const file = write('good.yaml', GOOD);
    const r = await check(file);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines).toContain(
      'TIER  SERVICE  TARGET RTO  PLANNED RTO  TARGET RPO  PLANNED RPO  VERDICT',
    );
    // 32s to detect (tcp probe: 3 × 10s + 2s), fence 1m, check 30s, promote 1m, verify 2m.
    expect(lines).toContain('high  dlrn-db          4h           5m          1h           5s  ok');
    expect(lines).toContain('low   planet           5d         1.5h          5d            0  ok');
    expect(lines).toContain('site rdo-cloud (primary): 2 services (high 1, low 1); 1 down: planet');
    expect(lines).toContain('  1. dlrn-db, planet');
    expect(lines).toContain('high   120.00       -      1');
    expect(lines[lines.length - 2]).toBe('0 errors, 0 warnings, 1 info');
    // Captured output is not a terminal: no colour codes.
    expect(r.out).not.toContain('\u001b[');
  });

  it('exits 1 on an error finding and shows it at its file:line:col', async () => {
    const file = write('nightly.yaml', NIGHTLY);
    const r = await check(file);
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      `${file}:25:9 LB_E_CHECK_RPO_EXCEEDED error \`dlrn-db\`: data set \`dlrn\` can lose 1d of changes (mariadb copied every 1d); the tier allows 1h (Replicate more often`,
    );
    expect(r.out).toContain(
      'high  dlrn-db          4h           4m          1h           1d  fails (RPO)',
    );
    expect(r.out).toMatch(/\n1 error, 1 warning, 1 info\n$/);
  });

  it('exits 2 on an invalid plan and prints every problem, located, instead of an analysis', async () => {
    const file = write(
      'bad.yaml',
      GOOD.replace('tier: low', 'tier: lowest').replace('duration: 2h', 'duration: soon'),
    );
    const r = await check(file);
    expect(r.code).toBe(2);
    expect(r.out).not.toContain('TIER');
    expect(r.out).toMatch(
      new RegExp(`${escapeText(file)}:\\d+:\\d+ LB_E_PLAN_UNKNOWN_REF unknown tier \`lowest\``),
    );
    expect(r.out).toMatch(/LB_E_PLAN_\w+ .*duration/);
  });

  it('exits 2 when the file cannot be read', async () => {
    const r = await check(join(dir, 'missing.yaml'));
    expect(r.code).toBe(2);
    expect(r.out).toContain('LB_E_CLI_FILE_READ');
  });

  it('--json prints one object with the same content; infinity is null', async () => {
    const file = write(
      'json.yaml',
      `${GOOD}  ara:\n    tier: low\n    strategy: redeploy\n    placement: {active: [www-vm]}\n`,
    );
    const r = await check(file, '--json');
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out);
    expect(Object.keys(json)).toEqual([
      'ok',
      'exitCode',
      'plan',
      'diagnostics',
      'analysis',
      'note',
    ]);
    expect(json).toMatchObject({ ok: false, exitCode: 1, plan: { name: 'rdo', files: [file] } });
    const ara = json.analysis.services.find((s: { service: string }) => s.service === 'ara');
    expect(ara).toMatchObject({
      plannedRtoMs: null,
      verdict: 'fails',
      targetRtoMs: 5 * 86_400_000,
    });
    expect(json.note).toContain('null');
    const exceeded = json.analysis.findings.find(
      (f: { code: string }) => f.code === 'LB_E_CHECK_RTO_EXCEEDED',
    );
    expect(exceeded).toMatchObject({ file, line: 31, col: 3, path: ['services', 'ara'] });
  });

  it('--json on an invalid plan has no analysis, and the diagnostics', async () => {
    const file = write('bad2.yaml', GOOD.replace('tier: low', 'tier: lowest'));
    const json = JSON.parse((await check(file, '--json')).out);
    expect(json).toMatchObject({ ok: false, exitCode: 2, analysis: null, plan: { name: null } });
    expect(json.diagnostics.map((d: { code: string }) => d.code)).toEqual([
      'LB_E_PLAN_UNKNOWN_REF',
    ]);
  });
});

function escapeText(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
