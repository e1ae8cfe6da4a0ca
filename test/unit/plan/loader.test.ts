// The loader's good path: what an operator writes is what Lifeboat uses, with durations in
// milliseconds and defaults filled in, and problems in included files are shown where they are.
import { describe, expect, it } from 'vitest';
import { type Diagnostic, loadPlan } from '../../../src/core/plan/index.js';
import { memorySource } from './memory-source.js';

const BASE = `version: 1
name: lab
tiers:
  high:
    rto: 4h
    rpo: 1h30m
sites:
  main:
    role: primary
    provider: Lab
  far:
    role: offsite
    provider: Elsewhere
nodes:
  db-a:
    site: main
    address: 192.0.2.10
  db-b:
    site: far
    address: 198.51.100.10
`;

const SERVICE = `services:
  db:
    tier: high
    strategy: active-passive
    placement:
      active: [db-a]
      standby: [db-b]
    data:
      - name: main
        kind: postgres
        source: db-a
        targets: [db-b]
        replication: { mode: async }
    traffic:
      - kind: dns
        record: db.example.org
        zone: example.org
        ttl: 5m
    health:
      - kind: tcp
        name: port
        host: 192.0.2.10
        port: 5432
`;

const where = (d: Diagnostic) => ({
  code: d.code,
  file: d.file,
  line: d.line,
  col: d.col,
});

describe('loading a valid plan', () => {
  it('returns the validated object: durations in ms and defaults applied', () => {
    const loaded = loadPlan('/p/plan.yaml', memorySource({ '/p/plan.yaml': BASE + SERVICE }));
    expect(loaded.diagnostics).toEqual([]);
    const plan = loaded.plan!;
    expect(plan.tiers?.high).toEqual({ rto: 14_400_000, rpo: 5_400_000, offsite: 'allowed' });
    expect(plan.currency).toBe('USD');
    expect(plan.detection).toEqual({ manual: 1_800_000 });
    const db = plan.services!.db!;
    expect(db.onOutage).toBe('propose');
    expect(db.data?.[0]?.replication).toEqual({ mode: 'async' });
    expect(db.traffic?.[0]).toMatchObject({
      kind: 'dns',
      ttl: 300_000,
      type: 'A',
      provider: 'rfc2136',
      tsigAlgorithm: 'hmac-sha256',
    });
    expect(db.health?.[0]).toMatchObject({
      interval: 10_000,
      timeout: 2_000,
      failures: 3,
      successes: 1,
    });
    expect(loaded.files).toEqual(['/p/plan.yaml']);
  });

  it('applies defaults inside steps, drills and replication', () => {
    const text = `${BASE}${SERVICE}
runbooks:
  move:
    steps:
      - id: one
        action: manual
drills:
  kill-a:
    service: db
    fault: { kind: kill, target: db-a }
`;
    const loaded = loadPlan('/p/plan.yaml', memorySource({ '/p/plan.yaml': text }));
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.plan?.runbooks?.move).toEqual({
      kind: 'custom',
      steps: [{ id: 'one', action: 'manual', pointOfNoReturn: false, retries: 0 }],
    });
    expect(loaded.plan?.drills?.['kill-a']?.expect).toEqual({});
  });
});

describe('includes', () => {
  const files = {
    '/p/plan.yaml': `${BASE}include: ['services/*.yaml']\n`,
    '/p/services/db.yaml': SERVICE,
    '/p/services/web.yaml': `services:
  web:
    tier: high
    strategy: redeploy
    placement:
      active: [db-a]
    redeploy:
      playbook: web.yaml
      duration: 45m
`,
  };

  it('merges the sections of every included file into one plan', () => {
    const loaded = loadPlan('/p/plan.yaml', memorySource(files));
    expect(loaded.diagnostics).toEqual([]);
    expect(Object.keys(loaded.plan?.services ?? {})).toEqual(['db', 'web']);
    expect(loaded.plan?.services?.web?.redeploy?.duration).toBe(2_700_000);
    expect(loaded.files).toEqual(['/p/plan.yaml', '/p/services/db.yaml', '/p/services/web.yaml']);
  });

  it('locates a path of the merged plan in the file that defines it', () => {
    const loaded = loadPlan('/p/plan.yaml', memorySource(files));
    expect(loaded.locate(['services', 'web', 'redeploy', 'duration'])).toEqual({
      file: '/p/services/web.yaml',
      line: 9,
      col: 17,
    });
    expect(loaded.locate(['nodes', 'db-b', 'address'])).toEqual({
      file: '/p/plan.yaml',
      line: 20,
      col: 14,
    });
  });

  it('points schema errors into the included file, at the offending line and column', () => {
    const bad = {
      ...files,
      '/p/services/web.yaml': files['/p/services/web.yaml']
        .replace('duration: 45m', 'duration: 45 minutes')
        .replace('    tier: high\n', '    tier: high\n    rtoo: 4h\n'),
    };
    const loaded = loadPlan('/p/plan.yaml', memorySource(bad));
    expect(loaded.plan).toBeUndefined();
    expect(loaded.diagnostics.map(where)).toEqual([
      { code: 'LB_E_PLAN_UNKNOWN_KEY', file: '/p/services/web.yaml', line: 4, col: 5 },
      { code: 'LB_E_PLAN_BAD_DURATION', file: '/p/services/web.yaml', line: 10, col: 17 },
    ]);
  });

  it('points reference errors into the included file', () => {
    const bad = {
      ...files,
      '/p/services/db.yaml': SERVICE.replace('standby: [db-b]', 'standby: [db-c]'),
    };
    const loaded = loadPlan('/p/plan.yaml', memorySource(bad));
    expect(loaded.diagnostics.map(where)).toEqual([
      { code: 'LB_E_PLAN_UNKNOWN_REF', file: '/p/services/db.yaml', line: 7, col: 17 },
    ]);
    expect(loaded.diagnostics[0]?.hint).toBe('Known: `db-a`, `db-b`.');
  });

  // Regression: yaml reports an unclosed quote at the end of the file, past the last line.
  it('points an unclosed quote in the included file at its opening quote', () => {
    const bad = {
      ...files,
      '/p/services/db.yaml': 'services:\n  db:\n    tier: "high\n    strategy: redeploy\n',
    };
    const loaded = loadPlan('/p/plan.yaml', memorySource(bad));
    expect(loaded.diagnostics.map(where)).toEqual([
      { code: 'LB_E_PLAN_YAML_SYNTAX', file: '/p/services/db.yaml', line: 3, col: 11 },
    ]);
  });

  it('names both files when a name is defined twice', () => {
    const twice = { ...files, '/p/services/zz.yaml': SERVICE };
    const loaded = loadPlan('/p/plan.yaml', memorySource(twice));
    expect(loaded.diagnostics.map(where)).toEqual([
      { code: 'LB_E_PLAN_DUPLICATE_NAME', file: '/p/services/zz.yaml', line: 2, col: 3 },
    ]);
    expect(loaded.diagnostics[0]?.message).toBe(
      '`services.db` is already defined in /p/services/db.yaml:2',
    );
  });
});

describe('wrong types and missing fields', () => {
  // Regression: zod 4 leaves `input` out of its issues unless asked, and every value of the
  // wrong type was reported as LB_E_PLAN_MISSING_FIELD.
  it('tells a value of the wrong type from a missing one', () => {
    const text = `version: 1
name: lab
tiers:
  high:
    rto: 4
    description: [a]
sites: 3
`;
    const loaded = loadPlan('/p/plan.yaml', memorySource({ '/p/plan.yaml': text }));
    expect(loaded.diagnostics.map((d) => [d.code, d.line, d.col, d.message])).toEqual([
      ['LB_E_PLAN_MISSING_FIELD', 4, 3, '`rpo` is required in `tiers.high`'],
      ['LB_E_PLAN_WRONG_TYPE', 5, 10, '`rto` must be a string, not a number'],
      ['LB_E_PLAN_WRONG_TYPE', 6, 5, '`description` must be a string, not a list'],
      ['LB_E_PLAN_WRONG_TYPE', 7, 8, '`sites` must be a mapping, not a number'],
    ]);
  });

  // Regression: a missing enum or literal field was reported as LB_E_PLAN_BAD_VALUE.
  it('reports a missing enum or literal field as missing', () => {
    const text = `${BASE.replace('version: 1\n', '')}services:
  web:
    tier: high
    placement: { active: [db-a] }
`;
    const loaded = loadPlan('/p/plan.yaml', memorySource({ '/p/plan.yaml': text }));
    expect(loaded.diagnostics.map((d) => [d.code, d.line, d.col])).toEqual([
      ['LB_E_PLAN_MISSING_FIELD', 1, 1],
      ['LB_E_PLAN_MISSING_FIELD', 21, 3],
    ]);
    expect(loaded.diagnostics[0]?.message).toBe('`version` is required at the top level: one of 1');
    expect(loaded.diagnostics[1]?.message).toMatch(
      /^`strategy` is required in `services.web`: one of "active-passive", /,
    );
  });

  it('names a list item by its list and index', () => {
    const text = `${BASE}services:
  web:
    tier: high
    strategy: redeploy
    placement: { active: [db-a, 'db;b'] }
`;
    const loaded = loadPlan('/p/plan.yaml', memorySource({ '/p/plan.yaml': text }));
    expect(loaded.diagnostics.map((d) => [d.code, d.line, d.col, d.message])).toEqual([
      [
        'LB_E_PLAN_BAD_NAME',
        25,
        33,
        '`active[1]` is not a valid name: use 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit',
      ],
    ]);
  });
});

describe('messages quoting the plan', () => {
  // Regression: a name with a newline or an escape sequence was copied into the message, which
  // could forge a second diagnostic line or rewrite the terminal.
  it('escape control characters and bidi overrides', () => {
    const text = `${BASE}services:
  "web\\nplan.yaml:1:1 LB_E_PLAN_OK all good\\e[2K\\u202e":
    { tier: high, strategy: redeploy, placement: { active: [db-a] } }
`;
    const loaded = loadPlan('/p/plan.yaml', memorySource({ '/p/plan.yaml': text }));
    expect(loaded.diagnostics.map((d) => [d.code, d.line, d.message])).toEqual([
      [
        'LB_E_PLAN_BAD_NAME',
        22,
        'the name `web\\nplan.yaml:1:1 LB_E_PLAN_OK all good\\u001b[2K\\u202e` is not a valid name: use 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit',
      ],
    ]);
  });
});

describe('fields that reach commands and DNS updates', () => {
  // Regression: paths were reported with the catch-all LB_E_PLAN_INVALID.
  it('reports a bad path as LB_E_PLAN_BAD_FORMAT', () => {
    const text = `${BASE}services:
  web:
    tier: high
    strategy: redeploy
    placement: { active: [db-a] }
    redeploy: { playbook: --check, duration: 1h }
    data:
      - { name: www, kind: files, source: db-a, path: /srv/../etc }
`;
    const loaded = loadPlan('/p/plan.yaml', memorySource({ '/p/plan.yaml': text }));
    expect(loaded.diagnostics.map((d) => [d.code, d.line, d.col])).toEqual([
      ['LB_E_PLAN_BAD_FORMAT', 26, 27],
      ['LB_E_PLAN_BAD_FORMAT', 28, 55],
    ]);
  });

  // Regression: any string up to 253 characters was accepted as a DNS record value.
  it('refuses a DNS record value that is not an address or host name', () => {
    const values = `        values:
          db-a: "192.0.2.10\\nupdate add evil.example.org 300 A 203.0.113.66"
          db-b: db-b.example.org.
`;
    const text = BASE + SERVICE.replace('        ttl: 5m\n', `        ttl: 5m\n${values}`);
    const loaded = loadPlan('/p/plan.yaml', memorySource({ '/p/plan.yaml': text }));
    expect(loaded.diagnostics.map((d) => [d.code, d.line, d.col])).toEqual([
      ['LB_E_PLAN_BAD_FORMAT', 40, 17],
    ]);
  });
});

describe('include problems', () => {
  // Regression: a pattern that could not be expanded was also reported as matching no file.
  it('reports a pattern that cannot be expanded once', () => {
    const source = memorySource({ '/p/plan.yaml': `${BASE}include: [/etc/passwd]\n` });
    const loaded = loadPlan('/p/plan.yaml', {
      ...source,
      expand: () => {
        throw new Error('include patterns are relative to the plan file');
      },
    });
    expect(loaded.diagnostics.map(where)).toEqual([
      { code: 'LB_E_PLAN_INCLUDE', file: '/p/plan.yaml', line: 21, col: 11 },
    ]);
  });

  // Regression: an unknown section of an included file was located at its value.
  it('points at the key of a section an included file may not hold', () => {
    const loaded = loadPlan(
      '/p/plan.yaml',
      memorySource({
        '/p/plan.yaml': `${BASE}include: [part.yaml]\n`,
        '/p/part.yaml': '# a fragment\nversion: 1\nnodes: {}\n',
      }),
    );
    expect(loaded.diagnostics.map(where)).toEqual([
      { code: 'LB_E_PLAN_UNKNOWN_KEY', file: '/p/part.yaml', line: 2, col: 1 },
    ]);
  });
});

describe('nesting', () => {
  // Regression: past a few thousand levels yaml overflows the stack and reports
  // RESOURCE_EXHAUSTION, which came out as LB_E_PLAN_YAML_SYNTAX deep inside the nesting.
  it('reports 10,000 nested lists as too deep, where the limit is passed', () => {
    const text = `version: 1\nname: deep\ndescription: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`;
    const loaded = loadPlan('/p/plan.yaml', memorySource({ '/p/plan.yaml': text }));
    expect(loaded.diagnostics.map((d) => [d.code, d.line, d.col])).toEqual([
      ['LB_E_PLAN_TOO_DEEP', 3, 78],
    ]);
  });
});

describe('secrets under free keys', () => {
  // Regression: only snake and kebab case keys were recognised (`db_password`), so a secret
  // under `dbPassword`, `tsigSecret` or `aws_secret_access_key` in extra vars was accepted.
  it('recognises secret keys in camel case and AWS style', () => {
    const text = `${BASE}services:
  web:
    tier: high
    strategy: redeploy
    placement: { active: [db-a] }
    redeploy:
      playbook: site.yml
      duration: 1h
      extraVars:
        dbPassword: x9-fuzz
        apiToken: x9-fuzz
        tsigSecret: x9-fuzz
        aws_secret_access_key: x9-fuzz
        tsigKey: lifeboat-key
        passwordFile: /etc/app/password
        vault_token: env:VAULT_TOKEN
`;
    const loaded = loadPlan('/p/plan.yaml', memorySource({ '/p/plan.yaml': text }));
    expect(loaded.diagnostics.map((d) => [d.code, d.line, d.col])).toEqual([
      ['LB_E_PLAN_INLINE_SECRET', 30, 21],
      ['LB_E_PLAN_INLINE_SECRET', 31, 19],
      ['LB_E_PLAN_INLINE_SECRET', 32, 21],
      ['LB_E_PLAN_INLINE_SECRET', 33, 32],
    ]);
    for (const d of loaded.diagnostics) expect(d.message).not.toContain('x9-fuzz');
  });
});
