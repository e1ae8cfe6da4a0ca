// End to end through the composition root: createController with a plan whose webhook points at
// a local HTTP server (127.0.0.1, allowed explicitly); the service's TCP listener goes away, the
// outage is told to the webhook once, and stop() leaves nothing running.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ComposedController, createController } from '../../../src/cli/compose/controller.js';
import { tcpServicePlan, until } from '../controller/helpers.js';

const plan = (port: number, hookPort: number) => `${tcpServicePlan(port)}notifications:
  dashboardUrl: https://lb.example.org/
  allowedHosts: [127.0.0.1]
  webhooks:
    ops:
      url: http://127.0.0.1:${hookPort}/hook
      format: json
      events: [outage]
`;

let dir: string;
let hook: HttpServer;
let hookPort = 0;
const bodies: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lifeboat-notify-'));
  hook = createHttpServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => {
      bodies.push(body);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  hookPort = (hook.address() as { port: number }).port;
});

afterAll(async () => {
  hook.closeAllConnections();
  await new Promise<void>((r) => hook.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

describe('lifeboat serve notifications (createController)', () => {
  it('tells the webhook of an outage once, and stops cleanly', async () => {
    let srv: Server | undefined = createServer((s) => s.destroy());
    const tcp = srv;
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', () => r()));
    const port = (tcp.address() as { port: number }).port;
    const file = join(dir, 'plan.yaml');
    writeFileSync(file, plan(port, hookPort));
    let composed: ComposedController | undefined = createController({
      plan: file,
      state: join(dir, 'state.db'),
      watch: false,
      log: () => undefined,
    });
    try {
      const c = composed.controller;
      await composed.start();
      await until(() => c.service('web')?.sites.find((s) => s.site === 'a')?.health === 'up', 5000);
      await new Promise<void>((r) => tcp.close(() => r()));
      srv = undefined;
      await until(() => bodies.length > 0, 5000);
      expect(JSON.parse(bodies[0] ?? '{}')).toMatchObject({
        event: 'outage',
        service: 'web',
        site: 'a',
        dashboardUrl: 'https://lb.example.org/#/services/web',
      });
      await new Promise((r) => setTimeout(r, 300)); // more failed probes: still one notice
      expect(bodies).toHaveLength(1);
      expect(composed.notifier.stats()).toMatchObject({ sent: 1, failed: 0 });
      await composed.stop();
      composed = undefined;
      expect(c.timers).toBe(0);
    } finally {
      await composed?.stop();
      await new Promise<void>((r) => (srv ? srv.close(() => r()) : r()));
    }
  });
});
