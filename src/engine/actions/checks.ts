// Actions that change nothing: `probe.verify` (the service's health probes until they pass),
// `http.get`, and the human ones, `manual` and `engine.confirm`, whose approval is the step.
import { LifeboatError } from '../../core/errors/index.js';
import type { ProbeResult } from '../../drivers/driver.js';
import { optStr, strList } from './args.js';
import type { ActionHandler } from './types.js';

const VERIFY_POLL_MS = 250;

export const verify: ActionHandler = {
  idempotent: true,
  async apply(ctx) {
    const site = optStr(ctx.step, 'site');
    const probes = strList(ctx.step, 'probes').map((n) =>
      ctx.drivers.probe(ctx.step.service, n, site),
    );
    const started = Date.now();
    let last: ProbeResult[] = [];
    // Until every probe passes; bounded by the step's timeout, which aborts the sleep.
    for (let attempt = 1; ; attempt++) {
      last = await Promise.all(
        probes.map((p) =>
          p.probe(ctx.op).catch((e: unknown) => ({
            ok: false,
            latencyMs: 0,
            detail: e instanceof Error ? e.message : String(e),
          })),
        ),
      );
      if (last.every((r) => r.ok))
        return {
          changed: false,
          detail: `${probes.length} probe(s) pass after ${Date.now() - started} ms (${attempt} round(s)): ${last.map((r, i) => `${probes[i]?.target} ${r.detail}`).join('; ')}`,
        };
      if (attempt === 1 || attempt % 20 === 0)
        await ctx.note({
          event: 'probes-failing',
          failing: last.flatMap((r, i) => (r.ok ? [] : [`${probes[i]?.target}: ${r.detail}`])),
        });
      await ctx.sleep(VERIFY_POLL_MS);
    }
  },
};

export const httpGet: ActionHandler = {
  idempotent: true,
  async apply(ctx) {
    const r = await ctx.drivers.http(ctx.step.args).probe(ctx.op);
    if (!r.ok)
      throw new LifeboatError('LB_E_ENGINE_STEP_FAILED', `HTTP check failed: ${r.detail}`, {
        retryable: true,
      });
    return { changed: false, detail: r.detail };
  },
};

/** A human did it; the approval recorded who and when. */
export const manual: ActionHandler = {
  idempotent: true,
  human: true,
  async apply(ctx) {
    return { changed: false, detail: `done by hand: ${ctx.step.id}` };
  },
};

export const confirm: ActionHandler = {
  idempotent: true,
  human: true,
  async apply() {
    return { changed: false, detail: 'confirmed' };
  },
};
