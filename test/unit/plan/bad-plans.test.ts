// The bad input corpus: every file in test/fixtures/bad-plans/ is a plan an operator (or an
// attacker) could hand to `lifeboat check`. Each must be refused with exactly the coded
// diagnostics recorded in expected.json, at the right file, line and column, and never by an
// exception. Inputs too large to commit (deep nesting, a 10 MB file) are generated here.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fsPlanSource } from '../../../src/cli/plan-files.js';
import { isErrorCode } from '../../../src/core/errors/index.js';
import { type Diagnostic, type LoadedPlan, loadPlan } from '../../../src/core/plan/index.js';

const DIR = resolve(import.meta.dirname, '../../fixtures/bad-plans');

interface Expected {
  code: string;
  line: number;
  col?: number;
  /** Relative to the corpus folder, when the diagnostic is in another file than the case. */
  file?: string;
}

const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as Record<
  string,
  Expected[]
>;
const cases = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

/** Values planted in the corpus that no message or hint may repeat. */
const PLANTED_SECRETS = [
  'hunter2',
  'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW',
  's3cr3tpass',
  'AKIAIOSFODNN7EXAMPLE',
  's.Xq3ZkVb2pL9nT',
];

function actual(loaded: LoadedPlan, caseFile: string, withCol: (i: number) => boolean) {
  return loaded.diagnostics.map((d, i) => {
    const file = relative(DIR, d.file ?? '');
    return {
      code: d.code,
      line: d.line,
      ...(withCol(i) ? { col: d.col } : {}),
      ...(file !== caseFile ? { file } : {}),
    };
  });
}

function expectWellFormed(diagnostics: Diagnostic[]): void {
  for (const d of diagnostics) {
    expect(isErrorCode(d.code), d.code).toBe(true);
    expect(d.severity).toBe('error');
    expect(d.line).toBeGreaterThanOrEqual(1);
    expect(d.col).toBeGreaterThanOrEqual(1);
    for (const text of [d.message, d.hint]) {
      // One line each: nothing quoted from the plan may start a forged diagnostic line.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point.
      expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
      for (const secret of PLANTED_SECRETS) expect(text).not.toContain(secret);
    }
  }
}

describe('the bad plan corpus', () => {
  it('has an expectation for every fixture, and a fixture for every expectation', () => {
    expect(Object.keys(expected).sort()).toEqual(cases);
  });

  it.each(cases)('%s', (caseFile) => {
    const want = expected[caseFile];
    expect(want, `${caseFile} is missing from expected.json`).toBeDefined();
    const loaded = loadPlan(join(DIR, caseFile), fsPlanSource);
    expect(actual(loaded, caseFile, (i) => want?.[i]?.col !== undefined)).toEqual(want);
    expect(loaded.plan).toBeUndefined();
    expectWellFormed(loaded.diagnostics);
  });

  it('names both files when an included file defines a name again', () => {
    const loaded = loadPlan(join(DIR, 'include-duplicate-name.yaml'), fsPlanSource);
    const [d] = loaded.diagnostics;
    expect(d?.file).toBe(join(DIR, '_parts/web-again.yaml'));
    expect(d?.message).toBe(
      `\`services.web\` is already defined in ${join(DIR, 'include-duplicate-name.yaml')}:12`,
    );
  });
});

describe('inputs generated at test time', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'lifeboat-bad-plans-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const file = join(tmp, name);
    writeFileSync(file, text);
    return file;
  };
  const summary = (loaded: LoadedPlan) =>
    loaded.diagnostics.map((d) => [d.code, relative(tmp, d.file ?? ''), d.line, d.col]);

  // The 65th level is the first one refused: after the top-level mapping, 64 lists.
  it('refuses 10,000 nested flow lists at the level past the limit', () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const file = write('flow.yaml', `version: 1\nname: deep\ndescription: ${deep}\n`);
    const loaded = loadPlan(file, fsPlanSource);
    expect(summary(loaded)).toEqual([['LB_E_PLAN_TOO_DEEP', 'flow.yaml', 3, 78]]);
    expectWellFormed(loaded.diagnostics);
  });

  it('refuses 10,000 nested block lists at the level past the limit', () => {
    const file = write(
      'block.yaml',
      `version: 1\nname: deep\ndescription:\n  ${'- '.repeat(10_000)}x\n`,
    );
    const loaded = loadPlan(file, fsPlanSource);
    expect(summary(loaded)).toEqual([['LB_E_PLAN_TOO_DEEP', 'block.yaml', 4, 131]]);
    expectWellFormed(loaded.diagnostics);
  });

  it('refuses 2,000 nested block mappings at the level past the limit', () => {
    const lines = Array.from({ length: 2_000 }, (_, i) => `${' '.repeat(i)}k${i}:`);
    const file = write('mappings.yaml', `version: 1\nname: deep\n${lines.join('\n')} 1\n`);
    const loaded = loadPlan(file, fsPlanSource);
    expect(summary(loaded)).toEqual([['LB_E_PLAN_TOO_DEEP', 'mappings.yaml', 67, 65]]);
    expectWellFormed(loaded.diagnostics);
  });

  it('refuses a 10 MB file before parsing it', () => {
    const line = '  lorem ipsum dolor sit amet, consectetur adipiscing elit\n';
    const body = line.repeat(Math.ceil((10 * 1024 * 1024) / line.length));
    const file = write('big.yaml', `version: 1\nname: big\ndescription: |\n${body}`);
    const started = performance.now();
    const loaded = loadPlan(file, fsPlanSource);
    expect(summary(loaded)).toEqual([['LB_E_PLAN_TOO_LARGE', 'big.yaml', 1, 1]]);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('refuses an included 10 MB file, in that file', () => {
    const line = '# padding padding padding padding padding padding padding padding\n';
    write('huge-part.yaml', line.repeat(Math.ceil((10 * 1024 * 1024) / line.length)));
    const file = write('with-huge.yaml', 'version: 1\nname: big\ninclude: [huge-part.yaml]\n');
    const loaded = loadPlan(file, fsPlanSource);
    expect(summary(loaded)).toEqual([['LB_E_PLAN_TOO_LARGE', 'huge-part.yaml', 1, 1]]);
  });
});
