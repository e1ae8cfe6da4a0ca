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
  const out: Diagnostic[] = [];
  walk(value, path, out, 0);
  return out;
}

function walk(value: unknown, path: PlanPath, out: Diagnostic[], depth: number): void {
  if (depth > 80) return;
  if (typeof value === 'string') {
    const key = path[path.length - 1];
    if (typeof key === 'string' && PUBLIC_KEYS.has(key)) return;
    if (typeof key === 'string' && isSecretKey(key) && value !== '' && !isSecretRef(value)) {
      out.push(
        diagnostic('LB_E_PLAN_INLINE_SECRET', `\`${key}\` holds a secret written in the plan`, {
          path,
        }),
      );
      return;
    }
    for (const [re, what] of SECRET_LOOKING) {
      if (re.test(value)) {
        out.push(
          diagnostic(
            'LB_E_PLAN_SECRET_LIKE_VALUE',
            `\`${String(key ?? '')}\` contains what looks like ${what}`,
            { path },
          ),
        );
        return;
      }
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      walk(v, [...path, i], out, depth + 1);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) walk(v, [...path, k], out, depth + 1);
  }
}
