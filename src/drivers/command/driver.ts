// The `command` driver: runs an argv on a node (locally or over SSH) as a runbook step
// (`command.run`), and observes the node by running `true` there: can we reach it and run anything.
import { throwIfAborted } from '../context.js';
import type { Driver, EffectResult, Observation, OperationContext } from '../driver.js';
import type { Secret } from '../secrets.js';
import { tailOf } from '../subprocess.js';
import { commandFailed, describeExit } from './checked.js';
import type { CommandRunner } from './types.js';

export interface CommandDriverConfig {
  /** The plan object it acts on (a node, or the step's target), for messages and the journal. */
  target: string;
  /** Where commands run: a LocalCommandRunner or an SshRunner. */
  runner: CommandRunner;
  /** Values masked in any output quoted in errors (passwords the commands receive on stdin). */
  secrets?: readonly Secret[];
  /** Time limit of observe's `true` (default 15 s). */
  observeTimeoutMs?: number;
}

export interface CommandStep {
  argv: string[];
  /** Unix user to run as on the node (runuser as root, else sudo -n). */
  user?: string;
  env?: Record<string, string>;
  /** Written to stdin (secrets go here, never in argv). */
  input?: string;
  timeoutMs?: number;
  /** Exit statuses that count as success (default [0]). */
  okCodes?: readonly number[];
}

const HEARTBEAT_MS = 2000;

export class CommandDriver implements Driver {
  readonly kind = 'command';
  readonly target: string;
  readonly #config: CommandDriverConfig;

  constructor(config: CommandDriverConfig) {
    this.#config = config;
    this.target = config.target;
  }

  get where(): string {
    return this.#config.runner.where;
  }

  async observe(ctx: OperationContext): Promise<Observation> {
    throwIfAborted(ctx, `observing ${this.target}`);
    const r = await this.#config.runner.run(['true'], {
      signal: ctx.signal,
      timeoutMs: this.#config.observeTimeoutMs ?? 15_000,
    });
    const healthy = r.code === 0;
    return {
      healthy,
      summary: healthy
        ? `${this.target}: runs commands (${this.where})`
        : `${this.target}: \`true\` ${describeExit(r)} on ${this.where}`,
      facts: { where: this.where, runs: healthy, checkMs: r.ms },
    };
  }

  /**
   * Runs one command. A command is not idempotent by itself: the step's author makes it so (the
   * plan's commands re-check, e.g. `systemctl start` of a started unit does nothing); Lifeboat
   * reports `changed: true` for every run that succeeded.
   */
  async run(ctx: OperationContext, step: CommandStep): Promise<EffectResult> {
    throwIfAborted(ctx, `running ${step.argv[0] ?? 'a command'} on ${this.target}`);
    const beat = ctx.heartbeat ? setInterval(() => ctx.heartbeat?.(), HEARTBEAT_MS) : undefined;
    try {
      const r = await this.#config.runner.run(step.argv, {
        signal: ctx.signal,
        ...(step.user !== undefined ? { user: step.user } : {}),
        ...(step.env ? { env: step.env } : {}),
        ...(step.input !== undefined ? { input: step.input } : {}),
        ...(step.timeoutMs !== undefined ? { timeoutMs: step.timeoutMs } : {}),
      });
      const secrets = this.#config.secrets ?? [];
      if (!(step.okCodes ?? [0]).includes(r.code)) {
        throw commandFailed(step.argv, this.where, r, secrets);
      }
      return {
        changed: true,
        detail: `\`${step.argv[0]}\` on ${this.target} exited ${r.code} in ${r.ms} ms`,
        data: {
          code: r.code,
          ms: r.ms,
          where: this.where,
          stdoutTail: tailOf(r.stdout, secrets, 10),
        },
      };
    } finally {
      if (beat) clearInterval(beat);
    }
  }

  async close(): Promise<void> {
    await this.#config.runner.close?.();
  }
}
