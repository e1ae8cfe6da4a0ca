// Runs as the API shows them: a summary from the run's record, and the detail with each planned
// step's state folded from the journal. The fold is the engine's (src/engine/journal-state.ts)
// reduced to what a reader shows; the server may not import the engine (the layer rule), and
// the unit tests run both over the same journals so that the two cannot disagree.
import type { PlannedStep } from '../core/runbook/index.js';
import type { AuditEntry, JournalEntry, JsonValue, Run } from '../store/index.js';
import { FINAL_RUN_STATES } from '../store/index.js';
import type { AuditRecord, RunDetail, RunStep, RunSummary, StepPhase } from './api-types.js';

const iso = (ms: number) => new Date(ms).toISOString();

function obj(data: JsonValue | undefined): Record<string, JsonValue> {
  return data !== null && typeof data === 'object' && !Array.isArray(data)
    ? (data as Record<string, JsonValue>)
    : {};
}

const text = (v: JsonValue | undefined): string | undefined =>
  typeof v === 'string' ? v : undefined;

/** The engine's record of the run (`run.data`), read defensively: only what the API shows. */
interface RunFacts {
  requester?: string;
  services: string[];
  reason?: string;
  pointOfNoReturnPassed: boolean;
  steps: PlannedStep[];
  waiting?: { stepId: string; purpose: string; reason: string; role?: string };
  failure?: { stepId: string; code: string; message: string };
}

function facts(run: Run): RunFacts {
  const d = obj(run.data);
  const planned = obj(d.planned);
  const services = Array.isArray(d.services)
    ? d.services.filter((s): s is string => typeof s === 'string')
    : [run.service];
  const w = obj(d.waiting);
  const f = obj(d.failure);
  return {
    requester: text(d.requester),
    services: services.length > 0 ? services : [run.service],
    reason: text(d.reason),
    pointOfNoReturnPassed: d.pointOfNoReturnPassed === true,
    steps: Array.isArray(planned.steps) ? (planned.steps as unknown as PlannedStep[]) : [],
    waiting:
      typeof w.stepId === 'string'
        ? {
            stepId: w.stepId,
            purpose: String(w.purpose ?? 'step'),
            reason: String(w.reason ?? ''),
            ...(typeof w.role === 'string' ? { role: w.role } : {}),
          }
        : undefined,
    failure:
      typeof f.stepId === 'string'
        ? { stepId: f.stepId, code: String(f.code ?? ''), message: String(f.message ?? '') }
        : undefined,
  };
}

export function runSummary(run: Run): RunSummary {
  const f = facts(run);
  const ended = FINAL_RUN_STATES.includes(run.state);
  return {
    id: run.id,
    runbook: run.runbook,
    service: run.service,
    services: f.services,
    state: run.state,
    ...(f.requester !== undefined ? { requester: f.requester } : {}),
    ...(f.reason !== undefined ? { reason: f.reason } : {}),
    createdAt: iso(run.createdAt),
    updatedAt: iso(run.updatedAt),
    ...(ended ? { durationMs: Math.max(0, run.updatedAt - run.createdAt) } : {}),
    pointOfNoReturnPassed: f.pointOfNoReturnPassed,
  };
}

interface Folded {
  phase: StepPhase;
  detail?: string;
  error?: { code: string; message: string };
  startedAt?: number;
  endedAt?: number;
}

/** Each step's phase from its journal: intent → effect → result (succeeded or failed). */
export function foldSteps(entries: readonly JournalEntry[]): Map<string, Folded> {
  const steps = new Map<string, Folded>();
  for (const e of entries) {
    if (e.stepId === null) continue;
    let s = steps.get(e.stepId);
    if (!s) {
      s = { phase: 'pending' };
      steps.set(e.stepId, s);
    }
    const d = obj(e.data);
    switch (e.phase) {
      case 'intent':
        s.phase = 'intent';
        s.startedAt ??= e.at;
        s.endedAt = undefined;
        break;
      case 'effect':
        s.phase = 'effect';
        if (typeof d.detail === 'string') s.detail = d.detail;
        break;
      case 'result':
        s.phase = d.status === 'failed' ? 'failed' : 'succeeded';
        s.endedAt = e.at;
        if (typeof d.detail === 'string') s.detail = d.detail;
        if (d.status === 'failed') {
          const err = obj(d.error);
          s.error = { code: String(err.code ?? 'unknown'), message: String(err.message ?? '') };
        } else s.error = undefined;
        break;
      case 'note':
        break;
    }
  }
  return steps;
}

export function runDetail(run: Run, journal: readonly JournalEntry[]): RunDetail {
  const f = facts(run);
  const folded = foldSteps(journal);
  const waitingFor =
    f.waiting && (run.state === 'waiting-approval' || run.state === 'running')
      ? f.waiting.stepId
      : undefined;
  const steps: RunStep[] = f.steps.map((p) => {
    const r = folded.get(p.id);
    const undo = folded.get(`${p.id}#undo`);
    const awaiting = waitingFor === p.id;
    const approvalRole = awaiting ? (f.waiting?.role ?? p.approval?.role) : p.approval?.role;
    return {
      id: p.id,
      service: p.service,
      action: p.action,
      target: p.target,
      description: p.description,
      estimateMs: p.estimateMs,
      phase: r?.phase ?? 'pending',
      pointOfNoReturn: p.pointOfNoReturn === true,
      ...(approvalRole !== undefined ? { approvalRole } : {}),
      awaitingApproval: awaiting,
      ...(r?.detail !== undefined ? { detail: r.detail } : {}),
      ...(r?.error ? { error: r.error } : {}),
      ...(r?.startedAt !== undefined ? { startedAt: iso(r.startedAt) } : {}),
      ...(r?.endedAt !== undefined ? { endedAt: iso(r.endedAt) } : {}),
      ...(undo
        ? {
            undo: {
              phase: undo.phase,
              ...(undo.detail !== undefined ? { detail: undo.detail } : {}),
            },
          }
        : {}),
    };
  });
  return {
    ...runSummary(run),
    planHash: run.planHash,
    steps,
    journalSeq: journal.length > 0 ? (journal[journal.length - 1] as JournalEntry).seq : 0,
    ...(waitingFor && f.waiting ? { waiting: f.waiting } : {}),
    ...(f.failure ? { failure: f.failure } : {}),
  };
}

export function auditRecord(e: AuditEntry): AuditRecord {
  return {
    seq: e.seq,
    at: iso(e.at),
    actor: e.actor,
    action: e.action,
    subject: e.subject ?? '',
    data: e.data,
    hash: e.hash,
  };
}
