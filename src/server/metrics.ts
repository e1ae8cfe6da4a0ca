// GET /metrics: Prometheus series read from the controller at scrape time (probe state, RPO,
// RTO, plan reloads, SSE clients), plus counters and a histogram fed by the controller's events
// (probe results, run durations). One registry per server, so that several servers in one
// process (tests) do not share series. Names are listed in docs/api.md. prom-client is passed
// in (imported by createServer when a server is made): the CLI's other commands never load it.
import type { Counter, Histogram, Registry } from 'prom-client';
import type { LeaseBook } from '../controller/leases.js';
import type { ControllerView, SequencedEvent, ServiceStatus } from '../controller/model.js';
import type { NotifierStats } from '../controller/notifier.js';
import { FINAL_RUN_STATES } from '../store/index.js';

const RUN_BUCKETS_S = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200];
const JOB_BUCKETS_S = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21_600];

/** A ratio in [0, 1] per tier: `ok` of `all`. */
function ratios(rows: { tier: string; ok: boolean }[]): Map<string, number> {
  const by = new Map<string, { ok: number; all: number }>();
  for (const r of rows) {
    const t = by.get(r.tier) ?? { ok: 0, all: 0 };
    t.all += 1;
    if (r.ok) t.ok += 1;
    by.set(r.tier, t);
  }
  return new Map([...by].map(([tier, t]) => [tier, t.all === 0 ? 1 : t.ok / t.all]));
}

type PromClient = typeof import('prom-client');

export class ApiMetrics {
  readonly registry: Registry;
  readonly #probeResults: Counter<'service' | 'site' | 'probe' | 'result'>;
  readonly #runDuration: Histogram<'runbook' | 'outcome'>;
  readonly #jobDuration: Histogram<'service' | 'data_set' | 'kind' | 'result'>;
  /** Runs already observed: a run's final state may be reported more than once. */
  readonly #observed = new Set<string>();
  #unsubscribe: (() => void) | undefined;
  #snapshot: ServiceStatus[] | undefined;

  constructor(
    prom: PromClient,
    private readonly controller: ControllerView,
    sse: () => { clients: number; dropped: number },
    notifications?: () => NotifierStats,
    leases?: LeaseBook,
  ) {
    const { Counter, Gauge, Histogram, Registry } = prom;
    this.registry = new Registry();
    const registers = [this.registry];
    // One read of the services per scrape, shared by every series (text() sets it).
    const services = () => this.#snapshot ?? controller.services();

    this.#probeResults = new Counter({
      name: 'lifeboat_probe_results_total',
      help: 'Probe executions since the server started, by result (ok, fail).',
      labelNames: ['service', 'site', 'probe', 'result'],
      registers,
    });
    new Gauge({
      name: 'lifeboat_probe_up',
      help: 'The last result of each probe: 1 ok, 0 failed (absent until it ran).',
      labelNames: ['service', 'site', 'probe'],
      registers,
      collect() {
        this.reset();
        for (const s of services())
          for (const site of s.sites)
            for (const p of site.probes)
              if (p.ok !== undefined)
                this.set({ service: s.name, site: site.site, probe: p.name }, p.ok ? 1 : 0);
      },
    });
    new Gauge({
      name: 'lifeboat_site_up',
      help: 'Health of each service at each site: 1 up, 0 down (absent while unknown).',
      labelNames: ['service', 'site'],
      registers,
      collect() {
        this.reset();
        for (const s of services())
          for (const site of s.sites)
            if (site.health !== 'unknown')
              this.set({ service: s.name, site: site.site }, site.health === 'up' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'lifeboat_outage',
      help: '1 for a confirmed outage of the service at the site.',
      labelNames: ['service', 'site'],
      registers,
      collect() {
        this.reset();
        for (const s of services())
          if (s.outage) this.set({ service: s.name, site: s.outage.site }, 1);
      },
    });
    if (leases) {
      // Fence leases: an agent that stopped renewing (dead, or cut off) shows here before the
      // failover that would need it. Age: seconds since the last renewal granted.
      new Gauge({
        name: 'lifeboat_fence_lease_age_seconds',
        help: "Seconds since the node's agent last renewed its fence lease for the data set (absent until it did).",
        labelNames: ['service', 'data_set', 'node'],
        registers,
        collect() {
          this.reset();
          const now = Date.now();
          for (const l of leases.list())
            if (l.lastRenewedAt !== undefined)
              this.set(
                { service: l.service, data_set: l.dataSet, node: l.node },
                (now - l.lastRenewedAt) / 1000,
              );
        },
      });
      new Gauge({
        name: 'lifeboat_fence_lease_revoked',
        help: 'A fence lease revoked by a failover: 1 (its agent fences a writable primary), 0 granted.',
        labelNames: ['service', 'data_set', 'node'],
        registers,
        collect() {
          this.reset();
          for (const l of leases.list())
            this.set({ service: l.service, data_set: l.dataSet, node: l.node }, l.revoked ? 1 : 0);
        },
      });
    }
    new Gauge({
      name: 'lifeboat_rpo_seconds',
      help: 'RPO now per data set: replica lag, or the age of the last good sync or backup (absent while unknown).',
      labelNames: ['service', 'data_set', 'kind', 'tier'],
      registers,
      collect() {
        this.reset();
        for (const s of services())
          for (const r of s.rpo)
            if (r.rpoMs !== undefined)
              this.set(
                { service: s.name, data_set: r.dataSet, kind: r.kind, tier: s.tier },
                r.rpoMs / 1000,
              );
      },
    });
    new Gauge({
      name: 'lifeboat_rpo_target_seconds',
      help: 'The RPO target of each data set (its tier).',
      labelNames: ['service', 'data_set', 'tier'],
      registers,
      collect() {
        this.reset();
        for (const s of services())
          for (const r of s.rpo)
            this.set({ service: s.name, data_set: r.dataSet, tier: s.tier }, r.targetMs / 1000);
      },
    });
    new Gauge({
      name: 'lifeboat_rpo_compliance_ratio',
      help: 'Per tier, the share of data sets whose RPO now is within target (an unknown RPO counts as not within).',
      labelNames: ['tier'],
      registers,
      collect() {
        this.reset();
        const rows = services().flatMap((s) =>
          s.rpo
            .filter((r) => r.kind !== 'none')
            .map((r) => ({ tier: s.tier, ok: r.within === true })),
        );
        for (const [tier, v] of ratios(rows)) this.set({ tier }, v);
      },
    });
    new Gauge({
      name: 'lifeboat_rto_planned_seconds',
      help: 'The RTO the plan’s runbook estimates for each service (absent without an estimate).',
      labelNames: ['service', 'tier'],
      registers,
      collect() {
        this.reset();
        for (const s of services())
          if (s.plannedRtoMs !== undefined)
            this.set({ service: s.name, tier: s.tier }, s.plannedRtoMs / 1000);
      },
    });
    new Gauge({
      name: 'lifeboat_rto_target_seconds',
      help: 'The RTO target of each service (its tier).',
      labelNames: ['service', 'tier'],
      registers,
      collect() {
        this.reset();
        for (const s of services())
          this.set({ service: s.name, tier: s.tier }, s.rtoTargetMs / 1000);
      },
    });
    new Gauge({
      name: 'lifeboat_rto_compliance_ratio',
      help: 'Per tier, the share of services whose planned RTO is within target (a service without an estimate counts as not within).',
      labelNames: ['tier'],
      registers,
      collect() {
        this.reset();
        const rows = services().map((s) => ({
          tier: s.tier,
          ok: s.plannedRtoMs !== undefined && s.plannedRtoMs <= s.rtoTargetMs,
        }));
        for (const [tier, v] of ratios(rows)) this.set({ tier }, v);
      },
    });
    new Gauge({
      name: 'lifeboat_service_ready_to_fail_over',
      help: '1 when a failover of the service could start now without accepting data loss.',
      labelNames: ['service', 'tier'],
      registers,
      collect() {
        this.reset();
        for (const s of services())
          this.set({ service: s.name, tier: s.tier }, s.readyToFailOver ? 1 : 0);
      },
    });
    this.#runDuration = new Histogram({
      name: 'lifeboat_run_duration_seconds',
      help: 'Runs that ended while the server ran: from creation to the end, by runbook and outcome (succeeded, failed, aborted).',
      labelNames: ['runbook', 'outcome'],
      buckets: RUN_BUCKETS_S,
      registers,
    });
    new Gauge({
      name: 'lifeboat_replication_job_last_success_timestamp_seconds',
      help: 'When the last run of each scheduled replication job (rsync copy, backup command) succeeded, Unix time (absent until one did since the controller started).',
      labelNames: ['service', 'data_set', 'kind'],
      registers,
      collect() {
        this.reset();
        for (const s of services())
          for (const j of s.jobs ?? [])
            if (j.lastSuccessAt !== undefined)
              this.set(
                { service: s.name, data_set: j.dataSet, kind: j.kind },
                Date.parse(j.lastSuccessAt) / 1000,
              );
      },
    });
    new Counter({
      name: 'lifeboat_replication_job_runs_total',
      help: 'Runs of each scheduled replication job since the controller started, by result (succeeded, failed, skipped: due while the previous run still ran).',
      labelNames: ['service', 'data_set', 'kind', 'result'],
      registers,
      collect() {
        this.reset();
        for (const s of services())
          for (const j of s.jobs ?? [])
            for (const result of ['succeeded', 'failed', 'skipped'] as const)
              this.inc(
                { service: s.name, data_set: j.dataSet, kind: j.kind, result },
                j.runs[result],
              );
      },
    });
    this.#jobDuration = new Histogram({
      name: 'lifeboat_replication_job_duration_seconds',
      help: 'Runs of scheduled replication jobs that ended while the server ran: their duration, by result (succeeded, failed).',
      labelNames: ['service', 'data_set', 'kind', 'result'],
      buckets: JOB_BUCKETS_S,
      registers,
    });
    new Gauge({
      name: 'lifeboat_plan_reload_ok',
      help: '1 when the last reload of the plan succeeded (or none failed since the last good one), 0 while a failed reload left the previous plan running.',
      registers,
      collect() {
        this.set(controller.planStatus().lastError ? 0 : 1);
      },
    });
    new Counter({
      name: 'lifeboat_plan_reloads_total',
      help: 'Reloads of the plan that replaced the running one.',
      registers,
      collect() {
        this.reset();
        this.inc(controller.planStatus().reloads);
      },
    });
    new Counter({
      name: 'lifeboat_plan_reload_failures_total',
      help: 'Reloads of the plan that failed (the running plan stayed).',
      registers,
      collect() {
        this.reset();
        this.inc(controller.planStatus().failedReloads);
      },
    });
    new Gauge({
      name: 'lifeboat_plan_loaded_timestamp_seconds',
      help: 'When the running plan was loaded (Unix time).',
      registers,
      collect() {
        this.set(Date.parse(controller.planStatus().loadedAt) / 1000);
      },
    });
    new Gauge({
      name: 'lifeboat_sse_clients',
      help: 'Clients following GET /api/v1/events now.',
      registers,
      collect() {
        this.set(sse().clients);
      },
    });
    new Counter({
      name: 'lifeboat_sse_dropped_clients_total',
      help: 'SSE clients disconnected because they did not read their events fast enough.',
      registers,
      collect() {
        this.reset();
        this.inc(sse().dropped);
      },
    });
    if (notifications) notificationMetrics(prom, registers, notifications);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Follows the controller's events (probe results, runs that end) until stop(). */
  start(): void {
    this.#unsubscribe ??= this.controller.subscribe((e) => this.#onEvent(e));
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  async text(): Promise<string> {
    this.#snapshot = this.controller.services();
    try {
      return await this.registry.metrics();
    } finally {
      this.#snapshot = undefined;
    }
  }

  #onEvent(se: SequencedEvent): void {
    const e = se.event;
    if (e.type === 'probe') {
      this.#probeResults.inc({
        service: e.sample.service,
        site: e.sample.site ?? '',
        probe: e.sample.probe,
        result: e.sample.ok ? 'ok' : 'fail',
      });
    } else if (
      e.type === 'replication-job' &&
      (e.result === 'succeeded' || e.result === 'failed') &&
      e.job.lastDurationMs !== undefined
    ) {
      this.#jobDuration.observe(
        { service: e.service, data_set: e.job.dataSet, kind: e.job.kind, result: e.result },
        e.job.lastDurationMs / 1000,
      );
    } else if (e.type === 'run' && FINAL_RUN_STATES.includes(e.state)) {
      if (this.#observed.has(e.runId)) return;
      this.#observed.add(e.runId);
      if (this.#observed.size > 10_000) {
        const first = this.#observed.values().next().value;
        if (first !== undefined) this.#observed.delete(first);
      }
      void this.controller.store.runs.get(e.runId).then(
        (run) => {
          if (!run) return;
          this.#runDuration.observe(
            { runbook: e.runbook, outcome: e.state },
            Math.max(0, run.updatedAt - run.createdAt) / 1000,
          );
        },
        () => {},
      );
    }
  }
}

/** The webhook notifier's deliveries: sent, failed (per webhook), dropped, queued. */
function notificationMetrics(
  prom: PromClient,
  registers: Registry[],
  stats: () => NotifierStats,
): void {
  const { Counter, Gauge } = prom;
  for (const [name, help, pick] of [
    ['lifeboat_notifications_sent_total', 'Webhook notifications delivered, by webhook.', 'sent'],
    [
      'lifeboat_notifications_failed_total',
      'Webhook notifications given up after their retries, by webhook.',
      'failed',
    ],
  ] as const)
    new Counter({
      name,
      help,
      labelNames: ['webhook'],
      registers,
      collect() {
        this.reset();
        for (const [webhook, w] of Object.entries(stats().webhooks)) this.inc({ webhook }, w[pick]);
      },
    });
  new Counter({
    name: 'lifeboat_notifications_dropped_total',
    help: 'Notifications dropped from a full queue (the oldest first).',
    registers,
    collect() {
      this.reset();
      this.inc(stats().dropped);
    },
  });
  new Gauge({
    name: 'lifeboat_notifications_queued',
    help: 'Notifications waiting to be delivered now.',
    registers,
    collect() {
      this.set(stats().queued);
    },
  });
}
