// Pure: a run's picture (RunDetail from GET /runs/:id) kept current by the SSE stream. The
// detail carries `journalSeq`; `journal` events continue it entry by entry. An entry already in
// the picture is ignored, one that skips a seq means something was missed: the caller refetches.
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
  /** The picture cannot be continued (a journal seq was skipped, or the stream had a gap). */
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
  const undoOf = id.endsWith('#undo') ? id.slice(0, -'#undo'.length) : undefined;
  const base = undoOf ? run.steps.find((s) => s.id === undoOf) : undefined;
  return {
    id,
    service: base?.service ?? run.service,
    action: undoOf ? 'undo' : 'step',
    target: base?.target ?? '',
    description: undoOf ? `Undo of ${undoOf}${base ? `: ${base.description}` : ''}` : id,
    estimateMs: 0,
    phase: 'pending',
    pointOfNoReturn: false,
    awaitingApproval: false,
  };
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
      next.steps = run.steps.map((s) =>
        s.awaitingApproval ? { ...s, awaitingApproval: false } : s,
      );
    }
    return { run: next, refetch: false };
  }
  const stepId = entry.stepId;
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
      s.error = undefined;
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
      }
      break;
    }
    case 'note':
      if (d.event === 'waiting-approval') {
        s.awaitingApproval = true;
        if (typeof d.role === 'string') s.approvalRole = d.role;
        if (typeof d.reason === 'string' && !s.detail) s.detail = d.reason;
      } else if (d.event === 'approved') {
        s.awaitingApproval = false;
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
    if (e.state !== 'waiting-approval' && run.steps.some((s) => s.awaitingApproval)) {
      next.steps = run.steps.map((s) =>
        s.awaitingApproval ? { ...s, awaitingApproval: false } : s,
      );
    }
    if (isFinal(e.state) && next.durationMs === undefined) {
      const ms = new Date(ev.at).getTime() - new Date(run.createdAt).getTime();
      if (Number.isFinite(ms)) next.durationMs = ms;
    }
    return { run: next, refetch: false };
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
