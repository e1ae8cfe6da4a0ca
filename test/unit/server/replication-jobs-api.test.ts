// Scheduled replication jobs over the API: a service's state carries its jobs (valid against the
// OpenAPI schema), and /metrics exports their last success, runs by result and durations.
import { afterEach, describe, expect, it } from 'vitest';
import type { ReplicationJobStatus } from '../../../src/controller/model.js';
import { ROUTES } from '../../../src/server/routes.js';
import { type Harness, harness, schemaErrors } from './helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const job: ReplicationJobStatus = {
  dataSet: 'files',
  kind: 'rsync',
  schedule: '*/15 * * * *',
  route: 'a → b',
  timeoutMs: 3_600_000,
  running: false,
  nextRunAt: '2026-11-21T10:15:00.000Z',
  lastStartAt: '2026-11-21T10:00:00.000Z',
  lastSuccessAt: '2026-11-21T10:00:04.000Z',
  syncedThrough: '2026-11-21T09:59:59.950Z',
  lastFailure: {
    at: '2026-11-21T09:45:30.000Z',
    code: 'LB_E_CONTROLLER_JOB_TIMEOUT',
    message: 'web/files: still running after 30s: aborted',
  },
  lastDurationMs: 4_000,
  runs: { succeeded: 3, failed: 1, skipped: 2 },
};

describe('replication jobs in the API', () => {
  it('are part of the service’s state, as the schema says', async () => {
    h = await harness();
    h.fake.services_[1] = {
      ...(h.fake.services_[1] as (typeof h.fake.services_)[number]),
      jobs: [job],
    };
    const name = h.fake.services_[1]?.name as string;
    const r = await h.app.inject({ url: `/api/v1/services/${name}`, headers: h.bearer('viewer') });
    expect(r.statusCode).toBe(200);
    expect(r.json().jobs).toEqual([job]);
    const route = ROUTES.find((x) => x.method === 'GET' && x.url === '/api/v1/services/:name');
    expect(schemaErrors(route?.schema.response[200] as object, r.json())).toEqual([]);
  });

  it('are exported as metrics: last success, runs by result, durations of the runs that end', async () => {
    h = await harness();
    const svc = h.fake.services_[1] as (typeof h.fake.services_)[number];
    h.fake.services_[1] = { ...svc, jobs: [job] };
    h.fake.emit({ type: 'replication-job', service: svc.name, job }); // a start: not observed
    h.fake.emit({ type: 'replication-job', service: svc.name, job, result: 'succeeded' });
    h.fake.emit({ type: 'replication-job', service: svc.name, job, result: 'skipped' });
    const r = await h.app.inject({ url: '/metrics', headers: h.bearer('viewer') });
    const labels = `service="${svc.name}",data_set="files",kind="rsync"`;
    for (const line of [
      `lifeboat_replication_job_last_success_timestamp_seconds{${labels}} ${Date.parse(job.lastSuccessAt as string) / 1000}`,
      `lifeboat_replication_job_runs_total{${labels},result="succeeded"} 3`,
      `lifeboat_replication_job_runs_total{${labels},result="failed"} 1`,
      `lifeboat_replication_job_runs_total{${labels},result="skipped"} 2`,
      `lifeboat_replication_job_duration_seconds_count{${labels},result="succeeded"} 1`,
      `lifeboat_replication_job_duration_seconds_sum{${labels},result="succeeded"} 4`,
      `lifeboat_replication_job_duration_seconds_bucket{le="5",${labels},result="succeeded"} 1`,
    ])
      expect(r.body).toContain(line);
  });
});
