// What the engine keeps in a run's record (`run.data`): the planned run itself, so that resume
// executes exactly the steps that were planned and reviewed, and the few facts every process
// acting on the run must agree on (compare-and-swap on the run's revision).
import { createHash } from 'node:crypto';
import type { PlannedRun, PlannedStep } from '../core/runbook/index.js';
import { canonicalJson, type JsonValue, type Run } from '../store/index.js';

export interface AbortRequest {
  by: string;
  at: number;
  reason: string;
}

/** What the run waits for, when it waits. */
export interface Waiting {
  stepId: string;
  /** `step`: its approval; `unfenced`: an old primary could not be fenced; `reapply`: a command that may have run; `manual`: a human step. */
  purpose: 'step' | 'unfenced' | 'reapply' | 'manual';
  reason: string;
  role?: string;
  distinctFromRequester: boolean;
}

export interface RunData {
  planned: PlannedRun;
  requester: string;
  services: string[];
  reason?: string;
  /** A step marked point of no return has been started: abort is refused from now on. */
  pointOfNoReturnPassed: boolean;
  abortRequested?: AbortRequest;
  waiting?: Waiting;
  /** The step being executed (for `runs` and the dashboard). */
  current?: string;
  /** Why the run failed, when it did. */
  failure?: { stepId: string; code: string; message: string };
}

export function runData(run: Run): RunData {
  return run.data as unknown as RunData;
}

export function toJson(data: RunData): JsonValue {
  return JSON.parse(JSON.stringify(data)) as JsonValue;
}

export function hashOf(value: unknown): string {
  return `sha256:${createHash('sha256')
    .update(canonicalJson(JSON.parse(JSON.stringify(value ?? null)) as JsonValue))
    .digest('hex')}`;
}

export function findStep(data: RunData, stepId: string): PlannedStep | undefined {
  return data.planned.steps.find((s) => s.id === stepId);
}
