// Pure: probe and RPO history shaped for the sparkline, the lag chart and the audit verdict.
import type { ProbeSample } from '../../../src/server/api-types.js';

export interface SparkPoint {
  x: number;
  y: number;
  ok: boolean;
}

/** Probe durations as points in a `width`×`height` box (oldest left); failures keep their place. */
export function sparkline(
  samples: readonly ProbeSample[],
  width: number,
  height: number,
): SparkPoint[] {
  if (samples.length === 0) return [];
  const max = Math.max(1, ...samples.map((s) => s.ms));
  const step = samples.length > 1 ? width / (samples.length - 1) : 0;
  return samples.map((s, i) => ({
    x: Math.round(i * step * 10) / 10,
    y: Math.round((height - (s.ms / max) * (height - 2) - 1) * 10) / 10,
    ok: s.ok,
  }));
}

export function polyline(points: readonly SparkPoint[]): string {
  return points.map((p) => `${p.x},${p.y}`).join(' ');
}

export interface LagSeries {
  dataSet: string;
  /** [epoch ms, rpo ms or null when unknown]. */
  points: [number, number | null][];
}

/** RPO history (newest last) → one series per data set, in time order. */
export function lagSeries(
  history: readonly { at: string; dataSet: string; rpoMs?: number }[],
): LagSeries[] {
  const by = new Map<string, LagSeries>();
  for (const h of history) {
    const t = new Date(h.at).getTime();
    if (Number.isNaN(t)) continue;
    let s = by.get(h.dataSet);
    if (!s) {
      s = { dataSet: h.dataSet, points: [] };
      by.set(h.dataSet, s);
    }
    s.points.push([t, h.rpoMs ?? null]);
  }
  for (const s of by.values()) s.points.sort((a, b) => a[0] - b[0]);
  return [...by.values()].sort((a, b) => a.dataSet.localeCompare(b.dataSet));
}

export interface ProbeSummary {
  total: number;
  failed: number;
  /** Median duration of the successful ones. */
  medianMs: number | undefined;
}

export function summarizeProbes(samples: readonly ProbeSample[]): ProbeSummary {
  const ok = samples
    .filter((s) => s.ok)
    .map((s) => s.ms)
    .sort((a, b) => a - b);
  const mid = ok.length === 0 ? undefined : ok[Math.floor((ok.length - 1) / 2)];
  return { total: samples.length, failed: samples.length - ok.length, medianMs: mid };
}

export interface AuditVerdict {
  state: 'ok' | 'broken' | 'unknown';
  text: string;
}

/**
 * GET /audit/verify's answer, read defensively: `ok` (or `valid`), the entries `checked`, and
 * for a broken chain `broken: { seq, message }` (the first entry that does not verify).
 */
export function auditVerdict(v: unknown): AuditVerdict {
  if (v === null || typeof v !== 'object') return { state: 'unknown', text: 'not verified' };
  const o = v as Record<string, unknown>;
  const ok = typeof o.ok === 'boolean' ? o.ok : typeof o.valid === 'boolean' ? o.valid : undefined;
  const count = [o.checked, o.count].find((x) => typeof x === 'number') as number | undefined;
  const broken =
    o.broken !== null && typeof o.broken === 'object' ? (o.broken as Record<string, unknown>) : {};
  const at = [broken.seq, o.brokenAt].find((x) => typeof x === 'number') as number | undefined;
  const message = [broken.message, broken.reason, o.message, o.error].find(
    (x) => typeof x === 'string',
  ) as string | undefined;
  if (ok === true) {
    return {
      state: 'ok',
      text: `chain verified${count !== undefined ? `: ${count.toLocaleString('en-US')} entries` : ''}`,
    };
  }
  if (ok === false) {
    const where = at !== undefined ? ` at entry ${at}` : '';
    return { state: 'broken', text: `chain BROKEN${where}${message ? `: ${message}` : ''}` };
  }
  return { state: 'unknown', text: message ?? 'not verified' };
}
