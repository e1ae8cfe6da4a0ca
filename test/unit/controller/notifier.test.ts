// The notifier over a fake controller: events mapped to notifications, each webhook's filters,
// an outage told once until it recovers, a run's wait and end told once, the bounded queue,
// delivery counts, and a controller that is never held up by a slow receiver.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type DeliveryOutcome,
  type DeliveryRequest,
  type NotificationSender,
  Notifier,
} from '../../../src/controller/index.js';
import type { Plan } from '../../../src/core/plan/index.js';
import { FakeController } from '../../support/fake-controller.js';

const EVERY = ['outage', 'approval-needed', 'run-finished', 'rpo-breach'] as const;

function planWith(webhooks: Record<string, Record<string, unknown>>): Plan {
  return {
    version: 1,
    name: 't',
    services: { 'app-db': { tier: 'tier-1' }, web: { tier: 'tier-2' } },
    notifications: {
      allowedHosts: ['hooks.example.org'],
      dashboardUrl: 'https://lb.example.org/',
      webhooks: Object.fromEntries(
        Object.entries(webhooks).map(([k, v]) => [
          k,
          { url: 'https://hooks.example.org/h', format: 'json', events: [...EVERY], ...v },
        ]),
      ),
    },
  } as unknown as Plan;
}

class RecordingSender implements NotificationSender {
  readonly sent: DeliveryRequest[] = [];
  outcome: DeliveryOutcome = { ok: true, attempts: 1 };
  /** When set, deliveries wait for it. */
  gate: Promise<void> | undefined;
  async deliver(req: DeliveryRequest): Promise<DeliveryOutcome> {
    await this.gate;
    this.sent.push(req);
    return this.outcome;
  }
}

let fake: FakeController;
let sender: RecordingSender;
let notifier: Notifier;

function setup(
  webhooks: Record<string, Record<string, unknown>>,
  extra: { maxQueue?: number; concurrency?: number } = {},
) {
  const plan = planWith(webhooks);
  fake.plan = () => plan;
  notifier = new Notifier({ view: fake, sender, ...extra });
  notifier.start();
}

const outage = (service: string, site = 'a') =>
  fake.emit({
    type: 'outage',
    service,
    outage: {
      site,
      since: '2026-11-21T10:00:00.000Z',
      confirmedBy: ['controller', 'witness'],
      action: 'proposed',
      runId: 'r-9',
    },
  });
const run = (
  runId: string,
  state: 'running' | 'waiting-approval' | 'succeeded' | 'failed' | 'aborted',
  service = 'app-db',
) =>
  fake.emit({ type: 'run', runId, service, runbook: 'failover', state, message: `now ${state}` });

beforeEach(() => {
  fake = new FakeController();
  sender = new RecordingSender();
});

afterEach(async () => {
  await notifier?.stop();
  await fake.close();
});

describe('Notifier', () => {
  it('tells an outage once until it recovers, with the site, the run and the dashboard link', async () => {
    setup({ ops: {} });
    outage('app-db');
    outage('app-db'); // the same outage again (its action changed): not told twice
    await notifier.idle(5_000);
    expect(sender.sent).toHaveLength(1);
    const n = sender.sent[0]?.notification;
    expect(n).toMatchObject({
      event: 'outage',
      service: 'app-db',
      site: 'a',
      runId: 'r-9',
      dashboardUrl: 'https://lb.example.org/#/runs/r-9',
    });
    expect(n?.message).toContain('confirmed by controller, witness');
    expect(sender.sent[0]?.allowedHosts).toEqual(['hooks.example.org']);
    fake.emit({ type: 'recovered', service: 'app-db', site: 'a' });
    outage('app-db');
    await notifier.idle(5_000);
    expect(sender.sent).toHaveLength(2);
    expect(notifier.stats()).toMatchObject({
      sent: 2,
      failed: 0,
      dropped: 0,
      webhooks: { ops: { sent: 2, failed: 0 } },
    });
  });

  it('tells a run waiting for an approval with the approve command of the step waiting', async () => {
    setup({ ops: {} });
    await fake.store.runs.create({
      id: 'r-1',
      service: 'app-db',
      runbook: 'failover',
      planHash: 'sha256:p',
      paramsHash: 'sha256:q',
      state: 'waiting-approval',
      data: { services: ['app-db'], waiting: { stepId: 'app-db/approve-run', reason: 'outage' } },
    });
    run('r-1', 'running');
    run('r-1', 'waiting-approval');
    run('r-1', 'waiting-approval');
    await notifier.idle(5_000);
    expect(sender.sent.map((s) => s.notification.event)).toEqual(['approval-needed']);
    expect(sender.sent[0]?.notification).toMatchObject({
      runId: 'r-1',
      state: 'waiting-approval',
      approveCommand: 'lifeboat approve r-1 app-db/approve-run',
      dashboardUrl: 'https://lb.example.org/#/runs/r-1',
    });
  });

  it('tells a run finished once (succeeded, failed, aborted), and nothing for running', async () => {
    setup({ ops: {} });
    run('r-1', 'running');
    run('r-1', 'succeeded');
    run('r-1', 'succeeded');
    run('r-2', 'failed');
    run('r-3', 'aborted');
    await notifier.idle(5_000);
    expect(
      sender.sent.map((s) => [s.notification.event, s.notification.runId, s.notification.state]),
    ).toEqual([
      ['run-finished', 'r-1', 'succeeded'],
      ['run-finished', 'r-2', 'failed'],
      ['run-finished', 'r-3', 'aborted'],
    ]);
  });

  it('tells an RPO breach', async () => {
    setup({ ops: {} });
    fake.emit({
      type: 'rpo-breach',
      service: 'web',
      rpo: {
        dataSet: 'files',
        kind: 'mirror',
        rpoMs: 7_200_000,
        targetMs: 3_600_000,
        within: false,
      },
    });
    await notifier.idle(5_000);
    expect(sender.sent[0]?.notification).toMatchObject({ event: 'rpo-breach', service: 'web' });
    expect(sender.sent[0]?.notification.message).toContain('RPO now 7200 s, target 3600 s');
  });

  it("filters by each webhook's events, services and tiers", async () => {
    setup({
      all: {},
      outagesOnly: { events: ['outage'] },
      webOnly: { services: ['web'] },
      tier1: { tiers: ['tier-1'] },
    });
    outage('app-db'); // tier-1
    outage('web'); // tier-2
    run('r-1', 'succeeded', 'web');
    await notifier.idle(5_000);
    const got = (name: string) =>
      sender.sent
        .filter((s) => s.name === name)
        .map((s) => `${s.notification.event}:${s.notification.service}`);
    expect(got('all').sort()).toEqual(['outage:app-db', 'outage:web', 'run-finished:web']);
    expect(got('outagesOnly').sort()).toEqual(['outage:app-db', 'outage:web']);
    expect(got('webOnly').sort()).toEqual(['outage:web', 'run-finished:web']);
    expect(got('tier1')).toEqual(['outage:app-db']);
  });

  it('sends nothing when the plan has no webhooks, and ignores other events', async () => {
    notifier = new Notifier({ view: fake, sender });
    notifier.start();
    outage('app-db');
    fake.emit({
      type: 'probe',
      sample: { at: 'x', service: 'app-db', probe: 'p', from: 'controller', ok: false, ms: 1 },
    });
    await notifier.idle(5_000);
    expect(sender.sent).toHaveLength(0);
  });

  it('never holds the controller up: queues, bounded, the oldest dropped and counted', async () => {
    let open!: () => void;
    sender.gate = new Promise<void>((r) => {
      open = r;
    });
    setup({ ops: {} }, { maxQueue: 3, concurrency: 1 });
    const started = Date.now();
    for (let i = 0; i < 10; i++) run(`r-${i}`, 'failed');
    expect(Date.now() - started).toBeLessThan(500); // emit returned at once
    expect(notifier.stats()).toMatchObject({ inFlight: 1, queued: 3, dropped: 6 });
    open();
    await notifier.idle(5_000);
    // The first (in flight) and the 3 newest.
    expect(sender.sent.map((s) => s.notification.runId)).toEqual(['r-0', 'r-7', 'r-8', 'r-9']);
    expect(notifier.stats()).toMatchObject({ sent: 4, dropped: 6, queued: 0, inFlight: 0 });
  });

  it('counts failures per webhook with the last error, a rejected delivery too', async () => {
    const logged: string[] = [];
    const plan = planWith({ ops: {} });
    fake.plan = () => plan;
    const failing: NotificationSender = {
      deliver: async (req) => {
        if (req.notification.runId === 'r-2') throw new Error('boom');
        return { ok: false, code: 'LB_E_NOTIFY_HTTP_STATUS', error: 'answered 500', attempts: 4 };
      },
    };
    notifier = new Notifier({ view: fake, sender: failing, log: (l) => logged.push(l) });
    notifier.start();
    run('r-1', 'failed');
    run('r-2', 'failed');
    await notifier.idle(5_000);
    const s = notifier.stats();
    expect(s).toMatchObject({ sent: 0, failed: 2 });
    expect(s.webhooks.ops?.failed).toBe(2);
    expect(s.webhooks.ops?.lastError?.message).toBeDefined();
    expect(
      logged.some((l) => l.includes('LB_E_NOTIFY_HTTP_STATUS') && l.includes('webhook ops')),
    ).toBe(true);
  });

  it('stop() unsubscribes and ends the deliveries waiting', async () => {
    sender.gate = new Promise<void>(() => undefined); // never delivers
    setup({ ops: {} });
    run('r-1', 'failed');
    expect(fake.listeners).toBe(1);
    const slow: NotificationSender = {
      deliver: (_req, signal) =>
        new Promise((r) =>
          signal.addEventListener('abort', () => r({ ok: false, error: 'cancelled' })),
        ),
    };
    const t0 = Date.now();
    await notifier.stop(200); // the sender ignores the cancel: stop() waits a bounded time
    expect(Date.now() - t0).toBeLessThan(2_000);
    notifier = new Notifier({ view: fake, sender: slow });
    notifier.start();
    run('r-2', 'failed');
    expect(notifier.stats().inFlight).toBe(1);
    await notifier.stop();
    expect(notifier.stats().inFlight).toBe(0);
    expect(fake.listeners).toBe(0);
  });
});
