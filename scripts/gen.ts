// Writes the generated files (JSON Schemas, plan reference, error codes); with --check, fails
// when a committed copy differs from what the code generates (CI's drift check).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { errorsMarkdown } from '../src/core/docs/errors-doc.js';
import { fragmentJsonSchema, planJsonSchema } from '../src/core/docs/json-schema.js';
import { planReferenceMarkdown } from '../src/core/docs/plan-reference.js';
import { openApiDocument } from '../src/server/openapi.js';

const root = join(import.meta.dirname, '..');
const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

export const GENERATED: Record<string, () => string> = {
  'schema/plan.schema.json': () => json(planJsonSchema()),
  'schema/plan-fragment.schema.json': () => json(fragmentJsonSchema()),
  'docs/plan-reference.md': () => planReferenceMarkdown(planJsonSchema()),
  'docs/errors.md': () => errorsMarkdown(),
  'docs/openapi.json': () => json(openApiDocument()),
};

const check = process.argv.includes('--check');
const drifted: string[] = [];
for (const [file, make] of Object.entries(GENERATED)) {
  const path = join(root, file);
  const want = make();
  let have: string | undefined;
  try {
    have = readFileSync(path, 'utf8');
  } catch {
    have = undefined;
  }
  if (have === want) continue;
  if (check) drifted.push(file);
  else {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, want);
    process.stdout.write(`wrote ${file}\n`);
  }
}
if (drifted.length > 0) {
  process.stderr.write(
    `generated files are out of date: ${drifted.join(', ')}\nRun \`npm run gen\` and commit the result.\n`,
  );
  process.exit(1);
}
if (check) process.stdout.write(`generated files up to date (${Object.keys(GENERATED).length})\n`);
