// The fast block-subset parser against `yaml`: whenever the fast path takes a file, the value,
// the diagnostics and the position of every path (and of every key) must be exactly those of
// the complete path. Checked on every example plan and fixture as written, on each of them
// rewritten in block style, and on a generated corpus of trees written in many styles with
// tricky scalars, comments, blank lines and trailing spaces. Deterministic (FC_SEED overrides).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { PlanPath } from '../../../src/core/plan/index.js';
import { parseBlockSubset } from '../../../src/core/plan/yaml-block-subset.js';
import { parsePlanFile } from '../../../src/core/plan/yaml-source.js';

const SEED = Number(process.env.FC_SEED ?? 20_261_121);
const ROOT = resolve(import.meta.dirname, '../../..');

type Tree = string | number | boolean | null | Tree[] | { [k: string]: Tree };

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return yamlFiles(full);
    return /\.ya?ml$/.test(name) ? [full] : [];
  });
}

const CORPUS = [...yamlFiles(join(ROOT, 'examples')), ...yamlFiles(join(ROOT, 'test/fixtures'))];

/** Every path in a value, each key of each mapping, and paths that lead nowhere. */
function probes(value: unknown, path: PlanPath = [], out: [PlanPath, string?][] = []) {
  out.push([path]);
  out.push([[...path, 'no-such-key']], [[...path, 7]]);
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      probes(v, [...path, i], out);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push([path, k]);
      probes(v, [...path, k], out);
    }
  }
  return out;
}

/** Same value, same key order everywhere (toStrictEqual ignores the order of keys). */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (value !== null && typeof value === 'object')
    return Object.entries(value).map(([k, v]) => [k, shape(v)]);
  return Number.isNaN(value) ? 'NaN' : value;
}

/** Compares both paths on one text; returns whether the fast path took it. */
function expectSame(text: string): boolean {
  const slow = parsePlanFile('plan.yaml', text, { subset: false });
  const fast = parsePlanFile('plan.yaml', text);
  const took = parseBlockSubset(text) !== undefined;
  if (took) expect(slow.diagnostics).toEqual([]);
  expect(fast.diagnostics).toEqual(slow.diagnostics);
  expect(fast.value).toStrictEqual(slow.value);
  expect(shape(fast.value)).toEqual(shape(slow.value));
  expect(fast.chars).toBe(slow.chars);
  for (const [path, key] of probes(slow.value)) {
    expect(fast.locate(path, key), `${path.join('.')} ${key ?? ''}`).toEqual(
      slow.locate(path, key),
    );
  }
  return took;
}

// --- A writer of block YAML in many styles. -------------------------------------------------

interface Style {
  indent: number;
  /** Sequences under a key at the key's own indentation. */
  indentless: boolean;
  /** `- key: value` rather than `-` and the mapping on the next lines. */
  compact: boolean;
  dashSpaces: number;
  quote: 'plain' | 'single' | 'double' | 'mixed';
  nullAs: '' | '~' | 'null';
}

function writeBlock(value: { [k: string]: Tree }, style: Style): string {
  let n = 0;
  const scalar = (v: Tree): string => {
    if (v === null) return style.nullAs;
    if (typeof v !== 'string') return String(v);
    const q =
      style.quote === 'mixed' ? (['plain', 'single', 'double'] as const)[n++ % 3] : style.quote;
    if (q === 'single') return `'${v.replace(/'/g, "''")}'`;
    if (q === 'double') return `"${v}"`;
    return v;
  };
  const pad = (k: number) => ' '.repeat(k);
  const lines: string[] = [];
  const isCollection = (v: Tree) => v !== null && typeof v === 'object';
  const empty = (v: Tree) =>
    Array.isArray(v) ? v.length === 0 : isCollection(v) && Object.keys(v as object).length === 0;
  const node = (v: Tree, at: number) => {
    if (Array.isArray(v)) {
      for (const item of v) {
        const dash = `${pad(at)}-${pad(style.dashSpaces)}`;
        if (isCollection(item) && !empty(item) && !Array.isArray(item) && style.compact) {
          const before = lines.length;
          node(item, at + 1 + style.dashSpaces);
          lines[before] = dash + (lines[before] as string).trimStart();
        } else if (isCollection(item) && !empty(item)) {
          lines.push(`${pad(at)}-`);
          node(item, at + style.indent);
        } else {
          lines.push(`${dash}${empty(item) ? scalar(null) : scalar(item)}`.trimEnd());
        }
      }
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (isCollection(x) && !empty(x)) {
          lines.push(`${pad(at)}${k}:`);
          node(x, Array.isArray(x) && style.indentless ? at : at + style.indent);
        } else {
          lines.push(`${pad(at)}${k}: ${empty(x) ? scalar(null) : scalar(x)}`.trimEnd());
        }
      }
    }
  };
  node(value, 0);
  return `${lines.join('\n')}\n`;
}

/** Comments, blank lines and trailing spaces sprinkled by a seeded choice per line. */
function decorate(text: string, choices: number[]): string {
  return text
    .split('\n')
    .map((line, i) => {
      const c = choices[i % choices.length] as number;
      if (c === 1) return `# a comment\n${line}`;
      if (c === 2) return `\n${line}`;
      if (c === 3 && line !== '') return `${line}   `;
      if (c === 4 && line !== '') return `${line} # trailing: "comment"`;
      if (c === 5) return `${' '.repeat(i % 7)}#indented comment\n${line}`;
      return line;
    })
    .join('\n');
}

const TRICKY = [
  'yes',
  'no',
  'on',
  'off',
  'y',
  '0x1F',
  '0o17',
  '017',
  '1e3',
  '-1',
  '+1',
  '1.5',
  '1.',
  '.5',
  '1_000',
  '.inf',
  '-.inf',
  '+.INF',
  '.nan',
  '.NaN',
  '~',
  'null',
  'Null',
  'NULL',
  'nULL',
  'true',
  'True',
  'TRUE',
  'tRUE',
  'false',
  '2026-11-21',
  '12:30',
  '4h',
  'a: b',
  'a:b',
  'a:',
  'a #b',
  'a#b',
  '#a',
  '- a',
  '-a',
  '--',
  '---',
  '...',
  ':a',
  '?a',
  '? a',
  '[a]',
  '{a: 1}',
  'a]',
  '*a',
  '&a',
  '!a',
  '%a',
  '@a',
  '`a',
  '|',
  '>',
  '"a"',
  "'a'",
  "it's",
  'say "hi"',
  'back\\slash',
  'é ü 中文',
  '',
  ' a',
  'a ',
  'a  b',
  'https://user:pw@example.org/',
  '<<',
  '=',
  'a, b',
];
const KEYS = [
  'name',
  'services',
  'web-a',
  'a b',
  'a.b',
  '1',
  '0x1F',
  'true',
  'null',
  '~',
  '<<',
  '__proto__',
  'constructor',
  'toString',
  'a:b',
  '-a',
  'a#b',
  '"q"',
  'é',
];

const scalar: fc.Arbitrary<Tree> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...TRICKY) },
  { weight: 2, arbitrary: fc.stringMatching(/^[a-z][a-z0-9 ._/-]{0,12}$/) },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 1, arbitrary: fc.integer({ min: -1000, max: 100_000 }) },
  { weight: 1, arbitrary: fc.double({ noNaN: true }) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
);
const key = fc.oneof(
  { weight: 5, arbitrary: fc.stringMatching(/^[a-z][a-z0-9_-]{0,10}$/) },
  { weight: 1, arbitrary: fc.constantFrom(...KEYS) },
);
const { map } = fc.letrec<{ tree: Tree; map: { [k: string]: Tree }; list: Tree[] }>((tie) => ({
  tree: fc.oneof({ depthSize: 'small' }, scalar, tie('map'), tie('list')),
  map: fc.dictionary(key, tie('tree'), { minKeys: 1, maxKeys: 5 }),
  list: fc.array(tie('tree'), { maxLength: 4 }),
}));
const style: fc.Arbitrary<Style> = fc.record({
  indent: fc.integer({ min: 1, max: 4 }),
  indentless: fc.boolean(),
  compact: fc.boolean(),
  dashSpaces: fc.integer({ min: 1, max: 3 }),
  quote: fc.constantFrom('plain', 'single', 'double', 'mixed'),
  nullAs: fc.constantFrom('', '~', 'null'),
});
const decorations = fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 1, maxLength: 12 });

/** Multi-line strings on one line, so that a rewritten plan stays in the subset. */
function oneLine(value: unknown): Tree {
  if (typeof value === 'string') return value.replace(/\s*\n\s*/g, ' ').trim();
  if (Array.isArray(value)) return value.map(oneLine);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, oneLine(v)]));
  return value as Tree;
}

describe('the block-subset parser gives what yaml gives', () => {
  it.each(CORPUS.map((f) => [f.slice(ROOT.length + 1), f]))('%s as written', (_, file) => {
    expectSame(readFileSync(file, 'utf8'));
  });

  it.each(CORPUS.map((f) => [f.slice(ROOT.length + 1), f]))(
    '%s rewritten in block style',
    (_, file) => {
      let value: unknown;
      try {
        value = parse(readFileSync(file, 'utf8'), { maxAliasCount: 50, logLevel: 'silent' });
      } catch {
        return; // not YAML the loader takes: covered as written
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
      const tree = oneLine(value) as { [k: string]: Tree };
      const styles: Style[] = [
        { indent: 2, indentless: false, compact: true, dashSpaces: 1, quote: 'plain', nullAs: '' },
        { indent: 4, indentless: true, compact: false, dashSpaces: 3, quote: 'mixed', nullAs: '~' },
      ];
      for (const s of styles) {
        const text = writeBlock(tree, s);
        expectSame(text);
        expectSame(decorate(text, [0, 1, 3, 0, 4, 2, 5]));
      }
    },
  );

  it('takes the plan files in the subset (the fast path is not a dead letter)', () => {
    const plan = readFileSync(join(ROOT, 'examples/rdo/plan.yaml'), 'utf8');
    const tree = oneLine(parse(plan)) as { [k: string]: Tree };
    const text = writeBlock(tree, {
      indent: 2,
      indentless: true,
      compact: true,
      dashSpaces: 1,
      quote: 'single',
      nullAs: '',
    });
    expect(expectSame(text)).toBe(true);
    expect(expectSame(decorate(text, [0, 1, 3, 4, 2, 5, 0, 0]))).toBe(true);
  });

  it('on a generated corpus of trees in every style', () => {
    let taken = 0;
    let runs = 0;
    fc.assert(
      fc.property(map, style, decorations, (tree, s, d) => {
        runs++;
        if (expectSame(decorate(writeBlock(tree, s), d))) taken++;
      }),
      { seed: SEED, numRuns: 1500, endOnFailure: true },
    );
    // Most of the corpus must reach the fast path, or the comparison proves little.
    expect(taken / runs).toBeGreaterThan(0.2);
  });

  it('on line-level damage to a plan in the subset', () => {
    const plan = readFileSync(join(ROOT, 'examples/car-harbor/plan.yaml'), 'utf8');
    const lines = writeBlock(oneLine(parse(plan)) as { [k: string]: Tree }, {
      indent: 2,
      indentless: false,
      compact: true,
      dashSpaces: 1,
      quote: 'plain',
      nullAs: '',
    }).split('\n');
    const damage = fc.record({
      at: fc.nat({ max: lines.length - 1 }),
      how: fc.constantFrom('dedent', 'indent', 'drop', 'duplicate', 'colon', 'dash', 'quote'),
    });
    fc.assert(
      fc.property(fc.array(damage, { minLength: 1, maxLength: 3 }), (damages) => {
        const copy = [...lines];
        for (const { at, how } of damages) {
          const line = copy[at] as string;
          if (how === 'dedent') copy[at] = line.replace(/^ /, '');
          else if (how === 'indent') copy[at] = ` ${line}`;
          else if (how === 'drop') copy.splice(at, 1);
          else if (how === 'duplicate') copy.splice(at, 0, line);
          else if (how === 'colon') copy[at] = `${line}:`;
          else if (how === 'dash') copy[at] = line.replace(/\S/, '- $&');
          else copy[at] = line.replace(/: /, ': "');
        }
        expectSame(copy.join('\n'));
      }),
      { seed: SEED, numRuns: 400, endOnFailure: true },
    );
  });
});
