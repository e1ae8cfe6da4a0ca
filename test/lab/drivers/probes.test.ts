// Probes against the lab: HTTP to the service at site a and TCP to sshd at site b, from the `wan`
// namespace where clients live; a command probe on site b over SSH. A partition or a stopped
// server turns into `ok: false` with the reason, never an exception; observe() passes the
// conformance suite. Figures: probe latency.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../../src/drivers/driver.js';
import { CommandProbe } from '../../../src/drivers/probes/index.js';
import { Lab } from '../../../src/lab/index.js';
import { runDriverConformance } from '../../conformance/driver-suite.js';
import { median, SITE_B, sshRunner } from './ssh-lab.js';
import { netnsDriver } from './support/netns-driver.js';

const lab = Lab.open({ name: 'drvprobe' });
const ROOT = join(import.meta.dirname, '..', '..', '..');
const ctx = (ms = 30_000) => ({ signal: AbortSignal.timeout(ms) });
const figures: Record<string, number> = {};

/** Runs probe() inside the wan namespace `times` times. */
function probeInWan(
  kind: 'http' | 'tcp',
  config: Record<string, unknown>,
  times = 1,
): Promise<ProbeResult[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'ip',
      [
        'netns',
        'exec',
        lab.namespaces.wan,
        process.execPath,
        '--import',
        'tsx',
        join(import.meta.dirname, 'probe-host.ts'),
      ],
      {
        cwd: ROOT,
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      out += d;
    });
    child.on('close', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as ProbeResult[])
        : reject(new Error(`probe host exited ${code}`)),
    );
    child.stdin.end(JSON.stringify({ kind, config, times }));
  });
}

beforeAll(async () => {
  await lab.up(['http', 'ssh']);
});
afterAll(async () => {
  console.log(`probe figures (ms): ${JSON.stringify(figures)}`);
  await lab.down();
});

const httpA = () => ({
  name: 'web-a',
  url: `${lab.endpoints().http.a.url}/health`,
  bodyMatch: '"ok":true',
  timeoutMs: 500,
});

describe('from the wan namespace', () => {
  it('HTTP to site a: ok with its latency; TCP to sshd at b: connect time', async () => {
    const http = await probeInWan('http', httpA(), 11);
    expect(http.every((r) => r.ok)).toBe(true);
    expect(http[0]?.detail).toMatch(/^HTTP 200 in/);
    const tcp = await probeInWan('tcp', { name: 'ssh-b', host: SITE_B, port: 22 }, 11);
    expect(tcp.every((r) => r.ok)).toBe(true);
    Object.assign(figures, {
      httpMedian: median(http.slice(1).map((r) => r.latencyMs)),
      tcpConnectMedian: median(tcp.slice(1).map((r) => r.latencyMs)),
    });
  });

  it('site a cut off: the HTTP probe fails as data, after its timeout', async () => {
    await lab.partition('a');
    try {
      const [r] = await probeInWan('http', httpA());
      expect(r).toMatchObject({ ok: false, detail: 'timed out after 500 ms' });
      expect(r?.latencyMs).toBeGreaterThanOrEqual(490);
      expect(r?.latencyMs).toBeLessThan(1500);
    } finally {
      await lab.heal('a');
    }
    const [back] = await probeInWan('http', httpA());
    expect(back?.ok).toBe(true);
  });

  it('a wrong status and a refused port are data too', async () => {
    const [missing] = await probeInWan('http', {
      ...httpA(),
      url: `${lab.endpoints().http.a.url}/nothing-here`,
    });
    expect(missing).toMatchObject({ ok: false, detail: 'HTTP 404, expected 200' });
    const [refused] = await probeInWan('tcp', { name: 'x', host: SITE_B, port: 2222 });
    expect(refused).toMatchObject({ ok: false, detail: 'connection refused' });
  });
});

describe('command probe on site b over SSH', () => {
  it('exit 0 is healthy, non-zero is not; a stopped sshd is a failed check, and observe an error', async () => {
    const runner = sshRunner(lab);
    expect(
      await new CommandProbe({
        name: 'dir',
        argv: ['test', '-d', lab.dir],
        runner,
        timeoutMs: 10_000,
      }).probe(ctx()),
    ).toMatchObject({ ok: true });
    expect(
      await new CommandProbe({
        name: 'dir',
        argv: ['test', '-d', '/no/such/dir'],
        runner,
        timeoutMs: 10_000,
      }).probe(ctx()),
    ).toMatchObject({ ok: false, detail: '`test` exited 1' });
    await runner.close();
    await lab.kill('sshd-b');
    const down = new CommandProbe({
      name: 'dir',
      argv: ['true'],
      runner: sshRunner(lab),
      timeoutMs: 10_000,
    });
    expect(await down.probe(ctx())).toMatchObject({
      ok: false,
      detail: expect.stringContaining('web-b'),
    });
    await expect(down.observe(ctx())).rejects.toMatchObject({
      code: 'LB_E_DRIVER_UNREACHABLE',
      retryable: true,
    });
    await lab.up(['ssh']);
  });
});

runDriverConformance({
  name: 'http probe (lab, from wan)',
  setup: async () =>
    netnsDriver(lab.namespaces.wan, 'src/drivers/probes/index.ts', 'HttpProbe', httpA()),
  unreachable: () =>
    netnsDriver(lab.namespaces.wan, 'src/drivers/probes/index.ts', 'HttpProbe', {
      ...httpA(),
      url: `http://${SITE_B}:8089/`,
    }),
});

runDriverConformance({
  name: 'tcp probe (lab, from wan)',
  setup: async () =>
    netnsDriver(lab.namespaces.wan, 'src/drivers/probes/index.ts', 'TcpProbe', {
      name: 'ssh-b',
      host: SITE_B,
      port: 22,
    }),
  unreachable: () =>
    netnsDriver(lab.namespaces.wan, 'src/drivers/probes/index.ts', 'TcpProbe', {
      name: 'ssh-b',
      host: SITE_B,
      port: 2222,
    }),
});
