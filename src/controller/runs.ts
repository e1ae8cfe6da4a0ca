// The runs: those the controller starts (an API request, an outage's policy) and drives through
// the engine, and those it watches. A run waiting for an approval returns (the controller never
// holds it); once the approval is recorded, here or by `lifeboat approve`, the run is resumed
// unless another process drives it, and after a crash the controller's own runs go on. Runs of
// other processes are told as this poll sees them. The runs also tell each service its active
// run and its active site (where the last succeeded run that moved it left it).
import { randomUUID } from 'node:crypto';
import { LifeboatError } from '../core/errors/index.js';
import { deriveRunbook, type PlannedRun } from '../core/runbook/index.js';
import {
  Engine,
  type EngineEvent,
  type RunOutcome,
  runData,
  runLeaseKey,
  type StepDrivers,
} from '../engine/index.js';
import type { Run, RunState, StateStore } from '../store/index.js';
import { codeOf, diagnosticLine, message } from './error-text.js';
import type { ControllerEvent, StartRunRequest } from './model.js';
import type { ControllerOptions } from './options.js';
import { homeSite } from './probe-slots.js';
import type { RunningPlan } from './running-plan.js';
import type { ServiceState } from './service-state.js';

const ACTIVE_STATES: RunState[] = ['planned', 'running', 'waiting-approval', 'aborting'];
const FINAL_STATES: RunState[] = ['succeeded', 'failed', 'aborted'];
const MOVING_KINDS = new Set(['failover', 'switchover', 'failback']);

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

export interface RunsContext {
  store: StateStore;
  /** Who the controller is: the requester of the runs it starts itself. */
  actor: string;
  /** `engine`: the engine's settings. */
  options: Pick<ControllerOptions, 'engine'>;
  /** The plan applied now, its drivers and hash; a run holds its generation while driven. */
  plan: Pick<RunningPlan, 'plan' | 'drivers' | 'hash' | 'hold' | 'release'>;
  stopped(): boolean;
  service(name: string): ServiceState | undefined;
  services(): Iterable<ServiceState>;
  emit(event: ControllerEvent): void;
  serviceChanged(s: ServiceState): void;
  /** The active site or run of `s` changed: health and outages are looked at again. */
  evaluate(s: ServiceState): void;
  log(line: string): void;
}

export class Runs {
  readonly #c: RunsContext;
  readonly #runInfo = new Map<string, { services: string[]; runbook: string }>();
  readonly #created = new Map<string, () => void>();
  readonly #drives = new Set<Promise<unknown>>();
  readonly #driving = new Set<string>();
  /** Runs this process has executed (the engine tells their events). */
  readonly #mine = new Set<string>();
  /** The last state seen of each active run (for `#tellOtherRuns`). */
  readonly #seen = new Map<string, RunState>();

  constructor(c: RunsContext) {
    this.#c = c;
  }

  /** Settles once every run being driven returns (the controller stops). */
  settled(): Promise<unknown> {
    return Promise.allSettled([...this.#drives]);
  }

  async startRun(req: StartRunRequest): Promise<{ runId: string }> {
    this.#refuseStopped();
    const d = deriveRunbook(this.#c.plan.plan, req.runbook, req.target, {
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
    return { runId: await this.launch(d.run, req.actor, req.reason) };
  }

  async approve(runId: string, stepId: string, actor: string): Promise<void> {
    this.#refuseStopped();
    await this.#engine(actor, this.#c.plan.drivers).approve(runId, stepId, this.#c.plan.hash);
    // The run goes on now when it waits for this step, unless another process executes it
    // (that one sees the approval). An approval given ahead waits for its step.
    const run = await this.#c.store.runs.get(runId);
    if (run && runData(run).waiting?.stepId === stepId) await this.#resumeIfIdle(runId);
  }

  async abort(runId: string, actor: string, reason: string): Promise<void> {
    this.#refuseStopped();
    const gen = this.#c.plan.hold();
    try {
      await this.#engine(actor, gen.drivers).abort(runId, reason, this.#c.plan.hash);
    } finally {
      this.#c.plan.release(gen);
    }
  }

  #engine(actor: string, drivers: StepDrivers): Engine {
    const roles = Object.fromEntries(
      Object.entries(this.#c.plan.plan.roles ?? {}).map(([n, r]) => [n, r.members ?? []]),
    );
    return new Engine({
      store: this.#c.store,
      drivers,
      actor,
      roles,
      // The controller never holds a run while it waits: the run returns, and the controller
      // resumes it once an approval is recorded (here or by `lifeboat approve`).
      waitForApprovals: false,
      onEvent: (e) => this.#onEngineEvent(e),
      ...this.#c.options.engine,
    });
  }

  /** Starts `planned` through the engine; resolves with its id once the run exists. */
  async launch(planned: PlannedRun, actor: string, reason?: string): Promise<string> {
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
    this.#c.emit({
      type: 'run',
      runId,
      service: planned.services.join(','),
      runbook: planned.runbook,
      state: 'running',
      message: `started by ${actor}`,
    });
    for (const name of planned.services) {
      const s = this.#c.service(name);
      if (s && !s.activeRunId) {
        s.activeRunId = runId;
        this.#c.serviceChanged(s);
      }
    }
    return runId;
  }

  /**
   * Drives a run with an engine of the current drivers; resolves with the error when the
   * engine refused or failed before anything else (so that `launch` can report it).
   */
  #drive(
    runId: string,
    what: (engine: Engine) => Promise<RunOutcome>,
    actor = this.#c.actor,
  ): Promise<Error | RunOutcome> {
    const gen = this.#c.plan.hold();
    this.#mine.add(runId);
    const p: Promise<Error | RunOutcome> = what(this.#engine(actor, gen.drivers))
      .catch((e: unknown) => {
        this.#c.log(`run ${runId}: ${codeOf(e) ?? ''} ${message(e)}`);
        return e instanceof Error ? e : new Error(String(e));
      })
      .finally(() => {
        this.#c.plan.release(gen);
        this.#drives.delete(p);
        void this.refresh().catch((e) => this.#c.log(`runs: ${message(e)}`));
      });
    this.#drives.add(p);
    return p;
  }

  #onEngineEvent(e: EngineEvent): void {
    if (e.type === 'journal') {
      this.#created.get(e.runId)?.();
      this.#c.emit({ type: 'journal', runId: e.runId, entry: e.entry });
      return;
    }
    const info = this.#runInfo.get(e.runId);
    const emit = (i: { services: string[]; runbook: string }) => {
      this.#c.emit({
        type: 'run',
        runId: e.runId,
        service: i.services.join(','),
        runbook: i.runbook,
        state: e.state,
        message: e.message,
      });
      for (const name of i.services) {
        const s = this.#c.service(name);
        if (!s) continue;
        if (ACTIVE_STATES.includes(e.state)) s.activeRunId = e.runId;
        else if (s.activeRunId === e.runId) delete s.activeRunId;
        this.#c.serviceChanged(s);
      }
      if (FINAL_STATES.includes(e.state))
        void this.refresh().catch((err) => this.#c.log(`runs: ${message(err)}`));
    };
    if (info) emit(info);
    else
      void this.#c.store.runs.get(e.runId).then((run) => {
        if (!run) return;
        const i = { services: runData(run).services, runbook: run.runbook };
        this.#runInfo.set(e.runId, i);
        emit(i);
      });
  }

  /** Active runs per service, and the active site from the last succeeded run that moved it. */
  async refresh(): Promise<void> {
    if (this.#c.stopped()) return;
    const active = await this.#c.store.runs.list({ state: ACTIVE_STATES });
    const busy = new Map<string, string>();
    for (const r of active) for (const name of runData(r).services ?? []) busy.set(name, r.id);
    await this.#tellOtherRuns(active);
    const done = await this.#c.store.runs.list({ state: 'succeeded' });
    done.sort((a, b) => a.updatedAt - b.updatedAt);
    const moved = new Map<string, string>();
    for (const r of done) {
      const to = destinationOf(r, this.#c.plan.drivers);
      if (to === undefined || !this.#c.plan.plan.sites?.[to]) continue;
      for (const name of runData(r).services ?? []) moved.set(name, to);
    }
    for (const s of this.#c.services()) {
      const svc = this.#c.plan.plan.services?.[s.name];
      const site = moved.get(s.name) ?? (svc ? homeSite(this.#c.plan.plan, svc) : undefined);
      const runId = busy.get(s.name);
      const changed = site !== s.activeSite || runId !== s.activeRunId;
      if (site !== undefined) s.activeSite = site;
      if (runId !== undefined) s.activeRunId = runId;
      else delete s.activeRunId;
      if (changed) this.#c.evaluate(s);
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
    const ended = await Promise.all(gone.map((id) => this.#c.store.runs.get(id)));
    for (const r of [...active, ...ended.filter((x): x is Run => x !== undefined)]) {
      const before = this.#seen.get(r.id);
      if (ACTIVE_STATES.includes(r.state)) this.#seen.set(r.id, r.state);
      else this.#seen.delete(r.id);
      if (before === r.state || this.#mine.has(r.id)) continue;
      const services = runData(r).services ?? [r.service];
      this.#runInfo.set(r.id, { services, runbook: r.runbook });
      this.#c.emit({
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
  async poll(): Promise<void> {
    await this.refresh();
    for (const r of await this.#c.store.runs.list({ state: 'waiting-approval' })) {
      const waiting = runData(r).waiting;
      if (!waiting) continue;
      const approvals = await this.#c.store.approvals.list(r.id);
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
    if (this.#c.stopped()) return;
    const lease = await this.#c.store.leases.get(runLeaseKey(runId));
    if (lease?.holder) return;
    const run = await this.#c.store.runs.get(runId);
    if (!run || FINAL_STATES.includes(run.state)) return;
    if (this.#driving.has(runId)) return;
    this.#runInfo.set(runId, { services: runData(run).services, runbook: run.runbook });
    this.#driving.add(runId);
    void this.#drive(runId, (engine) => engine.resume(runId, this.#c.plan.hash)).finally(() =>
      this.#driving.delete(runId),
    );
  }

  /** After a crash: the controller's own runs that no process drives go on (or wait again). */
  async resumeOwn(): Promise<void> {
    for (const r of await this.#c.store.runs.list({ state: ['running', 'aborting'] })) {
      if (runData(r).requester !== this.#c.actor || r.planHash !== this.#c.plan.hash) continue;
      await this.#resumeIfIdle(r.id);
    }
  }

  #refuseStopped(): void {
    if (this.#c.stopped())
      throw new LifeboatError('LB_E_CONTROLLER_STOPPED', 'the controller has stopped');
  }
}
