// Property-based fuzzing of the plan loader: whatever the text, loading returns diagnostics and
// never throws; every diagnostic carries a registered code, a severity and a position in a
// file, on one line, and repeats no secret planted in the input.
//
// Deterministic: the seed is fixed (override with FC_SEED=<n>) and printed on failure by
// fast-check together with the counterexample's path, so a CI failure replays locally with
// `FC_SEED=<seed> npx vitest run test/unit/plan/loader.fuzz.test.ts`.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { analyzePlan } from '../../../src/core/analysis/index.js';
import { isErrorCode } from '../../../src/core/errors/index.js';
import { type Diagnostic, loadPlan, type PlanSource } from '../../../src/core/plan/index.js';
import { memorySource } from './memory-source.js';

const SEED = Number(process.env.FC_SEED ?? 20_261_121);
const params = (numRuns: number) => ({ seed: SEED, numRuns, endOnFailure: true });
// The whole file takes about 15 s of CPU (about 3,900 cases); a busy CI machine may take
// several times that, and a timeout there would hide the counterexample fast-check reports.
const TIMEOUT = 120_000;

// --- Secrets: distinctive values, planted where the secret scan must catch them. -----------

const SECRETS = [
  'hunter2-fuzz-7f3a',
  'AKIAFUZZ7F3A9Q2XW4ZK',
  'ghp_FuzzTokenValue0123456789abcdefABCDEF',
  'MIIEfuzzPrivateKeyBody7f3a9q2xw4zk',
  'Pa55-w0rd-fuzz-9q2x',
];
const secretText = fc.constantFrom(
  SECRETS[0] as string,
  SECRETS[4] as string,
  `aws s3 cp --access-key ${SECRETS[1]}`,
  `clone with ${SECRETS[2]}`,
  `-----BEGIN RSA PRIVATE KEY-----\n${SECRETS[3]}\n-----END RSA PRIVATE KEY-----`,
  `https://admin:${SECRETS[4]}@wiki.example.org/`,
);
/** Secrets a scan can recognise by their shape alone, wherever they are written. */
const shapedSecret = fc.constantFrom(
  `aws s3 cp --access-key ${SECRETS[1]}`,
  `clone with ${SECRETS[2]}`,
  `-----BEGIN RSA PRIVATE KEY-----\n${SECRETS[3]}\n-----END RSA PRIVATE KEY-----`,
  `https://admin:${SECRETS[4]}@wiki.example.org/`,
);
const SECRET_KEYS = ['password', 'token', 'tsigSecret', 'apiKey', 'secret', 'db_password'];

// --- Structured YAML: mappings, lists and scalars, written with anchors, aliases and tags. ---

const PLAN_KEYS = [
  'version',
  'name',
  'description',
  'include',
  'detection',
  'tiers',
  'sites',
  'nodes',
  'services',
  'runbooks',
  'drills',
  'roles',
  'tier',
  'rto',
  'rpo',
  'site',
  'role',
  'provider',
  'domains',
  'parent',
  'kind',
  'address',
  'strategy',
  'placement',
  'active',
  'standby',
  'data',
  'replication',
  'mode',
  'interval',
  'traffic',
  'record',
  'zone',
  'ttl',
  'values',
  'steps',
  'id',
  'action',
  'undo',
  'args',
  'extraVars',
  'health',
  'url',
  'members',
];
const DANGEROUS_KEYS = ['__proto__', 'constructor', 'prototype', '<<', '', ' ', '-', '?', '&a'];
/** Keys that would forge or hide a line if a message quoted them as they are. */
const UNPRINTABLE_KEYS = [
  'a\nplan.yaml:1:1 LB_E_FAKE ok',
  'x\u001b[2K',
  'y\u202e',
  'z\u2028',
  '\t',
];

type Tree = string | number | boolean | null | Tree[] | { [k: string]: Tree };

const scalar: fc.Arbitrary<Tree> = fc.oneof(
  fc.constantFrom('4h', '-1h', '5d', '0', '1h30m', '4 hours', 'web-a', 'high', 'primary', 'dns'),
  fc.constantFrom(';id', '$(id)', '`id`', '--force', '../etc', 'a\nb', '\u202e', '\u0000x'),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.integer({ min: -5, max: 70_000 }),
  fc.double({ noNaN: false }),
  fc.boolean(),
  fc.constant(null),
);

const key = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...PLAN_KEYS) },
  { weight: 1, arbitrary: fc.constantFrom(...DANGEROUS_KEYS) },
  { weight: 1, arbitrary: fc.constantFrom(...UNPRINTABLE_KEYS) },
  { weight: 2, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }) },
);

const { tree } = fc.letrec<{ tree: Tree; map: Tree; list: Tree }>((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('map'), tie('list')),
  map: fc.oneof(
    fc.dictionary(key, tie('tree'), { maxKeys: 4 }),
    // A secret under a key that names it: the scan must refuse it without quoting it.
    fc.record({ [SECRET_KEYS[0] as string]: secretText }),
    fc
      .tuple(fc.constantFrom(...SECRET_KEYS), secretText, fc.dictionary(key, tie('tree')))
      .map(([k, s, rest]) => ({ ...rest, [k]: s })),
  ),
  list: fc.array(tie('tree'), { maxLength: 5 }),
}));

interface Style {
  flow: boolean;
  tags: string[];
  anchorEvery: number;
}

/** Writes a tree as YAML text, with optional tags, anchors and aliases to earlier anchors. */
function emit(value: Tree, style: Style): string {
  const anchors: string[] = [];
  let count = 0;
  const props = () => {
    count++;
    const tag = style.tags.length > 0 ? `${style.tags[count % style.tags.length]} ` : '';
    if (style.anchorEvery > 0 && count % style.anchorEvery === 0) {
      const name = `a${count}`;
      anchors.push(name);
      return `${tag}&${name} `;
    }
    return tag;
  };
  const alias = () =>
    anchors.length > 0 && style.anchorEvery > 0 && count % (style.anchorEvery + 1) === 0
      ? `*${anchors[count % anchors.length]}`
      : undefined;
  const scalarText = (v: Tree) => (typeof v === 'string' ? JSON.stringify(v) : String(v));
  const flow = (v: Tree): string => {
    const a = alias();
    if (a) return a;
    if (Array.isArray(v)) return `${props()}[${v.map(flow).join(', ')}]`;
    if (v !== null && typeof v === 'object')
      return `${props()}{${Object.entries(v)
        .map(([k, x]) => `${JSON.stringify(k)}: ${flow(x)}`)
        .join(', ')}}`;
    return `${props()}${scalarText(v)}`;
  };
  const block = (v: Tree, indent: string): string => {
    if (Array.isArray(v)) {
      if (v.length === 0) return ' []';
      return v.map((x) => `\n${indent}-${block(x, `${indent}  `)}`).join('');
    }
    if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      if (entries.length === 0) return ' {}';
      return entries
        .map(([k, x]) => `\n${indent}${JSON.stringify(k)}:${block(x, `${indent}  `)}`)
        .join('');
    }
    return ` ${flow(v)}`;
  };
  if (style.flow) return `${flow(value)}\n`;
  return `${block(value, '').replace(/^\n/, '')}\n`;
}

const styled = fc.record({
  flow: fc.boolean(),
  tags: fc.oneof(
    fc.constant([] as string[]),
    fc.subarray(['!!str', '!!binary', '!env', '!!python/object:os.system', '!!map', '!x'], {
      minLength: 1,
    }),
  ),
  anchorEvery: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 4 })),
});

const planLike = fc
  .tuple(fc.dictionary(key, tree, { maxKeys: 6 }), fc.boolean())
  .map(([rest, versioned]) => (versioned ? { version: 1, name: 'fuzz', ...rest } : rest));

// --- Raw text: random strings and YAML-ish token soup. ---

const TOKENS = [
  ':',
  ': ',
  '- ',
  '? ',
  '\n',
  '\r\n',
  '  ',
  '\t',
  '[',
  ']',
  '{',
  '}',
  ',',
  '&a ',
  '*a',
  '*b',
  '!!binary ',
  '!env ',
  '!',
  '<<: ',
  '__proto__',
  '"',
  "'",
  '#',
  '|\n',
  '>-\n',
  '---\n',
  '...\n',
  '%YAML 1.1\n',
  '%TAG ! tag:x,2000:\n',
  'version: 1\n',
  'name: x\n',
  'services:\n',
  'tiers:\n  high: {rto: 4h, rpo: 1h}\n',
  'include: ["*"]\n',
  '\u0000',
  '\u202e',
  '\ufeff',
  '\ud800',
  'é',
  '🚀',
  '0x1F',
  '1e999',
  '.nan',
  '~',
];
const soup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }).map((t) => t.join(''));

// --- Mutations of a valid plan. ---

/** A small plan touching every section and every traffic kind, so that mutations stay cheap. */
const SMALL_PLAN = `version: 1
name: fuzz
tiers:
  high: { rto: 4h, rpo: 1h, drillEvery: 13w, offsiteBudget: 500 }
  low: { rto: 5d, rpo: 5d, offsite: never }
sites:
  main:
    role: primary
    provider: Lab
    domains:
      room: { kind: region }
      rack-a: { kind: rack, parent: room }
  far: { role: offsite, provider: Elsewhere, costPerNodeMonth: 100 }
nodes:
  db-a: { site: main, domain: rack-a, address: 192.0.2.10, ssh: { user: ops } }
  db-b: { site: far, address: 198.51.100.10 }
  lb: { site: main, address: lb.example.org }
services:
  db:
    tier: high
    strategy: active-passive
    placement: { active: [db-a], standby: [db-b] }
    dependsOn: [{ service: repos.example.org, external: true, fallback: mirror }]
    data:
      - name: main
        kind: postgres
        source: db-a
        targets: [db-b]
        replication: { mode: async, expectedLag: 5s }
        password: env:DB_PASSWORD
    traffic:
      - { kind: dns, record: db.example.org, zone: example.org, ttl: 5m, tsigSecret: env:TSIG }
      - { kind: vip, address: 192.0.2.100/24, routerId: 7, priorities: { db-a: 150 } }
    health:
      - { kind: tcp, name: port, host: 192.0.2.10, port: 5432 }
      - { kind: sql, name: select, data: main }
    steps:
      after:
        promote: [{ id: tell, action: manual, approval: { role: ops } }]
  web:
    tier: low
    strategy: blue-green
    placement: { active: [db-a], standby: [lb] }
    traffic:
      - { kind: haproxy, backend: web, servers: { db-a: green, lb: blue }, node: lb }
    upgrade: { playbook: up.yml, limit: lb, duration: 1h, extraVars: { tag: v2 } }
    openQuestions: [Why?]
runbooks:
  move:
    kind: migration
    service: db
    steps:
      - { id: copy, action: command.run, target: db-a, undo: { action: manual } }
      - { id: point, action: manual, pointOfNoReturn: true, needs: [copy] }
drills:
  kill-a: { service: db, fault: { kind: kill, target: db-a }, expect: { probes: [port] } }
roles:
  ops: { members: [alice, bob] }
`;
const SMALL_VALUE = parse(SMALL_PLAN) as Tree;
const EXAMPLE = readFileSync(
  resolve(import.meta.dirname, '../../../examples/car-harbor/plan.yaml'),
  'utf8',
);

type Mutation =
  | { op: 'drop'; at: number }
  | { op: 'retype'; at: number; to: Tree }
  | { op: 'insert'; at: number; text: string }
  | { op: 'plant'; at: number; key: string; secret: string }
  | { op: 'rename'; at: number; to: string };

/** Every path to a value of the tree, in document order. */
function paths(v: Tree, at: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(at);
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      paths(x, [...at, i], out);
    });
  } else if (v !== null && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

function mutate(root: Tree, mutations: Mutation[]): Tree {
  const copy = structuredClone(root);
  for (const m of mutations) {
    const all = paths(copy).filter((p) => p.length > 0);
    const path = all[m.at % all.length];
    if (!path) continue;
    let parent: unknown = copy;
    for (const seg of path.slice(0, -1)) parent = (parent as Record<string, unknown>)[seg];
    const last = path[path.length - 1] as string | number;
    const holder = parent as Record<string | number, Tree>;
    if (m.op === 'drop') {
      if (Array.isArray(holder)) holder.splice(last as number, 1);
      else delete holder[last];
    } else if (m.op === 'retype') holder[last] = m.to;
    else if (m.op === 'insert') {
      const current = holder[last];
      if (typeof current === 'string') {
        const cut = m.text.length % (current.length + 1);
        holder[last] = current.slice(0, cut) + m.text + current.slice(cut);
      }
    } else if (m.op === 'rename') {
      if (!Array.isArray(holder)) {
        const value = holder[last] as Tree;
        delete holder[last];
        holder[m.to] = value;
      }
    } else if (holder !== null && typeof holder === 'object' && !Array.isArray(holder)) {
      holder[m.key] = m.secret;
    }
  }
  return copy;
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ op: fc.constant('drop' as const), at: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('retype' as const), at: fc.nat(), to: tree }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('insert' as const),
      at: fc.nat(),
      text: fc.oneof(
        fc.constantFrom('\u0000', '\u001b[2K', '\n', '\u202e', '\u2028', ';id', '$(id)', '../'),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 4 }),
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('rename' as const), at: fc.nat(), to: key }),
  },
  // Secrets are planted more often: most other mutations make the plan invalid before the
  // secret scan runs, and the scan's messages are what must not repeat them.
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('plant' as const),
      at: fc.nat(),
      key: fc.constantFrom(...SECRET_KEYS, 'description', 'notes', 'details'),
      secret: secretText,
    }),
  },
);

/** Line-level damage to the text itself: what a bad merge or a careless edit does. */
const textDamage = fc.array(
  fc.record({
    op: fc.constantFrom('delete', 'duplicate', 'indent', 'dedent', 'tab'),
    at: fc.nat(),
  }),
  { minLength: 1, maxLength: 4 },
);

function damage(text: string, edits: { op: string; at: number }[]): string {
  const lines = text.split('\n');
  for (const { op, at } of edits) {
    const i = at % lines.length;
    const line = lines[i] as string;
    if (op === 'delete') lines.splice(i, 1);
    else if (op === 'duplicate') lines.splice(i, 0, line);
    else if (op === 'indent') lines[i] = ` ${line}`;
    else if (op === 'dedent') lines[i] = line.replace(/^ /, '');
    else lines[i] = line.replace(/^ {2}/, '\t');
  }
  return lines.join('\n');
}

// --- The property. ---

const one = (text: string): PlanSource => memorySource({ '/fuzz/plan.yaml': text });

function checkLoad(source: PlanSource, entry = '/fuzz/plan.yaml'): void {
  const loaded = loadPlan(entry, source);
  for (const d of loaded.diagnostics) expectWellFormed(d);
  if (loaded.plan) {
    expect(loaded.diagnostics.some((d) => d.severity === 'error')).toBe(false);
    // A plan the loader accepts is one the analysis can take.
    for (const f of analyzePlan(loaded.plan).findings) expect(isErrorCode(f.code)).toBe(true);
  } else {
    expect(loaded.diagnostics.some((d) => d.severity === 'error')).toBe(true);
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

function expectWellFormed(d: Diagnostic): void {
  const where = `${d.code} ${d.file}:${d.line}:${d.col} ${d.message}`;
  if (!isErrorCode(d.code)) throw new Error(`unregistered code: ${where}`);
  if (!['error', 'warning', 'info'].includes(d.severity)) throw new Error(`severity: ${where}`);
  if (!d.file) throw new Error(`no file: ${where}`);
  if (!Number.isInteger(d.line) || (d.line ?? 0) < 1) throw new Error(`line: ${where}`);
  if (!Number.isInteger(d.col) || (d.col ?? 0) < 1) throw new Error(`col: ${where}`);
  for (const text of [d.message, d.hint]) {
    if (UNPRINTABLE.test(text))
      throw new Error(`unprintable character in: ${JSON.stringify(text)}`);
    for (const secret of SECRETS)
      if (text.includes(secret)) throw new Error(`secret repeated in: ${where}`);
  }
}

/** The small plan with one secret written where the plan schema accepts free values. */
function plantSecret(at: string, secret: string, secretKey: string): Tree {
  const where: Record<string, [(string | number)[], Tree]> = {
    extraVars: [['services', 'web', 'upgrade', 'extraVars', secretKey], secret],
    args: [['runbooks', 'move', 'steps', 0, 'args'], { nested: [{ [secretKey]: secret }] }],
    password: [['services', 'db', 'data', 0, 'password'], secret],
    tsigSecret: [['services', 'db', 'traffic', 0, 'tsigSecret'], secret],
  };
  const [path, value] = where[at] ?? [['services', 'db', at], secret];
  const plan = structuredClone(SMALL_VALUE);
  let node = plan as Record<string | number, Tree>;
  for (const seg of path.slice(0, -1)) node = node[seg] as Record<string | number, Tree>;
  node[path[path.length - 1] as string | number] = value;
  return plan;
}

describe(`the plan loader under fuzzing (seed ${SEED})`, { timeout: TIMEOUT }, () => {
  it('starts its mutations from valid plans', () => {
    for (const text of [SMALL_PLAN, EXAMPLE]) {
      const loaded = loadPlan('/fuzz/plan.yaml', one(text));
      expect(loaded.diagnostics).toEqual([]);
    }
  });

  it('never throws on random strings', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.string({ unit: 'grapheme', maxLength: 100 }),
    );
    fc.assert(
      fc.property(text, (t) => checkLoad(one(t))),
      params(1_000),
    );
  });

  it('never throws on YAML-ish token soup', () => {
    fc.assert(
      fc.property(soup, (text) => checkLoad(one(text))),
      params(1_500),
    );
  });

  it('never throws on structured YAML with random keys, anchors, aliases and tags', () => {
    fc.assert(
      fc.property(planLike, styled, (value, style) => checkLoad(one(emit(value, style)))),
      params(500),
    );
  });

  it('never throws on deep nesting of any style', () => {
    const nesting = fc.tuple(
      fc.integer({ min: 1, max: 400 }),
      fc.constantFrom('[', '{a: ', '- ', '? '),
    );
    fc.assert(
      fc.property(nesting, ([depth, open]) => {
        const close = open === '[' ? ']' : open === '{a: ' ? '}' : '';
        const inner = `${open.repeat(depth)}x${close.repeat(depth)}`;
        checkLoad(one(`version: 1\nname: deep\ndescription:\n  ${inner}\n`));
      }),
      params(80),
    );
  });

  it('never throws on mutations of a valid plan', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 5 }), (mutations) =>
        checkLoad(one(stringify(mutate(SMALL_VALUE, mutations)))),
      ),
      params(200),
    );
  });

  it('refuses a secret planted in an otherwise valid plan, without repeating it', () => {
    const plant = fc.oneof(
      fc.record({ at: fc.constantFrom('description', 'notes', 'details'), secret: shapedSecret }),
      fc.record({
        at: fc.constantFrom('extraVars', 'args', 'password', 'tsigSecret'),
        secret: secretText,
      }),
    );
    fc.assert(
      fc.property(plant, fc.constantFrom(...SECRET_KEYS), ({ at, secret }, secretKey) => {
        const text = stringify(plantSecret(at, secret, secretKey));
        const loaded = loadPlan('/fuzz/plan.yaml', one(text));
        expect(loaded.plan).toBeUndefined();
        expect(loaded.diagnostics.map((d) => d.code)).toEqual([
          expect.stringMatching(/^LB_E_PLAN_(INLINE_SECRET|SECRET_LIKE_VALUE)$/),
        ]);
        for (const d of loaded.diagnostics) expectWellFormed(d);
      }),
      params(150),
    );
  });

  it('never throws on line-level damage to a valid plan', () => {
    fc.assert(
      fc.property(textDamage, fc.nat(4), (edits, which) =>
        checkLoad(one(damage(which === 0 ? EXAMPLE : SMALL_PLAN, edits))),
      ),
      params(150),
    );
  });

  it('never throws when includes read, expand or merge badly', () => {
    const fragment = fc.oneof(
      soup,
      planLike.map((v) => emit(v, { flow: false, tags: [], anchorEvery: 0 })),
      fc.constantFrom('services: {}\n', 'nodes:\n  web-a: {site: main}\n', 'version: 1\n'),
    );
    const patterns = fc.array(
      fc.constantFrom('*.yaml', 'plan.yaml', 'a.yaml', 'b.yaml', 'missing.yaml', 'throws.yaml', ''),
      { maxLength: 4 },
    );
    fc.assert(
      fc.property(patterns, fragment, fragment, (include, a, b) => {
        const base = memorySource({
          '/fuzz/plan.yaml': `version: 1\nname: fuzz\ninclude: ${JSON.stringify(include)}\n`,
          '/fuzz/a.yaml': a,
          '/fuzz/b.yaml': b,
        });
        checkLoad({
          read: (f) => {
            if (f.endsWith('throws.yaml')) throw new Error('EACCES');
            return base.read(f);
          },
          expand: (p, from) => {
            if (p === '') throw new Error('empty pattern');
            return p === 'throws.yaml' ? ['/fuzz/throws.yaml'] : base.expand(p, from);
          },
        });
      }),
      params(300),
    );
  });
});
