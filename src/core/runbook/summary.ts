// The totals a dry-run prints under its steps: how long the run is expected to take when each
// wave's chains run side by side (the longest path through `needs`), the plain sum of every
// step, and how many steps have no estimate (counted as 0, so both totals are lower bounds).
import type { PlannedRun } from './types.js';

export interface RunTotals {
  /** Longest chain of `needs`: the expected duration when independent steps run in parallel. */
  criticalPathMs: number;
  /** Every step one after the other. */
  sequentialMs: number;
  /** Steps whose estimate is unknown (counted as 0). */
  unknownSteps: number;
}

export function runTotals(run: Pick<PlannedRun, 'steps'>): RunTotals {
  const byId = new Map(run.steps.map((s) => [s.id, s]));
  const finish = new Map<string, number>();
  const visiting = new Set<string>();
  // Ends of each step; a `needs` cycle (only possible in a hand-written runbook, and reported by
  // `lifeboat check`) is cut where it closes instead of recursing forever.
  const end = (id: string): number => {
    const known = finish.get(id);
    if (known !== undefined) return known;
    const step = byId.get(id);
    if (!step || visiting.has(id)) return 0;
    visiting.add(id);
    const start = Math.max(0, ...step.needs.map(end));
    visiting.delete(id);
    const t = start + step.estimateMs;
    finish.set(id, t);
    return t;
  };
  let criticalPathMs = 0;
  let sequentialMs = 0;
  let unknownSteps = 0;
  for (const s of run.steps) {
    criticalPathMs = Math.max(criticalPathMs, end(s.id));
    sequentialMs += s.estimateMs;
    if (s.estimateSource === 'unknown') unknownSteps++;
  }
  return { criticalPathMs, sequentialMs, unknownSteps };
}
