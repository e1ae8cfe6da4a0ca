// Where a lab keeps its state. Everything lives under one directory so that `down` can remove
// it whole, and so that leftovers can be recognised by that path in a process's command line.
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
  readonly lock: string;
  readonly run: string;
  readonly logs: string;
  readonly secrets: string;
  pidFile(server: string): string;
  log(server: string): string;
  secret(file: string): string;
  component(name: string, ...rest: string[]): string;
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
