// TCP probe: can we open a connection, and how long does the handshake take.
import { connect } from 'node:net';
import type { OperationContext, ProbeResult, Probing } from '../driver.js';
import { safeHost, safeName, safePort } from '../safe-values.js';
import { aborted, type CheckOutcome, describeNetError, observation, positiveMs } from './common.js';

export interface TcpProbeConfig {
  /** The probe's name in the plan (`health[].name`). */
  name: string;
  host: string;
  port: number;
  /** Default 2000 ms (the plan's `timeout`). */
  timeoutMs?: number;
}

export class TcpProbe implements Probing {
  readonly kind = 'probe';
  readonly target: string;
  readonly #host: string;
  readonly #port: number;
  readonly #timeoutMs: number;

  constructor(c: TcpProbeConfig) {
    this.target = safeName(c.name, 'probe name');
    this.#host = safeHost(c.host, `probe ${c.name}: host`);
    this.#port = safePort(c.port, `probe ${c.name}: port`);
    this.#timeoutMs = positiveMs(c.timeoutMs, 2000, `probe ${c.name}: timeout`);
  }

  async check(ctx: OperationContext): Promise<CheckOutcome> {
    if (ctx.signal.aborted) throw aborted(`probe ${this.target}`);
    const started = performance.now();
    const ms = () => Math.round((performance.now() - started) * 10) / 10;
    // One timer, cleared when the probe ends, and one listener on the caller's signal: a
    // controller runs thousands of these a second, and AbortSignal.any + AbortSignal.timeout
    // per probe (timers that live on for the whole timeout) doubled its CPU.
    return new Promise((resolve, reject) => {
      const sock = connect({ host: this.#host, port: this.#port });
      let settled = false;
      const done = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        ctx.signal.removeEventListener('abort', onAbort);
        sock.destroy();
        fn();
      };
      const onAbort = () => done(() => reject(aborted(`probe ${this.target}`)));
      const timer = setTimeout(
        () =>
          done(() =>
            resolve({
              ok: false,
              reached: false,
              latencyMs: ms(),
              detail: describeNetError(undefined, this.#timeoutMs, true),
            }),
          ),
        this.#timeoutMs,
      );
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      sock.once('connect', () => {
        const latencyMs = ms();
        done(() =>
          resolve({ ok: true, reached: true, latencyMs, detail: `connected in ${latencyMs} ms` }),
        );
      });
      sock.once('error', (e) =>
        done(() =>
          resolve({
            ok: false,
            reached: false,
            latencyMs: ms(),
            detail: describeNetError(e, this.#timeoutMs, false),
          }),
        ),
      );
    });
  }

  async probe(ctx: OperationContext): Promise<ProbeResult> {
    const { ok, latencyMs, detail } = await this.check(ctx);
    return { ok, latencyMs, detail };
  }

  async observe(ctx: OperationContext) {
    const o = await this.check(ctx);
    return observation(`tcp ${this.#host}:${this.#port}`, {
      ...o,
      facts: { host: this.#host, port: this.#port },
    });
  }
}
