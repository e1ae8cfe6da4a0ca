// The ansible driver: runs a service's playbook (redeploy, upgrade) with progress task by task,
// previews it in check mode, and observes it read-only (syntax check and the hosts it selects).
import { throwIfAborted } from '../context.js';
import type { Driver, EffectResult, Observation, OperationContext } from '../driver.js';
import { type AnsibleConfig, validateAnsibleConfig } from './config.js';
import { applyEvent, newRunState, parseEventLine, type RunState, verdict } from './events.js';
import { encodeExtraVars } from './extra-vars.js';
import { listHosts, openRun, runPlaybook } from './process.js';

export interface PlaybookReport {
  state: RunState;
  ms: number;
}

export class AnsibleDriver implements Driver {
  readonly kind = 'ansible';
  readonly target: string;
  readonly #c: AnsibleConfig;
  readonly #extraVars: string | undefined;

  constructor(config: AnsibleConfig) {
    validateAnsibleConfig(config);
    // Encoded now so that a bad variable is refused before any run.
    this.#extraVars = config.extraVars ? encodeExtraVars(config.extraVars) : undefined;
    this.#c = config;
    this.target = config.name;
  }

  /** Read-only: the playbook parses and the inventory and limit select these hosts. */
  async observe(ctx: OperationContext): Promise<Observation> {
    throwIfAborted(ctx, `observing ${this.target}`);
    const run = openRun(this.#c, this.#extraVars);
    try {
      const hosts = await listHosts(this.#c, run, ctx);
      return {
        healthy: hosts.length > 0,
        summary: `${this.target}: playbook parses, ${hosts.length} host${hosts.length === 1 ? '' : 's'} selected`,
        facts: {
          playbook: this.#c.playbook,
          hosts,
          ...(this.#c.limit ? { limit: this.#c.limit } : {}),
        },
      };
    } finally {
      run.dir.remove();
    }
  }

  /**
   * Runs the playbook. Playbooks are idempotent by Ansible's convention: a second run reports no
   * changed task, and so `changed: false`.
   */
  async run(ctx: OperationContext): Promise<EffectResult> {
    const r = await this.#play(ctx, false);
    return this.#result(r, 'ran');
  }

  /** `--check`: what the playbook would change, changing nothing (modules that support it). */
  async check(ctx: OperationContext): Promise<EffectResult> {
    const r = await this.#play(ctx, true);
    return { ...this.#result(r, 'checked'), changed: false };
  }

  async #play(ctx: OperationContext, checkMode: boolean): Promise<PlaybookReport> {
    throwIfAborted(ctx, `running ${this.target}`);
    const state = newRunState();
    const started = Date.now();
    const run = openRun(this.#c, this.#extraVars);
    try {
      const exit = await runPlaybook(this.#c, run, ctx, checkMode, (line) => {
        const e = parseEventLine(line);
        if (!e) return;
        const message = applyEvent(state, e);
        ctx.heartbeat?.();
        if (message) ctx.progress?.({ done: state.tasks, unit: 'tasks', message });
      });
      const err = verdict(state, exit, `playbook ${this.target}`);
      if (err) throw err;
      return { state, ms: Date.now() - started };
    } finally {
      run.dir.remove();
    }
  }

  #result(r: PlaybookReport, verb: string): EffectResult {
    const changedHosts = [...r.state.changed].sort();
    const hosts = Object.keys(r.state.recap ?? {}).sort();
    return {
      changed: changedHosts.length > 0,
      detail: `${verb} ${this.target}: ${r.state.tasks} tasks on ${hosts.length} host${hosts.length === 1 ? '' : 's'}, changes on ${changedHosts.length > 0 ? changedHosts.join(', ') : 'none'}, in ${r.ms} ms`,
      data: { recap: r.state.recap ?? {}, tasks: r.state.tasks, changedHosts, ms: r.ms },
    };
  }
}
