export type Severity = 'error' | 'warning' | 'info';

/** One registered error or finding code. Shown in docs/errors.md, which is generated from it. */
export interface CodeInfo {
  /** One line: what went wrong. */
  readonly summary: string;
  /** How the operator fixes it: concrete, imperative. */
  readonly fix: string;
  /** Whether trying again, unchanged, can succeed. */
  readonly retryable: boolean;
  /** For findings of `lifeboat check`: their default severity. */
  readonly severity?: Severity;
}

/** Keeps each area's literal keys while checking the shape of every entry. */
export function defineCodes<const T extends Record<string, CodeInfo>>(codes: T): T {
  return codes;
}
