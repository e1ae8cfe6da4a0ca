// Reads RPO and readiness of services now (rpo.ts's assessment), through the drivers of the
// plan applied: 8 services at a time, each read bounded by 5 s. Keeps each service's RPO
// history, and sends `rpo-breach` once when a data set crosses its tier's RPO (again only after
// it was within). The failover whose checks decide readiness is derived again only when the
// active site changed.
import { deriveServiceSteps, type PlannedStep } from '../core/runbook/index.js';
import type { Clock } from './clock.js';
import type { ControllerEvent } from './model.js';
import type { JobRecord } from './replication-jobs.js';
import { assessData } from './rpo.js';
import type { RunningPlan } from './running-plan.js';
import type { ServiceState } from './service-state.js';

/** The strategies a derived failover applies to (src/core/runbook/derive.ts). */
const FAILOVER_STRATEGIES = new Set(['active-passive', 'pilot-light', 'blue-green']);

export interface RpoReaderContext {
  clock: Clock;
  /** The plan applied now and its drivers. */
  plan: Pick<RunningPlan, 'plan' | 'drivers'>;
  stopped(): boolean;
  /** Whether `s` is still the state of its service (no plan applied since replaced it). */
  current(s: ServiceState): boolean;
  /** The last runs of a data set's scheduled replication job. */
  jobs(service: string, dataSet: string): JobRecord | undefined;
  emit(event: ControllerEvent): void;
  serviceChanged(s: ServiceState): void;
}

export class RpoReader {
  readonly #c: RpoReaderContext;
  readonly #aborts = new Set<AbortController>();
  /** When the controller started: a job that never succeeded since is at least this old. */
  #startedAt: number | undefined;

  constructor(c: RpoReaderContext) {
    this.#c = c;
  }

  /** The controller starts now. */
  start(): void {
    this.#startedAt = this.#c.clock.now();
  }

  /** Aborts the reads in progress (the controller stops). */
  abort(): void {
    for (const a of this.#aborts) a.abort(new Error('the controller stops'));
  }

  /** Reads RPO and readiness of `services`; resolves once all are read. */
  read(services: ServiceState[]): Promise<unknown> {
    const queue = [...services];
    const worker = async () => {
      for (let s = queue.shift(); s; s = queue.shift()) await this.#assess(s);
    };
    return Promise.all(Array.from({ length: Math.min(8, queue.length) }, worker));
  }

  async #assess(s: ServiceState): Promise<void> {
    const plan = this.#c.plan.plan;
    const svc = plan.services?.[s.name];
    if (!svc || this.#c.stopped()) return;
    if (s.failover?.site !== s.activeSite || !s.failover) {
      // One service's chain, not deriveRunbook: that hashes the whole plan for every service.
      let steps: PlannedStep[] | undefined;
      let why: string | undefined;
      if (!FAILOVER_STRATEGIES.has(svc.strategy)) why = `${svc.strategy}: no failover applies`;
      else {
        const d = deriveServiceSteps(plan, 'failover', s.name, {
          ...(s.activeSite !== undefined ? { from: s.activeSite } : {}),
        });
        const errors = d.diagnostics.filter((x) => x.severity === 'error');
        if (errors.length > 0) why = errors.map((x) => x.message).join('; ');
        else steps = d.steps;
      }
      s.failover = { site: s.activeSite, steps, ...(why ? { why } : {}) };
    }
    const ac = new AbortController();
    this.#aborts.add(ac);
    const cancel = this.#c.clock.after(5_000, () => ac.abort(new Error('no answer within 5 s')));
    try {
      const a = await assessData({
        plan,
        service: s.name,
        failover: s.failover.steps,
        ...(s.failover.why !== undefined ? { why: s.failover.why } : {}),
        activeSite: s.activeSite,
        drivers: this.#c.plan.drivers,
        ctx: () => ({ signal: ac.signal }),
        now: this.#c.clock.now(),
        jobs: (dataSet) => this.#c.jobs(s.name, dataSet),
        ...(this.#startedAt !== undefined ? { since: this.#startedAt } : {}),
      });
      if (!this.#c.current(s)) return;
      s.rpo = a.rpo;
      s.ready = a.ready;
      s.readinessDetail = a.detail;
      for (const r of a.rpo) {
        s.rpoHistory.push({
          at: r.observedAt ?? new Date(this.#c.clock.now()).toISOString(),
          dataSet: r.dataSet,
          ...(r.rpoMs !== undefined ? { rpoMs: r.rpoMs } : {}),
        });
        if (r.within === false && !s.breached.has(r.dataSet)) {
          s.breached.add(r.dataSet);
          this.#c.emit({ type: 'rpo-breach', service: s.name, rpo: r });
        } else if (r.within === true) s.breached.delete(r.dataSet);
      }
      this.#c.serviceChanged(s);
    } finally {
      cancel();
      this.#aborts.delete(ac);
    }
  }
}
