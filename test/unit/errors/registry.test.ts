import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CODE_PATTERN,
  ERROR_CODES,
  isErrorCode,
  LifeboatError,
} from '../../../src/core/errors/index.js';

const root = join(import.meta.dirname, '..', '..', '..');

function sourceFiles(dir: string, acc: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) sourceFiles(full, acc);
    else if (/\.(ts|tsx)$/.test(name)) acc.push(full);
  }
  return acc;
}

describe('the error registry', () => {
  it('names every code LB_E_<AREA>_<WHAT> and says what it means and how to fix it', () => {
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect(code, code).toMatch(CODE_PATTERN);
      expect(info.summary.length, `${code} summary`).toBeGreaterThan(10);
      expect(info.fix.length, `${code} fix`).toBeGreaterThan(10);
    }
  });

  it('documents every code in docs/errors.md', () => {
    const doc = readFileSync(join(root, 'docs', 'errors.md'), 'utf8');
    const missing = Object.keys(ERROR_CODES).filter((code) => !doc.includes(`\`${code}\``));
    expect(missing).toEqual([]);
  });

  it('registers every code the source code uses', () => {
    const used = new Set<string>();
    for (const file of sourceFiles(join(root, 'src'))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\bLB_E_[A-Z0-9_]+\b/g)) used.add(m[0]);
    }
    const unregistered = [...used].filter((code) => !isErrorCode(code));
    expect(unregistered).toEqual([]);
  });

  it('formats an error as file:line:col CODE message (hint)', () => {
    const e = new LifeboatError('LB_E_PLAN_UNKNOWN_KEY', 'unknown key `rtoo`', {
      location: { file: 'plan.yaml', line: 9, col: 10 },
    });
    expect(e.format()).toBe(
      `plan.yaml:9:10 LB_E_PLAN_UNKNOWN_KEY unknown key \`rtoo\` (${ERROR_CODES.LB_E_PLAN_UNKNOWN_KEY.fix})`,
    );
    expect(e.retryable).toBe(false);
    expect(e.toJSON()).toMatchObject({
      code: 'LB_E_PLAN_UNKNOWN_KEY',
      location: { line: 9, col: 10 },
    });
  });
});
