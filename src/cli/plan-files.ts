// The node:fs side of plan loading: reading files and expanding `include:` globs.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { type LoadedPlan, loadPlan, type PlanSource } from '../core/plan/index.js';

const MAX_ENTRIES_VISITED = 100_000;

/** `*` and `?` within one path segment, `**` for any number of segments. */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  const segments = pattern.split('/');
  segments.forEach((seg, i) => {
    const lastSeg = i === segments.length - 1;
    if (seg === '**') {
      re += lastSeg ? '.*' : '(?:[^/]+/)*';
      return;
    }
    re += seg
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]');
    if (!lastSeg) re += '/';
  });
  return new RegExp(`^${re}$`);
}

export const fsPlanSource: PlanSource = {
  read(file) {
    return readFileSync(file, 'utf8');
  },
  expand(pattern, fromFile) {
    const base = dirname(fromFile);
    if (isAbsolute(pattern)) throw new Error('include patterns are relative to the plan file');
    if (!/[*?]/.test(pattern)) {
      const file = resolve(base, pattern);
      return statSync(file, { throwIfNoEntry: false })?.isFile() ? [file] : [];
    }
    const re = globToRegExp(pattern.replace(/^\.\//, ''));
    const found: string[] = [];
    let visited = 0;
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (++visited > MAX_ENTRIES_VISITED)
          throw new Error(`more than ${MAX_ENTRIES_VISITED} entries under ${base}`);
        if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
        const full = join(dir, entry.name);
        const rel = relative(base, full).split(sep).join('/');
        if (entry.isDirectory()) walk(full);
        else if (entry.isFile() && re.test(rel)) found.push(full);
      }
    };
    walk(base);
    return found.sort();
  },
};

export function loadPlanFile(file: string): LoadedPlan {
  return loadPlan(resolve(file), fsPlanSource);
}

/** A path as the operator typed it (relative to the working directory) for messages. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}
