// GET /metrics: the Prometheus exposition has the series docs/api.md names, with the
// controller's values, and needs a viewer token like every route but /healthz.
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, harness } from './helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function scrape(harness: Harness): Promise<string> {
  const r = await harness.app.inject({ url: '/metrics', headers: harness.bearer('viewer') });
  expect(r.statusCode).toBe(200);
  expect(r.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return r.body;
}

describe('metrics', () => {
  it('needs a token', async () => {
    h = await harness();
    expect((await h.app.inject({ url: '/metrics' })).statusCode).toBe(401);
  });

  it('exposes probe, RPO, RTO, plan reload and SSE series', async () => {
    h = await harness();
    h.fake.services_[1] = {
      ...(h.fake.services_[1] as (typeof h.fake.services_)[number]),
      plannedRtoMs: undefined,
      rpo: [{ dataSet: 'files', kind: 'mirror', targetMs: 60_000 }],
      outage: {
        site: 'b',
        since: '2026-11-21T10:00:00.000Z',
        confirmedBy: ['controller', 'witness'],
        action: 'proposed',
      },
    };
    h.fake.status = {
      ...h.fake.status,
      failedReloads: 3,
      lastError: { at: '2026-11-21T10:00:00.000Z', message: 'bad yaml', diagnostics: [] },
    };
    h.fake.emit({
      type: 'probe',
      sample: {
        at: 'x',
        service: 'app-db',
        probe: 'http',
        site: 'a',
        from: 'controller',
        ok: false,
        ms: 3,
      },
    });
    const text = await scrape(h);
    for (const line of [
      'lifeboat_probe_up{service="app-db",site="a",probe="http"} 1',
      'lifeboat_probe_up{service="app-db",site="b",probe="http"} 0',
      'lifeboat_probe_results_total{service="app-db",site="a",probe="http",result="fail"} 1',
      'lifeboat_site_up{service="app-db",site="b"} 0',
      'lifeboat_outage{service="web",site="b"} 1',
      'lifeboat_rpo_seconds{service="app-db",data_set="db",kind="replica",tier="tier-1"} 1.5',
      'lifeboat_rpo_target_seconds{service="web",data_set="files",tier="tier-2"} 60',
      'lifeboat_rpo_compliance_ratio{tier="tier-1"} 1',
      'lifeboat_rpo_compliance_ratio{tier="tier-2"} 0',
      'lifeboat_rto_planned_seconds{service="app-db",tier="tier-1"} 300',
      'lifeboat_rto_target_seconds{service="web",tier="tier-2"} 900',
      'lifeboat_rto_compliance_ratio{tier="tier-1"} 1',
      'lifeboat_rto_compliance_ratio{tier="tier-2"} 0',
      'lifeboat_service_ready_to_fail_over{service="app-db",tier="tier-1"} 1',
      'lifeboat_plan_reload_ok 0',
      'lifeboat_plan_reload_failures_total 3',
      'lifeboat_plan_reloads_total 2',
      'lifeboat_sse_clients 0',
    ]) {
      expect(text.split('\n'), line).toContain(line);
    }
    // Unknown RPO: no sample rather than a made-up one.
    expect(text).not.toContain('lifeboat_rpo_seconds{service="web"');
    expect(text).toMatch(/^lifeboat_plan_loaded_timestamp_seconds \d+/m);
  });

  it('observes run durations by runbook and outcome when a run ends', async () => {
    h = await harness();
    const { runId } = await h.fake.startRun({ runbook: 'failover', target: 'app-db', actor: 'x' });
    const run = await h.fake.store.runs.get(runId);
    await h.fake.store.runs.update(runId, {
      expectedRevision: run?.revision ?? 0,
      state: 'succeeded',
      at: (run?.createdAt ?? 0) + 42_000,
    });
    const end = {
      type: 'run',
      runId,
      service: 'app-db',
      runbook: 'failover',
      state: 'succeeded',
      message: 'done',
    } as const;
    h.fake.emit(end);
    h.fake.emit(end); // reported twice, counted once
    await new Promise((r) => setTimeout(r, 50));
    const text = await scrape(h);
    expect(text).toContain(
      'lifeboat_run_duration_seconds_count{runbook="failover",outcome="succeeded"} 1',
    );
    expect(text).toContain(
      'lifeboat_run_duration_seconds_sum{runbook="failover",outcome="succeeded"} 42',
    );
    expect(text).toContain(
      'lifeboat_run_duration_seconds_bucket{le="60",runbook="failover",outcome="succeeded"} 1',
    );
  });

  it('exports the webhook notifier counts when serve passes them', async () => {
    h = await harness({
      notifications: () => ({
        queued: 2,
        inFlight: 1,
        sent: 5,
        failed: 1,
        dropped: 4,
        webhooks: { ops: { sent: 5, failed: 1 } },
      }),
    });
    const body = await scrape(h);
    expect(body).toMatch(/^lifeboat_notifications_sent_total\{webhook="ops"\} 5$/m);
    expect(body).toMatch(/^lifeboat_notifications_failed_total\{webhook="ops"\} 1$/m);
    expect(body).toMatch(/^lifeboat_notifications_dropped_total 4$/m);
    expect(body).toMatch(/^lifeboat_notifications_queued 2$/m);
  });

  it('has no notification series without a notifier', async () => {
    h = await harness();
    expect(await scrape(h)).not.toMatch(/lifeboat_notifications_/);
  });
});
