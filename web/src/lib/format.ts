// Pure: durations, times and RPO / RTO verdicts as the dashboard shows them. Status is always
// given in words as well as colour (the `state` drives the colour, `text` is what is read).
import type { RpoStatus } from '../../../src/server/api-types.js';

/** 850 ms, 12 s, 1.5 s, 5 min, 1 h 30 min, 2 d 4 h. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms === 0) return '0 s';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 10) return `${trim(s.toFixed(1))} s`;
  if (s < 60) return `${Math.round(s)} s`;
  const totalMin = Math.floor(s / 60);
  if (totalMin < 60) {
    const rest = Math.round(s - totalMin * 60);
    return rest === 0 || totalMin >= 10 ? `${totalMin} min` : `${totalMin} min ${rest} s`;
  }
  const h = Math.floor(totalMin / 60);
  if (h < 24) {
    const m = totalMin - h * 60;
    return m === 0 ? `${h} h` : `${h} h ${m} min`;
  }
  const d = Math.floor(h / 24);
  const rh = h - d * 24;
  return rh === 0 ? `${d} d` : `${d} d ${rh} h`;
}

function trim(n: string): string {
  return n.endsWith('.0') ? n.slice(0, -2) : n;
}

/** A time as `HH:MM:SS` UTC (with the date when it is not `now`'s day). */
export function formatTime(iso: string | number | undefined, now: Date = new Date()): string {
  if (iso === undefined) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const time = d.toISOString().slice(11, 19);
  const day = d.toISOString().slice(0, 10);
  return day === now.toISOString().slice(0, 10) ? `${time} UTC` : `${day} ${time} UTC`;
}

/** "3 min ago" / "in 2 s". */
export function formatAgo(iso: string | number | undefined, now: number = Date.now()): string {
  if (iso === undefined) return '—';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return '—';
  const diff = now - t;
  if (Math.abs(diff) < 1000) return 'just now';
  return diff >= 0 ? `${formatDuration(diff)} ago` : `in ${formatDuration(-diff)}`;
}

export type VerdictState = 'ok' | 'over' | 'unknown' | 'none';

export interface Verdict {
  state: VerdictState;
  /** e.g. "12 s / 5 min". */
  text: string;
  /** The words for a screen reader and for colour-blind eyes: "within target", "over target". */
  label: string;
}

const LABEL: Record<VerdictState, string> = {
  ok: 'within target',
  over: 'OVER target',
  unknown: 'unknown',
  none: 'no data set',
};

/**
 * The service's RPO now against its target: the worst data set decides. A data set whose RPO
 * cannot be known makes the verdict unknown unless another one is already over.
 */
export function rpoVerdict(rpo: readonly RpoStatus[], targetMs: number): Verdict {
  const tracked = rpo.filter((r) => r.kind !== 'none');
  if (tracked.length === 0) {
    return { state: 'none', text: `— / ${formatDuration(targetMs)}`, label: LABEL.none };
  }
  let worst: number | undefined;
  let unknown = false;
  let over = false;
  for (const r of tracked) {
    if (r.rpoMs === undefined) {
      unknown = true;
      continue;
    }
    const target = r.targetMs ?? targetMs;
    if (r.within === false || r.rpoMs > target) over = true;
    if (worst === undefined || r.rpoMs > worst) worst = r.rpoMs;
  }
  const state: VerdictState = over ? 'over' : unknown ? 'unknown' : 'ok';
  const now = unknown && !over ? '?' : formatDuration(worst);
  return { state, text: `${now} / ${formatDuration(targetMs)}`, label: LABEL[state] };
}

/** The plan's estimated RTO against the tier's target. */
export function rtoVerdict(plannedMs: number | undefined, targetMs: number): Verdict {
  if (plannedMs === undefined) {
    return {
      state: 'unknown',
      text: `— / ${formatDuration(targetMs)}`,
      label: 'no runbook estimate',
    };
  }
  const state: VerdictState = plannedMs > targetMs ? 'over' : 'ok';
  return {
    state,
    text: `${formatDuration(plannedMs)} / ${formatDuration(targetMs)}`,
    label: LABEL[state],
  };
}

/** 1000 → "1,000". */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** A hash for the eye: without its `sha256:` prefix, the first 10 characters. */
export function shortHash(hash: string): string {
  return hash.replace(/^[a-z0-9-]+:/i, '').slice(0, 10);
}
