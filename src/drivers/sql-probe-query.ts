// A SQL probe runs a query written in the plan. It is SQL by design, so it cannot be passed "as
// data"; instead it is held to one read-only statement: it must start as a read (SELECT, WITH,
// SHOW, VALUES, TABLE), hold no `;` but a final one, no control characters, and it runs inside a
// read-only transaction with a single-statement protocol (the server refuses a second one).
import { LifeboatError } from '../core/errors/index.js';

const READ_KINDS = /^(select|with|show|values|table)\b/i;

export function safeProbeQuery(query: string, what = 'the probe query'): string {
  const q = query.trim().replace(/;\s*$/, '');
  const refuse = (why: string): never => {
    throw new LifeboatError('LB_E_DRIVER_BAD_INPUT', `${what} ${why}`);
  };
  if (q === '' || q.length > 2000) refuse('must be 1-2000 characters');
  if (hasControl(q)) refuse('must not hold control characters');
  if (q.includes(';')) refuse('must be a single statement (no `;` but a final one)');
  if (!READ_KINDS.test(q)) refuse('must be a read: SELECT, WITH, SHOW, VALUES or TABLE');
  return q;
}

/** Control characters other than tab and newline. */
function hasControl(s: string): boolean {
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a) || c === 0x7f) return true;
  }
  return false;
}

/** The first column of the first row, as text: what `expect` is compared with. */
export function firstCell(rows: readonly unknown[]): string | undefined {
  const row = rows[0];
  if (row === undefined || row === null) return undefined;
  const v = Array.isArray(row) ? row[0] : Object.values(row as Record<string, unknown>)[0];
  if (v === null || v === undefined) return v === null ? 'NULL' : undefined;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'boolean') return v ? 't' : 'f';
  return String(v);
}
