// The controller: the daemon's brain, without HTTP. It keeps the running plan (a reload that
// fails never replaces it), runs every probe on its interval (jitter, bounded concurrency, its
// timeout), turns results into health per site with the plan's thresholds, confirms an outage
// from the witness where the service has witness probes, applies the service's `onOutage`
// policy through the engine (a proposal is a failover run gated by an approval), tracks RPO and
// readiness with the engine's own rule, and tells all of it in one sequenced event stream.
// Everything from the outside is injected: the plan loader, the drivers, the store, the clock.
//
// This class wires the parts and starts and stops them; each part is in its own file: the
// running plan (running-plan.ts), the per-service state (service-state.ts), the probes
// (probe-scheduler.ts), health, outages and policy (outages.ts), RPO and readiness
// (rpo-reader.ts), runs (runs.ts), scheduled replication jobs (replication-jobs.ts,
// replication-run.ts), the periodic work (periodic.ts), the status shown (service-status.ts).
// See docs/controller.md.
import { analyzePlan } from '../core/analysis/index.js';
import type { Plan } from '../core/plan/index.js';
import { renderDiagramSvg, renderMarkdown } from '../core/render/index.js';
import type { StateStore } from '../store/index.js';
import { type Clock, systemClock } from './clock.js';
import { message } from './error-text.js';
import { EventLog } from './event-log.js';
import type {
  ControllerEvent,
  ControllerView,
  PlanStatus,
  ProbeSample,
  SequencedEvent,
  ServiceStatus,
  StartRunRequest,
} from './model.js';
import type { ControllerOptions } from './options.js';
import { Outages } from './outages.js';
import { Periodic } from './periodic.js';
import { ProbeScheduler } from './probe-scheduler.js';
import { ReplicationJobs } from './replication-jobs.js';
import { runReplicationJob } from './replication-run.js';
import { RpoReader } from './rpo-reader.js';
import { RunningPlan } from './running-plan.js';
import { Runs } from './runs.js';
import { probeSamples, type ServiceState, ServiceStates } from './service-state.js';
import { serviceStatus, statusSignature } from './service-status.js';

export type { ControllerDrivers, ControllerOptions } from './options.js';

export class Controller implements ControllerView {
  readonly store: StateStore;
  readonly #opts: ControllerOptions;
  readonly #clock: Clock;
  readonly #events: EventLog;
  readonly #services = new ServiceStates();
  readonly #periodic: Periodic;
  readonly #plan: RunningPlan;
  readonly #jobs: ReplicationJobs;
  readonly #probes: ProbeScheduler;
  readonly #outages: Outages;
  readonly #rpo: RpoReader;
  readonly #runs: Runs;
  #plannedRto = new Map<string, number>();
  #rendered: { markdown: string; svg?: string } | undefined;
  #running = false;
  #stopped = false;

  constructor(opts: ControllerOptions) {
    this.#opts = opts;
    this.store = opts.store;
    const clock = opts.clock ?? systemClock;
    this.#clock = clock;
    const actor = opts.actor ?? 'lifeboat-controller';
    this.#events = new EventLog(
      opts.eventBuffer ?? 10_000,
      () => this.#clock.now(),
      (e) => this.#log(`an event listener threw: ${message(e)}`),
    );
    const emit = (event: ControllerEvent) => this.#emit(event);
    const log = (line: string) => this.#log(line);
    const serviceChanged = (s: ServiceState) => this.#serviceChanged(s);
    const evaluate = (s: ServiceState) => this.#outages.evaluate(s);
    const stopped = () => this.#stopped;
    const services = () => this.#services.values();
    const current = (s: ServiceState) => this.#services.current(s);
    this.#periodic = new Periodic(clock, () => this.#running, log);
    this.#plan = new RunningPlan({
      file: opts.file,
      load: opts.load,
      drivers: opts.drivers,
      iso: () => this.#iso(),
      emit,
      log,
      apply: (plan) => this.#applyPlan(plan),
      applied: () => {
        void this.#runs.refresh().catch((e) => this.#log(`runs after reload: ${message(e)}`));
      },
    });
    this.#jobs = new ReplicationJobs({
      clock,
      run: (service, dataSet, job, signal) =>
        runReplicationJob(this.#plan, clock, service, dataSet, job, signal),
      ...(opts.timeZone !== undefined ? { timeZone: opts.timeZone } : {}),
      onChange: (service, job, result) => {
        if (this.#stopped) return;
        this.#emit({ type: 'replication-job', service, job, ...(result ? { result } : {}) });
        const s = this.#services.get(service);
        if (!s) return;
        this.#serviceChanged(s);
        if (result === 'succeeded' || result === 'failed')
          void this.refreshData(service).catch((e) =>
            this.#log(`RPO of ${service}: ${message(e)}`),
          );
      },
      log: (line) => this.#log(`replication job ${line}`),
    });
    this.#probes = new ProbeScheduler({
      clock,
      options: opts,
      running: () => this.#running,
      stopped,
      services,
      current,
      plan: this.#plan,
      emit,
      evaluate,
    });
    this.#outages = new Outages({
      clock,
      actor,
      options: opts,
      plan: this.#plan,
      refreshData: (service) => this.refreshData(service),
      launch: (planned, by, reason) => this.#runs.launch(planned, by, reason),
      emit,
      serviceChanged,
      log,
    });
    this.#rpo = new RpoReader({
      clock,
      plan: this.#plan,
      stopped,
      current,
      jobs: (service, dataSet) => this.#jobs.record(service, dataSet),
      emit,
      serviceChanged,
    });
    this.#runs = new Runs({
      store: opts.store,
      actor,
      options: opts,
      plan: this.#plan,
      stopped,
      service: (name) => this.#services.get(name),
      services,
      emit,
      serviceChanged,
      evaluate,
      log,
    });
    this.#applyPlan(this.#plan.plan);
  }

  // ---- ControllerView -------------------------------------------------------------------

  plan(): Plan {
    return this.#plan.plan;
  }

  planStatus(): PlanStatus {
    return this.#plan.status();
  }

  services(): ServiceStatus[] {
    return [...this.#services.values()].map((s) => this.#statusOf(s));
  }

  service(name: string): ServiceStatus | undefined {
    const s = this.#services.get(name);
    return s && this.#statusOf(s);
  }

  probeHistory(service: string, limit = 200): ProbeSample[] {
    const s = this.#services.get(service);
    return s ? probeSamples(s, limit) : [];
  }

  rpoHistory(service: string, limit = 500) {
    return this.#services.get(service)?.rpoHistory.last(limit) ?? [];
  }

  eventsSince(afterId: number): { events: SequencedEvent[]; gap: boolean } {
    return this.#events.since(afterId);
  }

  subscribe(listener: (e: SequencedEvent) => void): () => void {
    return this.#events.subscribe(listener);
  }

  rendered(): { markdown: string; svg?: string } {
    if (!this.#rendered) {
      const plan = this.#plan.plan;
      const markdown = renderMarkdown(plan, analyzePlan(plan));
      let svg: string | undefined;
      try {
        svg = renderDiagramSvg(plan);
      } catch (e) {
        this.#log(`no diagram: ${message(e)}`);
      }
      this.#rendered = { markdown, ...(svg !== undefined ? { svg } : {}) };
    }
    return this.#rendered;
  }

  startRun(req: StartRunRequest): Promise<{ runId: string }> {
    return this.#runs.startRun(req);
  }

  approve(runId: string, stepId: string, actor: string): Promise<void> {
    return this.#runs.approve(runId, stepId, actor);
  }

  abort(runId: string, actor: string, reason: string): Promise<void> {
    return this.#runs.abort(runId, actor, reason);
  }

  // ---- lifecycle ------------------------------------------------------------------------

  /** Starts the probes, the RPO reads and the run watch; resumes the controller's runs left by a crash. */
  async start(): Promise<void> {
    if (this.#running || this.#stopped) return;
    this.#running = true;
    this.#rpo.start();
    await this.#runs.refresh();
    this.#probes.start();
    this.#jobs.start();
    for (const s of this.#services.values()) this.#probes.schedule(s, true);
    this.#periodic.every(this.#opts.rpoIntervalMs ?? 10_000, () => this.refreshData(), 0);
    this.#periodic.every(this.#opts.runPollMs ?? 2_000, () => this.#runs.poll());
    await this.#runs.resumeOwn();
  }

  /** Clears every timer, aborts probes in flight, waits for runs being driven, closes drivers. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#running = false;
    this.#stopped = true;
    this.#periodic.stop();
    this.#probes.stop();
    this.#rpo.abort();
    this.#probes.abort();
    const jobs = this.#jobs.stop();
    if (this.#probes.inFlight > 0) await this.#probes.drained();
    await jobs;
    await this.#runs.settled();
    await this.#plan.closeAll();
  }

  /** Probes run since the controller was made (for metrics and the benchmark). */
  get probesRun(): number {
    return this.#probes.probesRun;
  }

  /** Timers the controller holds (0 once stopped): probes, RPO reads, the run watch. */
  get timers(): number {
    return this.#periodic.timers + this.#probes.timers + this.#jobs.timers;
  }

  // ---- plan reload ----------------------------------------------------------------------

  /**
   * Loads the plan again. A valid, changed plan replaces the running one; an invalid one is
   * reported (plan status, a `plan` event, `failedReloads`) and the running plan stays.
   */
  reload(): PlanStatus {
    return this.#plan.reload();
  }

  /** Builds (or rebuilds, keeping what still applies) the per-service state for `plan`. */
  #applyPlan(plan: Plan): void {
    this.#jobs.apply(plan);
    const analysis = analyzePlan(plan);
    this.#plannedRto = new Map(
      analysis.services
        .filter((s) => Number.isFinite(s.plannedRtoMs))
        .map((s) => [s.service, s.plannedRtoMs]),
    );
    this.#rendered = undefined;
    this.#services.apply(
      plan,
      { probeHistory: this.#opts.probeHistory ?? 200, rpoHistory: this.#opts.rpoHistory ?? 500 },
      (s) => this.#probes.cancel(s),
      (s) => {
        if (this.#running) this.#probes.schedule(s, true);
      },
    );
  }

  // ---- on demand ------------------------------------------------------------------------

  /** Runs every probe of `service` (or of all services) once now, and waits for the results. */
  async probeNow(service?: string): Promise<void> {
    await this.#probes.runNow(this.#services.pick(service));
  }

  /** Reads RPO and readiness of `service` (or of every service) now. */
  async refreshData(service?: string): Promise<void> {
    await this.#rpo.read(this.#services.pick(service));
  }

  // ---- status and events ----------------------------------------------------------------

  #statusOf(s: ServiceState): ServiceStatus {
    const plannedRtoMs = this.#plannedRto.get(s.name);
    return serviceStatus(this.#plan.plan, s, plannedRtoMs, this.#jobs.status(s.name));
  }

  /** Emits a `service` event when what the status shows changed (cheap check first). */
  #serviceChanged(s: ServiceState): void {
    const sig = statusSignature(s, this.#jobs.status(s.name));
    if (sig === s.signature) return;
    s.signature = sig;
    this.#emit({ type: 'service', service: this.#statusOf(s) });
  }

  #emit(event: ControllerEvent): void {
    this.#events.emit(event);
  }

  #iso(): string {
    return new Date(this.#clock.now()).toISOString();
  }

  #log(line: string): void {
    this.#opts.log?.(line);
  }
}
