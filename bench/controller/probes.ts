// Probe capacity of the controller: 1,000 services × 2 TCP probes at 1 s intervals, for ~20 s,
// against real listeners on 127.0.0.1 (in their own process, so that accepting connections is
// not counted). Measured: the CPU time of the controller's process (process.cpuUsage, user +
// system) over the window, as a percentage of one core. Target: ≤ 25 %.
//
// Named baseline, in the same run: the same number of bare `net.connect` calls per second (each
// connect, then destroy), spread evenly over each second, without the scheduler, the drivers,
// health, history or events: what the probes cost the operating system and libuv at the least.
// For scale, three more lines: the same connects each with one timer cleared on completion
// (what a TCP check needs at the least), the TcpProbe driver alone at the same rate, and the
// controller with probes that answer at once (its scheduler, health, history and events alone).
// Each measurement runs in a fresh child process, one after the other; the controller is built
// by the composition root (`createController`: the plan file, the real TcpProbe drivers, the
// SQLite store), exactly as `lifeboat serve` builds it.
//
// Run: npm run bench:probes [-- --services N --seconds S]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createController } from '../../src/cli/compose/controller.js';
import { loadPlanFile } from '../../src/cli/plan-files.js';
import { Controller } from '../../src/controller/index.js';
import { TcpProbe } from '../../src/drivers/probes/index.js';
import type { StepDrivers } from '../../src/engine/index.js';
import { openSqliteStore } from '../../src/store/index.js';

const args = process.argv.slice(2);
const opt = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const SERVICES = opt('services', 1000);
const SECONDS = opt('seconds', 20);
const WARMUP_S = 3;
const PORTS = 8;
const PROBES_PER_SERVICE = 2;

interface Measure {
  name: string;
  cpuMs: number;
  userMs: number;
  systemMs: number;
  wallMs: number;
  /** Probe (or connect) completions in the window. */
  done: number;
  failed: number;
  rssMiB: number;
}

function planYaml(ports: number[]): string {
  const lines = [
    'version: 1',
    'name: probe-capacity',
    'tiers:',
    '  high: { rto: 5m, rpo: 5s }',
    'sites:',
    '  a: { role: primary, provider: here }',
    '  b: { role: offsite, provider: there }',
    'nodes:',
    '  a1: { site: a, address: 127.0.0.1 }',
    '  b1: { site: b, address: 127.0.0.2 }',
    'services:',
  ];
  for (let i = 0; i < SERVICES; i++) {
    lines.push(
      `  svc-${i}:`,
      '    tier: high',
      '    strategy: active-passive',
      '    onOutage: notify',
      '    placement: { active: [a1], standby: [b1] }',
      '    health:',
    );
    for (let j = 0; j < PROBES_PER_SERVICE; j++)
      lines.push(
        `      - { kind: tcp, name: p${j}, host: 127.0.0.1, port: ${ports[(i * PROBES_PER_SERVICE + j) % ports.length]}, interval: 1s, timeout: 1s }`,
      );
  }
  return `${lines.join('\n')}\n`;
}

function usage(from: NodeJS.CpuUsage): { cpuMs: number; userMs: number; systemMs: number } {
  const u = process.cpuUsage(from);
  return { cpuMs: (u.user + u.system) / 1000, userMs: u.user / 1000, systemMs: u.system / 1000 };
}

async function childController(dir: string): Promise<Measure> {
  const composed = createController({
    plan: join(dir, 'plan.yaml'),
    state: join(dir, 'state.db'),
    watch: false,
    log: () => undefined,
    tuning: { maxConcurrentProbes: 256, probeHistory: opt('history', 200) },
  });
  const c = composed.controller;
  await composed.start();
  await new Promise((r) => setTimeout(r, WARMUP_S * 1000));
  const start = new Date().toISOString();
  const n0 = c.probesRun;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const cpu = usage(cpu0);
  const wallMs = performance.now() - t0;
  const done = c.probesRun - n0;
  // Failures among the samples still in the history (the last ones of the window).
  let failed = 0;
  for (const s of c.services())
    for (const p of c.probeHistory(s.name)) if (p.at >= start && !p.ok) failed++;
  const rssMiB = process.memoryUsage().rss / 2 ** 20;
  await composed.stop();
  return { name: 'controller', ...cpu, wallMs, done, failed, rssMiB };
}

/**
 * For scale: the same controller with probes that answer at once (no socket): what the
 * scheduler, health, history and events cost on their own.
 */
async function childScheduler(dir: string): Promise<Measure> {
  const loaded = loadPlanFile(join(dir, 'plan.yaml'));
  const store = openSqliteStore(join(dir, 'scheduler.db'));
  const instant = {
    kind: 'probe',
    target: 'instant',
    observe: async () => ({ healthy: true, summary: 'instant', facts: {} }),
    probe: async () => ({ ok: true, latencyMs: 0, detail: 'instant' }),
  };
  const none = () => {
    throw new Error('not in this benchmark');
  };
  const drivers: StepDrivers = {
    database: none,
    dataSet: none,
    replicaSource: none,
    traffic: none,
    trafficIndex: () => undefined,
    probe: () => instant,
    siteProbes: () => [instant],
    playbook: none,
    mirror: none,
    mirrorSyncedThrough: async () => undefined,
    command: none,
    http: () => instant,
    siteOf: () => undefined,
  };
  const c = new Controller({
    file: 'plan.yaml',
    load: () => loaded,
    drivers: () => drivers,
    store,
    maxConcurrentProbes: 256,
  });
  await c.start();
  await new Promise((r) => setTimeout(r, WARMUP_S * 1000));
  const n0 = c.probesRun;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const cpu = usage(cpu0);
  const wallMs = performance.now() - t0;
  const done = c.probesRun - n0;
  const rssMiB = process.memoryUsage().rss / 2 ** 20;
  await c.stop();
  await store.close();
  return { name: 'scheduler alone', ...cpu, wallMs, done, failed: 0, rssMiB };
}

/** The same rate of TcpProbe.probe calls (the driver the controller uses), without the controller. */
async function childDriver(ports: number[]): Promise<Measure> {
  const probes = ports.map(
    (port, i) => new TcpProbe({ name: `p${i}`, host: '127.0.0.1', port, timeoutMs: 1000 }),
  );
  let n = 0;
  const m = await paced('TcpProbe driver', (count) => {
    const p = probes[n++ % probes.length] as TcpProbe;
    void p.probe({ signal: new AbortController().signal }).then((r) => count(r.ok));
  });
  return m;
}

/**
 * For scale: TcpProbe's check with one timer cleared on completion, instead of a signal built
 * per probe from AbortSignal.any and AbortSignal.timeout (which fires a second later whether or
 * not the probe is done). The difference is what the driver could save.
 */
async function childOneTimer(ports: number[]): Promise<Measure> {
  let n = 0;
  return paced('connect + 1 timer', (count) => {
    const port = ports[n++ % ports.length] as number;
    const signal = new AbortController().signal;
    const sock = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      clearTimeout(t);
      signal.removeEventListener('abort', onAbort);
      sock.destroy();
      count(ok);
    };
    const onAbort = () => done(false);
    const t = setTimeout(() => done(false), 1000);
    signal.addEventListener('abort', onAbort, { once: true });
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

async function childBare(ports: number[]): Promise<Measure> {
  let n = 0;
  return paced('bare net.connect', (count) => {
    const port = ports[n++ % ports.length] as number;
    const sock = connect({ host: '127.0.0.1', port });
    const t = setTimeout(() => sock.destroy(), 1000);
    sock.once('connect', () => {
      clearTimeout(t);
      sock.destroy();
      count(true);
    });
    sock.once('error', () => {
      clearTimeout(t);
      count(false);
    });
  });
}

/** Calls `one` SERVICES × PROBES_PER_SERVICE times a second, spread evenly; measures the window. */
async function paced(name: string, one: (count: (ok: boolean) => void) => void): Promise<Measure> {
  const perSecond = SERVICES * PROBES_PER_SERVICE;
  const TICK_MS = 10;
  let done = 0;
  let failed = 0;
  let counting = false;
  const count = (ok: boolean) => {
    if (!counting) return;
    done++;
    if (!ok) failed++;
  };
  // Paced by the clock, not by the number of ticks: a late timer catches up.
  const t00 = performance.now();
  let issued = 0;
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - t00) * perSecond) / 1000);
    for (; issued < due; issued++) one(count);
  }, TICK_MS);
  await new Promise((r) => setTimeout(r, WARMUP_S * 1000));
  counting = true;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const cpu = usage(cpu0);
  const wallMs = performance.now() - t0;
  counting = false;
  clearInterval(timer);
  const rssMiB = process.memoryUsage().rss / 2 ** 20;
  return { name, ...cpu, wallMs, done, failed, rssMiB };
}

function runChild(mode: string, extra: string[]): Promise<Measure> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), '--child', mode, ...extra, ...args],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    p.stdout.on('data', (d) => {
      out += String(d);
    });
    p.on('error', reject);
    p.on('exit', (code) => {
      if (code !== 0) reject(new Error(`${mode} exited ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').at(-1) as string) as Measure);
    });
  });
}

async function listeners(): Promise<void> {
  const servers = await Promise.all(
    Array.from(
      { length: PORTS },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve) => {
          const s = createServer((sock) => {
            sock.on('error', () => undefined);
            sock.end();
          });
          s.listen(0, '127.0.0.1', 4096, () => resolve(s));
        }),
    ),
  );
  process.stdout.write(
    `${JSON.stringify(servers.map((s) => (s.address() as { port: number }).port))}\n`,
  );
  // Until the parent closes stdin.
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}

function calibrate(): number {
  const t0 = performance.now();
  const m = new Map<string, number>();
  for (let i = 0; i < 200_000; i++) m.set(`k${i}`, i);
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const childIdx = args.indexOf('--child');
  if (childIdx >= 0) {
    const mode = args[childIdx + 1];
    if (mode === 'listen') return listeners();
    const ports = JSON.parse(args[args.indexOf('--ports') + 1] as string) as number[];
    const m =
      mode === 'controller'
        ? await childController(args[args.indexOf('--dir') + 1] as string)
        : mode === 'scheduler'
          ? await childScheduler(args[args.indexOf('--dir') + 1] as string)
          : mode === 'driver'
            ? await childDriver(ports)
            : mode === 'one-timer'
              ? await childOneTimer(ports)
              : await childBare(ports);
    process.stdout.write(`${JSON.stringify(m)}\n`);
    process.exit(0);
  }

  const listen = spawn(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), '--child', 'listen'],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const ports = await new Promise<number[]>((resolve) => {
    let out = '';
    listen.stdout.on('data', (d) => {
      out += String(d);
      if (out.includes('\n')) resolve(JSON.parse(out.trim()) as number[]);
    });
  });
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-bench-probes-'));
  writeFileSync(join(dir, 'plan.yaml'), planYaml(ports));
  const calBefore = calibrate();
  const load0 = loadavg()[0] ?? 0;
  const extra = ['--ports', JSON.stringify(ports), '--dir', dir];
  try {
    const bare = await runChild('bare', extra);
    const oneTimer = await runChild('one-timer', extra);
    const driver = await runChild('driver', extra);
    const sched = await runChild('scheduler', extra);
    const ctl = await runChild('controller', extra);
    const calAfter = calibrate();
    const pct = (m: Measure) => (100 * m.cpuMs) / m.wallMs;
    const rate = (m: Measure) => (1000 * m.done) / m.wallMs;
    const expected = SERVICES * PROBES_PER_SERVICE;
    const fmt = (m: Measure) =>
      `${m.name.padEnd(18)} CPU ${pct(m).toFixed(1).padStart(5)} % of one core  (${Math.round(m.userMs)} user + ${Math.round(m.systemMs)} system ms CPU in ${(m.wallMs / 1000).toFixed(1)} s)  ${Math.round(rate(m))} completions/s (expected ${expected}), ${m.failed} failed, RSS ${Math.round(m.rssMiB)} MiB`;
    process.stdout.write(
      `${[
        `probe capacity: ${SERVICES} services × ${PROBES_PER_SERVICE} TCP probes at 1 s, ${SECONDS} s window after ${WARMUP_S} s warm-up, ${PORTS} listeners on 127.0.0.1 (own process)`,
        `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}, load ${load0.toFixed(1)} → ${(loadavg()[0] ?? 0).toFixed(1)}, calibration ${Math.round(calBefore)}/${Math.round(calAfter)} ms`,
        fmt(bare),
        fmt(oneTimer),
        fmt(driver),
        fmt(sched),
        fmt(ctl),
        `ratio controller / bare: ${(pct(ctl) / pct(bare)).toFixed(2)} ×`,
        `target ≤ 25 % of one core: ${pct(ctl) <= 25 ? 'PASS' : 'FAIL'}`,
      ].join('\n')}\n`,
    );
  } finally {
    listen.stdin.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
