// The running plan: loaded when the controller is made (an invalid plan: no controller), loaded
// again on reload (a plan that fails to load, or to get its drivers, never replaces the running
// one: the plan status tells why), with its hash and status. Each plan applied is a generation
// with its own drivers, held by whatever of this process uses them (a run, a job, an abort) and
// closed once replaced and no longer held.
import { LifeboatError } from '../core/errors/index.js';
import type { LoadedPlan, Plan } from '../core/plan/index.js';
import { planHash } from '../core/runbook/index.js';
import { diagnosticLine, message } from './error-text.js';
import type { ControllerEvent, PlanStatus } from './model.js';
import type { ControllerDrivers, ControllerOptions } from './options.js';

export interface Generation {
  plan: Plan;
  drivers: ControllerDrivers;
  runs: number;
  retired: boolean;
}

export interface RunningPlanOptions extends Pick<ControllerOptions, 'file' | 'load' | 'drivers'> {
  /** Now, as an ISO time. */
  iso: () => string;
  emit: (event: ControllerEvent) => void;
  log: (line: string) => void;
  /** A changed plan replaces the running one: build what depends on it (its drivers are in place). */
  apply: (plan: Plan) => void;
  /** Once the status tells of the new plan. */
  applied: () => void;
}

export class RunningPlan {
  readonly #o: RunningPlanOptions;
  #gen: Generation;
  readonly #retired: Generation[] = [];
  #hash: string;
  readonly #status: PlanStatus;

  /** Loads the plan; throws LB_E_CONTROLLER_PLAN_INVALID when it cannot be read or is invalid. */
  constructor(o: RunningPlanOptions) {
    this.#o = o;
    let loaded: LoadedPlan;
    try {
      loaded = o.load();
    } catch (e) {
      throw new LifeboatError('LB_E_CONTROLLER_PLAN_INVALID', `${o.file}: ${message(e)}`, {
        cause: e,
      });
    }
    if (!loaded.plan)
      throw new LifeboatError(
        'LB_E_CONTROLLER_PLAN_INVALID',
        `${o.file} is invalid:\n${loaded.diagnostics
          .filter((d) => d.severity === 'error')
          .map(diagnosticLine)
          .join('\n')}`,
        { details: { diagnostics: loaded.diagnostics.map(diagnosticLine) } },
      );
    this.#gen = { plan: loaded.plan, drivers: o.drivers(loaded.plan), runs: 0, retired: false };
    this.#hash = planHash(loaded.plan);
    this.#status = {
      file: o.file,
      loadedAt: o.iso(),
      hash: this.#hash,
      reloads: 0,
      failedReloads: 0,
    };
  }

  get plan(): Plan {
    return this.#gen.plan;
  }

  get drivers(): ControllerDrivers {
    return this.#gen.drivers;
  }

  get hash(): string {
    return this.#hash;
  }

  /** The generation applied now. */
  get generation(): Generation {
    return this.#gen;
  }

  status(): PlanStatus {
    return structuredClone(this.#status);
  }

  /**
   * Loads the plan again. A valid, changed plan replaces the running one; an invalid one is
   * reported (plan status, a `plan` event, `failedReloads`) and the running plan stays.
   */
  reload(): PlanStatus {
    let loaded: LoadedPlan;
    try {
      loaded = this.#o.load();
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
        drivers = this.#o.drivers(loaded.plan);
      } catch (e) {
        return this.#reloadFailed(`no drivers for the new plan: ${message(e)}`, []);
      }
      const old = this.#gen;
      old.retired = true;
      this.#retired.push(old);
      this.#gen = { plan: loaded.plan, drivers, runs: 0, retired: false };
      if (old.runs === 0) this.#close(old);
      this.#hash = hash;
      this.#o.apply(loaded.plan);
      this.#status.reloads++;
      this.#status.loadedAt = this.#o.iso();
      this.#status.hash = hash;
      this.#o.applied();
    } else if (!this.#status.lastError) return this.status();
    delete this.#status.lastError;
    this.#o.emit({ type: 'plan', status: this.status() });
    return this.status();
  }

  #reloadFailed(msg: string, diagnostics: string[]): PlanStatus {
    this.#status.failedReloads++;
    this.#status.lastError = { at: this.#o.iso(), message: msg, diagnostics };
    this.#o.log(`plan reload failed: ${msg}${diagnostics.map((d) => `\n  ${d}`).join('')}`);
    this.#o.emit({ type: 'plan', status: this.status() });
    return this.status();
  }

  /** Holds the generation applied now: its drivers stay open until `release`. */
  hold(): Generation {
    const gen = this.#gen;
    gen.runs++;
    return gen;
  }

  release(gen: Generation): void {
    gen.runs = Math.max(0, gen.runs - 1);
    if (gen.retired && gen.runs === 0) this.#close(gen);
  }

  /** Closes the drivers of a replaced plan (once nothing of this process holds them). */
  #close(gen: Generation): void {
    const i = this.#retired.indexOf(gen);
    if (i >= 0) this.#retired.splice(i, 1);
    void gen.drivers.close?.().catch(() => undefined);
  }

  /** Closes the drivers of every generation, the current one first (the controller stops). */
  async closeAll(): Promise<void> {
    for (const g of [this.#gen, ...this.#retired]) await g.drivers.close?.().catch(() => undefined);
    this.#retired.length = 0;
  }
}
