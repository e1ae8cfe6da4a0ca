// Live progress of a run, from the engine's events: one plain line per step transition (the
// same on a terminal and in a log file), or one JSON object per event with --json.
import type { EngineEvent } from '../../engine/index.js';

type Data = Record<string, unknown>;

function stamp(at: number): string {
  return new Date(at).toISOString().slice(11, 23);
}

/** One line for an event, or undefined for events not worth a line. */
export function progressLine(e: EngineEvent): string | undefined {
  if (e.type === 'state') return `        run ${e.state}: ${e.message}`;
  const { entry } = e;
  const d = (entry.data ?? {}) as Data;
  const step = entry.stepId ?? 'run';
  const t = stamp(entry.at);
  switch (entry.phase) {
    case 'intent':
      return `${t} ▶ ${step}: ${String(d.action)} → ${String(d.target)}${Number(d.attempt) > 1 ? ` (attempt ${String(d.attempt)})` : ''}`;
    case 'effect':
      return undefined;
    case 'result':
      return d.status === 'failed'
        ? `${t} ✗ ${step}: ${String((d.error as Data | undefined)?.code)} ${String((d.error as Data | undefined)?.message)}`
        : `${t} ✓ ${step}: ${String(d.detail ?? '')}${d.durationMs !== undefined ? ` (${String(d.durationMs)} ms)` : ''}`;
    case 'note':
      switch (d.event) {
        case 'waiting-approval':
          return `${t} ⏸ ${step}: waiting for an approval${d.role ? ` by role ${String(d.role)}` : ''}: ${String(d.reason)}\n        approve with: lifeboat approve ${entry.runId} ${step}`;
        case 'approved':
          return `${t} ✔ ${step}: approved by ${String(d.approver)}`;
        case 'point-of-no-return':
          return `${t} ──── point of no return: ${String(d.stepId)} ────`;
        case 'started':
          return `${t} run ${entry.runId} started by ${String(d.requester)}`;
        case 'retry':
          return `${t} ↻ ${step}: retrying after ${String((d.error as Data | undefined)?.message)}`;
        case 'unfenced':
          return `${t} ! ${step}: could not fence: ${String((d.error as Data | undefined)?.message)}`;
        case 'data-loss-accepted':
          return `${t} ! ${step}: not ready, going on (--accept-data-loss)`;
        case 'aborting':
          return `${t} ■ aborting (requested by ${String(d.by)}: ${String(d.reason)})`;
        default:
          return undefined;
      }
  }
}
