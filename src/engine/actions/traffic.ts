// Traffic actions: `dns.switch`, `haproxy.switch`, `keepalived.switch` (any Switchable), and
// `haproxy.read-only` (any ReadOnlyCapable). A switch carries the interlock that traffic never
// goes to a site whose probes fail.
import { LifeboatError } from '../../core/errors/index.js';
import {
  type Driver,
  isReadOnlyCapable,
  isSwitchable,
  type ProbeResult,
} from '../../drivers/driver.js';
import { badStep, optStr } from './args.js';
import type { ActionContext, ActionHandler } from './types.js';

function trafficDriver(ctx: ActionContext): Driver {
  const { step } = ctx;
  const index =
    typeof step.args.traffic === 'number'
      ? step.args.traffic
      : ctx.drivers.trafficIndex(step.service, step.target);
  if (index === undefined)
    throw badStep(step, `\`${step.target}\` is no traffic item of service \`${step.service}\``);
  return ctx.drivers.traffic(step.service, index);
}

const SITE_GATE_POLL_MS = 250;

async function siteGate(ctx: ActionContext, destination: string): Promise<void> {
  const site = ctx.drivers.siteOf(destination);
  if (site === undefined) return;
  const probes = ctx.drivers.siteProbes(ctx.step.service, site);
  if (probes.length === 0) {
    await ctx.note({ event: 'site-gate', site, verdict: 'no probe can be aimed at this site' });
    return;
  }
  const deadline = Date.now() + ctx.siteGateMs;
  let failing: string[] = [];
  for (;;) {
    const results: ProbeResult[] = await Promise.all(
      probes.map((p) =>
        p.probe(ctx.op).catch((e: unknown) => ({
          ok: false,
          latencyMs: 0,
          detail: e instanceof Error ? e.message : String(e),
        })),
      ),
    );
    failing = results.flatMap((r, i) => (r.ok ? [] : [`${probes[i]?.target}: ${r.detail}`]));
    if (failing.length === 0) {
      await ctx.note({ event: 'site-gate', site, verdict: 'probes pass' });
      return;
    }
    if (Date.now() >= deadline) break;
    await ctx.sleep(SITE_GATE_POLL_MS);
  }
  throw new LifeboatError(
    'LB_E_ENGINE_SITE_UNHEALTHY',
    `not moving traffic of \`${ctx.step.service}\` to site ${site}: ${failing.join('; ')}`,
    // Not retried by the step: the gate already waited `siteGateMs` for the probes.
    { details: { site, failing }, retryable: false },
  );
}

export const switchTraffic: ActionHandler = {
  idempotent: true,
  async apply(ctx) {
    const d = trafficDriver(ctx);
    if (!isSwitchable(d)) throw badStep(ctx.step, `${d.kind} ${d.target} cannot switch`);
    const destination = optStr(ctx.step, 'server') ?? optStr(ctx.step, 'destination');
    if (destination === undefined) throw badStep(ctx.step, 'needs `destination` (or `server`)');
    const siteOf = optStr(ctx.step, 'destination') ?? destination;
    if (!ctx.step.id.endsWith('#undo')) await siteGate(ctx, siteOf);
    return d.switchTo(ctx.op, destination);
  },
};

function readOnly(value: (ctx: ActionContext) => boolean): ActionHandler {
  return {
    idempotent: true,
    async apply(ctx) {
      const d = trafficDriver(ctx);
      if (!isReadOnlyCapable(d))
        throw badStep(ctx.step, `${d.kind} ${d.target} has no read-only mode`);
      return d.setReadOnly(ctx.op, value(ctx));
    },
  };
}

export const setReadOnly = readOnly((ctx) => ctx.step.args.readOnly !== false);
export const forceReadOnly = readOnly(() => true);
export const forceReadWrite = readOnly(() => false);
