// The composition of notifications: the Notifier with the webhook driver behind its port
// (src/cli/compose/notify.ts), end to end to a local server: the format's body, a header read
// from the environment and never in the body, an unreadable secret counted as a failure.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotifier, webhookSender } from '../../../src/cli/compose/notify.js';
import type { Plan } from '../../../src/core/plan/index.js';
import { FakeController } from '../../support/fake-controller.js';

let server: Server;
let port = 0;
const got: { url: string; headers: IncomingMessage['headers']; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => {
      got.push({ url: req.url ?? '', headers: req.headers, body });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('createNotifier with the webhook driver', () => {
  it('delivers each format with the secret header and path, never in the body', async () => {
    const fake = new FakeController();
    const plan = {
      version: 1,
      name: 't',
      services: { 'app-db': { tier: 'tier-1' } },
      notifications: {
        allowedHosts: ['127.0.0.1'],
        webhooks: {
          j: {
            url: `http://127.0.0.1:${port}/json`,
            format: 'json',
            events: ['run-finished'],
            headers: { Authorization: 'env:LB_TEST_HOOK_AUTH' },
          },
          s: {
            url: `http://127.0.0.1:${port}`,
            pathSecret: 'env:LB_TEST_HOOK_PATH',
            format: 'slack',
            events: ['run-finished'],
          },
          m: { url: `http://127.0.0.1:${port}/matrix`, format: 'matrix', events: ['run-finished'] },
          broken: {
            url: `http://127.0.0.1:${port}/x`,
            format: 'json',
            events: ['run-finished'],
            headers: { Authorization: 'env:LB_TEST_HOOK_UNSET' },
          },
        },
      },
    } as unknown as Plan;
    fake.plan = () => plan;
    const env = {
      LB_TEST_HOOK_AUTH: 'Bearer hush-hush-42',
      LB_TEST_HOOK_PATH: '/services/T/B/hidden-77',
    };
    const notifier = createNotifier(fake, { sender: webhookSender({ attempts: 1 }, env) });
    notifier.start();
    try {
      fake.emit({
        type: 'run',
        runId: 'r-1',
        service: 'app-db',
        runbook: 'failover',
        state: 'succeeded',
        message: 'done',
      });
      await notifier.idle(10_000);
      const by = (path: string) => got.find((g) => g.url === path);
      expect(by('/json')?.headers.authorization).toBe('Bearer hush-hush-42');
      expect(JSON.parse(by('/json')?.body ?? '{}')).toMatchObject({
        event: 'run-finished',
        service: 'app-db',
        runId: 'r-1',
        state: 'succeeded',
      });
      expect(JSON.parse(by('/services/T/B/hidden-77')?.body ?? '{}').text).toContain(
        'Run finished',
      );
      expect(JSON.parse(by('/matrix')?.body ?? '{}').msgtype).toBe('m.text');
      for (const g of got) {
        expect(g.body).not.toContain('hush-hush');
        expect(g.body).not.toContain('hidden-77');
      }
      const stats = notifier.stats();
      expect(stats).toMatchObject({ sent: 3, failed: 1 });
      expect(stats.webhooks.broken?.lastError?.code).toBe('LB_E_NOTIFY_SECRET');
      expect(JSON.stringify(stats)).not.toContain('hush-hush');
    } finally {
      await notifier.stop();
      await fake.close();
    }
  });
});
