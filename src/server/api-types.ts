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
