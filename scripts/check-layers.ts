// CI lint step: fails when a file imports a layer it may not (see scripts/layers.ts).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { checkFile } from './layers.js';

const root = join(import.meta.dirname, '..');

function walk(dir: string, acc: string[] = []): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return acc;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name === 'dist') continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, acc);
    else if (/\.(ts|tsx|mts)$/.test(name)) acc.push(full);
  }
  return acc;
}

const files = [...walk(join(root, 'src')), ...walk(join(root, 'web', 'src'))];
const violations = files.flatMap((f) =>
  checkFile(relative(root, f).replace(/\\/g, '/'), readFileSync(f, 'utf8')),
);
for (const v of violations) {
  process.stderr.write(`${v.file}:${v.line} layer rule: ${v.reason}\n`);
}
if (violations.length > 0) {
  process.stderr.write(
    `${violations.length} layer violation(s); see DEVELOPERS.md, Architecture.\n`,
  );
  process.exit(1);
}
process.stdout.write(`layer rule: ${files.length} files, no violation\n`);
