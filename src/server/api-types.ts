// The HTTP API's JSON shapes: what the routes return and accept, and what the dashboard
// (web/, which may import only this file) reads. Route schemas in src/server/ describe the same
// shapes for the OpenAPI document. Times are ISO 8601 strings (UTC); durations are ms.
export type {
  ControllerEvent,
  Health,
  OnOutage,
  OutageStatus,
  PlanStatus,
  ProbeSample,
  ReplicationJobStatus,
  RpoStatus,
  SequencedEvent,
  ServiceStatus,
  SiteStatus,
} from '../controller/model.js';

/** API roles, each including the ones before it. */
export const API_ROLES = ['viewer', 'operator', 'approver', 'admin'] as const;
export type ApiRole = (typeof API_ROLES)[number];

/** Every error body: a registered code (docs/errors.md), what went wrong, how to fix it. */
export interface ApiError {
  code: string;
  message: string;
  hint?: string;
}

export interface Whoami {
  name: string;
  role: ApiRole;
  /** For the dashboard's session: send it back as `x-csrf-token` on every unsafe request. */
  csrfToken?: string;
}

export interface LoginRequest {
  token: string;
}

export type StepPhase = 'pending' | 'intent' | 'effect' | 'succeeded' | 'failed';

export interface RunStep {
  id: string;
  service: string;
  action: string;
  target: string;
  description: string;
  estimateMs: number;
  phase: StepPhase;
  pointOfNoReturn: boolean;
  /** The role whose approval the step needs, when it needs one. */
  approvalRole?: string;
  /** The run is waiting for this step's approval now. */
  awaitingApproval: boolean;
  /** What the step did (the driver's words), or why it failed. */
  detail?: string;
  error?: { code: string; message: string };
  startedAt?: string;
  endedAt?: string;
  /** The step's undo, once an abort started it. */
  undo?: { phase: StepPhase; detail?: string };
}

export interface RunSummary {
  id: string;
  runbook: string;
  service: string;
  services: string[];
  state: string;
  requester?: string;
  reason?: string;
  createdAt: string;
  updatedAt: string;
  /** From creation to the end, for an ended run. */
  durationMs?: number;
  pointOfNoReturnPassed: boolean;
}

export interface RunDetail extends RunSummary {
  planHash: string;
  steps: RunStep[];
  /** The journal's last seq: SSE `journal` events after it continue this picture. */
  journalSeq: number;
  /** What the run waits for now (an approval of `stepId`), when it waits. */
  waiting?: { stepId: string; purpose: string; reason: string; role?: string };
  /** Why the run failed, when it did. */
  failure?: { stepId: string; code: string; message: string };
}

export interface AuditRecord {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  data: unknown;
  hash: string;
}

export interface ApproveRequest {
  stepId: string;
}

export interface AbortRequest {
  reason: string;
}

export interface StartRunBody {
  runbook: string;
  target: string;
  reason?: string;
  acceptDataLoss?: boolean;
}

/** POST /api/v1/runs answers with the new run's id (201). */
export interface StartedRun {
  runId: string;
}

/** GET /api/v1/audit/verify: the hash chain checked whole (see docs/store.md). */
export interface AuditVerifyResult {
  ok: boolean;
  /** Entries that verify, from the first. */
  checked: number;
  head: { seq: number; hash: string };
  /** The head recorded beside the chain. */
  recorded: { seq: number; hash: string };
  /** The first entry that does not verify. */
  broken?: { seq: number; reason: string; message: string };
}

/** GET /api/v1/tokens (admin): the API tokens, never the token nor its hash. */
export interface TokenInfo {
  name: string;
  role: string;
  createdAt: string;
  lastUsedAt?: string;
}

/**
 * SSE (`GET /api/v1/events`): each controller event is sent as `event: <ControllerEvent.type>`,
 * `id: <SequencedEvent.id>`, `data: <SequencedEvent as JSON>`. When a resumed stream
 * (`Last-Event-ID`) missed events the server no longer holds, it first sends this event (data
 * `{"after": <Last-Event-ID>}`): refetch everything, then follow the stream.
 */
export const SSE_GAP_EVENT = 'gap';
