// One process's hold on one run while it executes it: the leases, the run record (re-read and
// compare-and-swapped), the journal writer (every entry fenced by the lease's token) and the
// audit log. Shared by the forward path (execute.ts) and the abort path (abort.ts).
import { LifeboatError } from '../core/errors/index.js';
import type { JsonValue, Run, RunState, StateStore } from '../store/index.js';
import type { EngineListener } from './events.js';
import type { LeaseKeeper } from './lease-keeper.js';
import type { StepDrivers } from './ports.js';
import { type RunData, runData, toJson } from './run-data.js';

export interface EngineConfig {
  store: StateStore;
  drivers: StepDrivers;
  /** Who is acting: an operator's name (the CLI: $LIFEBOAT_USER or the login name). */
  actor: string;
  /** Members of each plan role, for role-bound approvals. */
  roles: Record<string, readonly string[]>;
  onEvent?: EngineListener;
  /** Lease TTL; renewed every third of it. Default 10 s. */
  leaseTtlMs?: number;
  /** How often a waiting run looks for its approval or an abort. Default 500 ms. */
  pollMs?: number;
  /** Wait for approvals (a terminal, the controller), or return as soon as the run waits (scripts). Default true. */
  waitForApprovals?: boolean;
  /** How long a switch waits for the destination site's probes to pass (a promoted database may need a moment). Default 10 s. */
  siteGateMs?: number;
  /** Backoff before retry n is n × this. Default 1 s. */
  retryBackoffMs?: number;
}

export class RunContext {
  constructor(
    readonly config: EngineConfig,
    public run: Run,
    readonly keeper: LeaseKeeper,
  ) {}

  get store(): StateStore {
    return this.config.store;
  }

  get data(): RunData {
    return runData(this.run);
  }

  get token(): number {
    return this.keeper.token;
  }

  /** Appends to the journal, fenced by the lease's token, and tells the listener. */
  async journal(
    stepId: string | null,
    phase: 'intent' | 'effect' | 'result' | 'note',
    data: Record<string, JsonValue>,
  ): Promise<void> {
    const entry = await this.store.journal.append(this.run.id, { stepId, phase, data }, this.token);
    this.config.onEvent?.({ type: 'journal', runId: this.run.id, entry });
  }

  async audit(action: string, data: Record<string, JsonValue>): Promise<void> {
    await this.store.audit.append({ actor: this.config.actor, action, subject: this.run.id, data });
  }

  /** Re-reads the run (another process may have requested an abort or approved a step). */
  async refresh(): Promise<Run> {
    const run = await this.store.runs.get(this.run.id);
    if (!run) throw new LifeboatError('LB_E_ENGINE_UNKNOWN_RUN', `run ${this.run.id} disappeared`);
    this.run = run;
    return run;
  }

  /** Changes the run's state and/or data, fenced, retrying when another writer got there first. */
  async update(change: (data: RunData) => RunData, state?: RunState, message = ''): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        this.run = await this.store.runs.update(this.run.id, {
          expectedRevision: this.run.revision,
          token: this.token,
          data: toJson(change(structuredClone(this.data))),
          ...(state ? { state } : {}),
        });
        if (state) this.config.onEvent?.({ type: 'state', runId: this.run.id, state, message });
        return;
      } catch (e) {
        if (!(e instanceof LifeboatError) || e.code !== 'LB_E_STORE_CONFLICT' || attempt === 4)
          throw e;
        await this.refresh();
      }
    }
  }
}
