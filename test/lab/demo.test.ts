// `lifeboat demo` end to end, as the README's first command runs it (with fast options): the
// lab comes up, the dashboard's URL and a token are printed, site a is cut off after 2 s, the
// API (reached from the host's namespace through the demo's relay) shows app-db's outage and
// the proposed failover; SIGINT tears everything down, verified (no lb-* namespace left).
// With --auto the failover is performed and app-db ends active at b.
import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { namespaces, pollFor } from './helpers.js';
import { BIN, ROOT } from './runbooks/cli.js';

interface Demo {
  proc: ChildProcess;
  out: () => string;
  exit: Promise<number | null>;
}

let running: Demo | undefined;

function startDemo(args: string[]): Demo {
  const proc = spawn(BIN, ['demo', '--skip-install', '--listen', '127.0.0.1:0', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  proc.stdout?.on('data', (d: Buffer) => {
    text += d.toString();
  });
  proc.stderr?.on('data', (d: Buffer) => {
    text += d.toString();
  });
  const exit = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  running = { proc, out: () => text, exit };
  return running;
}

const until = <T>(what: string, f: () => Promise<T | undefined>, ms: number, d?: Demo) =>
  pollFor(what, f, ms, { detail: () => d?.out() ?? '' });

/** SIGINT, then the demo's own teardown, bounded. */
async function stop(d: Demo): Promise<number | null> {
  d.proc.kill('SIGINT');
  const code = await Promise.race([d.exit, sleep(120_000).then(() => 'hung' as const)]);
  if (code === 'hung') {
    d.proc.kill('SIGKILL');
    throw new Error(`the demo did not exit within 120 s of SIGINT\n${d.out()}`);
  }
  return code;
}

afterEach(async () => {
  if (running && running.proc.exitCode === null && running.proc.signalCode === null)
    await stop(running).catch(() => undefined);
  running = undefined;
}, 150_000);

interface Svc {
  name: string;
  activeSite?: string;
  outage?: { site: string; action: string; runId?: string; confirmedBy: string[] };
}

async function api<T>(base: string, token: string, path: string): Promise<T> {
  const r = await fetch(`${base}${path}`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(5000),
  });
  if (!r.ok) throw new Error(`${path}: ${r.status}`);
  return (await r.json()) as T;
}

async function urlAndToken(d: Demo) {
  return until(
    'the dashboard URL and the token',
    async () => {
      const url = /^Dashboard: (http:\/\/\S+)$/m.exec(d.out())?.[1];
      const token = /^Token: +(lbt_\S+)$/m.exec(d.out())?.[1];
      return url && token ? { base: url.replace(/\/$/, ''), token } : undefined;
    },
    150_000,
    d,
  );
}

describe('lifeboat demo', () => {
  it('shows the outage of site a and the proposed failover through the API; SIGINT tears down', async () => {
    const t0 = Date.now();
    const d = startDemo(['--fault-after', '2s', '--components', 'postgres,haproxy,bind']);
    const { base, token } = await urlAndToken(d);
    const tUp = Date.now() - t0;
    // The dashboard itself, from the host's namespace.
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<!doctype html>/i);
    expect((await fetch(`${base}/api/v1/services`)).status).toBe(401);

    const appDb = await until(
      'app-db’s outage with a proposed run',
      async () => {
        const s = (await api<Svc[]>(base, token, '/api/v1/services')).find(
          (x) => x.name === 'app-db',
        );
        return s?.outage?.action === 'proposed' && s.outage.runId ? s : undefined;
      },
      60_000,
      d,
    );
    const tOutage = Date.now() - t0;
    expect(appDb.outage?.site).toBe('a');
    expect(appDb.activeSite).toBe('a');
    const runId = appDb.outage?.runId as string;
    const run = await until(
      'the run waiting for its approval',
      async () => {
        const r = await api<{ state: string; runbook: string }>(
          base,
          token,
          `/api/v1/runs/${runId}`,
        );
        return r.state === 'waiting-approval' ? r : undefined;
      },
      20_000,
      d,
    );
    expect(run.runbook).toBe('failover');
    // What the demo printed from the controller's events.
    await until(
      'the printed proposal',
      async () => (d.out().includes(`app-db: failover proposed, run ${runId}`) ? true : undefined),
      10_000,
      d,
    );
    expect(d.out()).toMatch(/site a cut off/);
    expect(d.out()).toMatch(/outage of app-db at site a detected \(confirmed by controller/);
    expect(d.out()).toContain(`lifeboat approve ${runId} app-db/approve-run`);

    const t1 = Date.now();
    const code = await stop(d);
    const tDown = Date.now() - t1;
    expect(code, d.out()).toBe(0);
    expect(d.out()).toMatch(/teardown verified: no lb-\* namespace/);
    expect(namespaces().filter((n) => n.startsWith('lb-'))).toEqual([]);
    await expect(fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
    process.stdout.write(
      `demo: URL after ${tUp} ms, app-db's proposed failover after ${tOutage} ms, teardown ${tDown} ms\n`,
    );
  }, 300_000);

  it('--auto: the failover of app-db is performed, app-db ends active at b', async () => {
    const t0 = Date.now();
    const d = startDemo(['--auto', '--fault-after', '2s', '--components', 'postgres,haproxy,bind']);
    const { base, token } = await urlAndToken(d);
    expect(d.out()).toMatch(/onOutage failover \(--auto: set in memory/);
    const moved = await until(
      'app-db active at b',
      async () => {
        const s = await api<Svc>(base, token, '/api/v1/services/app-db');
        return s.activeSite === 'b' ? s : undefined;
      },
      120_000,
      d,
    );
    expect(moved.activeSite).toBe('b');
    await until(
      'the printed end of the run',
      async () =>
        /run \S+ \(failover app-db\) finished: succeeded/.test(d.out()) ? true : undefined,
      10_000,
      d,
    );
    expect(d.out()).toMatch(/app-db: failover started \(onOutage failover\)/);
    const tMoved = Date.now() - t0;
    const code = await stop(d);
    expect(code, d.out()).toBe(0);
    expect(d.out()).toMatch(/teardown verified/);
    expect(namespaces().filter((n) => n.startsWith('lb-'))).toEqual([]);
    process.stdout.write(`demo --auto: app-db active at b ${tMoved} ms after the start\n`);
  }, 300_000);
});
