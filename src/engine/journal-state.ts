// Pure: what a run's journal says happened. Each step writes `intent` before it touches
// anything, `effect` once the driver returned, `result` when the step is over; notes record
// waits, approvals, retries and observations. After a crash, `resume` folds the journal with
// these functions to know, for each step, whether it is done, certainly applied but not
// finished (effect without result), or possibly applied (intent without effect: observe
// before applying again).
import type { JournalEntry, JsonValue } from '../store/index.js';

export type StepPhase = 'pending' | 'intent' | 'effect' | 'succeeded' | 'failed';

export interface StepRecord {
  phase: StepPhase;
  /** Attempts started (intents written). */
  attempts: number;
  /** A `changed: true` effect was recorded. */
  changed: boolean;
  /** The step's approval was consumed (its note is in the journal). */
  approved: boolean;
  /** The last error recorded for the step. */
  error?: { code: string; message: string };
  detail?: string;
  /** The structured data of the last effect (e.g. `unfenced: true`). */
  effectData?: Record<string, JsonValue>;
  /** Seq of the step's first intent: the order in which steps were started. */
  startedSeq?: number;
}

/** The step id under which the undo of step `id` is journaled. */
export const undoId = (id: string): string => `${id}#undo`;

function obj(data: JsonValue): Record<string, JsonValue> {
  return data !== null && typeof data === 'object' && !Array.isArray(data)
    ? (data as Record<string, JsonValue>)
    : {};
}

/** Folds `entries` into `steps` (a fresh map by default; an earlier fold to continue it). */
export function foldJournal(
  entries: readonly JournalEntry[],
  steps: Map<string, StepRecord> = new Map(),
): Map<string, StepRecord> {
  for (const e of entries) {
    if (e.stepId === null) continue;
    let s = steps.get(e.stepId);
    if (!s) {
      s = { phase: 'pending', attempts: 0, changed: false, approved: false };
      steps.set(e.stepId, s);
    }
    const d = obj(e.data);
    switch (e.phase) {
      case 'intent':
        s.phase = 'intent';
        s.attempts += 1;
        s.startedSeq ??= e.seq;
        break;
      case 'effect':
        s.phase = 'effect';
        if (d.changed === true) s.changed = true;
        if (typeof d.detail === 'string') s.detail = d.detail;
        s.effectData = obj(d.data ?? null);
        break;
      case 'result':
        s.phase = d.status === 'failed' ? 'failed' : 'succeeded';
        if (typeof d.detail === 'string') s.detail = d.detail;
        if (d.status === 'failed') {
          const err = obj(d.error ?? null);
          s.error = { code: String(err.code ?? 'unknown'), message: String(err.message ?? '') };
        }
        break;
      case 'note':
        if (d.event === 'approved') s.approved = true;
        break;
    }
  }
  return steps;
}

/** The run-level notes (stepId null) with the given event name, in order. */
export function runNotes(
  entries: readonly JournalEntry[],
  event: string,
): Record<string, JsonValue>[] {
  return entries
    .filter((e) => e.stepId === null && e.phase === 'note' && obj(e.data).event === event)
    .map((e) => obj(e.data));
}

/** The step was started at least once: for a point of no return, it has been crossed. */
export function started(rec: StepRecord | undefined): boolean {
  return rec !== undefined && rec.attempts > 0;
}
