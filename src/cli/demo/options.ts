// `lifeboat demo`'s pure parts: its options read and checked, the in-memory policy override of
// `--auto`, and the controller's events told as the lines the demo prints. Unit-tested
// (test/unit/cli/demo.test.ts); the orchestration is src/cli/commands/demo.ts.
import { LifeboatError } from '../../core/errors/index.js';
import type { LoadedPlan, Plan } from '../../core/plan/index.js';
import { parseDuration } from '../../core/plan/index.js';
import type { Component } from '../../lab/index.js';
import { parseComponents } from '../../lab/index.js';

/** What the dashboard shows live for the lab plan: every service's servers. */
export const DEMO_COMPONENTS: readonly Component[] = [
  'postgres',
  'haproxy',
  'bind',
  'mariadb',
  'keepalived',
  'rsync',
];
export const DEMO_SERVICE = 'app-db';
export const DEMO_SITE = 'a';
export const DEMO_APPROVER = 'carol';
export const DEFAULT_FAULT_AFTER = '20s';

export interface DemoRawOptions {
  plan: string;
  listen: string;
  lab: string;
  faultAfter: string;
  fault: boolean;
  auto?: boolean;
  components?: string;
  skipInstall?: boolean;
  tokenName: string;
}

export interface DemoOptions {
  plan: string;
  listen: { host: string; port: number };
  lab: string;
  /** Milliseconds from the controller's start to the partition; undefined: no fault. */
  faultAfterMs: number | undefined;
  auto: boolean;
  components: Component[];
  install: boolean;
  tokenName: string;
}

function usage(message: string): LifeboatError {
  return new LifeboatError('LB_E_CLI_USAGE', message);
}

/** `HOST:PORT` or `[IPv6]:PORT` (the same rule as `serve --listen`). */
export function parseListenAddress(text: string): { host: string; port: number } {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || port > 65_535)
    throw usage(`--listen ${JSON.stringify(text)} is not HOST:PORT (e.g. 127.0.0.1:8480)`);
  return { host: (m[1] ?? m[2]) as string, port };
}

/** Checks the demo's options; throws LB_E_CLI_USAGE with what is wrong. */
export function parseDemoOptions(raw: DemoRawOptions): DemoOptions {
  const after = parseDuration(raw.faultAfter);
  if (after === undefined)
    throw usage(
      `--fault-after ${JSON.stringify(raw.faultAfter)} is not a duration (e.g. 20s, 2s, 1m)`,
    );
  if (after > 3_600_000) throw usage('--fault-after is at most 1h');
  let components: Component[];
  try {
    // The demo's fault is on app-db: its servers (PostgreSQL, HAProxy, BIND) are always there.
    components = parseComponents(
      raw.components === undefined
        ? DEMO_COMPONENTS
        : [...raw.components.split(','), 'postgres', 'haproxy', 'bind'],
    );
  } catch (e) {
    throw usage(`--components: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/.test(raw.tokenName))
    throw usage(`--token-name ${JSON.stringify(raw.tokenName)} is not a token name`);
  return {
    plan: raw.plan,
    listen: parseListenAddress(raw.listen),
    lab: raw.lab,
    faultAfterMs: raw.fault ? after : undefined,
    auto: raw.auto === true,
    components,
    install: raw.skipInstall !== true,
    tokenName: raw.tokenName,
  };
}

/**
 * `--auto`: the plan as loaded, with `service`'s `onOutage` set to `failover`, in memory only.
 * Throws when the plan has no such service.
 */
export function withOutagePolicy(
  loaded: LoadedPlan,
  service: string,
  policy: 'notify' | 'propose' | 'failover',
): LoadedPlan {
  const plan = loaded.plan;
  const svc = plan?.services?.[service];
  if (!plan || !svc)
    throw new LifeboatError('LB_E_CLI_USAGE', `the demo's plan has no service \`${service}\``);
  const changed: Plan = {
    ...plan,
    services: { ...plan.services, [service]: { ...svc, onOutage: policy } },
  };
  return { ...loaded, plan: changed };
}

/** What the child (the controller in the lab's namespace) tells the demo, one JSON per line. */
export type DemoMessage =
  | { type: 'ready'; services: number; stateFile: string }
  | { type: 'event'; at: string; event: DemoEvent };

/** The controller events the demo tells about (a subset of ControllerEvent, as JSON). */
export type DemoEvent =
  | {
      type: 'outage';
      service: string;
      outage: {
        site: string;
        confirmedBy: string[];
        action: string;
        runId?: string;
        detail?: string;
      };
    }
  | { type: 'recovered'; service: string; site: string }
  | { type: 'run'; runId: string; service: string; runbook: string; state: string; message: string }
  | { type: 'service'; service: { name: string; activeSite?: string } }
  | { type: 'plan'; status: { hash: string; lastError?: { message: string } } };

export interface TellContext {
  /** How to approve from a shell (absent with --auto: the plan in memory differs from the file). */
  approveCommand?: (runId: string, stepId: string) => string;
}

/**
 * Turns the controller's events into the demo's lines, once each: an outage and what its
 * policy did, a run's state changes, a service's active site moving, a recovery, a plan error.
 */
export class EventTeller {
  readonly #seen = new Set<string>();
  readonly #active = new Map<string, string | undefined>();
  readonly #runState = new Map<string, string>();
  constructor(private readonly ctx: TellContext = {}) {}

  tell(event: DemoEvent): string[] {
    const once = (key: string, line: string) => {
      if (this.#seen.has(key)) return [];
      this.#seen.add(key);
      return [line];
    };
    switch (event.type) {
      case 'outage': {
        const o = event.outage;
        const svc = event.service;
        const why = o.detail ? ` (${o.detail})` : '';
        const lines = once(
          `outage:${svc}:${o.site}`,
          `outage of ${svc} at site ${o.site} detected (confirmed by ${o.confirmedBy.join(', ') || 'nobody'})${o.action === 'detected' ? why : ''}`,
        );
        switch (o.action) {
          case 'proposed': {
            const approve = o.runId
              ? ` — approve it in the dashboard${this.ctx.approveCommand ? `, or: ${this.ctx.approveCommand(o.runId, `${svc}/approve-run`)}` : ''}`
              : '';
            lines.push(
              ...once(
                `outage:${svc}:${o.site}:proposed:${o.runId ?? ''}`,
                `${svc}: failover proposed, run ${o.runId ?? '?'} waits for an approval${why}${approve}`,
              ),
            );
            break;
          }
          case 'failing-over':
            lines.push(
              ...once(
                `outage:${svc}:${o.site}:failing-over:${o.runId ?? ''}`,
                `${svc}: failover started (onOutage failover), run ${o.runId ?? '?'}${why}`,
              ),
            );
            break;
          case 'notified':
            lines.push(
              ...once(
                `outage:${svc}:${o.site}:notified`,
                `${svc}: onOutage notify: reported, nothing runs${why}`,
              ),
            );
            break;
        }
        return lines;
      }
      case 'recovered':
        this.#seen.delete(`outage:${event.service}:${event.site}`);
        return [`${event.service}: the outage at site ${event.site} is over`];
      case 'run': {
        // Each change of state (running again once approved), not the same state twice.
        if (this.#runState.get(event.runId) === event.state) return [];
        this.#runState.set(event.runId, event.state);
        const what = `run ${event.runId} (${event.runbook} ${event.service})`;
        const msg = event.message ? `: ${event.message}` : '';
        const finished = ['succeeded', 'failed', 'aborted'].includes(event.state);
        return [
          finished ? `${what} finished: ${event.state}${msg}` : `${what} ${event.state}${msg}`,
        ];
      }
      case 'service': {
        const { name, activeSite } = event.service;
        const had = this.#active.has(name);
        const before = this.#active.get(name);
        this.#active.set(name, activeSite);
        if (!had || before === activeSite || activeSite === undefined) return [];
        return [`${name} is now active at site ${activeSite} (was ${before ?? 'unknown'})`];
      }
      case 'plan':
        return event.status.lastError
          ? once(
              `plan:${event.status.lastError.message}`,
              `the plan on disk was not reloaded (the running one stays): ${event.status.lastError.message}`,
            )
          : [];
    }
  }
}

/** Parses one line of the child's stdout; undefined for anything that is not a message. */
export function parseDemoMessage(line: string): DemoMessage | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const m = JSON.parse(line) as DemoMessage;
    return m && (m.type === 'ready' || m.type === 'event') ? m : undefined;
  } catch {
    return undefined;
  }
}
