// Secrets are referenced (`env:NAME`, `file:/path`), never written. This walk finds values that
// look like secrets anywhere in a plan, including free-form args and extra vars. It never quotes
// the value it found.
import { type Diagnostic, diagnostic, type PlanPath } from './diagnostic.js';
import { isSecretRef } from './schema/primitives.js';

const SECRET_LOOKING: readonly [RegExp, string][] = [
  [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/, 'a private key'],
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/, 'an AWS access key id'],
  [/[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i, 'a URL with a password'],
  [/\b(ghp|gho|ghu|ghs|ghr|github_pat)_[A-Za-z0-9_]{20,}/, 'a GitHub token'],
  [/\bglpat-[A-Za-z0-9_-]{20,}/, 'a GitLab token'],
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}/, 'a Slack token'],
  [/\bsk_(live|test)_[A-Za-z0-9]{20,}/, 'an API secret key'],
  [/\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/, 'a JSON Web Token'],
];

/**
 * Something every pattern above needs (its literal part): most values have none of these, and
 * one test of this pattern spares them the eight above.
 */
const SECRET_HINT =
  /-----BEGIN |AKIA|ASIA|:\/\/|gh[pousr]_|github_pat_|glpat-|xox[abprs]-|sk_live_|sk_test_|eyJ/;

/**
 * Keys whose value is a secret wherever they appear (driver args, Ansible extra vars...), in
 * snake, kebab or camel case: `db_password`, `vault-token`, `tsigSecret`, `aws_secret_access_key`.
 */
const SECRET_KEY =
  /(^|[_.-])(pass(word|wd|phrase)?|secret|token|api[_-]?key|private[_-]?key|secret[_-]?(access[_-]?)?key|credentials?)$/i;

/** `tsigSecret` → `tsig_Secret`, so that one pattern serves every case convention. */
function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key.replace(/([a-z0-9])([A-Z])/g, '$1_$2'));
}

/** Fields whose values are public by nature. */
const PUBLIC_KEYS = new Set(['hostKey', 'tsigKey', 'tsigAlgorithm']);

export function scanForSecrets(value: unknown, path: PlanPath = []): Diagnostic[] {
  const scan: Scan = { out: [], path: [...path], secretKeys: new Map() };
  walk(value, scan, 0);
  return scan.out;
}

interface Scan {
  out: Diagnostic[];
  /** The path of the value being looked at: one array, pushed and popped on the way. */
  path: (string | number)[];
  /** isSecretKey by key: a plan repeats a few dozen keys thousands of times. */
  secretKeys: Map<string, boolean>;
}

function secretKey(scan: Scan, key: string): boolean {
  let known = scan.secretKeys.get(key);
  if (known === undefined) {
    known = !PUBLIC_KEYS.has(key) && isSecretKey(key);
    scan.secretKeys.set(key, known);
  }
  return known;
}

function walk(value: unknown, scan: Scan, depth: number): void {
  if (depth > 80) return;
  if (typeof value === 'string') {
    scanString(value, scan.path[scan.path.length - 1], scan, undefined);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const path = scan.path;
  // Strings (most values) are looked at here, without a call and a push for each.
  const strings = depth + 1 <= 80;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v === 'string') {
        if (strings) scanString(v, i, scan, i);
      } else if (v !== null && typeof v === 'object') {
        path.push(i);
        walk(v, scan, depth + 1);
        path.pop();
      }
    }
    return;
  }
  for (const k in value) {
    if (!Object.hasOwn(value, k)) continue;
    const v = (value as Record<string, unknown>)[k];
    if (typeof v === 'string') {
      if (strings) scanString(v, k, scan, k);
    } else if (v !== null && typeof v === 'object') {
      path.push(k);
      walk(v, scan, depth + 1);
      path.pop();
    }
  }
}

/**
 * One string, under `key` (its key or index). `last` is that key when it is not on the path
 * yet (undefined when it is): the path of a finding is built only for a finding.
 */
function scanString(
  value: string,
  key: string | number | undefined,
  scan: Scan,
  last: string | number | undefined,
): void {
  if (typeof key === 'string' && PUBLIC_KEYS.has(key)) return;
  if (typeof key === 'string' && secretKey(scan, key) && value !== '' && !isSecretRef(value)) {
    scan.out.push(
      diagnostic('LB_E_PLAN_INLINE_SECRET', `\`${key}\` holds a secret written in the plan`, {
        path: pathOf(scan, last),
      }),
    );
    return;
  }
  if (!SECRET_HINT.test(value)) return;
  for (const [re, what] of SECRET_LOOKING) {
    if (re.test(value)) {
      scan.out.push(
        diagnostic(
          'LB_E_PLAN_SECRET_LIKE_VALUE',
          `\`${String(key ?? '')}\` contains what looks like ${what}`,
          { path: pathOf(scan, last) },
        ),
      );
      return;
    }
  }
}

function pathOf(scan: Scan, last: string | number | undefined): PlanPath {
  return last === undefined ? [...scan.path] : [...scan.path, last];
}
