// The engine's front door: start a planned run, resume one after a crash, request an abort,
// record an approval. Every path goes through the same checks: one run per service (a run
// that has not ended, and the service's lease), the plan's hash, the guards of the run, and
// the point of no return.
import { randomUUID } from 'node:crypto';
import { LifeboatError } from '../core/errors/index.js';
import type { PlannedRun } from '../core/runbook/index.js';
import type { Approval, Run, RunState } from '../store/index.js';
import { executeAbort } from './abort.js';
import { AbortRequested, recordApproval, StillWaiting } from './approvals.js';
import type { RunOutcome } from './events.js';
import { executeForward } from './execute.js';
import { foldJournal, started } from './journal-state.js';
import { LeaseKeeper, runLeaseKey } from './lease-keeper.js';
import { type EngineConfig, RunContext } from './run-context.js';
import { hashOf, type RunData, runData, toJson } from './run-data.js';

const ACTIVE: RunState[] = ['planned', 'running', 'waiting-approval', 'aborting'];
const ENDED: RunState[] = ['succeeded', 'aborted'];
const DEFAULT_TTL_MS = 10_000;

export interface StartOptions {
  /** Why the run is started (required with --accept-data-loss). */
  reason?: string;
  /** Default: a random UUID. */
  runId?: string;
}

export class Engine {
  constructor(readonly config: EngineConfig) {}

  get #ttl(): number {
    return this.config.leaseTtlMs ?? DEFAULT_TTL_MS;
  }

  /** Creates the run and executes it until it ends, fails, or (when not waiting) waits. */
  async start(planned: PlannedRun, options: StartOptions = {}): Promise<RunOutcome> {
    const { store } = this.config;
    const reason = options.reason ?? planned.params.reason;
    if (planned.params.acceptDataLoss && !reason?.trim())
      throw new LifeboatError(
        'LB_E_ENGINE_REASON_REQUIRED',
        '--accept-data-loss needs --reason "why losing data is accepted"',
      );
    await this.#checkGuards(planned);
    const services = planned.services;
    const active = await store.runs.list({ state: ACTIVE });
    const clash = active.find((r) => runData(r).services?.some((s) => services.includes(s)));
    if (clash)
      throw new LifeboatError(
        'LB_E_ENGINE_SERVICE_BUSY',
        `run ${clash.id} (${clash.runbook}, ${clash.state}) has not ended and acts on ${runData(
          clash,
        )
          .services.filter((s) => services.includes(s))
          .join(', ')}`,
        { details: { runId: clash.id } },
      );
    const id = options.runId ?? randomUUID();
    const keeper = await LeaseKeeper.acquire(store, id, services, this.#ttl);
    let run: Run;
    try {
      const data: RunData = {
        planned,
        requester: this.config.actor,
        services,
        ...(reason ? { reason } : {}),
        pointOfNoReturnPassed: false,
      };
      run = await store.runs.create({
        id,
        service: services.length === 1 ? (services[0] as string) : services.join(','),
        runbook: planned.runbook,
        planHash: planned.planHash,
        paramsHash: hashOf(planned.params),
        params: JSON.parse(JSON.stringify(planned.params)),
        state: 'running',
        leaseKey: runLeaseKey(id),
        data: toJson(data),
      });
    } catch (e) {
      await keeper.release();
      throw e;
    }
    const rc = new RunContext(this.config, run, keeper);
    await rc.journal(null, 'note', {
      event: 'started',
      requester: this.config.actor,
      runbook: planned.runbook,
      services,
      reason: reason ?? null,
      acceptDataLoss: planned.params.acceptDataLoss === true,
    });
    await rc.audit('run.start', {
      runbook: planned.runbook,
      services,
      planHash: planned.planHash,
      reason: reason ?? null,
    });
    if (planned.params.acceptDataLoss)
      await rc.audit('run.override', { override: 'accept-data-loss', reason: reason ?? null });
    return this.#drive(rc);
  }

  /** Continues a run from its journal (after a crash, an approval, a failure repaired). */
  async resume(runId: string, planHash: string): Promise<RunOutcome> {
    const run = await this.#get(runId);
    if (ENDED.includes(run.state))
      throw new LifeboatError('LB_E_ENGINE_RUN_ENDED', `run ${runId} has ${run.state}`);
    if (run.planHash !== planHash)
      throw new LifeboatError(
        'LB_E_ENGINE_PLAN_CHANGED',
        `the plan loaded (${planHash}) is not the plan of run ${runId} (${run.planHash})`,
      );
    const keeper = await LeaseKeeper.acquire(
      this.config.store,
      runId,
      runData(run).services,
      this.#ttl,
    );
    const rc = new RunContext(this.config, run, keeper);
    await rc.journal(null, 'note', { event: 'resumed', by: this.config.actor, from: run.state });
    await rc.audit('run.resume', { from: run.state });
    if (run.state === 'failed')
      await rc.update(({ failure: _f, ...d }) => d, 'running', 'resumed after a failure');
    return this.#drive(rc);
  }

  /**
   * Requests an abort (refused past the point of no return). When no process is executing the
   * run (its lease is free), this call undoes the steps itself; otherwise the executing process
   * sees the request before its next step (or while it waits) and undoes them.
   */
  async abort(runId: string, reason: string, planHash?: string): Promise<RunOutcome> {
    const { store } = this.config;
    for (let attempt = 0; ; attempt++) {
      const run = await this.#get(runId);
      if (ENDED.includes(run.state))
        throw new LifeboatError('LB_E_ENGINE_RUN_ENDED', `run ${runId} has ${run.state}`);
      if (planHash !== undefined && run.planHash !== planHash)
        throw new LifeboatError(
          'LB_E_ENGINE_PLAN_CHANGED',
          `the plan loaded (${planHash}) is not the plan of run ${runId} (${run.planHash})`,
        );
      const data = runData(run);
      await this.#refusePastPointOfNoReturn(run, data);
      if (data.abortRequested) break;
      try {
        await store.runs.update(runId, {
          expectedRevision: run.revision,
          data: toJson({
            ...data,
            abortRequested: { by: this.config.actor, at: Date.now(), reason },
          }),
        });
        await store.audit.append({
          actor: this.config.actor,
          action: 'run.abort-request',
          subject: runId,
          data: { reason },
        });
        break;
      } catch (e) {
        if (!(e instanceof LifeboatError) || e.code !== 'LB_E_STORE_CONFLICT' || attempt >= 9)
          throw e;
      }
    }
    const info = await store.leases.get(runLeaseKey(runId));
    const run = await this.#get(runId);
    if (info?.holder)
      return {
        runId,
        state: run.state,
        message: `abort requested; the process executing the run (${info.holder.owner}) undoes its steps before its next step`,
      };
    const keeper = await LeaseKeeper.acquire(store, runId, runData(run).services, this.#ttl);
    return this.#drive(new RunContext(this.config, run, keeper));
  }

  approve(runId: string, stepId: string, planHash: string): Promise<Approval> {
    return recordApproval(this.config.store, {
      runId,
      stepId,
      approver: this.config.actor,
      planHash,
      roles: this.config.roles,
    });
  }

  async #refusePastPointOfNoReturn(run: Run, data: RunData): Promise<void> {
    let passed = data.pointOfNoReturnPassed;
    if (!passed) {
      const records = foldJournal(await this.config.store.journal.read(run.id));
      passed = data.planned.steps.some((s) => s.pointOfNoReturn && started(records.get(s.id)));
    }
    if (passed) {
      const pnr = data.planned.steps.find((s) => s.pointOfNoReturn);
      throw new LifeboatError(
        'LB_E_ENGINE_PAST_POINT_OF_NO_RETURN',
        `run ${run.id} has passed its point of no return (${pnr?.id ?? 'a step'}): abort is refused, nothing is undone; \`lifeboat resume ${run.id}\` takes it forward`,
      );
    }
  }

  async #checkGuards(planned: PlannedRun): Promise<void> {
    for (const g of planned.guards) {
      const runs = await this.config.store.runs.list({ service: g.service });
      for (const r of runs.filter((x) => x.runbook === g.runbook && x.state !== 'aborted')) {
        const records = foldJournal(await this.config.store.journal.read(r.id));
        if (started(records.get(`${g.service}/${g.step}`)) || started(records.get(g.step)))
          throw new LifeboatError(
            'LB_E_ENGINE_GUARD',
            `\`${planned.runbook}\` is only possible before run ${r.id} of \`${g.runbook}\` starts its point of no return \`${g.step}\`, and it has`,
            { details: { runId: r.id, step: g.step } },
          );
      }
    }
  }

  async #get(runId: string): Promise<Run> {
    const run = await this.config.store.runs.get(runId);
    if (!run)
      throw new LifeboatError(
        'LB_E_ENGINE_UNKNOWN_RUN',
        `no run ${runId} in ${this.config.store.location}`,
      );
    return run;
  }

  async #drive(rc: RunContext): Promise<RunOutcome> {
    try {
      if (rc.data.abortRequested) return await executeAbort(rc);
      try {
        return await executeForward(rc);
      } catch (e) {
        if (e instanceof AbortRequested) return await executeAbort(rc);
        throw e;
      }
    } catch (e) {
      if (e instanceof StillWaiting)
        return {
          runId: rc.run.id,
          state: 'waiting-approval',
          stepId: e.waiting.stepId,
          message: `waiting for an approval of ${e.waiting.stepId}: ${e.waiting.reason}`,
        };
      throw e;
    } finally {
      await rc.keeper.release();
    }
  }
}
