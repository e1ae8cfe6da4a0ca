// The compiled entry schemas (schema/compiled.ts) against the plan's own: on every entry of every
// example plan and fixture, and on generated driver arguments (the values the twins check with a
// stand-in for `argValue`), both accept the same entries and give the same output.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compiledEntrySchema } from '../../../src/core/plan/schema/compiled.js';
import {
  ENTRY_SCHEMAS,
  SECTION_NAMES,
  type SectionName,
} from '../../../src/core/plan/schema/plan.js';

const SEED = Number(process.env.FC_SEED ?? 20_261_121);
const ROOT = resolve(import.meta.dirname, '../../..');

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return yamlFiles(full);
    return /\.ya?ml$/.test(name) ? [full] : [];
  });
}

function same(section: SectionName, value: unknown): void {
  const runtime = ENTRY_SCHEMAS[section].safeParse(value);
  const compiled = compiledEntrySchema(section).safeParse(value);
  expect(compiled.success).toBe(runtime.success);
  if (runtime.success) expect(compiled.data).toEqual(runtime.data);
}

describe('compiled entry schemas', () => {
  it('every section compiles (none falls back to the interpreter)', () => {
    for (const section of SECTION_NAMES)
      expect(() => compiledEntrySchema(section, { strict: true })).not.toThrow();
  });

  it('accept and build what the plan schema does on every example and fixture', () => {
    let entries = 0;
    for (const file of [
      ...yamlFiles(join(ROOT, 'examples')),
      ...yamlFiles(join(ROOT, 'test/fixtures')),
    ]) {
      let doc: unknown;
      try {
        doc = parse(readFileSync(file, 'utf8'), { logLevel: 'silent' });
      } catch {
        continue;
      }
      if (doc === null || typeof doc !== 'object') continue;
      for (const section of SECTION_NAMES) {
        const list = (doc as Record<string, unknown>)[section];
        if (list === null || typeof list !== 'object') continue;
        for (const value of Object.values(list)) {
          same(section, value);
          entries++;
        }
      }
    }
    expect(entries).toBeGreaterThan(100);
  });

  it('accept the same driver arguments as `argValue` (steps, undos, extra vars)', () => {
    const leaf = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom('x'.repeat(10_000), 'x'.repeat(10_001)),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
    );
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.array(tie('tree'), { maxLength: 4 }),
        fc.constantFrom(Array.from({ length: 1_001 }, () => 1)),
        fc.dictionary(
          fc.oneof(fc.string({ maxLength: 8 }), fc.constant('k'.repeat(201))),
          tie('tree'),
          {
            maxKeys: 4,
          },
        ),
      ),
    }));
    const args = fc.dictionary(fc.string({ maxLength: 8 }), tree, { maxKeys: 4 });
    fc.assert(
      fc.property(args, (a) => {
        same('runbooks', { steps: [{ id: 's', action: 'command.run', args: a }] });
        same('runbooks', {
          steps: [{ id: 's', action: 'manual', undo: { action: 'command.run', args: a } }],
        });
        same('services', {
          tier: 't',
          strategy: 'redeploy',
          placement: { active: ['n'] },
          redeploy: { playbook: 'p.yml', duration: '1h', extraVars: a },
          steps: { before: { redeploy: [{ id: 's', action: 'command.run', args: a }] } },
        });
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
