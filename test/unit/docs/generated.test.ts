import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorsMarkdown } from '../../../src/core/docs/errors-doc.js';
import { type JsonSchema, planJsonSchema } from '../../../src/core/docs/json-schema.js';
import { planReferenceMarkdown } from '../../../src/core/docs/plan-reference.js';

const root = join(import.meta.dirname, '..', '..', '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

/** Every named property anywhere in the schema, with its path. */
function properties(
  schema: JsonSchema,
  path: string,
  out: [string, JsonSchema][] = [],
): [string, JsonSchema][] {
  for (const [key, prop] of Object.entries(
    (schema.properties ?? {}) as Record<string, JsonSchema>,
  )) {
    out.push([`${path}.${key}`, prop]);
    properties(prop, `${path}.${key}`, out);
  }
  for (const key of ['items', 'additionalProperties'] as const) {
    const child = schema[key];
    if (child && typeof child === 'object') properties(child as JsonSchema, `${path}.${key}`, out);
  }
  for (const key of ['anyOf', 'oneOf'] as const) {
    (schema[key] as JsonSchema[] | undefined)?.forEach((v, i) => {
      properties(v, `${path}.${key}[${i}]`, out);
    });
  }
  return out;
}

describe('generated files', () => {
  it('gives every field of the plan schema a description, for editors and the reference', () => {
    const props = properties(planJsonSchema(), 'plan');
    expect(props.length).toBeGreaterThan(100);
    const undocumented = props
      .filter(([, p]) => typeof p.description !== 'string' || p.description.length < 3)
      .map(([path]) => path);
    expect(undocumented).toEqual([]);
  });

  it('keeps schema/plan.schema.json, docs/plan-reference.md and docs/errors.md up to date', () => {
    expect(read('schema/plan.schema.json')).toBe(`${JSON.stringify(planJsonSchema(), null, 2)}\n`);
    expect(read('docs/plan-reference.md')).toBe(planReferenceMarkdown(planJsonSchema()));
    expect(read('docs/errors.md')).toBe(errorsMarkdown());
  });

  it('lists services, data sets and probes in the plan reference', () => {
    const ref = planReferenceMarkdown(planJsonSchema());
    expect(ref).toContain('## `plan.services.<name>`');
    expect(ref).toContain('## `plan.services.<name>.data[]`');
    expect(ref).toContain('## `plan.services.<name>.health[] (kind: http)`');
    expect(ref).toContain('## `plan.services.<name>.traffic[] (kind: dns)`');
  });
});
