// Moves an HAProxy backend's traffic between the servers of two sites, and switches a frontend
// read-only, at runtime through the runtime API (no reload). The order of a switch is chosen so
// that the backend always has a ready server: the new one is verified and made ready first, only
// then are the others put in maint and their established sessions shut (maint keeps them).
import { LifeboatError } from '../../core/errors/index.js';
import { pollUntil, throwIfAborted } from '../context.js';
import type {
  EffectResult,
  Observation,
  OperationContext,
  ReadOnlyCapable,
  Switchable,
} from '../driver.js';
import { safeName } from '../safe-values.js';
import {
  parseServersState,
  parseStat,
  type Readiness,
  readiness,
  type ServerStat,
  type ServerState,
} from './parse.js';
import { persistFile, ReadOnlyMap } from './read-only.js';
import {
  n,
  RuntimeApi,
  type RuntimeEndpoint,
  type RuntimeTransport,
  safeMapPath,
  w,
} from './runtime-api.js';
import { currentDestination, planSwitch } from './switch-plan.js';

export interface HaproxyConfig {
  backend: string;
  /** Destination (node name) → HAProxy server name in the backend. */
  servers: Readonly<Record<string, string>>;
  /** Runtime API at admin level: `{ socket }` or `{ host, port }`. */
  runtime: RuntimeEndpoint;
  /** Read-only mode: the map file the frontend's deny rule reads, and its key (default `mode`). */
  readOnly?: { map: string; key?: string; persist?: boolean };
  /** After each switch, write `show servers state` here, so that a reload keeps it. */
  serverStateFile?: string;
  timing?: Partial<HaproxyTiming>;
}

export interface HaproxyTiming {
  commandTimeoutMs: number;
  /** How long a server leaving maint may take to pass a health check. */
  checkTimeoutMs: number;
  pollIntervalMs: number;
  /** With `fall 1` health cannot rise above `rise`: wait this long without a failure instead. */
  settleMs: number;
}

const DEFAULT_TIMING: HaproxyTiming = {
  commandTimeoutMs: 2000,
  checkTimeoutMs: 5000,
  pollIntervalMs: 25,
  settleMs: 1500,
};

interface View {
  states: ServerState[];
  stats: Map<string, ServerStat>;
}

export class HaproxyDriver implements Switchable, ReadOnlyCapable {
  readonly kind = 'haproxy';
  readonly target: string;
  private readonly backend: string;
  private readonly servers: ReadonlyMap<string, string>;
  private readonly api: RuntimeApi;
  private readonly roMap: ReadOnlyMap | undefined;
  private readonly stateFile: string | undefined;
  private readonly timing: HaproxyTiming;

  constructor(cfg: HaproxyConfig, deps: { transport?: RuntimeTransport } = {}) {
    this.backend = safeName(cfg.backend, 'the HAProxy backend');
    const servers = new Map<string, string>();
    for (const [dest, server] of Object.entries(cfg.servers)) {
      servers.set(safeName(dest, 'an HAProxy destination'), safeName(server, 'an HAProxy server'));
    }
    if (servers.size === 0)
      throw new LifeboatError('LB_E_DRIVER_CONFIG', 'no HAProxy server is configured');
    this.servers = servers;
    this.timing = { ...DEFAULT_TIMING, ...cfg.timing };
    this.api = new RuntimeApi(cfg.runtime, deps.transport, this.timing.commandTimeoutMs);
    this.roMap = cfg.readOnly ? new ReadOnlyMap(this.api, cfg.readOnly) : undefined;
    this.stateFile = cfg.serverStateFile
      ? safeMapPath(cfg.serverStateFile, 'the HAProxy server-state-file')
      : undefined;
    this.target = `backend ${this.backend}`;
  }

  private async view(ctx: OperationContext): Promise<View> {
    const states = parseServersState(
      await this.api.run(ctx, [w('show'), w('servers'), w('state'), n(this.backend)]),
    );
    const beId = states[0]?.backendId;
    const stats = new Map<string, ServerStat>();
    if (beId !== undefined) {
      const text = await this.api.run(ctx, [
        w('show'),
        w('stat'),
        { number: beId },
        { number: 4 },
        w('-1'),
      ]);
      for (const s of parseStat(text)) stats.set(s.name, s);
    }
    return { states, stats };
  }

  async observe(ctx: OperationContext): Promise<Observation> {
    throwIfAborted(ctx, `observe ${this.target}`);
    const v = await this.view(ctx);
    const byName = new Map(v.states.map((s) => [s.name, s]));
    const servers = [...this.servers].map(([destination, name]) => {
      const s = byName.get(name);
      const st = v.stats.get(name);
      return {
        destination,
        server: name,
        present: s !== undefined,
        admin: s?.admin,
        op: s?.op,
        weight: s?.weight,
        status: st?.status,
        checkStatus: st?.checkStatus || undefined,
      };
    });
    const current = currentDestination(v.states, this.servers);
    const readOnly = this.roMap ? await this.roMap.read(ctx) : undefined;
    const serving = servers.some(
      (s) => s.admin === 'ready' && s.op === 'running' && (s.weight ?? 0) > 0,
    );
    return {
      healthy: serving && servers.every((s) => s.present),
      summary: `${this.target} → ${current ?? 'no single destination'} (${servers.map((s) => `${s.server}: ${s.admin ?? 'missing'}/${s.status ?? '?'}`).join(', ')})${readOnly === undefined ? '' : readOnly ? ', read-only' : ''}`,
      facts: {
        backend: this.backend,
        current,
        servers,
        ...(readOnly === undefined ? {} : { readOnly }),
      },
    };
  }

  async current(ctx: OperationContext): Promise<string | undefined> {
    throwIfAborted(ctx, `read ${this.target}`);
    return currentDestination((await this.view(ctx)).states, this.servers);
  }

  /**
   * Sends the backend's traffic to `destination`'s server. Refuses with LB_E_DRIVER_NOT_READY,
   * changing nothing, when that server's health check says it is down (unless `force`).
   */
  async switchTo(
    ctx: OperationContext,
    destination: string,
    opts: { force?: boolean } = {},
  ): Promise<EffectResult> {
    safeName(destination, 'the destination');
    throwIfAborted(ctx, `switch ${this.target}`);
    const t0 = performance.now();
    const before = await this.view(ctx);
    const plan = planSwitch(before.states, this.servers, destination, this.backend);
    const srv = plan.target.name;
    const from = currentDestination(before.states, this.servers);
    if (plan.already) {
      return {
        changed: false,
        detail: `${this.target} already sends its traffic to ${srv} (${destination})`,
        data: { destination, server: srv },
      };
    }
    if (plan.leaveMaint) await this.setState(ctx, srv, 'drain');
    const ready = await this.waitReadiness(ctx, srv);
    if ((ready.verdict === 'down' || ready.verdict === 'untested') && !opts.force) {
      if (plan.leaveMaint) await this.setState(ctx, srv, 'maint');
      throw new LifeboatError(
        'LB_E_DRIVER_NOT_READY',
        `server ${this.backend}/${srv} (${destination}) is ${ready.verdict === 'down' ? 'down' : 'not yet proven up'} by its health check (${ready.check || 'no result'}); traffic stays where it was`,
        {
          hint: 'Repair the destination first, or switch with force to send traffic to it anyway.',
          details: { server: srv, check: ready.check },
        },
      );
    }
    if (plan.restoreWeight !== undefined) {
      await this.api.set(ctx, [
        w('set'),
        w('server'),
        { server: [this.backend, srv] },
        w('weight'),
        { number: plan.restoreWeight },
      ]);
    }
    if (plan.setReady) await this.setState(ctx, srv, 'ready');
    for (const other of plan.toMaint) {
      await this.setState(ctx, other, 'maint');
      await this.api.set(ctx, [
        w('shutdown'),
        w('sessions'),
        w('server'),
        { server: [this.backend, other] },
      ]);
    }
    const after = await this.view(ctx);
    await this.persistStates(ctx);
    const now = currentDestination(after.states, this.servers);
    if (now !== destination) {
      throw new LifeboatError(
        'LB_E_DRIVER_CONFLICT',
        `${this.target}: after the switch traffic goes to ${now ?? 'no single server'}, not ${destination}`,
      );
    }
    const ms = Math.round((performance.now() - t0) * 10) / 10;
    const note =
      ready.verdict === 'unchecked'
        ? '; the server has no health check, readiness not verified'
        : ready.verdict !== 'up'
          ? `; forced although its check says ${ready.check || ready.verdict}`
          : '';
    return {
      changed: true,
      detail: `${this.target}: traffic ${from ?? '(none)'} → ${destination} (server ${srv}) in ${ms} ms; ${plan.toMaint.join(', ') || 'no other server'} in maint, sessions shut${note}`,
      data: {
        from,
        destination,
        server: srv,
        maint: plan.toMaint,
        check: ready.check,
        verdict: ready.verdict,
        forced: Boolean(opts.force) && ready.verdict !== 'up',
        ms,
      },
    };
  }

  async setReadOnly(ctx: OperationContext, readOnly: boolean): Promise<EffectResult> {
    if (!this.roMap) {
      throw new LifeboatError(
        'LB_E_DRIVER_CONFIG',
        `${this.target}: no read-only map is configured (readOnlyMap)`,
      );
    }
    return this.roMap.set(ctx, readOnly);
  }

  private setState(ctx: OperationContext, server: string, state: 'ready' | 'drain' | 'maint') {
    return this.api.set(ctx, [
      w('set'),
      w('server'),
      { server: [this.backend, server] },
      w('state'),
      w(state),
    ]);
  }

  /** Polls the server's health until a check has spoken, bounded by checkTimeoutMs. */
  private async waitReadiness(
    ctx: OperationContext,
    srv: string,
  ): Promise<{ verdict: Readiness; check: string }> {
    const t0 = Date.now();
    let last: { verdict: Readiness; check: string } = { verdict: 'untested', check: '' };
    try {
      return await pollUntil(
        ctx,
        `a health check of ${this.backend}/${srv}`,
        async () => {
          const v = await this.view(ctx);
          const s = v.states.find((x) => x.name === srv);
          const st = v.stats.get(srv);
          if (!s) return undefined;
          const verdict = readiness(s, st, Date.now() - t0 >= this.timing.settleMs);
          last = { verdict, check: [st?.checkStatus, st?.checkDesc].filter(Boolean).join(' ') };
          return verdict === 'untested' ? undefined : last;
        },
        { timeoutMs: this.timing.checkTimeoutMs, intervalMs: this.timing.pollIntervalMs },
      );
    } catch (e) {
      if ((e as LifeboatError).code === 'LB_E_DRIVER_TIMEOUT') return last;
      throw e;
    }
  }

  /** Dumps the runtime server states to the server-state-file, so that a reload keeps them. */
  private async persistStates(ctx: OperationContext): Promise<void> {
    if (!this.stateFile) return;
    const all = await this.api.run(ctx, [w('show'), w('servers'), w('state')]);
    persistFile(this.stateFile, `${all}\n`);
  }
}
