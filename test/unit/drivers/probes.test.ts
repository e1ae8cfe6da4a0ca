// Probes against real sockets on loopback (no root): a failed check is data, never a throw; bad
// configuration throws LB_E_DRIVER_BAD_INPUT at construction; abort rejects; the conformance
// suite holds for each kind.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LifeboatError } from '../../../src/core/errors/index.js';
import { LocalCommandRunner } from '../../../src/drivers/command/index.js';
import type { NodeRunner } from '../../../src/drivers/node-runner.js';
import { CommandProbe, HttpProbe, TcpProbe } from '../../../src/drivers/probes/index.js';
import { runDriverConformance } from '../../conformance/driver-suite.js';

const work = mkdtempSync(join(tmpdir(), 'lb-probe-unit-'));
let http: Server;
let tcp: TcpServer;
let base = '';
let tcpPort = 0;
let closedPort = 0;
const ctx = () => ({ signal: AbortSignal.timeout(10_000) });

beforeAll(async () => {
  http = createServer((req, res) => {
    if (req.url === '/ok') res.end('status: all good\n');
    else if (req.url === '/down') res.writeHead(503).end('maintenance');
    else if (req.url === '/moved') res.writeHead(302, { location: '/ok' }).end();
    else if (req.url === '/to-creds')
      res.writeHead(302, { location: 'http://u:p@127.0.0.1/ok' }).end();
    else if (req.url === '/slow') setTimeout(() => res.end('late'), 3000);
    else if (req.url === '/big') res.end('x'.repeat(1 << 20));
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
  tcp = createTcpServer((s) => s.destroy());
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
  tcpPort = (tcp.address() as { port: number }).port;
  const probe = createTcpServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  closedPort = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
});
afterAll(async () => {
  http.closeAllConnections();
  await new Promise((r) => http.close(r));
  await new Promise((r) => tcp.close(r));
  rmSync(work, { recursive: true, force: true });
});

describe('http probe', () => {
  const p = (path: string, over = {}) =>
    new HttpProbe({ name: 'web', url: `${base}${path}`, ...over });

  it('200 with the body text: ok, with latency', async () => {
    const r = await p('/ok', { bodyMatch: 'all good' }).probe(ctx());
    expect(r).toMatchObject({ ok: true, detail: expect.stringMatching(/^HTTP 200 in [\d.]+ ms$/) });
    expect(r.latencyMs).toBeGreaterThan(0);
  });

  it('a failed check is data: wrong status, missing text, refused, timed out', async () => {
    expect(await p('/down').probe(ctx())).toMatchObject({
      ok: false,
      detail: 'HTTP 503, expected 200',
    });
    expect(await p('/ok', { bodyMatch: 'nope' }).probe(ctx())).toMatchObject({
      ok: false,
      detail: expect.stringContaining('body does not contain'),
    });
    expect(
      await new HttpProbe({ name: 'web', url: `http://127.0.0.1:${closedPort}/` }).probe(ctx()),
    ).toMatchObject({ ok: false, detail: 'connection refused' });
    const slow = await p('/slow', { timeoutMs: 200 }).probe(ctx());
    expect(slow).toMatchObject({ ok: false, detail: 'timed out after 200 ms' });
    expect(slow.latencyMs).toBeLessThan(1500);
  });

  it('redirects are not followed unless configured, and never to a URL with credentials', async () => {
    expect(await p('/moved').probe(ctx())).toMatchObject({
      ok: false,
      detail: 'HTTP 302, expected 200',
    });
    expect(await p('/moved', { followRedirects: 1 }).probe(ctx())).toMatchObject({ ok: true });
    expect(await p('/to-creds', { followRedirects: 1 }).probe(ctx())).toMatchObject({
      ok: false,
      detail: expect.stringContaining('credentials'),
    });
  });

  it('reads at most maxBodyBytes of a large page', async () => {
    expect(await p('/big', { bodyMatch: 'y', maxBodyBytes: 1024 }).probe(ctx())).toMatchObject({
      ok: false,
    });
  });

  it('refuses bad configuration: credentials, schemes, blanks, status', () => {
    for (const url of [
      'http://user:pw@host/',
      'ftp://host/',
      'file:///etc/passwd',
      'http://host/a b',
      'http://host/\n',
      'http://$(id)/',
      'http://;id/',
      'not a url',
    ]) {
      expect(() => new HttpProbe({ name: 'web', url }), url).toThrow(
        expect.objectContaining({ code: 'LB_E_DRIVER_BAD_INPUT' }),
      );
    }
    expect(() => new HttpProbe({ name: '--option', url: base })).toThrow(
      expect.objectContaining({ code: 'LB_E_DRIVER_BAD_INPUT' }),
    );
    expect(() => new HttpProbe({ name: 'web', url: base, expectStatus: 42 })).toThrow(
      expect.objectContaining({ code: 'LB_E_DRIVER_BAD_INPUT' }),
    );
  });

  it('an aborted caller rejects LB_E_DRIVER_ABORTED', async () => {
    const c = new AbortController();
    const running = p('/slow').probe({ signal: c.signal });
    setTimeout(() => c.abort(), 50);
    await expect(running).rejects.toMatchObject({ code: 'LB_E_DRIVER_ABORTED' });
  });
});

describe('tcp probe', () => {
  it('connect time when open; refused and timed out as data', async () => {
    expect(
      await new TcpProbe({ name: 'ssh', host: '127.0.0.1', port: tcpPort }).probe(ctx()),
    ).toMatchObject({ ok: true, detail: expect.stringMatching(/^connected in/) });
    expect(
      await new TcpProbe({ name: 'ssh', host: '127.0.0.1', port: closedPort }).probe(ctx()),
    ).toMatchObject({ ok: false, detail: 'connection refused' });
    // A non-routed documentation address: the SYN goes nowhere, so the probe's timeout decides.
    const r = await new TcpProbe({
      name: 'ssh',
      host: '192.0.2.1',
      port: 22,
      timeoutMs: 150,
    }).probe(ctx());
    expect(r.ok).toBe(false);
    expect(r.latencyMs).toBeLessThan(1500);
  });

  it('refuses hostile hosts and bad ports', () => {
    for (const host of [';id', '$(id)', '`id`', 'a\nb', '--option', '../x']) {
      expect(() => new TcpProbe({ name: 'x', host, port: 22 })).toThrow(
        expect.objectContaining({ code: 'LB_E_DRIVER_BAD_INPUT' }),
      );
    }
    expect(() => new TcpProbe({ name: 'x', host: 'h', port: 0 })).toThrow(
      expect.objectContaining({ code: 'LB_E_DRIVER_BAD_INPUT' }),
    );
  });
});

describe('command probe', () => {
  const local = new LocalCommandRunner();

  it('exit 0 is ok; non-zero and timeouts are data; arguments stay data', async () => {
    expect(
      await new CommandProbe({ name: 'c', argv: ['true'], runner: local }).probe(ctx()),
    ).toMatchObject({ ok: true });
    expect(
      await new CommandProbe({
        name: 'c',
        argv: ['sh', '-c', 'echo broken >&2; exit 3'],
        runner: local,
      }).probe(ctx()),
    ).toMatchObject({ ok: false, detail: '`sh` exited 3: broken' });
    expect(
      await new CommandProbe({
        name: 'c',
        argv: ['sleep', '5'],
        runner: local,
        timeoutMs: 200,
      }).probe(ctx()),
    ).toMatchObject({ ok: false, detail: 'timed out after 200 ms on local' });
    const canary = join(work, 'canary');
    expect(
      await new CommandProbe({
        name: 'c',
        argv: ['test', '-e', `$(touch ${canary})`],
        runner: local,
      }).probe(ctx()),
    ).toMatchObject({ ok: false });
    expect(existsSync(canary)).toBe(false);
  });

  it('an unreachable node is a failed check; observe turns it into a retryable error', async () => {
    const down: NodeRunner = {
      where: 'ssh web-b',
      run: async () => {
        throw new LifeboatError('LB_E_DRIVER_UNREACHABLE', 'web-b cannot be reached: ECONNREFUSED');
      },
    };
    const p = new CommandProbe({ name: 'c', argv: ['true'], runner: down });
    expect(await p.probe(ctx())).toMatchObject({
      ok: false,
      detail: 'web-b cannot be reached: ECONNREFUSED',
    });
    await expect(p.observe(ctx())).rejects.toMatchObject({
      code: 'LB_E_DRIVER_UNREACHABLE',
      retryable: true,
    });
  });

  it('refuses an empty argv or an option as the program, before running anything', () => {
    let ran = false;
    const spy: NodeRunner = {
      run: async () => {
        ran = true;
        return { code: 0, stdout: '', stderr: '' };
      },
    };
    for (const argv of [[], ['--option'], ['-rf', 'x'], ['a\0b']]) {
      expect(() => new CommandProbe({ name: 'c', argv, runner: spy })).toThrow(
        expect.objectContaining({ code: 'LB_E_DRIVER_BAD_INPUT' }),
      );
    }
    expect(ran).toBe(false);
  });
});

runDriverConformance({
  name: 'http probe (loopback)',
  setup: async () => new HttpProbe({ name: 'web', url: `${base}/ok`, bodyMatch: 'good' }),
  unreachable: () => new HttpProbe({ name: 'web', url: `http://127.0.0.1:${closedPort}/` }),
});
runDriverConformance({
  name: 'tcp probe (loopback)',
  setup: async () => new TcpProbe({ name: 'svc', host: '127.0.0.1', port: tcpPort }),
  unreachable: () => new TcpProbe({ name: 'svc', host: '127.0.0.1', port: closedPort }),
});
runDriverConformance({
  name: 'command probe (local)',
  setup: async () =>
    new CommandProbe({ name: 'c', argv: ['true'], runner: new LocalCommandRunner() }),
  unreachable: () =>
    new CommandProbe({
      name: 'c',
      argv: ['true'],
      runner: {
        where: 'nowhere',
        run: async () => Promise.reject(new LifeboatError('LB_E_DRIVER_UNREACHABLE', 'down')),
      },
    }),
});
