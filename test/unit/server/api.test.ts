// What the routes answer: the controller's state and the store's runs and audit log, each answer
// valid against the route's own response schema (the schemas are what the OpenAPI document and
// the dashboard rely on), actions recorded under the token's name, errors as ApiError bodies.
import { afterEach, describe, expect, it } from 'vitest';
import { isErrorCode } from '../../../src/core/errors/index.js';
import type { RunDetail, RunSummary } from '../../../src/server/api-types.js';
import { ROUTES } from '../../../src/server/routes.js';
import { concrete, type Harness, harness, schemaErrors } from './helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function responseSchema(method: string, url: string, status: number): object {
  const route = ROUTES.find((r) => r.method === method && r.url === url);
  const schema = route?.schema.response[status];
  if (!schema) throw new Error(`${method} ${url} declares no ${status} answer`);
  return schema;
}

async function journalFor(harness: Harness, runId: string) {
  const run = await harness.fake.store.runs.get(runId);
  if (!run) throw new Error('no run');
  const lease = await harness.fake.store.leases.acquire(run.leaseKey, 'test', 60_000);
  if (!lease) throw new Error('no lease');
  const append = (
    stepId: string | null,
    phase: 'intent' | 'effect' | 'result' | 'note',
    data = {},
  ) => harness.fake.store.journal.append(runId, { stepId, phase, data }, lease.token);
  await append('app-db/fence', 'intent');
  await append('app-db/fence', 'effect', { changed: true, detail: 'fenced app-db-1' });
  await append('app-db/fence', 'result', { status: 'succeeded', detail: 'fenced app-db-1' });
  await append('app-db/promote', 'intent');
  await append('app-db/promote', 'result', {
    status: 'failed',
    error: { code: 'LB_E_ENGINE_STEP_FAILED', message: 'pg_ctl promote exited 1' },
  });
  await append(null, 'note', { event: 'waiting' });
}

describe('the API routes', () => {
  it('answers every GET route with data valid against its response schema', async () => {
    h = await harness();
    const { runId } = await h.fake.startRun({
      runbook: 'failover',
      target: 'app-db',
      actor: 'alice',
      reason: 'drill',
    });
    await journalFor(h, runId);
    h.fake.probes.push({
      at: '2026-11-21T10:00:00.000Z',
      service: 'app-db',
      probe: 'http',
      site: 'a',
      from: 'controller',
      ok: true,
      ms: 12,
    });
    for (const route of ROUTES) {
      if (route.method !== 'GET' || route.url.endsWith('/events') || route.produces) continue;
      const r = await h.app.inject({ url: concrete(route.url), headers: h.bearer('admin') });
      expect(r.statusCode, `${route.url}: ${r.body}`).toBe(200);
      expect(r.headers['content-type']).toMatch(/^application\/json/);
      expect(schemaErrors(responseSchema('GET', route.url, 200), r.json()), route.url).toEqual([]);
    }
  });

  it('shows a run with its planned steps and their state from the journal', async () => {
    h = await harness();
    const { runId } = await h.fake.startRun({
      runbook: 'failover',
      target: 'app-db',
      actor: 'alice',
    });
    await journalFor(h, runId);
    const run = await h.fake.store.runs.get(runId);
    await h.fake.store.runs.update(runId, {
      expectedRevision: run?.revision ?? 0,
      state: 'waiting-approval',
      data: {
        ...(run?.data as object),
        waiting: { stepId: 'app-db/promote', purpose: 'step', reason: 'promote?', role: 'dba' },
      },
    });
    const r = await h.app.inject({ url: `/api/v1/runs/${runId}`, headers: h.bearer('viewer') });
    const detail = r.json() as RunDetail;
    expect(detail).toMatchObject({
      id: runId,
      runbook: 'failover',
      service: 'app-db',
      services: ['app-db'],
      state: 'waiting-approval',
      requester: 'alice',
      planHash: 'sha256:abc',
      pointOfNoReturnPassed: false,
      journalSeq: 6,
      waiting: { stepId: 'app-db/promote', role: 'dba' },
    });
    expect(detail.durationMs).toBeUndefined();
    expect(detail.steps.map((s) => [s.id, s.phase, s.awaitingApproval])).toEqual([
      ['app-db/fence', 'succeeded', false],
      ['app-db/promote', 'failed', true],
      ['app-db/switch', 'pending', false],
    ]);
    expect(detail.steps[0]).toMatchObject({ detail: 'fenced app-db-1', pointOfNoReturn: false });
    expect(detail.steps[0]?.startedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(detail.steps[0]?.endedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(detail.steps[1]).toMatchObject({
      pointOfNoReturn: true,
      approvalRole: 'dba',
      error: { code: 'LB_E_ENGINE_STEP_FAILED', message: 'pg_ctl promote exited 1' },
    });
    expect(schemaErrors(responseSchema('GET', '/api/v1/runs/:id', 200), detail)).toEqual([]);
  });

  it('starts, approves and aborts runs as the token’s name', async () => {
    h = await harness();
    const start = await h.app.inject({
      method: 'POST',
      url: '/api/v1/runs',
      headers: h.bearer('operator'),
      payload: { runbook: 'failover', target: 'app-db', reason: 'site a is down' },
    });
    expect(start.statusCode, start.body).toBe(201);
    const { runId } = start.json() as { runId: string };
    expect(h.fake.calls[0]).toEqual({
      op: 'startRun',
      args: [
        { runbook: 'failover', target: 'app-db', actor: 'operator', reason: 'site a is down' },
      ],
    });
    const approve = await h.app.inject({
      method: 'POST',
      url: `/api/v1/runs/${runId}/approve`,
      headers: h.bearer('approver'),
      payload: { stepId: 'app-db/promote' },
    });
    expect(approve.statusCode).toBe(200);
    const abort = await h.app.inject({
      method: 'POST',
      url: `/api/v1/runs/${runId}/abort`,
      headers: h.bearer('admin'),
      payload: { reason: 'wrong site' },
    });
    expect(abort.statusCode).toBe(200);
    expect(h.fake.calls.slice(1)).toEqual([
      { op: 'approve', args: [runId, 'app-db/promote', 'approver'] },
      { op: 'abort', args: [runId, 'admin', 'wrong site'] },
    ]);
    const audit = await h.app.inject({ url: '/api/v1/audit', headers: h.bearer('viewer') });
    expect(
      (audit.json() as { actor: string; action: string }[]).map((e) => [e.actor, e.action]),
    ).toEqual([
      ['operator', 'run.start'],
      ['approver', 'approval.record'],
      ['admin', 'run.abort-request'],
    ]);
    const verify = await h.app.inject({ url: '/api/v1/audit/verify', headers: h.bearer('viewer') });
    expect(verify.json()).toMatchObject({ ok: true, checked: 3, head: { seq: 3 } });
    const list = await h.app.inject({
      url: '/api/v1/runs?state=running',
      headers: h.bearer('viewer'),
    });
    expect((list.json() as RunSummary[]).map((r) => [r.id, r.requester, r.reason])).toEqual([
      [runId, 'operator', 'site a is down'],
    ]);
  });

  it('answers refusals and bad requests with registered codes and fitting statuses', async () => {
    h = await harness();
    const post = (url: string, payload: unknown, role: 'operator' | 'approver' = 'approver') =>
      h?.app.inject({ method: 'POST', url, headers: h.bearer(role), payload: payload as object });
    await h.fake.startRun({ runbook: 'failover', target: 'app-db', actor: 'x' });
    const cases: [Promise<unknown> | undefined, number, string][] = [
      // abort needs a reason
      [post('/api/v1/runs/run-1/abort', {}), 400, 'LB_E_SERVER_BAD_REQUEST'],
      [post('/api/v1/runs/run-1/abort', { reason: '' }), 400, 'LB_E_SERVER_BAD_REQUEST'],
      [
        h.app.inject({
          method: 'POST',
          url: '/api/v1/runs/run-1/abort',
          headers: h.bearer('approver'),
        }),
        400,
        'LB_E_SERVER_BAD_REQUEST',
      ],
      // unknown fields are refused, not dropped
      [
        post('/api/v1/runs/run-1/approve', { stepId: 's', extra: 1 }),
        400,
        'LB_E_SERVER_BAD_REQUEST',
      ],
      [post('/api/v1/runs/nope/approve', { stepId: 's' }), 404, 'LB_E_SERVER_NOT_FOUND'],
      // the engine's refusals keep their codes
      [
        post('/api/v1/runs', { runbook: 'failover', target: 'app-db' }, 'operator'),
        409,
        'LB_E_ENGINE_SERVICE_BUSY',
      ],
      [
        post('/api/v1/runs', { runbook: 'failover', target: 'nope' }, 'operator'),
        404,
        'LB_E_RUNBOOK_UNKNOWN_SERVICE',
      ],
      [
        h.app.inject({
          method: 'POST',
          url: '/api/v1/runs',
          headers: { ...h.bearer('operator'), 'content-type': 'application/json' },
          payload: '{not json',
        }),
        400,
        'LB_E_SERVER_BAD_REQUEST',
      ],
      [
        h.app.inject({ url: '/api/v1/services/nope', headers: h.bearer('viewer') }),
        404,
        'LB_E_SERVER_NOT_FOUND',
      ],
      [
        h.app.inject({ url: '/api/v1/services/nope/probes', headers: h.bearer('viewer') }),
        404,
        'LB_E_SERVER_NOT_FOUND',
      ],
      [
        h.app.inject({ url: '/api/v1/runs/nope', headers: h.bearer('viewer') }),
        404,
        'LB_E_SERVER_NOT_FOUND',
      ],
      [
        h.app.inject({ url: '/api/v1/runs?state=bogus', headers: h.bearer('viewer') }),
        400,
        'LB_E_SERVER_BAD_REQUEST',
      ],
      [
        h.app.inject({ url: '/api/v1/runs?limit=0', headers: h.bearer('viewer') }),
        400,
        'LB_E_SERVER_BAD_REQUEST',
      ],
      [
        h.app.inject({ url: '/api/v1/audit?limit=x', headers: h.bearer('viewer') }),
        400,
        'LB_E_SERVER_BAD_REQUEST',
      ],
    ];
    for (const [pending, status, code] of cases) {
      const r = (await pending) as {
        statusCode: number;
        json(): { code: string; hint?: string };
        body: string;
      };
      expect(r.statusCode, r.body).toBe(status);
      expect(r.json().code, r.body).toBe(code);
      expect(isErrorCode(r.json().code)).toBe(true);
      expect(r.json().hint?.length).toBeGreaterThan(10);
      expect(schemaErrors(errorSchema(), r.json())).toEqual([]);
    }
  });

  it('answers an unexpected failure with LB_E_SERVER_INTERNAL and nothing of it', async () => {
    h = await harness();
    h.fake.rendered = () => {
      throw new Error('secret detail /etc/lifeboat/key');
    };
    const r = await h.app.inject({ url: '/api/v1/plan/document', headers: h.bearer('viewer') });
    expect(r.statusCode).toBe(500);
    expect(r.json()).toMatchObject({ code: 'LB_E_SERVER_INTERNAL' });
    expect(r.body).not.toContain('secret detail');
  });

  it('filters runs by service, state and runbook, most recent `limit`', async () => {
    h = await harness();
    for (let i = 0; i < 3; i++) {
      const { runId } = await h.fake.startRun({
        runbook: i === 1 ? 'switchover' : 'failover',
        target: 'app-db',
        actor: 'x',
      });
      await h.fake.store.runs.update(runId, { expectedRevision: 1, state: 'succeeded' });
    }
    await h.fake.startRun({ runbook: 'failover', target: 'web', actor: 'y' });
    const server = h.app;
    const auth = h.bearer('viewer');
    const ids = async (q: string) =>
      (
        (await server.inject({ url: `/api/v1/runs${q}`, headers: auth })).json() as RunSummary[]
      ).map((r) => r.id);
    expect(await ids('')).toEqual(['run-1', 'run-2', 'run-3', 'run-4']);
    expect(await ids('?service=web')).toEqual(['run-4']);
    expect(await ids('?state=succeeded&limit=2')).toEqual(['run-2', 'run-3']);
    expect(await ids('?runbook=failover&limit=2')).toEqual(['run-3', 'run-4']);
    expect(await ids('?state=running,waiting-approval')).toEqual(['run-4']);
    const svc = await h.app.inject({
      url: '/api/v1/services/app-db/runs',
      headers: h.bearer('viewer'),
    });
    expect((svc.json() as RunSummary[]).map((r) => r.id)).toEqual(['run-1', 'run-2', 'run-3']);
    expect((svc.json() as RunSummary[])[0]?.durationMs).toBeGreaterThanOrEqual(0);
  });
});

function errorSchema(): object {
  return responseSchema('GET', '/api/v1/services/:name', 404);
}
