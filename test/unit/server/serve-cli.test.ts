// `lifeboat serve` in-process on the RDO example plan: listens where told (port 0 here), serves
// the API with a token from `lifeboat token create`, reads the plan again on SIGHUP, closes on
// SIGTERM (signals from a test emitter, not the test process), refuses a bad --listen.
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseListen, serveCommand } from '../../../src/cli/commands/serve.js';
import { tokenCommand } from '../../../src/cli/commands/token.js';
import { runCli } from '../../../src/cli/program.js';
import { ROUTES } from '../../../src/server/routes.js';
import { root, schemaErrors } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'lifeboat-serve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const plan = join(root, 'examples', 'rdo', 'plan.yaml');

function io() {
  const buf = { out: '', err: '' };
  return {
    buf,
    io: {
      out: (t: string) => {
        buf.out += t;
      },
      err: (t: string) => {
        buf.err += t;
      },
    },
  };
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('lifeboat serve', () => {
  it('parses --listen', () => {
    expect(parseListen('127.0.0.1:8480')).toEqual({ host: '127.0.0.1', port: 8480 });
    expect(parseListen('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(parseListen('localhost:80')).toEqual({ host: 'localhost', port: 80 });
    for (const bad of ['8480', '127.0.0.1', ':8480', '1.2.3.4:70000', 'a b:1', '::1:80']) {
      expect(() => parseListen(bad), bad).toThrow(/LB_E_SERVER_LISTEN|HOST:PORT/);
    }
  });

  it('serves the API for the plan, reloads on SIGHUP, closes on SIGTERM', async () => {
    const state = join(dir, 'state.db');
    const t = io();
    expect(
      await runCli(
        [tokenCommand()],
        ['token', 'create', '--role', 'viewer', '--name', 'v', '--state', state],
        t.io,
      ),
    ).toBe(0);
    const token = t.buf.out.trim();
    const signals = new EventEmitter();
    const s = io();
    const done = runCli(
      [serveCommand(undefined, signals)],
      [
        'serve',
        '--plan',
        plan,
        '--listen',
        '127.0.0.1:0',
        '--state',
        state,
        '--no-watch',
        '--web',
        join(dir, 'no-web'),
      ],
      s.io,
    );
    await until(() => /API http:\/\/127\.0\.0\.1:\d+/.test(s.buf.out));
    const base = /API (http:\/\/127\.0\.0\.1:\d+)/.exec(s.buf.out)?.[1] as string;
    expect(s.buf.out).toContain('16 services');
    expect(s.buf.out).toContain('no dashboard');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/api/v1/services`)).status).toBe(401);
    const services = await fetch(`${base}/api/v1/services`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(services.status).toBe(200);
    expect(((await services.json()) as unknown[]).length).toBe(16);
    // The real controller's answers fit the schemas the OpenAPI document and the dashboard use.
    for (const route of ROUTES) {
      if (route.method !== 'GET' || route.produces || route.url.endsWith('/events')) continue;
      const r = await fetch(
        `${base}${route.url.replace(':name', 'dlrn-db').replace(':id', 'none')}`,
        {
          headers: { authorization: `Bearer ${token}` },
        },
      );
      const schema = route.schema.response[r.status];
      expect(schema, `${route.url} answered ${r.status}`).toBeDefined();
      expect(schemaErrors(schema as object, await r.json()), route.url).toEqual([]);
    }
    signals.emit('SIGHUP');
    await until(() => s.buf.err.includes('SIGHUP'));
    expect(s.buf.err).toContain('plan read again');
    signals.emit('SIGTERM');
    expect(await done).toBe(0);
    expect(signals.listenerCount('SIGTERM')).toBe(0);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });

  it('refuses a bad --listen and an address in use with LB_E_SERVER_LISTEN', async () => {
    const bad = io();
    expect(
      await runCli(
        [serveCommand()],
        ['serve', '--plan', plan, '--listen', 'nowhere', '--state', join(dir, 's2.db')],
        bad.io,
      ),
    ).toBe(2);
    expect(bad.buf.err).toContain('LB_E_SERVER_LISTEN');
    const blocker = createNetServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as AddressInfo).port;
    const busy = io();
    try {
      expect(
        await runCli(
          [serveCommand(undefined, new EventEmitter())],
          [
            'serve',
            '--plan',
            plan,
            '--listen',
            `127.0.0.1:${port}`,
            '--state',
            join(dir, 's3.db'),
            '--no-watch',
          ],
          busy.io,
        ),
      ).toBe(2);
      expect(busy.buf.err).toContain('LB_E_SERVER_LISTEN');
    } finally {
      blocker.close();
    }
  });
});
