// JSON Schemas of the API's shapes (src/server/api-types.ts and src/controller/model.ts), used
// by Fastify to validate requests and by the OpenAPI generator to describe responses. Every
// named schema has a `title`: the generator hoists it into components/schemas. Responses are
// written with JSON.stringify (not a schema-driven serializer), so a field missing here is never
// silently dropped; the unit tests validate every response against these schemas.
import { API_ROLES } from './api-types.js';

export type JsonSchema = { readonly [key: string]: unknown };

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const num = { type: 'number' } as const;
const bool = { type: 'boolean' } as const;
const time = { type: 'string', format: 'date-time' } as const;
const strings = { type: 'array', items: str } as const;

/** An object with exactly these properties (`required` listed), nothing else. */
export function object(
  properties: Record<string, JsonSchema>,
  required: readonly string[] = [],
  extra: Record<string, unknown> = {},
): JsonSchema {
  return {
    type: 'object',
    properties,
    required: [...required],
    additionalProperties: false,
    ...extra,
  };
}

const named = (title: string, schema: JsonSchema, description?: string): JsonSchema => ({
  title,
  ...(description ? { description } : {}),
  ...schema,
});

const health = { type: 'string', enum: ['up', 'down', 'unknown'] } as const;
const role = { type: 'string', enum: [...API_ROLES] } as const;

export const ApiErrorSchema = named(
  'ApiError',
  object({ code: str, message: str, hint: str }, ['code', 'message']),
  'Every error body: a registered code (docs/errors.md), what went wrong, how to fix it.',
);

export const ProbeSampleSchema = named(
  'ProbeSample',
  object(
    {
      at: time,
      service: str,
      probe: str,
      site: str,
      from: str,
      ok: bool,
      ms: num,
      detail: str,
    },
    ['at', 'service', 'probe', 'from', 'ok', 'ms'],
  ),
);

export const SiteStatusSchema = named(
  'SiteStatus',
  object(
    {
      site: str,
      health,
      failures: int,
      since: time,
      probes: {
        type: 'array',
        items: object({ name: str, ok: bool, at: time, detail: str }, ['name']),
      },
    },
    ['site', 'health', 'failures', 'probes'],
  ),
);

export const RpoStatusSchema = named(
  'RpoStatus',
  object(
    {
      dataSet: str,
      kind: { type: 'string', enum: ['replica', 'mirror', 'backup', 'none'] },
      rpoMs: num,
      targetMs: num,
      within: bool,
      observedAt: time,
      detail: str,
    },
    ['dataSet', 'kind', 'targetMs'],
  ),
);

export const ReplicationJobStatusSchema = named(
  'ReplicationJobStatus',
  object(
    {
      dataSet: str,
      kind: { type: 'string', enum: ['rsync', 'command'] },
      schedule: str,
      route: str,
      timeoutMs: num,
      running: bool,
      nextRunAt: time,
      lastStartAt: time,
      lastSuccessAt: time,
      syncedThrough: time,
      lastFailure: object({ at: time, code: str, message: str }, ['at', 'code', 'message']),
      lastDurationMs: num,
      runs: object({ succeeded: int, failed: int, skipped: int }, [
        'succeeded',
        'failed',
        'skipped',
      ]),
      problem: str,
    },
    ['dataSet', 'kind', 'schedule', 'route', 'timeoutMs', 'running', 'runs'],
  ),
  'A scheduled copy of a data set (`replication.schedule`): its last start, success (and what it holds: `syncedThrough`), failure and duration, and its runs since the controller started.',
);

export const OutageStatusSchema = named(
  'OutageStatus',
  object(
    {
      site: str,
      since: time,
      confirmedBy: strings,
      action: { type: 'string', enum: ['detected', 'notified', 'proposed', 'failing-over'] },
      runId: str,
    },
    ['site', 'since', 'confirmedBy', 'action'],
  ),
);

export const ServiceStatusSchema = named(
  'ServiceStatus',
  object(
    {
      name: str,
      tier: str,
      rtoTargetMs: num,
      rpoTargetMs: num,
      plannedRtoMs: num,
      activeSite: str,
      sites: { type: 'array', items: SiteStatusSchema },
      rpo: { type: 'array', items: RpoStatusSchema },
      readyToFailOver: bool,
      readinessDetail: str,
      outage: OutageStatusSchema,
      onOutage: { type: 'string', enum: ['notify', 'propose', 'failover'] },
      activeRunId: str,
      jobs: { type: 'array', items: ReplicationJobStatusSchema },
    },
    ['name', 'tier', 'rtoTargetMs', 'rpoTargetMs', 'sites', 'rpo', 'readyToFailOver', 'onOutage'],
  ),
);

export const PlanStatusSchema = named(
  'PlanStatus',
  object(
    {
      file: str,
      loadedAt: time,
      hash: str,
      reloads: int,
      failedReloads: int,
      lastError: object({ at: time, message: str, diagnostics: strings }, [
        'at',
        'message',
        'diagnostics',
      ]),
    },
    ['file', 'loadedAt', 'hash', 'reloads', 'failedReloads'],
  ),
);

export const PlanSchema = named(
  'Plan',
  { type: 'object', additionalProperties: true },
  'The running plan, validated and with its includes resolved: schema/plan.schema.json describes it.',
);

export const PlanDocumentSchema = named(
  'PlanDocument',
  object({ markdown: str, svg: str }, ['markdown']),
  'The continuity-plan document of the running plan (Markdown) and its diagram (SVG).',
);

export const RpoSampleSchema = named(
  'RpoSample',
  object({ at: time, dataSet: str, rpoMs: num }, ['at', 'dataSet']),
);

const stepPhase = {
  type: 'string',
  enum: ['pending', 'intent', 'effect', 'succeeded', 'failed'],
} as const;

export const RunSummarySchema = named(
  'RunSummary',
  object(
    {
      id: str,
      runbook: str,
      service: str,
      services: strings,
      state: str,
      requester: str,
      reason: str,
      createdAt: time,
      updatedAt: time,
      durationMs: num,
      pointOfNoReturnPassed: bool,
    },
    [
      'id',
      'runbook',
      'service',
      'services',
      'state',
      'createdAt',
      'updatedAt',
      'pointOfNoReturnPassed',
    ],
  ),
);

export const RunStepSchema = named(
  'RunStep',
  object(
    {
      id: str,
      service: str,
      action: str,
      target: str,
      description: str,
      estimateMs: num,
      phase: stepPhase,
      pointOfNoReturn: bool,
      approvalRole: str,
      awaitingApproval: bool,
      detail: str,
      error: object({ code: str, message: str }, ['code', 'message']),
      startedAt: time,
      endedAt: time,
      undo: object({ phase: stepPhase, detail: str }, ['phase']),
    },
    [
      'id',
      'service',
      'action',
      'target',
      'description',
      'estimateMs',
      'phase',
      'pointOfNoReturn',
      'awaitingApproval',
    ],
  ),
);

export const RunDetailSchema = named('RunDetail', {
  ...RunSummarySchema,
  title: 'RunDetail',
  properties: {
    ...(RunSummarySchema.properties as Record<string, JsonSchema>),
    planHash: str,
    steps: { type: 'array', items: RunStepSchema },
    journalSeq: int,
    waiting: object({ stepId: str, purpose: str, reason: str, role: str }, [
      'stepId',
      'purpose',
      'reason',
    ]),
    failure: object({ stepId: str, code: str, message: str }, ['stepId', 'code', 'message']),
  },
  required: [...(RunSummarySchema.required as string[]), 'planHash', 'steps', 'journalSeq'],
});

export const AuditRecordSchema = named(
  'AuditRecord',
  object({ seq: int, at: time, actor: str, action: str, subject: str, data: {}, hash: str }, [
    'seq',
    'at',
    'actor',
    'action',
    'subject',
    'data',
    'hash',
  ]),
);

export const AuditVerificationSchema = named(
  'AuditVerification',
  object(
    {
      ok: bool,
      checked: int,
      head: object({ seq: int, hash: str }, ['seq', 'hash']),
      recorded: object({ seq: int, hash: str }, ['seq', 'hash']),
      broken: object({ seq: int, reason: str, message: str }, ['seq', 'reason', 'message']),
    },
    ['ok', 'checked', 'head', 'recorded'],
  ),
);

export const WhoamiSchema = named(
  'Whoami',
  object({ name: str, role, csrfToken: str }, ['name', 'role']),
);

export const TokenInfoSchema = named(
  'TokenInfo',
  object({ name: str, role: str, createdAt: time, lastUsedAt: time }, [
    'name',
    'role',
    'createdAt',
  ]),
  'An API token as listed: never the token, never its hash.',
);

export const LoginRequestSchema = named(
  'LoginRequest',
  object({ token: { type: 'string', minLength: 1, maxLength: 200 } }, ['token']),
);

export const StartRunBodySchema = named(
  'StartRunBody',
  object(
    {
      runbook: { type: 'string', minLength: 1, maxLength: 200 },
      target: { type: 'string', minLength: 1, maxLength: 200 },
      reason: { type: 'string', maxLength: 2000 },
      acceptDataLoss: bool,
    },
    ['runbook', 'target'],
  ),
);

export const ApproveRequestSchema = named(
  'ApproveRequest',
  object({ stepId: { type: 'string', minLength: 1, maxLength: 512 } }, ['stepId']),
);

export const AbortRequestSchema = named(
  'AbortRequest',
  object({ reason: { type: 'string', minLength: 1, maxLength: 2000 } }, ['reason']),
);

export const OkSchema = named('Ok', object({ ok: { type: 'boolean', const: true } }, ['ok']));

export const StartedRunSchema = named('StartedRun', object({ runId: str }, ['runId']));

export const EmptyBodySchema = object({});

const leaseKey = {
  service: { type: 'string', minLength: 1, maxLength: 128 },
  dataSet: { type: 'string', minLength: 1, maxLength: 128 },
} as const;

export const LeaseRenewRequestSchema = named(
  'LeaseRenewRequest',
  object(
    { leases: { type: 'array', maxItems: 100, items: object(leaseKey, ['service', 'dataSet']) } },
    ['leases'],
  ),
  "An agent's renewal of its node's fence leases, one per data set.",
);

export const LeaseRenewResponseSchema = named(
  'LeaseRenewResponse',
  object(
    {
      leases: {
        type: 'array',
        items: object(
          {
            ...leaseKey,
            state: { type: 'string', enum: ['granted', 'revoked', 'unknown'] },
            ttlMs: int,
            renewEveryMs: int,
            why: str,
          },
          ['service', 'dataSet', 'state'],
        ),
      },
    },
    ['leases'],
  ),
  '`granted`: held for ttlMs from when the agent sent the request; `revoked`: stop the server now if it is a writable primary; `unknown`: the plan gives it no lease here.',
);

export const LeaseSchema = named(
  'Lease',
  object(
    {
      ...leaseKey,
      node: str,
      ttlMs: int,
      revoked: bool,
      lastRenewedAt: time,
    },
    ['service', 'dataSet', 'node', 'ttlMs', 'revoked'],
  ),
  "A fence lease: when the node's agent last renewed it, and whether a failover revoked it.",
);
