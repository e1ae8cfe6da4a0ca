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
    message,
    hint: extra.hint ?? info.fix,
    ...(extra.path ? { path: extra.path } : {}),
  };
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
