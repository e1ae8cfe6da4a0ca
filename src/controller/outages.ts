// Health per site, outages and the service's `onOutage` policy. A slot's verdicts make each
// site's health (health.ts); the active site down, and confirmed by the observers, is an
// outage, over once the site is up again or no longer active. A new outage gets the policy:
// `notify` only, `propose` a failover gated by an approval, or `failover` at once when the
// service is ready (else proposed); a run already acting on the service is the answer.
import { LifeboatError } from '../core/errors/index.js';
import { deriveRunbook, type PlannedRun, withApprovalGate } from '../core/runbook/index.js';
import type { Clock } from './clock.js';
import { codeOf, message } from './error-text.js';
import { confirmOutage, siteHealth, slotsOf } from './health.js';
import type { ControllerEvent, OnOutage, OutageStatus } from './model.js';
import type { ControllerOptions } from './options.js';
import type { RunningPlan } from './running-plan.js';
import { type ServiceState, sitesOf } from './service-state.js';

export interface OutagesContext {
  clock: Clock;
  /** Who starts the failover runs. */
  actor: string;
  /** `approvalRole`: the plan role whose members may approve a proposed failover. */
  options: Pick<ControllerOptions, 'approvalRole'>;
  /** The plan applied now. */
  plan: Pick<RunningPlan, 'plan'>;
  /** Reads RPO and readiness of a service now (before the policy decides). */
  refreshData(service: string): Promise<void>;
  /** Starts a run; resolves with its id once it exists. */
  launch(planned: PlannedRun, actor: string, reason?: string): Promise<string>;
  emit(event: ControllerEvent): void;
  serviceChanged(s: ServiceState): void;
  log(line: string): void;
}

export class Outages {
  readonly #c: OutagesContext;

  constructor(c: OutagesContext) {
    this.#c = c;
  }

  /** Health per site from the slots now; the outage of the active site, or its end. */
  evaluate(s: ServiceState): void {
    const now = this.#c.clock.now();
    for (const site of sitesOf(this.#c.plan.plan, s)) {
      const h = siteHealth(slotsOf(s.slots, site, s.activeSite));
      const prev = s.health.get(site);
      if (prev?.health !== h) s.health.set(site, { health: h, since: new Date(now).toISOString() });
    }
    const active = s.activeSite;
    if (s.outage && (s.outage.site !== active || s.health.get(s.outage.site)?.health === 'up')) {
      const site = s.outage.site;
      delete s.outage;
      this.#c.emit({ type: 'recovered', service: s.name, site });
    }
    if (!s.outage && active !== undefined && s.health.get(active)?.health === 'down') {
      const c = confirmOutage(slotsOf(s.slots, active, active));
      if (c.confirmed) {
        s.outage = {
          site: active,
          since: new Date(now).toISOString(),
          confirmedBy: c.confirmedBy,
          action: 'detected',
        };
        this.#c.emit({ type: 'outage', service: s.name, outage: { ...s.outage } });
        void this.#act(s, s.outage);
      }
    }
    this.#c.serviceChanged(s);
  }

  async #act(s: ServiceState, outage: OutageStatus): Promise<void> {
    if (s.acting) return;
    s.acting = true;
    try {
      const svc = this.#c.plan.plan.services?.[s.name];
      const policy: OnOutage = svc?.onOutage ?? 'propose';
      if (policy === 'notify') {
        outage.action = 'notified';
      } else if (s.activeRunId !== undefined) {
        // A run acts on the service already: that is the answer to this outage too.
        outage.action = policy === 'failover' ? 'failing-over' : 'proposed';
        outage.runId = s.activeRunId;
      } else {
        await this.#c.refreshData(s.name);
        const reason = `outage of site ${outage.site} (${s.name}) confirmed by ${outage.confirmedBy.join(', ')} since ${outage.since}`;
        const d = deriveRunbook(this.#c.plan.plan, 'failover', s.name, {
          from: outage.site,
          reason,
        });
        if (!d.run) {
          outage.detail = `no failover can be derived: ${d.diagnostics
            .filter((x) => x.severity === 'error')
            .map((x) => x.message)
            .join('; ')}`;
        } else {
          const auto = policy === 'failover' && s.ready;
          if (policy === 'failover' && !auto)
            outage.detail = `not ready to fail over (${s.readinessDetail ?? 'unknown'}): proposed for approval instead`;
          const planned = auto
            ? d.run
            : withApprovalGate(d.run, {
                reason: `${reason}: approve to fail ${s.name} over`,
                ...(this.#c.options.approvalRole ? { role: this.#c.options.approvalRole } : {}),
              });
          try {
            outage.runId = await this.#c.launch(planned, this.#c.actor, reason);
            outage.action = auto ? 'failing-over' : 'proposed';
          } catch (e) {
            const details = e instanceof LifeboatError ? e.details : undefined;
            const busy = codeOf(e) === 'LB_E_ENGINE_SERVICE_BUSY';
            if (busy && typeof details?.runId === 'string') {
              outage.runId = details.runId;
              outage.action = auto ? 'failing-over' : 'proposed';
            } else outage.detail = `the failover was not started: ${codeOf(e) ?? ''} ${message(e)}`;
          }
        }
      }
      if (s.outage === outage)
        this.#c.emit({ type: 'outage', service: s.name, outage: { ...outage } });
      this.#c.serviceChanged(s);
    } catch (e) {
      this.#c.log(`policy for ${s.name}: ${message(e)}`);
    } finally {
      s.acting = false;
    }
  }
}
