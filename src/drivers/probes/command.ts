// Command probe: an argv run on a node (locally or over SSH, through any NodeRunner); exit 0 is
// healthy. The argv is data (no shell); a non-zero exit, a timeout or an unreachable node is a
// failed check, reported, not thrown.
import { isLifeboatError, LifeboatError } from '../../core/errors/index.js';
import type { OperationContext, ProbeResult, Probing } from '../driver.js';
import type { NodeRunner } from '../node-runner.js';
import { safeName } from '../safe-values.js';
import { aborted, type CheckOutcome, limitSignal, observation, positiveMs } from './common.js';

export interface CommandProbeConfig {
  name: string;
  /** Program and arguments (the plan's `argv`). */
  argv: string[];
  /** Where it runs: a local runner, or an SSH runner for the plan's `node`. */
  runner: NodeRunner;
  /** Default 2000 ms. */
  timeoutMs?: number;
  /** Run as this Unix user on the node. */
  user?: string;
}

export class CommandProbe implements Probing {
  readonly kind = 'probe';
  readonly target: string;
  readonly #c: CommandProbeConfig;
  readonly #timeoutMs: number;

  constructor(c: CommandProbeConfig) {
    this.target = safeName(c.name, 'probe name');
    const [program] = c.argv;
    if (
      c.argv.length === 0 ||
      !program ||
      program.startsWith('-') ||
      c.argv.some((a) => typeof a !== 'string' || a.includes('\0'))
    ) {
      throw new LifeboatError(
        'LB_E_DRIVER_BAD_INPUT',
        `probe ${c.name}: argv needs a program (not starting with \`-\`) and arguments without NUL`,
      );
    }
    if (c.user !== undefined) safeName(c.user, `probe ${c.name}: user`);
    this.#timeoutMs = positiveMs(c.timeoutMs, 2000, `probe ${c.name}: timeout`);
    this.#c = c;
  }

  async check(ctx: OperationContext): Promise<CheckOutcome> {
    if (ctx.signal.aborted) throw aborted(`probe ${this.target}`);
    const signal = limitSignal(ctx, this.#timeoutMs);
    const started = performance.now();
    const ms = () => Math.round((performance.now() - started) * 10) / 10;
    const where = this.#c.runner.where ?? 'the node';
    try {
      const r = await this.#c.runner.run([...this.#c.argv], {
        signal,
        ...(this.#c.user ? { user: this.#c.user } : {}),
      });
      const latencyMs = ms();
      const facts = { where, program: this.#c.argv[0], exit: r.code };
      if (r.code === 0)
        return {
          ok: true,
          reached: true,
          latencyMs,
          detail: `\`${this.#c.argv[0]}\` exited 0 in ${latencyMs} ms`,
          facts,
        };
      const why = r.stderr.trim().split('\n').at(-1)?.slice(0, 200) ?? '';
      return {
        ok: false,
        reached: true,
        latencyMs,
        detail: `\`${this.#c.argv[0]}\` exited ${r.code}${why ? `: ${why}` : ''}`,
        facts,
      };
    } catch (e) {
      if (ctx.signal.aborted) throw aborted(`probe ${this.target}`);
      if (signal.aborted)
        return {
          ok: false,
          reached: true,
          latencyMs: ms(),
          detail: `timed out after ${this.#timeoutMs} ms on ${where}`,
        };
      if (isLifeboatError(e) && e.code === 'LB_E_DRIVER_BAD_INPUT') throw e; // configuration, not health
      const reached = !(isLifeboatError(e) && e.code === 'LB_E_DRIVER_UNREACHABLE');
      return {
        ok: false,
        reached,
        latencyMs: ms(),
        detail: isLifeboatError(e) ? e.message : `failed on ${where}`,
      };
    }
  }

  async probe(ctx: OperationContext): Promise<ProbeResult> {
    const { ok, latencyMs, detail } = await this.check(ctx);
    return { ok, latencyMs, detail };
  }

  async observe(ctx: OperationContext) {
    return observation(`command probe ${this.target}`, await this.check(ctx));
  }
}
