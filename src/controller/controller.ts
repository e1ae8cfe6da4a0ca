// The controller: the daemon's brain, without HTTP. It keeps the running plan (a reload that
// fails never replaces it), runs every probe on its interval (jitter, bounded concurrency, its
// timeout), turns results into health per site with the plan's thresholds, confirms an outage
// from the witness where the service has witness probes, applies the service's `onOutage`
// policy through the engine (a proposal is a failover run gated by an approval), tracks RPO and
// readiness with the engine's own rule, and tells all of it in one sequenced event stream.
// Everything from the outside is injected: the plan loader, the drivers, the store, the clock.
// See docs/controller.md.
import { randomUUID } from 'node:crypto';
import { analyzePlan } from '../core/analysis/index.js';
import { LifeboatError } from '../core/errors/index.js';
import type { Diagnostic, LoadedPlan, Plan, ReplicationJobSpec } from '../core/plan/index.js';
import { renderDiagramSvg, renderMarkdown } from '../core/render/index.js';
import {
  deriveRunbook,
  deriveServiceSteps,
  type PlannedRun,
  type PlannedStep,
  planHash,
  withApprovalGate,
} from '../core/runbook/index.js';
import {
  Engine,
  type EngineConfig,
  type EngineEvent,
  type RunOutcome,
  runData,
  runLeaseKey,
  type StepDrivers,
} from '../engine/index.js';
import type { Run, RunState, StateStore } from '../store/index.js';
import { type Clock, systemClock } from './clock.js';
import { EventLog } from './event-log.js';
import {
  confirmOutage,
  newSlot,
  recordResult,
  type SlotState,
  siteHealth,
  slotsOf,
} from './health.js';
import type {
  ControllerEvent,
  ControllerView,
  Health,
  OnOutage,
  OutageStatus,
  PlanStatus,
  ProbeSample,
  RpoStatus,
  SequencedEvent,
  ServiceStatus,
  SiteStatus,
  StartRunRequest,
} from './model.js';
import { homeSite, probeSlots, serviceSites } from './probe-slots.js';
import { type JobRunResult, ReplicationJobs } from './replication-jobs.js';
import { Ring } from './ring.js';
import { assessData } from './rpo.js';
import { TimerWheel } from './timer-wheel.js';

/** The drivers of one plan; `close` releases their connections. */
export type ControllerDrivers = StepDrivers & { close?(): Promise<void> };

export interface ControllerOptions {
  /** The plan file, as shown in the plan status. */
  file: string;
  /** Reads and validates the plan (the composition root reads the files). */
  load: () => LoadedPlan;
  /** The drivers of a plan: built again for each plan applied, closed once replaced and idle. */
  drivers: (plan: Plan) => ControllerDrivers;
  store: StateStore;
  clock?: Clock;
  /** Who the controller is in journals and audit (the requester of the runs it starts). */
  actor?: string;
  /** Engine settings (lease TTL, polling, backoffs). */
  engine?: Partial<Pick<EngineConfig, 'leaseTtlMs' | 'pollMs' | 'siteGateMs' | 'retryBackoffMs'>>;
  /** The plan role whose members may approve a proposed failover; default: any operator. */
  approvalRole?: string;
  /** The probes' timer resolution. Default 20 ms. */
  tickMs?: number;
  /** Probes running at once, at most. Default 64. */
  maxConcurrentProbes?: number;
  /** Interval jitter, a fraction of the interval either way. Default 0.1. */
  jitter?: number;
  /** Samples kept per service. Defaults 200 (probes), 500 (RPO). */
  probeHistory?: number;
  rpoHistory?: number;
  /** Events kept for `eventsSince`. Default 10,000. */
  eventBuffer?: number;
  /** How often RPO and readiness are read. Default 10 s. */
  rpoIntervalMs?: number;
  /** How often runs are looked at (approvals given elsewhere, runs of other processes). Default 2 s. */
  runPollMs?: number;
  /** Where the controller says what went wrong in the background (a resume refused...). */
  log?: (line: string) => void;
  /** IANA time zone of the replication jobs' schedules. Default: the process's local time zone. */
  timeZone?: string;
}

interface Slot extends SlotState {
  cancel?: () => void;
  busy: boolean;
  /** The probe running now: its abort, and when it started (the watchdog's). */
  ac?: AbortController;
  startedAt?: number;
  probing?: { gen: Generation; driver: ReturnType<StepDrivers['probe']> };
}

/** One probe result as kept in a service's history (made a ProbeSample when read). */
interface Sample {
  t: number;
  probe: string;
  site: string | undefined;
  from: string;
  ok: boolean;
  ms: number;
  detail: string | undefined;
}

interface ServiceState {
  name: string;
  slots: Slot[];
  history: Ring<Sample>;
  rpoHistory: Ring<{ at: string; dataSet: string; rpoMs?: number }>;
  health: Map<string, { health: Health; since?: string }>;
  activeSite?: string;
  outage?: OutageStatus;
  rpo: RpoStatus[];
  ready: boolean;
  readinessDetail?: string;
  activeRunId?: string;
  breached: Set<string>;
  failover?: { site: string | undefined; steps: PlannedStep[] | undefined; why?: string };
  acting: boolean;
  signature: string;
}

interface Generation {
  plan: Plan;
  drivers: ControllerDrivers;
  runs: number;
  retired: boolean;
}

const ACTIVE_STATES: RunState[] = ['planned', 'running', 'waiting-approval', 'aborting'];
const FINAL_STATES: RunState[] = ['succeeded', 'failed', 'aborted'];
const MOVING_KINDS = new Set(['failover', 'switchover', 'failback']);
/** The strategies a derived failover applies to (src/core/runbook/derive.ts). */
const FAILOVER_STRATEGIES = new Set(['active-passive', 'pilot-light', 'blue-green']);

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
const codeOf = (e: unknown) => (e instanceof LifeboatError ? e.code : undefined);

function diagnosticLine(d: Diagnostic): string {
  const where = d.file ? `${d.file}:${d.line ?? 0}:${d.col ?? 0} ` : '';
  return `${where}${d.code} ${d.message}`;
}

/** Where a succeeded run left the service: `to`, else the site its last steps aimed at. */
function destinationOf(run: Run, drivers: StepDrivers): string | undefined {
  const data = runData(run);
  if (!data?.planned || !MOVING_KINDS.has(data.planned.kind)) return undefined;
  if (data.planned.params.to) return data.planned.params.to;
  for (const s of [...data.planned.steps].reverse()) {
    const site = s.args.site;
    if (typeof site === 'string') return site;
    const dest = s.args.destination;
    if (typeof dest === 'string') return drivers.siteOf(dest);
  }
  return undefined;
}

export class Controller implements ControllerView {
  readonly store: StateStore;
  readonly #opts: ControllerOptions;
  readonly #clock: Clock;
  readonly #actor: string;
  readonly #events: EventLog;
  readonly #services = new Map<string, ServiceState>();
  readonly #runInfo = new Map<string, { services: string[]; runbook: string }>();
  readonly #created = new Map<string, () => void>();
  readonly #drives = new Set<Promise<unknown>>();
  /** Resolved when the last probe running returns (stop() waits for it). */
  #drained: (() => void) | undefined;
  readonly #aborts = new Set<AbortController>();
  readonly #waiting: (() => void)[] = [];
  readonly #timers = new Set<() => void>();
  #gen: Generation;
  readonly #retired: Generation[] = [];
  #hash: string;
  #status: PlanStatus;
  #plannedRto = new Map<string, number>();
  #rendered: { markdown: string; svg?: string } | undefined;
  #running = false;
  #stopped = false;
  #inFlight = 0;
  readonly #wheel: TimerWheel;
  #probesRun = 0;
  readonly #jobs: ReplicationJobs;
  /** When start() ran: a job that never succeeded since is at least this old. */
  #startedAt: number | undefined;

  constructor(opts: ControllerOptions) {
    this.#opts = opts;
    this.store = opts.store;
    this.#clock = opts.clock ?? systemClock;
    this.#wheel = new TimerWheel(this.#clock, opts.tickMs ?? 20);
    this.#actor = opts.actor ?? 'lifeboat-controller';
    this.#events = new EventLog(
      opts.eventBuffer ?? 10_000,
      () => this.#clock.now(),
      (e) => this.#log(`an event listener threw: ${message(e)}`),
    );
    let loaded: LoadedPlan;
    try {
      loaded = opts.load();
    } catch (e) {
      throw new LifeboatError('LB_E_CONTROLLER_PLAN_INVALID', `${opts.file}: ${message(e)}`, {
        cause: e,
      });
    }
    if (!loaded.plan)
      throw new LifeboatError(
        'LB_E_CONTROLLER_PLAN_INVALID',
        `${opts.file} is invalid:\n${loaded.diagnostics
          .filter((d) => d.severity === 'error')
          .map(diagnosticLine)
          .join('\n')}`,
        { details: { diagnostics: loaded.diagnostics.map(diagnosticLine) } },
      );
    this.#gen = { plan: loaded.plan, drivers: opts.drivers(loaded.plan), runs: 0, retired: false };
    this.#jobs = new ReplicationJobs({
      clock: this.#clock,
      run: (service, dataSet, job, signal) => this.#runJob(service, dataSet, job, signal),
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
    this.#hash = planHash(loaded.plan);
    this.#status = {
      file: opts.file,
      loadedAt: this.#iso(),
      hash: this.#hash,
      reloads: 0,
      failedReloads: 0,
    };
    this.#applyPlan(loaded.plan);
  }

  // ---- ControllerView -------------------------------------------------------------------

  plan(): Plan {
    return this.#gen.plan;
  }

  planStatus(): PlanStatus {
    return structuredClone(this.#status);
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
    if (!s) return [];
    return s.history.last(limit).map((x) => ({
      at: new Date(x.t).toISOString(),
      service,
      probe: x.probe,
      ...(x.site !== undefined ? { site: x.site } : {}),
      from: x.from,
      ok: x.ok,
      ms: x.ms,
      ...(x.detail !== undefined ? { detail: x.detail } : {}),
    }));
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
      const plan = this.#gen.plan;
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

  async startRun(req: StartRunRequest): Promise<{ runId: string }> {
    this.#refuseStopped();
    const d = deriveRunbook(this.#gen.plan, req.runbook, req.target, {
      ...(req.acceptDataLoss ? { acceptDataLoss: true } : {}),
      ...(req.reason ? { reason: req.reason } : {}),
    });
    if (!d.run)
      throw new LifeboatError(
        'LB_E_CONTROLLER_NO_RUN',
        `\`${req.runbook}\` for \`${req.target}\`: ${d.diagnostics
          .filter((x) => x.severity === 'error')
          .map((x) => `${x.code} ${x.message}`)
          .join('; ')}`,
        { details: { diagnostics: d.diagnostics.map(diagnosticLine) } },
      );
    return { runId: await this.#launch(d.run, req.actor, req.reason) };
  }

  async approve(runId: string, stepId: string, actor: string): Promise<void> {
    this.#refuseStopped();
    await this.#engine(actor, this.#gen.drivers).approve(runId, stepId, this.#hash);
    // The run goes on now when it waits for this step, unless another process executes it
    // (that one sees the approval). An approval given ahead waits for its step.
    const run = await this.store.runs.get(runId);
    if (run && runData(run).waiting?.stepId === stepId) await this.#resumeIfIdle(runId);
  }

  async abort(runId: string, actor: string, reason: string): Promise<void> {
    this.#refuseStopped();
    const gen = this.#gen;
    gen.runs++;
    try {
      await this.#engine(actor, gen.drivers).abort(runId, reason, this.#hash);
    } finally {
      this.#releaseGen(gen);
    }
  }

  // ---- lifecycle ------------------------------------------------------------------------

  /** Starts the probes, the RPO reads and the run watch; resumes the controller's runs left by a crash. */
  async start(): Promise<void> {
    if (this.#running || this.#stopped) return;
    this.#running = true;
    this.#startedAt = this.#clock.now();
    await this.#refreshRuns();
    this.#wheel.start();
    this.#jobs.start();
    for (const s of this.#services.values()) this.#scheduleSlots(s, true);
    this.#every(this.#opts.rpoIntervalMs ?? 10_000, () => this.refreshData(), 0);
    this.#every(this.#opts.runPollMs ?? 2_000, () => this.#pollRuns());
    await this.#resumeOwnRuns();
  }

  /** Clears every timer, aborts probes in flight, waits for runs being driven, closes drivers. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#running = false;
    this.#stopped = true;
    for (const cancel of this.#timers) cancel();
    this.#timers.clear();
    this.#wheel.stop();
    for (const s of this.#services.values()) this.#cancelSlots(s);
    for (const a of this.#aborts) a.abort(new Error('the controller stops'));
    for (const s of this.#services.values())
      for (const slot of s.slots) slot.ac?.abort(new Error('the controller stops'));
    // Queued probes get their place and return at once (stopped).
    for (const w of this.#waiting.splice(0)) {
      this.#inFlight++;
      w();
    }
    const jobs = this.#jobs.stop();
    if (this.#inFlight > 0) await new Promise<void>((resolve) => (this.#drained = resolve));
    await jobs;
    await Promise.allSettled([...this.#drives]);
    for (const g of [this.#gen, ...this.#retired]) await g.drivers.close?.().catch(() => undefined);
    this.#retired.length = 0;
  }

  /** Probes run since the controller was made (for metrics and the benchmark). */
  get probesRun(): number {
    return this.#probesRun;
  }

  /** Timers the controller holds (0 once stopped): probes, RPO reads, the run watch. */
  get timers(): number {
    let n = this.#timers.size + (this.#wheel.turning ? 1 : 0) + this.#jobs.timers;
    for (const s of this.#services.values()) for (const sl of s.slots) if (sl.cancel) n++;
    return n;
  }

  // ---- plan reload ----------------------------------------------------------------------

  /**
   * Loads the plan again. A valid, changed plan replaces the running one; an invalid one is
   * reported (plan status, a `plan` event, `failedReloads`) and the running plan stays.
   */
  reload(): PlanStatus {
    let loaded: LoadedPlan;
    try {
      loaded = this.#opts.load();
    } catch (e) {
      return this.#reloadFailed(message(e), []);
    }
    if (!loaded.plan) {
      const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
      return this.#reloadFailed(
        `the plan is invalid (${errors.length} error${errors.length === 1 ? '' : 's'}); the running plan stays`,
        errors.map(diagnosticLine),
      );
    }
    const hash = planHash(loaded.plan);
    if (hash !== this.#hash) {
      let drivers: ControllerDrivers;
      try {
        drivers = this.#opts.drivers(loaded.plan);
      } catch (e) {
        return this.#reloadFailed(`no drivers for the new plan: ${message(e)}`, []);
      }
      const old = this.#gen;
      old.retired = true;
      this.#retired.push(old);
      this.#gen = { plan: loaded.plan, drivers, runs: 0, retired: false };
      if (old.runs === 0) this.#closeGen(old);
      this.#hash = hash;
      this.#applyPlan(loaded.plan);
      this.#status.reloads++;
      this.#status.loadedAt = this.#iso();
      this.#status.hash = hash;
      void this.#refreshRuns().catch((e) => this.#log(`runs after reload: ${message(e)}`));
    } else if (!this.#status.lastError) return this.planStatus();
    delete this.#status.lastError;
    this.#emit({ type: 'plan', status: this.planStatus() });
    return this.planStatus();
  }

  #reloadFailed(msg: string, diagnostics: string[]): PlanStatus {
    this.#status.failedReloads++;
    this.#status.lastError = { at: this.#iso(), message: msg, diagnostics };
    this.#log(`plan reload failed: ${msg}${diagnostics.map((d) => `\n  ${d}`).join('')}`);
    this.#emit({ type: 'plan', status: this.planStatus() });
    return this.planStatus();
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
    const names = new Set(Object.keys(plan.services ?? {}));
    for (const [name, s] of this.#services)
      if (!names.has(name)) {
        this.#cancelSlots(s);
        this.#services.delete(name);
      }
    for (const name of names) {
      const svc = plan.services?.[name];
      if (!svc) continue;
      const old = this.#services.get(name);
      const specs = probeSlots(plan, name, svc);
      const slots: Slot[] = specs.map((spec) => {
        const prev = old?.slots.find(
          (p) => p.spec.key === spec.key && JSON.stringify(p.spec) === JSON.stringify(spec),
        );
        return prev
          ? { ...prev, spec, cancel: undefined, busy: false }
          : { ...newSlot(spec), busy: false };
      });
      if (old) this.#cancelSlots(old);
      const sites = serviceSites(plan, svc);
      const activeSite =
        old?.activeSite !== undefined && plan.sites?.[old.activeSite]
          ? old.activeSite
          : homeSite(plan, svc);
      const state: ServiceState = {
        name,
        slots,
        history: old?.history ?? new Ring(this.#opts.probeHistory ?? 200),
        rpoHistory: old?.rpoHistory ?? new Ring(this.#opts.rpoHistory ?? 500),
        health: old?.health ?? new Map(),
        ...(activeSite !== undefined ? { activeSite } : {}),
        ...(old?.outage && sites.includes(old.outage.site) ? { outage: old.outage } : {}),
        rpo: old?.rpo ?? [],
        ready: old?.ready ?? false,
        ...(old?.readinessDetail !== undefined ? { readinessDetail: old.readinessDetail } : {}),
        ...(old?.activeRunId !== undefined ? { activeRunId: old.activeRunId } : {}),
        breached: old?.breached ?? new Set(),
        acting: false,
        signature: old?.signature ?? '',
      };
      this.#services.set(name, state);
      if (this.#running) this.#scheduleSlots(state, true);
    }
  }

  // ---- probes ---------------------------------------------------------------------------

  #scheduleSlots(s: ServiceState, first: boolean): void {
    for (const slot of s.slots) {
      const interval = slot.spec.probe.interval;
      // The first run of each probe is spread over its interval, so that 1,000 services do
      // not all probe in the same millisecond.
      this.#schedule(s, slot, first ? this.#clock.random() * interval : interval);
    }
  }

  #schedule(s: ServiceState, slot: Slot, delay: number): void {
    slot.cancel?.();
    slot.cancel = this.#wheel.after(delay, () => {
      slot.cancel = undefined;
      if (!this.#running || this.#services.get(s.name) !== s || !s.slots.includes(slot)) return;
      const interval = slot.spec.probe.interval;
      const j = this.#opts.jitter ?? 0.1;
      this.#schedule(s, slot, interval * (1 + (this.#clock.random() * 2 - 1) * j));
      // A probe still running (or queued) when its next turn comes is not started twice; one
      // that overran its timeout by a second is aborted (the drivers honour their timeouts:
      // this is the net under a driver that would not).
      if (slot.busy) {
        const limit = slot.spec.probe.timeout + 1_000;
        if (slot.startedAt !== undefined && this.#clock.now() - slot.startedAt > limit)
          slot.ac?.abort(new Error(`no answer within ${slot.spec.probe.timeout} ms`));
        return;
      }
      void this.#runSlot(s, slot);
    });
  }

  #cancelSlots(s: ServiceState): void {
    for (const slot of s.slots) {
      slot.cancel?.();
      slot.cancel = undefined;
    }
  }

  /** Takes a place among the probes running, or a promise of one once a place frees. */
  #acquire(): Promise<void> | undefined {
    if (this.#inFlight < (this.#opts.maxConcurrentProbes ?? 64)) {
      this.#inFlight++;
      return undefined;
    }
    return new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else if (--this.#inFlight === 0) this.#drained?.();
  }

  /** Runs every probe of `service` (or of all services) once now, and waits for the results. */
  async probeNow(service?: string): Promise<void> {
    const list = service === undefined ? [...this.#services.values()] : [this.#need(service)];
    await Promise.all(list.flatMap((s) => s.slots.map((slot) => this.#runSlot(s, slot))));
  }

  async #runSlot(s: ServiceState, slot: Slot): Promise<void> {
    slot.busy = true;
    const wait = this.#acquire();
    if (wait !== undefined) await wait;
    try {
      if (this.#stopped) return;
      const { probe } = slot.spec;
      const gen = this.#gen;
      const ac = new AbortController();
      slot.ac = ac;
      slot.startedAt = this.#clock.now();
      let ok: boolean | undefined;
      let detail: string | undefined;
      let ms = 0;
      const started = performance.now();
      try {
        // The driver is looked up once per plan applied, not on every run.
        if (slot.probing?.gen !== gen)
          slot.probing = { gen, driver: gen.drivers.probe(s.name, probe.name, slot.spec.aimAt) };
        const r = await slot.probing.driver.probe({ signal: ac.signal });
        ok = r.ok;
        ms = r.latencyMs;
        if (!r.ok) detail = r.detail;
      } catch (e) {
        ms = Math.round(performance.now() - started);
        // The controller's own probe failing to run is a failure; an observer that cannot run
        // its probe (the witness unreachable) tells nothing about the site.
        ok = slot.spec.observer ? undefined : false;
        detail = `${slot.spec.observer ? `could not run from ${slot.spec.from}` : 'could not run'}: ${message(e)}`;
      } finally {
        delete slot.ac;
        delete slot.startedAt;
      }
      if (this.#stopped || this.#services.get(s.name) !== s || !s.slots.includes(slot)) return;
      this.#record(s, slot, ok, ms, detail);
    } finally {
      this.#release();
      slot.busy = false;
    }
  }

  #record(
    s: ServiceState,
    slot: Slot,
    ok: boolean | undefined,
    ms: number,
    detail: string | undefined,
  ): void {
    const now = this.#clock.now();
    const site = slot.spec.site ?? s.activeSite;
    s.history.pushReusing(
      () => ({ t: 0, probe: '', site: undefined, from: '', ok: false, ms: 0, detail: undefined }),
      (x) => {
        x.t = now;
        x.probe = slot.spec.probe.name;
        x.site = site;
        x.from = slot.spec.from;
        x.ok = ok === true;
        x.ms = ms;
        x.detail = detail;
      },
    );
    this.#probesRun++;
    const flipped = slot.last?.ok !== ok;
    if (slot.last) {
      slot.last.ok = ok === true;
      slot.last.at = now;
      slot.last.ms = ms;
      slot.last.detail = detail;
    } else slot.last = { ok: ok === true, at: now, ms, detail };
    const failures = slot.failures;
    const changed = recordResult(slot, ok, now);
    // Every sample is in the history; the stream carries the changes only (2,000 probes a
    // second would drown whoever follows it).
    if (flipped)
      this.#emit({
        type: 'probe',
        sample: {
          at: new Date(now).toISOString(),
          service: s.name,
          probe: slot.spec.probe.name,
          ...(site !== undefined ? { site } : {}),
          from: slot.spec.from,
          ok: ok === true,
          ms,
          ...(detail !== undefined ? { detail } : {}),
        },
      });
    // The steady state (a passing probe that passed before) changes nothing to evaluate.
    if (flipped || changed || slot.failures !== failures) this.#evaluate(s);
  }

  // ---- health, outages, policy ----------------------------------------------------------

  #sitesOf(s: ServiceState): string[] {
    const svc = this.#gen.plan.services?.[s.name];
    const sites = svc ? serviceSites(this.#gen.plan, svc) : [];
    for (const slot of s.slots)
      if (slot.spec.site !== undefined && !sites.includes(slot.spec.site))
        sites.push(slot.spec.site);
    return sites;
  }

  #evaluate(s: ServiceState): void {
    const now = this.#clock.now();
    for (const site of this.#sitesOf(s)) {
      const h = siteHealth(slotsOf(s.slots, site, s.activeSite));
      const prev = s.health.get(site);
      if (prev?.health !== h) s.health.set(site, { health: h, since: new Date(now).toISOString() });
    }
    const active = s.activeSite;
    if (s.outage && (s.outage.site !== active || s.health.get(s.outage.site)?.health === 'up')) {
      const site = s.outage.site;
      delete s.outage;
      this.#emit({ type: 'recovered', service: s.name, site });
    }
    if (!s.outage && active !== undefined && s.health.get(active)?.health === 'down') {
      const c = confirmOutage(slotsOf(s.slots, active, active));
      if (c.confirmed) {
        s.outage = {
          site: active,
          since: new Date(now).toISOString(),
          confirmedBy: c.confirmedBy,
          action: 'detected',
        };
        this.#emit({ type: 'outage', service: s.name, outage: { ...s.outage } });
        void this.#act(s, s.outage);
      }
    }
    this.#serviceChanged(s);
  }

  async #act(s: ServiceState, outage: OutageStatus): Promise<void> {
    if (s.acting) return;
    s.acting = true;
    try {
      const svc = this.#gen.plan.services?.[s.name];
      const policy: OnOutage = svc?.onOutage ?? 'propose';
      if (policy === 'notify') {
        outage.action = 'notified';
      } else if (s.activeRunId !== undefined) {
        // A run acts on the service already: that is the answer to this outage too.
        outage.action = policy === 'failover' ? 'failing-over' : 'proposed';
        outage.runId = s.activeRunId;
      } else {
        await this.refreshData(s.name);
        const reason = `outage of site ${outage.site} (${s.name}) confirmed by ${outage.confirmedBy.join(', ')} since ${outage.since}`;
        const d = deriveRunbook(this.#gen.plan, 'failover', s.name, {
          from: outage.site,
          reason,
        });
        if (!d.run) {
          outage.detail = `no failover can be derived: ${d.diagnostics
            .filter((x) => x.severity === 'error')
            .map((x) => x.message)
            .join('; ')}`;
        } else {
          const auto = policy === 'failover' && s.ready;
          if (policy === 'failover' && !auto)
            outage.detail = `not ready to fail over (${s.readinessDetail ?? 'unknown'}): proposed for approval instead`;
          const planned = auto
            ? d.run
            : withApprovalGate(d.run, {
                reason: `${reason}: approve to fail ${s.name} over`,
                ...(this.#opts.approvalRole ? { role: this.#opts.approvalRole } : {}),
              });
          try {
            outage.runId = await this.#launch(planned, this.#actor, reason);
            outage.action = auto ? 'failing-over' : 'proposed';
          } catch (e) {
            const details = e instanceof LifeboatError ? e.details : undefined;
            const busy = codeOf(e) === 'LB_E_ENGINE_SERVICE_BUSY';
            if (busy && typeof details?.runId === 'string') {
              outage.runId = details.runId;
              outage.action = auto ? 'failing-over' : 'proposed';
            } else outage.detail = `the failover was not started: ${codeOf(e) ?? ''} ${message(e)}`;
          }
        }
      }
      if (s.outage === outage)
        this.#emit({ type: 'outage', service: s.name, outage: { ...outage } });
      this.#serviceChanged(s);
    } catch (e) {
      this.#log(`policy for ${s.name}: ${message(e)}`);
    } finally {
      s.acting = false;
    }
  }

  // ---- RPO and readiness ----------------------------------------------------------------

  /** Reads RPO and readiness of `service` (or of every service) now. */
  async refreshData(service?: string): Promise<void> {
    const list = service === undefined ? [...this.#services.values()] : [this.#need(service)];
    const queue = [...list];
    const worker = async () => {
      for (let s = queue.shift(); s; s = queue.shift()) await this.#assess(s);
    };
    await Promise.all(Array.from({ length: Math.min(8, queue.length) }, worker));
  }

  async #assess(s: ServiceState): Promise<void> {
    const plan = this.#gen.plan;
    const svc = plan.services?.[s.name];
    if (!svc || this.#stopped) return;
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
    const cancel = this.#clock.after(5_000, () => ac.abort(new Error('no answer within 5 s')));
    try {
      const a = await assessData({
        plan,
        service: s.name,
        failover: s.failover.steps,
        ...(s.failover.why !== undefined ? { why: s.failover.why } : {}),
        activeSite: s.activeSite,
        drivers: this.#gen.drivers,
        ctx: () => ({ signal: ac.signal }),
        now: this.#clock.now(),
        jobs: (dataSet) => this.#jobs.record(s.name, dataSet),
        ...(this.#startedAt !== undefined ? { since: this.#startedAt } : {}),
      });
      if (this.#services.get(s.name) !== s) return;
      s.rpo = a.rpo;
      s.ready = a.ready;
      s.readinessDetail = a.detail;
      for (const r of a.rpo) {
        s.rpoHistory.push({
          at: r.observedAt ?? this.#iso(),
          dataSet: r.dataSet,
          ...(r.rpoMs !== undefined ? { rpoMs: r.rpoMs } : {}),
        });
        if (r.within === false && !s.breached.has(r.dataSet)) {
          s.breached.add(r.dataSet);
          this.#emit({ type: 'rpo-breach', service: s.name, rpo: r });
        } else if (r.within === true) s.breached.delete(r.dataSet);
      }
      this.#serviceChanged(s);
    } finally {
      cancel();
      this.#aborts.delete(ac);
    }
  }

  // ---- replication jobs -----------------------------------------------------------------

  /**
   * One run of a scheduled copy, with the drivers of the plan applied now (kept open until it
   * ends): rsync to each target in turn (every target is tried; the run fails if one failed),
   * or the data set's command on its source.
   */
  async #runJob(
    service: string,
    dataSet: string,
    job: ReplicationJobSpec,
    signal: AbortSignal,
  ): Promise<JobRunResult> {
    const gen = this.#gen;
    gen.runs++;
    try {
      const ctx = { signal };
      if (job.kind === 'command') {
        const started = this.#clock.now();
        await gen.drivers.command(job.node, { argv: job.argv }).run(ctx);
        return { syncedThroughMs: started };
      }
      let through = Number.POSITIVE_INFINITY;
      const failed: { to: string; error: unknown }[] = [];
      for (const to of job.targets) {
        if (signal.aborted) throw signal.reason;
        const started = this.#clock.now();
        try {
          const r = await gen.drivers.mirror(service, dataSet, job.source, to).sync(ctx);
          const t0 = r.data?.syncedThrough;
          const ms = typeof t0 === 'string' ? Date.parse(t0) : Number.NaN;
          through = Math.min(through, Number.isFinite(ms) ? ms : started);
        } catch (e) {
          if (signal.aborted) throw e;
          failed.push({ to, error: e });
        }
      }
      const first = failed[0];
      if (first) {
        const text = failed.map((f) => `${f.to}: ${message(f.error)}`).join('; ');
        const code = codeOf(first.error) ?? 'LB_E_CONTROLLER_JOB_FAILED';
        throw new LifeboatError(code, `rsync of ${dataSet} failed to ${text}`, {
          cause: first.error,
        });
      }
      return { syncedThroughMs: through };
    } finally {
      this.#releaseGen(gen);
    }
  }

  // ---- runs -----------------------------------------------------------------------------

  #engine(actor: string, drivers: StepDrivers): Engine {
    const roles = Object.fromEntries(
      Object.entries(this.#gen.plan.roles ?? {}).map(([n, r]) => [n, r.members ?? []]),
    );
    return new Engine({
      store: this.store,
      drivers,
      actor,
      roles,
      // The controller never holds a run while it waits: the run returns, and the controller
      // resumes it once an approval is recorded (here or by `lifeboat approve`).
      waitForApprovals: false,
      onEvent: (e) => this.#onEngineEvent(e),
      ...this.#opts.engine,
    });
  }

  /** Starts `planned` through the engine; resolves with its id once the run exists. */
  async #launch(planned: PlannedRun, actor: string, reason?: string): Promise<string> {
    this.#refuseStopped();
    const runId = randomUUID();
    this.#runInfo.set(runId, { services: planned.services, runbook: planned.runbook });
    const created = new Promise<void>((resolve) => this.#created.set(runId, resolve));
    const p = this.#drive(
      runId,
      (engine) => engine.start(planned, { runId, ...(reason ? { reason } : {}) }),
      actor,
    );
    const first = await Promise.race([created.then(() => 'created' as const), p]);
    this.#created.delete(runId);
    if (first instanceof Error) throw first;
    this.#emit({
      type: 'run',
      runId,
      service: planned.services.join(','),
      runbook: planned.runbook,
      state: 'running',
      message: `started by ${actor}`,
    });
    for (const name of planned.services) {
      const s = this.#services.get(name);
      if (s && !s.activeRunId) {
        s.activeRunId = runId;
        this.#serviceChanged(s);
      }
    }
    return runId;
  }

  /**
   * Drives a run with an engine of the current drivers; resolves with the error when the
   * engine refused or failed before anything else (so that `#launch` can report it).
   */
  #drive(
    runId: string,
    what: (engine: Engine) => Promise<RunOutcome>,
    actor = this.#actor,
  ): Promise<Error | RunOutcome> {
    const gen = this.#gen;
    gen.runs++;
    this.#mine.add(runId);
    const p: Promise<Error | RunOutcome> = what(this.#engine(actor, gen.drivers))
      .catch((e: unknown) => {
        this.#log(`run ${runId}: ${codeOf(e) ?? ''} ${message(e)}`);
        return e instanceof Error ? e : new Error(String(e));
      })
      .finally(() => {
        this.#releaseGen(gen);
        this.#drives.delete(p);
        void this.#refreshRuns().catch((e) => this.#log(`runs: ${message(e)}`));
      });
    this.#drives.add(p);
    return p;
  }

  #releaseGen(gen: Generation): void {
    gen.runs = Math.max(0, gen.runs - 1);
    if (gen.retired && gen.runs === 0) this.#closeGen(gen);
  }

  /** Closes the drivers of a replaced plan (once no run of this process uses them). */
  #closeGen(gen: Generation): void {
    const i = this.#retired.indexOf(gen);
    if (i >= 0) this.#retired.splice(i, 1);
    void gen.drivers.close?.().catch(() => undefined);
  }

  #onEngineEvent(e: EngineEvent): void {
    if (e.type === 'journal') {
      this.#created.get(e.runId)?.();
      this.#emit({ type: 'journal', runId: e.runId, entry: e.entry });
      return;
    }
    const info = this.#runInfo.get(e.runId);
    const emit = (i: { services: string[]; runbook: string }) => {
      this.#emit({
        type: 'run',
        runId: e.runId,
        service: i.services.join(','),
        runbook: i.runbook,
        state: e.state,
        message: e.message,
      });
      for (const name of i.services) {
        const s = this.#services.get(name);
        if (!s) continue;
        if (ACTIVE_STATES.includes(e.state)) s.activeRunId = e.runId;
        else if (s.activeRunId === e.runId) delete s.activeRunId;
        this.#serviceChanged(s);
      }
      if (FINAL_STATES.includes(e.state))
        void this.#refreshRuns().catch((err) => this.#log(`runs: ${message(err)}`));
    };
    if (info) emit(info);
    else
      void this.store.runs.get(e.runId).then((run) => {
        if (!run) return;
        const i = { services: runData(run).services, runbook: run.runbook };
        this.#runInfo.set(e.runId, i);
        emit(i);
      });
  }

  /** Active runs per service, and the active site from the last succeeded run that moved it. */
  async #refreshRuns(): Promise<void> {
    if (this.#stopped) return;
    const active = await this.store.runs.list({ state: ACTIVE_STATES });
    const busy = new Map<string, string>();
    for (const r of active) for (const name of runData(r).services ?? []) busy.set(name, r.id);
    await this.#tellOtherRuns(active);
    const done = await this.store.runs.list({ state: 'succeeded' });
    done.sort((a, b) => a.updatedAt - b.updatedAt);
    const moved = new Map<string, string>();
    for (const r of done) {
      const to = destinationOf(r, this.#gen.drivers);
      if (to === undefined || !this.#gen.plan.sites?.[to]) continue;
      for (const name of runData(r).services ?? []) moved.set(name, to);
    }
    for (const s of this.#services.values()) {
      const svc = this.#gen.plan.services?.[s.name];
      const site = moved.get(s.name) ?? (svc ? homeSite(this.#gen.plan, svc) : undefined);
      const runId = busy.get(s.name);
      const changed = site !== s.activeSite || runId !== s.activeRunId;
      if (site !== undefined) s.activeSite = site;
      if (runId !== undefined) s.activeRunId = runId;
      else delete s.activeRunId;
      if (changed) this.#evaluate(s);
    }
  }

  /**
   * `run` events for the runs another process executes (`lifeboat run`, `resume`): their state
   * as seen by this poll, while active and once when they end. The runs this process executes
   * are told by the engine itself.
   */
  async #tellOtherRuns(active: readonly Run[]): Promise<void> {
    const now = new Map(active.map((r) => [r.id, r]));
    const gone = [...this.#seen.keys()].filter((id) => !now.has(id));
    const ended = await Promise.all(gone.map((id) => this.store.runs.get(id)));
    for (const r of [...active, ...ended.filter((x): x is Run => x !== undefined)]) {
      const before = this.#seen.get(r.id);
      if (ACTIVE_STATES.includes(r.state)) this.#seen.set(r.id, r.state);
      else this.#seen.delete(r.id);
      if (before === r.state || this.#mine.has(r.id)) continue;
      const services = runData(r).services ?? [r.service];
      this.#runInfo.set(r.id, { services, runbook: r.runbook });
      this.#emit({
        type: 'run',
        runId: r.id,
        service: services.join(','),
        runbook: r.runbook,
        state: r.state,
        message: `${r.state} (seen by the controller)`,
      });
    }
    for (const id of gone) this.#seen.delete(id);
  }

  /** Runs waiting for an approval that was given (here or elsewhere) and that no process drives. */
  async #pollRuns(): Promise<void> {
    await this.#refreshRuns();
    for (const r of await this.store.runs.list({ state: 'waiting-approval' })) {
      const waiting = runData(r).waiting;
      if (!waiting) continue;
      const approvals = await this.store.approvals.list(r.id);
      const given = approvals.some(
        (a) =>
          !a.used &&
          a.stepId === waiting.stepId &&
          a.planHash === r.planHash &&
          a.paramsHash === r.paramsHash,
      );
      if (given) await this.#resumeIfIdle(r.id);
    }
  }

  async #resumeIfIdle(runId: string): Promise<void> {
    if (this.#stopped) return;
    const lease = await this.store.leases.get(runLeaseKey(runId));
    if (lease?.holder) return;
    const run = await this.store.runs.get(runId);
    if (!run || FINAL_STATES.includes(run.state)) return;
    if (this.#driving.has(runId)) return;
    this.#runInfo.set(runId, { services: runData(run).services, runbook: run.runbook });
    this.#driving.add(runId);
    void this.#drive(runId, (engine) => engine.resume(runId, this.#hash)).finally(() =>
      this.#driving.delete(runId),
    );
  }

  readonly #driving = new Set<string>();
  /** Runs this process has executed (the engine tells their events). */
  readonly #mine = new Set<string>();
  /** The last state seen of each active run (for `#tellOtherRuns`). */
  readonly #seen = new Map<string, RunState>();

  /** After a crash: the controller's own runs that no process drives go on (or wait again). */
  async #resumeOwnRuns(): Promise<void> {
    for (const r of await this.store.runs.list({ state: ['running', 'aborting'] })) {
      if (runData(r).requester !== this.#actor || r.planHash !== this.#hash) continue;
      await this.#resumeIfIdle(r.id);
    }
  }

  // ---- status and events ----------------------------------------------------------------

  #statusOf(s: ServiceState): ServiceStatus {
    const plan = this.#gen.plan;
    const svc = plan.services?.[s.name];
    const tier = plan.tiers?.[svc?.tier ?? ''];
    const sites: SiteStatus[] = this.#sitesOf(s).map((site) => {
      const slots = slotsOf(s.slots, site, s.activeSite);
      const h = s.health.get(site);
      return {
        site,
        health: h?.health ?? 'unknown',
        failures: Math.max(0, ...slots.filter((x) => !x.spec.observer).map((x) => x.failures)),
        ...(h?.since !== undefined ? { since: h.since } : {}),
        probes: slots.map((x) => ({
          name: x.spec.observer ? `${x.spec.probe.name} (from ${x.spec.from})` : x.spec.probe.name,
          ok: x.last?.ok,
          ...(x.last ? { at: new Date(x.last.at).toISOString() } : {}),
          ...(x.last?.detail !== undefined ? { detail: x.last.detail } : {}),
        })),
      };
    });
    const planned = this.#plannedRto.get(s.name);
    const jobs = this.#jobs.status(s.name);
    return {
      name: s.name,
      tier: svc?.tier ?? '',
      rtoTargetMs: tier?.rto ?? 0,
      rpoTargetMs: tier?.rpo ?? 0,
      ...(planned !== undefined ? { plannedRtoMs: planned } : {}),
      ...(s.activeSite !== undefined ? { activeSite: s.activeSite } : {}),
      sites,
      rpo: s.rpo.map((r) => ({ ...r })),
      readyToFailOver: s.ready,
      ...(s.readinessDetail ? { readinessDetail: s.readinessDetail } : {}),
      ...(s.outage ? { outage: { ...s.outage, confirmedBy: [...s.outage.confirmedBy] } } : {}),
      onOutage: svc?.onOutage ?? 'propose',
      ...(s.activeRunId !== undefined ? { activeRunId: s.activeRunId } : {}),
      ...(jobs.length > 0 ? { jobs } : {}),
    };
  }

  /** Emits a `service` event when what the status shows changed (cheap check first). */
  #serviceChanged(s: ServiceState): void {
    let sig = `${s.activeSite}|${s.activeRunId}|${s.ready}|${s.readinessDetail}|${s.outage?.action}|${s.outage?.runId}|${s.outage?.site}`;
    for (const [site, h] of s.health) sig += `|${site}:${h.health}`;
    for (const slot of s.slots) sig += `|${slot.failures > 0 ? slot.failures : ''}`;
    for (const r of s.rpo) sig += `|${r.within}`;
    for (const j of this.#jobs.status(s.name))
      sig += `|${j.running}:${j.lastSuccessAt}:${j.lastFailure?.at}:${j.runs.skipped}`;
    if (sig === s.signature) return;
    s.signature = sig;
    this.#emit({ type: 'service', service: this.#statusOf(s) });
  }

  #emit(event: ControllerEvent): void {
    this.#events.emit(event);
  }

  #every(ms: number, fn: () => Promise<void>, first = ms): void {
    let cancel: () => void = () => undefined;
    const tick = () => {
      this.#timers.delete(cancel);
      if (!this.#running) return;
      void fn()
        .catch((e) => this.#log(`background: ${message(e)}`))
        .finally(() => {
          if (!this.#running) return;
          cancel = this.#clock.after(ms, tick);
          this.#timers.add(cancel);
        });
    };
    cancel = this.#clock.after(first, tick);
    this.#timers.add(cancel);
  }

  #need(service: string): ServiceState {
    const s = this.#services.get(service);
    if (!s)
      throw new LifeboatError(
        'LB_E_CONTROLLER_UNKNOWN_SERVICE',
        `the running plan has no service \`${service}\``,
      );
    return s;
  }

  #refuseStopped(): void {
    if (this.#stopped)
      throw new LifeboatError('LB_E_CONTROLLER_STOPPED', 'the controller has stopped');
  }

  #iso(): string {
    return new Date(this.#clock.now()).toISOString();
  }

  #log(line: string): void {
    this.#opts.log?.(line);
  }
}
