// The composition root: a controller built from a plan file with the real drivers (TCP probes
// against a local listener), the real clock, the plan file watched; stop() leaves nothing behind.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ComposedController, createController } from '../../../src/cli/compose/controller.js';
import { tcpServicePlan, until } from './helpers.js';

let dir: string | undefined;
let composed: ComposedController | undefined;
let server: Server | undefined;
afterEach(async () => {
  await composed?.stop();
  composed = undefined;
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('createController', () => {
  it('probes a real listener, sees it go away, reloads the plan file on change, and stops cleanly', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lifeboat-compose-'));
    const srv = createServer((s) => s.destroy());
    server = srv;
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const port = (srv.address() as { port: number }).port;
    const file = join(dir, 'plan.yaml');
    writeFileSync(file, tcpServicePlan(port));
    const lines: string[] = [];
    composed = createController({
      plan: file,
      state: join(dir, 'state.db'),
      log: (l) => lines.push(l),
    });
    const c = composed.controller;
    await composed.start();
    await until(() => c.service('web')?.sites.find((s) => s.site === 'a')?.health === 'up', 5000);
    expect(c.probeHistory('web').at(-1)).toMatchObject({ probe: 'port', site: 'a', ok: true });

    await new Promise<void>((r) => srv.close(() => r()));
    server = undefined;
    await until(() => c.service('web')?.outage !== undefined, 5000);
    expect(c.service('web')?.outage).toMatchObject({ site: 'a', action: 'notified' });

    writeFileSync(file, `${tcpServicePlan(port, 't2')}oops: [\n`);
    await until(() => c.planStatus().failedReloads >= 1, 5000);
    expect(c.plan().name).toBe('t');
    expect(lines.join('\n')).toMatch(/plan reload failed/);
    writeFileSync(file, tcpServicePlan(port, 't2'));
    await until(() => c.plan().name === 't2', 5000);
    expect(c.planStatus()).toMatchObject({ reloads: 1 });
    expect(c.planStatus().lastError).toBeUndefined();

    await composed.stop();
    expect(c.timers).toBe(0);
    composed = undefined;
  });

  it('refuses an invalid plan at start', () => {
    const d = mkdtempSync(join(tmpdir(), 'lifeboat-compose-'));
    dir = d;
    const file = join(d, 'plan.yaml');
    writeFileSync(file, 'version: 1\nname: x\ntiers: [\n');
    expect(() => createController({ plan: file, state: join(d, 'state.db') })).toThrow(
      expect.objectContaining({ code: 'LB_E_CONTROLLER_PLAN_INVALID' }),
    );
  });
});
