// The API's routes as data: method, path, the role each needs, request and response schemas, and
// the handler. createServer registers exactly these; the OpenAPI document is generated from the
// same list, so a route cannot exist without being documented.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LeaseBook, LeaseKey } from '../controller/leases.js';
import type { ControllerView } from '../controller/model.js';
import { isRunState, type RunState, type TokenStore } from '../store/index.js';
import type {
  AbortRequest,
  ApiRole,
  ApproveRequest,
  AuditVerifyResult,
  LoginRequest,
  StartRunBody,
  TokenInfo,
  Whoami,
} from './api-types.js';
import { type FailureLimiter, type Identity, type Sessions, verifyToken } from './auth.js';
import { badRequest, HttpError, notFound, unauthenticated } from './errors.js';
import type { ApiMetrics } from './metrics.js';
import { auditRecord, runDetail, runSummary } from './runs-view.js';
import {
  AbortRequestSchema,
  ApiErrorSchema,
  ApproveRequestSchema,
  AuditRecordSchema,
  AuditVerificationSchema,
  EmptyBodySchema,
  type JsonSchema,
  LeaseRenewRequestSchema,
  LeaseRenewResponseSchema,
  LeaseSchema,
  LoginRequestSchema,
  OkSchema,
  object,
  PlanDocumentSchema,
  PlanSchema,
  PlanStatusSchema,
  ProbeSampleSchema,
  RpoSampleSchema,
  RunDetailSchema,
  RunSummarySchema,
  ServiceStatusSchema,
  StartedRunSchema,
  StartRunBodySchema,
  TokenInfoSchema,
  WhoamiSchema,
} from './schemas.js';
import type { SseHub } from './sse.js';

export const API_PREFIX = '/api/v1';
export const SESSION_COOKIE = 'lifeboat_session';

/** What a route needs: a role, nothing (`public`), or the login route's own check. */
export type RouteAccess = ApiRole | 'public' | 'login';

export interface RouteContext {
  readonly controller: ControllerView;
  /** The fence leases the nodes' agents renew; absent, every lease is unknown. */
  readonly leases: LeaseBook | undefined;
  readonly tokens: TokenStore;
  readonly sessions: Sessions;
  readonly loginFailures: FailureLimiter;
  readonly sse: SseHub;
  readonly metrics: ApiMetrics;
  /** Set the Secure flag on the session cookie (the server speaks TLS). */
  readonly secureCookies: boolean;
  readonly sessionTtlMs: number;
  readonly openApi: () => unknown;
}

export interface RouteSchema {
  params?: JsonSchema;
  querystring?: JsonSchema;
  headers?: JsonSchema;
  body?: JsonSchema;
  response: Record<number, JsonSchema>;
}

export interface RouteSpec {
  method: 'GET' | 'POST';
  url: string;
  access: RouteAccess;
  summary: string;
  description?: string;
  tag: string;
  /** The 200 answer's media type when it is not JSON. */
  produces?: string;
  schema: RouteSchema;
  handler(c: RouteContext, req: FastifyRequest, reply: FastifyReply): Promise<unknown>;
}

declare module 'fastify' {
  interface FastifyRequest {
    identity?: Identity;
  }
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [c, ApiErrorSchema])) as Record<number, JsonSchema>;
/** The refusals every authenticated route may give. */
const AUTH_ERRORS = [401, 403];
const list = (items: JsonSchema) => ({ type: 'array', items });
const limitParam = (max: number, dflt: number) => ({
  type: 'integer',
  minimum: 1,
  maximum: max,
  default: dflt,
  description: `At most this many (default ${dflt}, at most ${max}).`,
});
const nameParams = object({ name: { type: 'string', minLength: 1, maxLength: 200 } }, ['name']);
const idParams = object({ id: { type: 'string', minLength: 1, maxLength: 200 } }, ['id']);

function identity(req: FastifyRequest): Identity {
  if (!req.identity) throw unauthenticated();
  return req.identity;
}

function service(c: RouteContext, name: string) {
  const s = c.controller.service(name);
  if (!s) throw notFound(`no service ${name} in the running plan`);
  return s;
}

async function run(c: RouteContext, id: string) {
  const r = await c.controller.store.runs.get(id);
  if (!r) throw notFound(`no run ${id} in the state store`);
  return r;
}

function parseStates(text: string | undefined): RunState[] | undefined {
  if (text === undefined || text === '') return undefined;
  const states = text.split(',').map((s) => s.trim());
  const bad = states.filter((s) => !isRunState(s));
  if (bad.length > 0) throw badRequest(`unknown run state ${bad.join(', ')}`);
  return states as RunState[];
}

function sessionCookie(c: RouteContext, value: string, maxAgeS: number): string {
  return `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeS}${c.secureCookies ? '; Secure' : ''}`;
}

const iso = (ms: number) => new Date(ms).toISOString();

export const ROUTES: readonly RouteSpec[] = [
  {
    method: 'GET',
    url: '/healthz',
    access: 'public',
    tag: 'operations',
    summary: 'Liveness: the server answers. The only route open without a token.',
    schema: { response: { 200: OkSchema } },
    handler: async () => ({ ok: true }),
  },
  {
    method: 'GET',
    url: '/metrics',
    access: 'viewer',
    tag: 'operations',
    summary: 'Prometheus metrics (text exposition format); needs a viewer token.',
    produces: 'text/plain; version=0.0.4',
    schema: { response: { 200: { type: 'string' }, ...errors(...AUTH_ERRORS) } },
    handler: async (c, _req, reply) => {
      const text = await c.metrics.text();
      reply.header('content-type', c.metrics.contentType);
      return text;
    },
  },
  {
    method: 'GET',
    url: `${API_PREFIX}/openapi.json`,
    access: 'viewer',
    tag: 'operations',
    summary: 'This API described as OpenAPI 3.1 (the same as docs/openapi.json).',
    schema: {
      response: { 200: { type: 'object', additionalProperties: true }, ...errors(...AUTH_ERRORS) },
    },
    handler: async (c) => c.openApi(),
  },
  {
    method: 'POST',
    url: `${API_PREFIX}/session/login`,
    access: 'login',
    tag: 'session',
    summary:
      'Exchanges a token for a session cookie (HttpOnly, SameSite=Strict) and a CSRF token; 5 failures a minute per address, then 429.',
    schema: {
      body: LoginRequestSchema,
      response: { 200: WhoamiSchema, ...errors(400, 401, 403, 429) },
    },
    handler: async (c, req, reply) => {
      // A server listening on a Unix socket (lifeboat demo) has no client IP: one shared key.
      const address = req.ip ?? 'unix-socket';
      const wait = c.loginFailures.retryAfter(address);
      if (wait > 0) {
        throw new HttpError(
          429,
          'LB_E_SERVER_RATE_LIMITED',
          `too many failed logins from ${address}; try again in ${wait} s`,
          undefined,
          { 'retry-after': String(wait) },
        );
      }
      const { token } = req.body as LoginRequest;
      const record = await verifyToken(c.tokens, token);
      if (!record) {
        c.loginFailures.fail(address);
        req.log.warn({ address }, 'login refused: unknown or revoked token');
        throw unauthenticated('unknown or revoked token');
      }
      const session = c.sessions.create(record.name, record.role, record.hash);
      reply.header('set-cookie', sessionCookie(c, session.id, Math.floor(c.sessionTtlMs / 1000)));
      await c.controller.store.audit.append({
        actor: record.name,
        action: 'api.login',
        subject: null,
        data: { role: record.role, address },
      });
      const who: Whoami = { name: record.name, role: record.role, csrfToken: session.csrfToken };
      return who;
    },
  },
  {
    method: 'POST',
    url: `${API_PREFIX}/session/logout`,
    access: 'viewer',
    tag: 'session',
    summary: 'Ends the session of the cookie (and clears it).',
    schema: { body: EmptyBodySchema, response: { 200: OkSchema, ...errors(400, ...AUTH_ERRORS) } },
    handler: async (c, req, reply) => {
      const who = identity(req);
      if (who.session) c.sessions.delete(who.session.id);
      reply.header('set-cookie', sessionCookie(c, '', 0));
      return { ok: true };
    },
  },
  {
    method: 'GET',
    url: `${API_PREFIX}/session/whoami`,
    access: 'viewer',
    tag: 'session',
    summary: 'The caller: token name, role, and (with a session) its CSRF token.',
    schema: { response: { 200: WhoamiSchema, ...errors(...AUTH_ERRORS) } },
    handler: async (_c, req) => {
      const who = identity(req);
      const answer: Whoami = {
        name: who.name,
        role: who.role,
        ...(who.session ? { csrfToken: who.session.csrfToken } : {}),
      };
      return answer;
    },
  },
  {
    method: 'GET',
    url: `${API_PREFIX}/plan`,
    access: 'viewer',
    tag: 'plan',
    summary: 'The running plan (validated, includes resolved).',
    schema: { response: { 200: PlanSchema, ...errors(...AUTH_ERRORS) } },
    handler: async (c) => c.controller.plan(),
  },
  {
    method: 'GET',
    url: `${API_PREFIX}/plan/status`,
    access: 'viewer',
    tag: 'plan',
    summary: 'Which plan runs (file, hash, loaded at) and how its reloads went.',
    schema: { response: { 200: PlanStatusSchema, ...errors(...AUTH_ERRORS) } },
    handler: async (c) => c.controller.planStatus(),
  },
  {
    method: 'GET',
    url: `${API_PREFIX}/plan/document`,
    access: 'viewer',
    tag: 'plan',
    summary: 'The continuity-plan document (Markdown) and diagram (SVG) of the running plan.',
    schema: { response: { 200: PlanDocumentSchema, ...errors(...AUTH_ERRORS) } },
    handler: async (c) => c.controller.rendered(),
  },
  {
    method: 'GET',
    url: `${API_PREFIX}/services`,
    access: 'viewer',
    tag: 'services',
    summary: 'Every service with its live state: health per site, RPO now, readiness, outage.',
    schema: { response: { 200: list(ServiceStatusSchema), ...errors(...AUTH_ERRORS) } },
    handler: async (c) => c.controller.services(),
  },
  {
    method: 'GET',
    url: `${API_PREFIX}/services/:name`,
    access: 'viewer',
    tag: 'services',
    summary: 'One service with its live state.',
    schema: {
      params: nameParams,
      response: { 200: ServiceStatusSchema, ...errors(...AUTH_ERRORS, 404) },
    },
    handler: async (c, req) => service(c, (req.params as { name: string }).name),
  },
  {
    method: 'GET',
    url: `${API_PREFIX}/services/:name/probes`,
    access: 'viewer',
    tag: 'services',
    summary: 'Recent probe results of the service, newest last.',
    schema: {
      params: nameParams,
      querystring: object({ limit: limitParam(2000, 200) }),
      response: { 200: list(ProbeSampleSchema), ...errors(400, ...AUTH_ERRORS, 404) },
    },
    handler: async (c, req) => {
      const { name } = req.params as { name: string };
      service(c, name);
      return c.controller.probeHistory(name, (req.query as { limit: number }).limit);
    },
  },
  {
    method: 'GET',
    url: `${API_PREFIX}/services/:name/rpo`,
    access: 'viewer',
    tag: 'services',
    summary: 'Recent RPO samples (replica lag, age of the last sync) per data set, newest last.',
    schema: {
      params: nameParams,
      querystring: object({ limit: limitParam(5000, 500) }),
      response: { 200: list(RpoSampleSchema), ...errors(400, ...AUTH_ERRORS, 404) },
    },
    handler: async (c, req) => {
      const { name } = req.params as { name: string };
      service(c, name);
      return c.controller.rpoHistory(name, (req.query as { limit: number }).limit);
    },
  },
  {
    method: 'GET',
    url: `${API_PREFIX}/services/:name/runs`,
    access: 'viewer',
    tag: 'services',
    summary: 'The most recent runs of the service, oldest first.',
    schema: {
      params: nameParams,
      querystring: object({ limit: limitParam(1000, 50) }),
      response: { 200: list(RunSummarySchema), ...errors(400, ...AUTH_ERRORS, 404) },
    },
    handler: async (c, req) => {
      const { name } = req.params as { name: string };
      service(c, name);
      const runs = await c.controller.store.runs.list({
        service: name,
        limit: (req.query as { limit: number }).limit,
      });
      return runs.map(runSummary);
    },
  },
  {
    method: 'GET',
    url: `${API_PREFIX}/runs`,
    access: 'viewer',
    tag: 'runs',
    summary:
      'Runs, oldest first: the most recent `limit`, optionally of one service, states, runbook.',
    schema: {
      querystring: object({
        service: { type: 'string', minLength: 1, maxLength: 200 },
        state: {
          type: 'string',
          maxLength: 200,
          description: 'Comma-separated run states, e.g. `running,waiting-approval`.',
        },
        runbook: { type: 'string', minLength: 1, maxLength: 200 },
        limit: limitParam(1000, 100),
      }),
      response: { 200: list(RunSummarySchema), ...errors(400, ...AUTH_ERRORS) },
    },
    handler: async (c, req) => {
      const q = req.query as { service?: string; state?: string; runbook?: string; limit: number };
      const states = parseStates(q.state);
      // The runbook filter is applied after the store's limit would cut: fetch without one then.
      const runs = await c.controller.store.runs.list({
        ...(q.service ? { service: q.service } : {}),
        ...(states ? { state: states } : {}),
        ...(q.runbook ? {} : { limit: q.limit }),
      });
      const kept = q.runbook ? runs.filter((r) => r.runbook === q.runbook).slice(-q.limit) : runs;
      return kept.map(runSummary);
    },
  },
  {
    method: 'POST',
    url: `${API_PREFIX}/runs`,
    access: 'operator',
    tag: 'runs',
    summary:
      'Starts a run through the engine and all its interlocks; the caller (the token name) is its requester.',
    schema: {
      body: StartRunBodySchema,
      response: { 201: StartedRunSchema, ...errors(400, ...AUTH_ERRORS, 404, 409) },
    },
    handler: async (c, req, reply) => {
      const body = req.body as StartRunBody;
      const started = await c.controller.startRun({
        runbook: body.runbook,
        target: body.target,
        actor: identity(req).name,
        ...(body.reason !== undefined ? { reason: body.reason } : {}),
        ...(body.acceptDataLoss !== undefined ? { acceptDataLoss: body.acceptDataLoss } : {}),
      });
      reply.code(201);
      return { runId: started.runId };
    },
  },
  {
    method: 'GET',
    url: `${API_PREFIX}/runs/:id`,
    access: 'viewer',
    tag: 'runs',
    summary: 'One run with each planned step’s state from its journal.',
    schema: {
      params: idParams,
      response: { 200: RunDetailSchema, ...errors(...AUTH_ERRORS, 404) },
    },
    handler: async (c, req) => {
      const r = await run(c, (req.params as { id: string }).id);
      return runDetail(r, await c.controller.store.journal.read(r.id));
    },
  },
  {
    method: 'POST',
    url: `${API_PREFIX}/runs/:id/approve`,
    access: 'approver',
    tag: 'runs',
    summary: 'Approves a step of the run, as the caller (the token name).',
    schema: {
      params: idParams,
      body: ApproveRequestSchema,
      response: { 200: OkSchema, ...errors(400, ...AUTH_ERRORS, 404, 409) },
    },
    handler: async (c, req) => {
      const r = await run(c, (req.params as { id: string }).id);
      await c.controller.approve(r.id, (req.body as ApproveRequest).stepId, identity(req).name);
      return { ok: true };
    },
  },
  {
    method: 'POST',
    url: `${API_PREFIX}/runs/:id/abort`,
    access: 'approver',
    tag: 'runs',
    summary:
      'Aborts the run (undoing what can be undone before the point of no return); approval-grade, a reason is required.',
    schema: {
      params: idParams,
      body: AbortRequestSchema,
      response: { 200: OkSchema, ...errors(400, ...AUTH_ERRORS, 404, 409) },
    },
    handler: async (c, req) => {
      const r = await run(c, (req.params as { id: string }).id);
      await c.controller.abort(r.id, identity(req).name, (req.body as AbortRequest).reason);
      return { ok: true };
    },
  },
  {
    method: 'GET',
    url: `${API_PREFIX}/leases`,
    access: 'viewer',
    tag: 'leases',
    summary:
      'The fence leases known: per service, data set and node, when its agent last renewed it and whether a failover revoked it.',
    schema: { response: { 200: list(LeaseSchema), ...errors(...AUTH_ERRORS) } },
    handler: async (c) =>
      (c.leases?.list() ?? []).map((l) => ({
        service: l.service,
        dataSet: l.dataSet,
        node: l.node,
        ttlMs: l.ttlMs,
        revoked: l.revoked,
        ...(l.lastRenewedAt !== undefined
          ? { lastRenewedAt: new Date(l.lastRenewedAt).toISOString() }
          : {}),
      })),
  },
  {
    method: 'POST',
    url: `${API_PREFIX}/leases/:node/renew`,
    access: 'operator',
    tag: 'leases',
    summary:
      "An agent renews its node's fence leases (`lifeboat agent`): granted, revoked (the agent stops a writable primary at once), or unknown.",
    schema: {
      params: object({ node: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,128}$' } }, ['node']),
      body: LeaseRenewRequestSchema,
      response: { 200: LeaseRenewResponseSchema, ...errors(400, ...AUTH_ERRORS) },
    },
    handler: async (c, req) => {
      const node = (req.params as { node: string }).node;
      const keys = (req.body as { leases: LeaseKey[] }).leases;
      if (!c.leases)
        return { leases: keys.map((k) => ({ ...k, state: 'unknown', why: 'no lease book' })) };
      return { leases: c.leases.renew(node, keys) };
    },
  },
  {
    method: 'GET',
    url: `${API_PREFIX}/audit`,
    access: 'viewer',
    tag: 'audit',
    summary:
      'Audit log entries in order: after `afterSeq` when given, else the last `limit` entries.',
    schema: {
      querystring: object({
        afterSeq: { type: 'integer', minimum: 0 },
        limit: limitParam(1000, 200),
      }),
      response: { 200: list(AuditRecordSchema), ...errors(400, ...AUTH_ERRORS) },
    },
    handler: async (c, req) => {
      const q = req.query as { afterSeq?: number; limit: number };
      const audit = c.controller.store.audit;
      const afterSeq = q.afterSeq ?? Math.max(0, (await audit.head()).count - q.limit);
      return (await audit.read({ afterSeq, limit: q.limit })).map(auditRecord);
    },
  },
  {
    method: 'GET',
    url: `${API_PREFIX}/audit/verify`,
    access: 'viewer',
    tag: 'audit',
    summary: 'Walks the audit log’s hash chain and reports the first entry that does not verify.',
    schema: { response: { 200: AuditVerificationSchema, ...errors(...AUTH_ERRORS) } },
    handler: async (c) => {
      const v = await c.controller.store.audit.verify();
      const answer: AuditVerifyResult = {
        ok: v.ok,
        checked: v.checked,
        head: { seq: v.head.count, hash: v.head.hash },
        recorded: { seq: v.recorded.count, hash: v.recorded.hash },
        ...(v.broken
          ? { broken: { seq: v.broken.seq, reason: v.broken.reason, message: v.broken.message } }
          : {}),
      };
      return answer;
    },
  },
  {
    method: 'GET',
    url: `${API_PREFIX}/tokens`,
    access: 'admin',
    tag: 'session',
    summary: 'The API tokens: names, roles, created, last used (never a token or its hash).',
    schema: { response: { 200: list(TokenInfoSchema), ...errors(...AUTH_ERRORS) } },
    handler: async (c) =>
      (await c.tokens.list()).map(
        (t): TokenInfo => ({
          name: t.name,
          role: t.role,
          createdAt: iso(t.createdAt),
          ...(t.lastUsedAt !== undefined ? { lastUsedAt: iso(t.lastUsedAt) } : {}),
        }),
      ),
  },
  {
    method: 'GET',
    url: `${API_PREFIX}/events`,
    access: 'viewer',
    tag: 'events',
    summary:
      'Server-sent events: every controller event (`id:` its sequence number); resumable with `Last-Event-ID`; a `gap` event when events were missed (refetch).',
    produces: 'text/event-stream',
    schema: {
      headers: {
        type: 'object',
        properties: {
          'last-event-id': {
            type: 'string',
            pattern: '^[0-9]{1,15}$',
            description: 'The id of the last event received: the stream resumes after it.',
          },
        },
      },
      response: { 200: { type: 'string' }, ...errors(400, ...AUTH_ERRORS) },
    },
    handler: async (c, req, reply) => {
      const header = (req.headers as Record<string, string | undefined>)['last-event-id'];
      c.sse.open(req, reply, header === undefined ? undefined : Number(header));
    },
  },
];
