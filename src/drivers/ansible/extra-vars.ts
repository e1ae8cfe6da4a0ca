// Extra variables reach Ansible as a JSON file (`-e @file`), so no shell or command line sees
// them. Ansible would still run Jinja on a value that contains `{{ ... }}` (and a lookup can run
// commands on the controller), so every string is wrapped as `{"__ansible_unsafe": ...}`, which
// Ansible's JSON loader turns into an unsafe value it never templates.
import { LifeboatError } from '../../core/errors/index.js';

export type ExtraValue =
  | string
  | number
  | boolean
  | null
  | ExtraValue[]
  | { [k: string]: ExtraValue };

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const MAX_DEPTH = 32;

function encode(value: ExtraValue, path: string, depth: number): unknown {
  if (depth > MAX_DEPTH) {
    throw new LifeboatError('LB_E_DRIVER_BAD_INPUT', `extra variable ${path} is nested too deeply`);
  }
  if (typeof value === 'string') return { __ansible_unsafe: value };
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new LifeboatError(
        'LB_E_DRIVER_BAD_INPUT',
        `extra variable ${path} is not a finite number`,
      );
    return value;
  }
  if (value === null || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((v, i) => encode(v, `${path}[${i}]`, depth + 1));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (
        k.length > 200 ||
        // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
        /[\0-\x1f\x7f]/.test(k) ||
        k === '__ansible_unsafe' ||
        k === '__ansible_vault'
      ) {
        throw new LifeboatError(
          'LB_E_DRIVER_BAD_INPUT',
          `extra variable ${path} has a key Lifeboat refuses`,
        );
      }
      out[k] = encode(v, `${path}.${k}`, depth + 1);
    }
    return out;
  }
  throw new LifeboatError('LB_E_DRIVER_BAD_INPUT', `extra variable ${path} is not JSON data`);
}

/** The JSON text of the extra-vars file. Top-level names must be Ansible variable names. */
export function encodeExtraVars(vars: Record<string, ExtraValue>): string {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(vars)) {
    if (!VAR_NAME.test(name)) {
      throw new LifeboatError(
        'LB_E_DRIVER_BAD_INPUT',
        `extra variable name '${name.slice(0, 40)}' is not an Ansible variable name (letters, digits, _)`,
      );
    }
    out[name] = encode(value, name, 0);
  }
  return JSON.stringify(out);
}
