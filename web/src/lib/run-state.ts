// Pure: a run's picture (RunDetail from GET /runs/:id) kept current by the SSE stream. The
// detail carries `journalSeq`; `journal` events continue it entry by entry. An entry already in
// the picture is ignored, one that skips a seq means something was missed: the caller refetches
// (and once more when the run ends, for the server's final picture). The fold matches the
// server's (src/server/runs-view.ts): an undo (`<step>#undo`) is shown on its step.
import type { RunDetail, RunStep, SequencedEvent } from '../../../src/server/api-types.js';

/** A journal entry as it arrives in JSON (the store's JournalEntry; `at` in epoch ms). */
export interface JournalEntryJson {
  runId: string;
  seq: number;
  at: number | string;
  stepId: string | null;
  phase: string;
  data?: unknown;
}

export const FINAL_STATES: readonly string[] = ['aborted', 'failed', 'succeeded'];

export function isFinal(state: string): boolean {
  return FINAL_STATES.includes(state);
}

export interface Reduced {
  run: RunDetail;
  /** The picture cannot be continued (a journal seq was skipped), or the run just ended. */
  refetch: boolean;
}

function iso(at: number | string): string {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? String(at) : d.toISOString();
}

function obj(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : {};
}

function newStep(run: RunDetail, id: string): RunStep {
  return {
    id,
    service: run.service,
    action: 'step',
    target: '',
    description: id,
    estimateMs: 0,
    phase: 'pending',
    pointOfNoReturn: false,
    awaitingApproval: false,
  };
}

function clearAwaiting(steps: RunStep[]): RunStep[] {
  return steps.some((s) => s.awaitingApproval)
    ? steps.map((s) => (s.awaitingApproval ? { ...s, awaitingApproval: false } : s))
    : steps;
}

/** `fence#undo` → the undo of `fence`, shown on that step. False when there is no such step. */
function applyUndo(next: RunDetail, baseId: string, entry: JournalEntryJson): boolean {
  const i = next.steps.findIndex((s) => s.id === baseId);
  if (i < 0) return false;
  const d = obj(entry.data);
  const base = next.steps[i] as RunStep;
  const undo: NonNullable<RunStep['undo']> = { ...(base.undo ?? { phase: 'pending' }) };
  if (entry.phase === 'intent') undo.phase = 'intent';
  else if (entry.phase === 'effect') undo.phase = 'effect';
  else if (entry.phase === 'result') undo.phase = d.status === 'failed' ? 'failed' : 'succeeded';
  if (typeof d.detail === 'string') undo.detail = d.detail;
  else if (entry.phase === 'result' && d.status === 'failed') {
    const message = obj(d.error).message;
    if (typeof message === 'string') undo.detail = message;
  }
  const steps = next.steps.slice();
  steps[i] = { ...base, undo };
  next.steps = steps;
  return true;
}

/** Applies one journal entry (in seq order) to the run. */
export function applyJournalEntry(run: RunDetail, entry: JournalEntryJson): Reduced {
  if (entry.runId !== run.id || entry.seq <= run.journalSeq) return { run, refetch: false };
  if (entry.seq > run.journalSeq + 1) return { run, refetch: true };
  const at = iso(entry.at);
  const d = obj(entry.data);
  const next: RunDetail = { ...run, journalSeq: entry.seq, updatedAt: at };
  if (entry.stepId === null) {
    if (entry.phase === 'note' && d.event === 'point-of-no-return') {
      next.pointOfNoReturnPassed = true;
    }
    if (entry.phase === 'note' && d.event === 'aborting') {
      next.state = 'aborting';
      next.waiting = undefined;
      next.steps = clearAwaiting(run.steps);
    }
    return { run: next, refetch: false };
  }
  const stepId = entry.stepId;
  if (stepId.endsWith('#undo') && applyUndo(next, stepId.slice(0, -'#undo'.length), entry)) {
    return { run: next, refetch: false };
  }
  let steps = run.steps;
  let i = steps.findIndex((s) => s.id === stepId);
  if (i < 0) {
    steps = [...steps, newStep(run, stepId)];
    i = steps.length - 1;
  } else {
    steps = steps.slice();
  }
  const s: RunStep = { ...(steps[i] as RunStep) };
  switch (entry.phase) {
    case 'intent':
      s.phase = 'intent';
      s.startedAt ??= at;
      s.endedAt = undefined;
      s.awaitingApproval = false;
      if (s.pointOfNoReturn) next.pointOfNoReturnPassed = true;
      break;
    case 'effect':
      s.phase = 'effect';
      if (typeof d.detail === 'string') s.detail = d.detail;
      break;
    case 'result': {
      const failed = d.status === 'failed';
      s.phase = failed ? 'failed' : 'succeeded';
      s.endedAt = at;
      s.startedAt ??= at;
      if (typeof d.detail === 'string') s.detail = d.detail;
      if (failed) {
        const err = obj(d.error);
        s.error = { code: String(err.code ?? 'unknown'), message: String(err.message ?? '') };
      } else s.error = undefined;
      break;
    }
    case 'note':
      if (d.event === 'waiting-approval') {
        s.awaitingApproval = true;
        if (typeof d.role === 'string') s.approvalRole = d.role;
        next.waiting = {
          stepId,
          purpose: typeof d.purpose === 'string' ? d.purpose : 'step',
          reason: typeof d.reason === 'string' ? d.reason : '',
          ...(typeof d.role === 'string' ? { role: d.role } : {}),
        };
      } else if (d.event === 'approved') {
        s.awaitingApproval = false;
        if (next.waiting?.stepId === stepId) next.waiting = undefined;
        if (typeof d.approver === 'string') s.detail = `approved by ${d.approver}`;
      }
      break;
  }
  steps[i] = s;
  next.steps = steps;
  return { run: next, refetch: false };
}

/** Applies one event of the stream (anything not about this run leaves it as it is). */
export function reduceRun(run: RunDetail, ev: SequencedEvent): Reduced {
  const e = ev.event;
  if (e.type === 'journal') {
    return applyJournalEntry(run, e.entry as unknown as JournalEntryJson);
  }
  if (e.type === 'run' && e.runId === run.id) {
    const next: RunDetail = { ...run, state: e.state, updatedAt: ev.at };
    if (e.state !== 'waiting-approval') next.steps = clearAwaiting(run.steps);
    if (isFinal(e.state) || e.state === 'aborting') next.waiting = undefined;
    if (isFinal(e.state) && next.durationMs === undefined) {
      const ms = new Date(ev.at).getTime() - new Date(run.createdAt).getTime();
      if (Number.isFinite(ms)) next.durationMs = ms;
    }
    // The end: fetch the server's whole picture once (its failure, durations, undos).
    return { run: next, refetch: isFinal(e.state) && !isFinal(run.state) };
  }
  return { run, refetch: false };
}

/** The step the run waits on for an approval now, if any. */
export function awaitingStep(run: RunDetail): RunStep | undefined {
  return isFinal(run.state) ? undefined : run.steps.find((s) => s.awaitingApproval);
}

/** Index of the first point-of-no-return step, or -1. */
export function pointOfNoReturnIndex(steps: readonly RunStep[]): number {
  return steps.findIndex((s) => s.pointOfNoReturn);
}
