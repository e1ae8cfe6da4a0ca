// A SQL probe runs a query written in the plan. It is SQL by design, so it cannot be passed "as
// data"; instead it is held to one read-only statement: it must start as a read (SELECT, WITH,
// SHOW, VALUES, TABLE), hold no `;` but a final one, no control characters, and it runs inside a
// read-only transaction with a single-statement protocol (the server refuses a second one).
import { LifeboatError } from '../core/errors/index.js';
import { throwIfAborted } from './context.js';
import type { Observation, OperationContext, ProbeResult } from './driver.js';

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

/** What both SQL probes share once connected: the query, its expectation and time limit. */
export interface SqlProbeSpec {
  target: string;
  query: string;
  expect?: string | undefined;
  timeoutMs: number;
}

/**
 * One probe attempt: `attempt` connects and returns the rows; it races a deadline and the abort
 * signal. A failed check is data (`ok: false`), never a throw; only an abort throws. `release`
 * closes the connection however the race ended, `describe` turns a driver error into one line
 * (without secrets).
 */
export async function runSqlProbe(
  ctx: OperationContext,
  spec: SqlProbeSpec,
  io: { attempt: () => Promise<unknown[]>; release: () => void; describe: (e: unknown) => string },
): Promise<ProbeResult> {
  throwIfAborted(ctx, `probe ${spec.target}`);
  const t0 = performance.now();
  const latency = () => Math.round(performance.now() - t0);
  let timer: NodeJS.Timeout | undefined;
  let onAbort = () => {};
  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${spec.timeoutMs} ms`)),
      spec.timeoutMs,
    );
    onAbort = () =>
      reject(new LifeboatError('LB_E_DRIVER_ABORTED', `probe ${spec.target} was aborted`));
    ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
  stop.catch(() => {}); // settles after the race only when nobody listens any more
  try {
    const rows = await Promise.race([io.attempt(), stop]);
    const got = firstCell(Array.isArray(rows) ? rows : []);
    const ok = spec.expect === undefined || got === spec.expect;
    const detail = `${spec.query} → ${got ?? '(no row)'}${ok ? '' : ` (expected ${spec.expect})`}`;
    return { ok, latencyMs: latency(), detail };
  } catch (e) {
    if (e instanceof LifeboatError && e.code === 'LB_E_DRIVER_ABORTED') throw e;
    const why = e instanceof Error && /^no answer/.test(e.message) ? e.message : io.describe(e);
    return { ok: false, latencyMs: latency(), detail: why };
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onAbort);
    io.release();
  }
}

/** A probe observed: healthy when the check passes. */
export function probeObservation(target: string, r: ProbeResult): Observation {
  return {
    healthy: r.ok,
    summary: `probe ${target}: ${r.ok ? 'ok' : 'failing'}: ${r.detail}`,
    facts: { ok: r.ok, detail: r.detail, latencyMs: r.latencyMs },
  };
}
