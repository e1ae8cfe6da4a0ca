// Notifications: follows the controller's event stream and tells the plan's webhooks of what an
// operator must know — a confirmed outage, a run waiting for an approval, a run finished, an RPO
// breach. Each webhook's `events`, `services` and `tiers` filter what it receives; an outage is
// told once until it recovers, a run's waiting and its end once each. Delivery goes through a
// port (the composition root fills it with the webhook driver: src/controller imports no
// driver), asynchronously: the subscriber only queues, so the controller is never held up. The
// queue is bounded (the oldest dropped and counted when full), and a few deliveries run at once.
import type {
  NotificationEvent,
  NotificationMessage,
  NotificationsConfig,
  WebhookConfig,
} from '../core/plan/index.js';
import { runData } from '../engine/index.js';
import type { ControllerView, SequencedEvent } from './model.js';

export type NotificationKind = NotificationEvent;

/** What happened, as a webhook is told of it (the driver renders it: JSON, Slack, Matrix). */
export type Notification = NotificationMessage;

export interface DeliveryRequest {
  /** The webhook's name in the plan. */
  name: string;
  webhook: WebhookConfig;
  allowedHosts: readonly string[];
  notification: Notification;
}

/** What a delivery came to: never a secret in `error`. */
export interface DeliveryOutcome {
  ok: boolean;
  attempts?: number;
  code?: string;
  error?: string;
}

/** The port: one delivery (with its own retries), resolved, never rejected (a rejection counts as a failure). */
export interface NotificationSender {
  deliver(req: DeliveryRequest, signal: AbortSignal): Promise<DeliveryOutcome>;
}

export interface WebhookStats {
  sent: number;
  failed: number;
  lastError?: { at: string; code?: string; message: string };
  lastSentAt?: string;
}

export interface NotifierStats {
  /** Waiting in the queue now. */
  queued: number;
  /** Being delivered now. */
  inFlight: number;
  sent: number;
  failed: number;
  /** Dropped from a full queue (the oldest first). */
  dropped: number;
  webhooks: Record<string, WebhookStats>;
}

export interface NotifierOptions {
  view: Pick<ControllerView, 'subscribe' | 'plan' | 'service' | 'store'>;
  sender: NotificationSender;
  /** The dashboard's base URL as receivers reach it (default: the plan's `notifications.dashboardUrl`). */
  dashboardUrl?: string;
  /** Queue bound (default 1,000). */
  maxQueue?: number;
  /** Deliveries at once (default 4). */
  concurrency?: number;
  /** Where failures are told (never a secret). */
  log?: (line: string) => void;
  now?: () => Date;
}

interface Job {
  name: string;
  webhook: WebhookConfig;
  allowedHosts: readonly string[];
  notification: Notification;
}

const FINISHED = new Set(['succeeded', 'failed', 'aborted']);
/** Remembered runs (for once-only notices): the oldest forgotten beyond this. */
const MAX_RUNS_REMEMBERED = 10_000;

export class Notifier {
  readonly #o: NotifierOptions;
  readonly #queue: Job[] = [];
  readonly #maxQueue: number;
  readonly #concurrency: number;
  readonly #abort = new AbortController();
  readonly #running = new Set<Promise<void>>();
  /** Look-ups before queueing (the step a run waits for). */
  readonly #pending = new Set<Promise<void>>();
  /** Outages told, `service\0site`, until recovered. */
  readonly #outages = new Set<string>();
  /** Per run: the last state told (`waiting-approval` or a final one). */
  readonly #runs = new Map<string, string>();
  #unsubscribe: (() => void) | undefined;
  #stopped = false;
  readonly #stats: NotifierStats = {
    queued: 0,
    inFlight: 0,
    sent: 0,
    failed: 0,
    dropped: 0,
    webhooks: {},
  };

  constructor(options: NotifierOptions) {
    this.#o = options;
    this.#maxQueue = Math.max(1, options.maxQueue ?? 1_000);
    this.#concurrency = Math.max(1, options.concurrency ?? 4);
  }

  start(): void {
    if (this.#unsubscribe || this.#stopped) return;
    this.#unsubscribe = this.#o.view.subscribe((e) => {
      try {
        this.#onEvent(e);
      } catch (err) {
        this.#log(`notifications: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
  }

  /**
   * Stops following events, drops the queue, cancels the deliveries running and waits for them
   * (at most `timeoutMs`, default 2 s: a sender that ignores the cancel does not hold the exit).
   */
  async stop(timeoutMs = 2_000): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#queue.length = 0;
    this.#abort.abort();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.#running, ...this.#pending]),
      new Promise((r) => {
        timer = setTimeout(r, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Counts for metrics: a copy. */
  stats(): NotifierStats {
    return {
      ...this.#stats,
      queued: this.#queue.length,
      inFlight: this.#running.size,
      webhooks: Object.fromEntries(
        Object.entries(this.#stats.webhooks).map(([k, v]) => [k, { ...v }]),
      ),
    };
  }

  /** Resolves once the queue is empty and nothing is in flight (tests, shutdown), or after `timeoutMs`. */
  async idle(timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (
      (this.#queue.length > 0 || this.#running.size > 0 || this.#pending.size > 0) &&
      Date.now() < until
    ) {
      await Promise.race([
        Promise.allSettled([...this.#running, ...this.#pending]),
        new Promise((r) => setTimeout(r, 10)),
      ]);
    }
  }

  #log(line: string): void {
    this.#o.log?.(line);
  }

  #config(): NotificationsConfig | undefined {
    const n = this.#o.view.plan().notifications;
    return n && Object.keys(n.webhooks).length > 0 ? n : undefined;
  }

  #link(path: string): string | undefined {
    const base = this.#o.dashboardUrl ?? this.#o.view.plan().notifications?.dashboardUrl;
    return base === undefined ? undefined : `${base.replace(/\/+$/, '')}/${path}`;
  }

  #onEvent(s: SequencedEvent): void {
    if (this.#stopped) return;
    const e = s.event;
    switch (e.type) {
      case 'outage': {
        const key = `${e.service}\0${e.outage.site}`;
        if (this.#outages.has(key)) return;
        this.#outages.add(key);
        const by = e.outage.confirmedBy.join(', ');
        const what: Record<typeof e.outage.action, string> = {
          detected: 'no action taken',
          notified: 'policy: notify only',
          proposed: 'a failover is proposed and waits for an approval',
          'failing-over': 'failing over',
        };
        const link = e.outage.runId
          ? this.#link(`#/runs/${encodeURIComponent(e.outage.runId)}`)
          : this.#link(`#/services/${encodeURIComponent(e.service)}`);
        this.#queueFor('outage', e.service, {
          event: 'outage',
          service: e.service,
          site: e.outage.site,
          ...(e.outage.runId !== undefined ? { runId: e.outage.runId } : {}),
          message: `site ${e.outage.site} is down since ${e.outage.since} (confirmed by ${by || 'nobody'}); ${what[e.outage.action]}${e.outage.detail ? ` (${e.outage.detail})` : ''}`,
          at: s.at,
          ...(link !== undefined ? { dashboardUrl: link } : {}),
        });
        return;
      }
      case 'recovered':
        this.#outages.delete(`${e.service}\0${e.site}`);
        return;
      case 'rpo-breach': {
        const rpo = e.rpo;
        const now = rpo.rpoMs === undefined ? 'unknown' : `${Math.round(rpo.rpoMs / 1000)} s`;
        const link = this.#link(`#/services/${encodeURIComponent(e.service)}`);
        this.#queueFor('rpo-breach', e.service, {
          event: 'rpo-breach',
          service: e.service,
          message: `data set ${rpo.dataSet}: RPO now ${now}, target ${Math.round(rpo.targetMs / 1000)} s${rpo.detail ? ` (${rpo.detail})` : ''}`,
          at: s.at,
          ...(link !== undefined ? { dashboardUrl: link } : {}),
        });
        return;
      }
      case 'run': {
        const last = this.#runs.get(e.runId);
        const link = this.#link(`#/runs/${encodeURIComponent(e.runId)}`);
        const base = {
          service: e.service,
          runId: e.runId,
          state: e.state,
          at: s.at,
          ...(link !== undefined ? { dashboardUrl: link } : {}),
        };
        if (e.state === 'waiting-approval') {
          if (last === 'waiting-approval' || (last !== undefined && FINISHED.has(last))) return;
          this.#remember(e.runId, e.state);
          if (!this.#config()) return;
          // The step waiting, from the run's record (the event's message is the reason).
          const p: Promise<void> = this.#waitingStep(e.runId)
            .then((step) => {
              this.#queueFor('approval-needed', e.service, {
                ...base,
                event: 'approval-needed',
                message: `${e.runbook} run ${e.runId} waits for an approval${step ? ` of ${step}` : ''}: ${e.message}`,
                approveCommand: `lifeboat approve ${e.runId} ${step ?? '<step>'}`,
              });
            })
            .finally(() => this.#pending.delete(p));
          this.#pending.add(p);
          return;
        }
        if (FINISHED.has(e.state)) {
          if (last !== undefined && FINISHED.has(last)) return;
          this.#remember(e.runId, e.state);
          this.#queueFor('run-finished', e.service, {
            ...base,
            event: 'run-finished',
            message: `${e.runbook} run ${e.runId} ${e.state}: ${e.message}`,
          });
          return;
        }
        // Running again after an approval: a later wait is told again.
        if (last === 'waiting-approval') this.#runs.delete(e.runId);
        return;
      }
      default:
        return;
    }
  }

  #remember(runId: string, state: string): void {
    this.#runs.delete(runId);
    this.#runs.set(runId, state);
    if (this.#runs.size > MAX_RUNS_REMEMBERED) {
      const oldest = this.#runs.keys().next().value;
      if (oldest !== undefined) this.#runs.delete(oldest);
    }
  }

  async #waitingStep(runId: string): Promise<string | undefined> {
    try {
      const run = await this.#o.view.store.runs.get(runId);
      return run ? runData(run).waiting?.stepId : undefined;
    } catch {
      return undefined;
    }
  }

  /** Queues the notification for every webhook whose filters take it. */
  #queueFor(kind: NotificationKind, service: string, n: Notification): void {
    if (this.#stopped) return;
    const config = this.#config();
    if (!config) return;
    const services = service.split(',');
    for (const [name, webhook] of Object.entries(config.webhooks)) {
      if (!webhook.events.includes(kind)) continue;
      if (webhook.services && !services.some((s) => webhook.services?.includes(s))) continue;
      if (webhook.tiers) {
        const tiers = services.map(
          (s) => this.#o.view.service(s)?.tier ?? this.#o.view.plan().services?.[s]?.tier,
        );
        if (!tiers.some((t) => t !== undefined && webhook.tiers?.includes(t))) continue;
      }
      if (this.#queue.length >= this.#maxQueue) {
        this.#queue.shift();
        this.#stats.dropped++;
      }
      this.#queue.push({ name, webhook, allowedHosts: config.allowedHosts, notification: n });
    }
    this.#pump();
  }

  #pump(): void {
    while (!this.#stopped && this.#running.size < this.#concurrency && this.#queue.length > 0) {
      const job = this.#queue.shift() as Job;
      const p: Promise<void> = this.#deliver(job).finally(() => {
        this.#running.delete(p);
        this.#pump();
      });
      this.#running.add(p);
    }
  }

  async #deliver(job: Job): Promise<void> {
    let outcome: DeliveryOutcome;
    try {
      outcome = await this.#o.sender.deliver(
        {
          name: job.name,
          webhook: job.webhook,
          allowedHosts: job.allowedHosts,
          notification: job.notification,
        },
        this.#abort.signal,
      );
    } catch (e) {
      outcome = { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
    if (this.#stopped && !outcome.ok) return;
    let w = this.#stats.webhooks[job.name];
    if (!w) {
      w = { sent: 0, failed: 0 };
      this.#stats.webhooks[job.name] = w;
    }
    const at = (this.#o.now?.() ?? new Date()).toISOString();
    if (outcome.ok) {
      this.#stats.sent++;
      w.sent++;
      w.lastSentAt = at;
    } else {
      this.#stats.failed++;
      w.failed++;
      const message = outcome.error ?? 'not delivered';
      w.lastError = { at, ...(outcome.code !== undefined ? { code: outcome.code } : {}), message };
      this.#log(
        `notification ${job.notification.event} of ${job.notification.service} to webhook ${job.name} failed: ${outcome.code ?? ''} ${message}`,
      );
    }
  }
}
