// Where a lab keeps its state. Everything lives under one directory so that `down` can remove
// it whole, and so that leftovers can be recognised by that path in a process's command line.
import { readdirSync } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';
import { LifeboatError } from '../core/errors/index.js';
import { LAB_NAME_RE } from './topology.js';

export const DEFAULT_LAB_NAME = 'lb';
export const DEFAULT_LAB_ROOT = '/tmp/lifeboat-lab';

/** Paths go into server configs unquoted-safe only if they hold no blanks, quotes or `$`. */
const SAFE_PATH_RE = /^\/[A-Za-z0-9._/-]+$/;

export interface LabPaths {
  readonly dir: string;
  readonly state: string;
  /** Marks the directory as a lab's: `down` removes only a marked (or empty) directory. */
  readonly marker: string;
  readonly lock: string;
  readonly run: string;
  readonly logs: string;
  readonly secrets: string;
  pidFile(server: string): string;
  log(server: string): string;
  secret(file: string): string;
  component(name: string, ...rest: string[]): string;
}

export const LAB_MARKER = '.lifeboat-lab';

/**
 * Whether `dir` may be used (and later removed, and its path matched in command lines) as a
 * lab directory: missing, empty, or marked by an earlier `up`. A typo like `--dir /usr/lib`
 * must not make `down` kill every process naming /usr/lib/... and remove the directory.
 */
export function isLabDir(dir: string): 'missing' | 'empty' | 'marked' | 'foreign' {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return 'missing';
  }
  if (entries.length === 0) return 'empty';
  // lab.json too: labs made before the marker existed.
  return entries.includes(LAB_MARKER) || entries.includes('lab.json') ? 'marked' : 'foreign';
}

export function validateLabName(name: string): string {
  if (!LAB_NAME_RE.test(name)) {
    throw new LifeboatError('LB_E_LAB_USAGE', `lab name '${name}' is not valid`, {
      hint: 'use 1 to 10 lower-case letters or digits, starting with a letter (e.g. lb, t1)',
    });
  }
  return name;
}

export function resolveLabDir(name: string, dir?: string): string {
  const d = normalize(dir ?? join(DEFAULT_LAB_ROOT, name)).replace(/\/+$/, '');
  if (!isAbsolute(d) || !SAFE_PATH_RE.test(d) || d.split('/').length < 3) {
    throw new LifeboatError('LB_E_LAB_USAGE', `lab directory '${dir}' is not valid`, {
      hint: 'use an absolute path at least two levels deep made of letters, digits, . _ - and /',
    });
  }
  return d;
}

export function labPaths(dir: string): LabPaths {
  return {
    dir,
    state: join(dir, 'lab.json'),
    marker: join(dir, LAB_MARKER),
    lock: join(dir, 'lock'),
    run: join(dir, 'run'),
    logs: join(dir, 'logs'),
    secrets: join(dir, 'secrets'),
    pidFile: (server) => join(dir, 'run', `${server}.pid`),
    log: (server) => join(dir, 'logs', `${server}.log`),
    secret: (file) => join(dir, 'secrets', file),
    component: (name, ...rest) => join(dir, name, ...rest),
  };
}
