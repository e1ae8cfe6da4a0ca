// Secrets are read at the last moment from where the plan points (`env:NAME`, `file:/path`) and
// kept in a wrapper that never prints its value: not in logs, errors, JSON or the journal.
import { readFileSync, statSync } from 'node:fs';
import { LifeboatError } from '../core/errors/index.js';

const REDACTED = '[secret]';

export class Secret {
  readonly #value: string;
  /** Where it came from (`env:PGPASSWORD`), safe to show. */
  readonly ref: string;

  constructor(value: string, ref: string) {
    this.#value = value;
    this.ref = ref;
  }

  /** The value, for the one call that needs it (a connection, a signature). */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Secret(${this.ref})`;
  }
}

export function resolveSecret(ref: string, env: NodeJS.ProcessEnv = process.env): Secret {
  if (ref.startsWith('env:')) {
    const name = ref.slice(4);
    const value = env[name];
    if (value === undefined || value === '') {
      throw new LifeboatError('LB_E_DRIVER_SECRET', `the environment variable ${name} is not set`);
    }
    return new Secret(value, ref);
  }
  if (ref.startsWith('file:/')) {
    const path = ref.slice(5);
    try {
      const mode = statSync(path).mode;
      if (mode & 0o004) {
        throw new LifeboatError('LB_E_DRIVER_SECRET', `${path} is readable by every user`, {
          hint: `Restrict it: chmod 600 ${path}.`,
        });
      }
      return new Secret(readFileSync(path, 'utf8').replace(/\r?\n$/, ''), ref);
    } catch (e) {
      if (e instanceof LifeboatError) throw e;
      throw new LifeboatError(
        'LB_E_DRIVER_SECRET',
        `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
      );
    }
  }
  throw new LifeboatError(
    'LB_E_DRIVER_SECRET',
    'a secret must be referenced as env:NAME or file:/path',
  );
}

/** Replaces every occurrence of the given secrets' values in a text (for tool output in errors). */
export function redact(text: string, secrets: readonly (Secret | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    const v = s?.reveal();
    if (v && v.length >= 4) out = out.split(v).join(REDACTED);
  }
  return out;
}
