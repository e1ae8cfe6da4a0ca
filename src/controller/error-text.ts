// How the controller words an error or a plan diagnostic: in its log, its events and its own
// errors' messages.
import { LifeboatError } from '../core/errors/index.js';
import type { Diagnostic } from '../core/plan/index.js';

export const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The registered code of a LifeboatError; undefined for any other error. */
export const codeOf = (e: unknown) => (e instanceof LifeboatError ? e.code : undefined);

/** `file:line:col CODE message` (the position when the diagnostic has one). */
export function diagnosticLine(d: Diagnostic): string {
  const where = d.file ? `${d.file}:${d.line ?? 0}:${d.col ?? 0} ` : '';
  return `${where}${d.code} ${d.message}`;
}
