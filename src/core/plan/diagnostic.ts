import { type ErrorCode, errorInfo, type Severity } from '../errors/index.js';

export type PlanPath = readonly (string | number)[];

/**
 * One problem or finding, reported with all the others at once (never thrown one by one).
 * Messages never quote secret values.
 */
export interface Diagnostic {
  code: ErrorCode;
  severity: Severity;
  message: string;
  hint: string;
  /** Where in the plan: `services.dlrn-db.data.0.replication`. */
  path?: PlanPath;
  file?: string;
  line?: number;
  col?: number;
}

export function diagnostic(
  code: ErrorCode,
  message: string,
  extra: { path?: PlanPath; severity?: Severity; hint?: string } = {},
): Diagnostic {
  const info = errorInfo(code);
  return {
    code,
    severity: extra.severity ?? info.severity ?? 'error',
    message: printable(message),
    hint: printable(extra.hint ?? info.fix),
    ...(extra.path ? { path: extra.path } : {}),
  };
}

// Control characters, line separators and bidi overrides, which a name or value quoted from the
// plan could use to forge or hide lines in a terminal, a log or the rendered document.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const HAS_UNPRINTABLE = new RegExp(UNPRINTABLE.source);

/** A message safe to print on one line: every unprintable character written as an escape. */
export function printable(text: string): string {
  if (!HAS_UNPRINTABLE.test(text)) return text;
  return text.replace(UNPRINTABLE, (c) => {
    const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    return named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

export function pathToString(path: PlanPath | undefined): string {
  return (path ?? []).join('.');
}

/** `file:line:col LB_E_... message (hint)` */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.file ? `${d.file}:${d.line ?? 1}:${d.col ?? 1} ` : '';
  const sev = d.severity === 'error' ? '' : `${d.severity}: `;
  return `${where}${d.code} ${sev}${d.message} (${d.hint})`;
}

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === 'error');
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export function sortDiagnostics(diags: Diagnostic[]): Diagnostic[] {
  return diags.sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      (a.file ?? '').localeCompare(b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.col ?? 0) - (b.col ?? 0),
  );
}
