// bench/controller/failover: issue 5's Performance item, the Lifeboat side. In the lab
// (PostgreSQL 15 sync, HAProxy, BIND), the controller on the lab plan with app-db's onOutage set
// to `failover` and its probes tightened, in memory; a writer through HAProxy and a two-primaries
// checker; then a fault: (a) SIGKILL of the primary's postgres (postgres-a), (b) site a
// partitioned. Measured, median of 5 fresh-lab rounds each: fault → first acknowledged write
// through HAProxy, and the breakdown detect (fault → outage event), decide (outage → the run's
// first journal entry), the steps' durationMs from the journal (fence, check-ready, promote,
// switch-traffic), the rest; acknowledged writes absent on the new primary; moments with two
// writable primaries. Patroni is NOT measured here: its figures are quoted from
// ../shared/LAB-NOTES.md (prototype). Root only. Usage: npx tsx bench/controller/failover.ts
// [--rounds N] [--fault kill|partition|both]
//
// The controller runs as a child (bench/controller/failover-controller.ts) inside lb-wan, the way
// `lifeboat demo` runs it: `ip netns exec lb-wan node <tsx loader> ...` with
// LIFEBOAT_IN_LAB_NETNS=lb; it tells its events as JSON lines with their timestamps.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import {
  ADDRESSES,
  Lab,
  openWorkload,
  PATRONI_DEFAULTS,
  PATRONI_LOWEST,
  type PatroniSettings,
  watchPrimaries,
} from '../../src/lab/index.js';
import { openSqliteStore } from '../../src/store/index.js';
import { endRound, type Fault, injectAndMark, type RoundEnd, within } from './fault.js';
import { type PatroniRound, patroniRound } from './patroni.js';

const ROOT = join(import.meta.dirname, '..', '..');
const PLAN = join(ROOT, 'examples', 'lab', 'plan.yaml');
const CHILD = join(import.meta.dirname, 'failover-controller.ts');
const CLI = join(ROOT, 'src', 'cli', 'main.ts');
const API_PORT = 8480;
const PROBE = { intervalMs: 200, fastIntervalMs: 50, timeoutMs: 150, failures: 3 };
/** The prototype's figures (../shared/LAB-NOTES.md), shown next to this run's own. */
const PATRONI_NOTES = { kill: 4700, partition: 7300 };
const SYSTEMS = ['lifeboat', 'patroni-lowest', 'patroni-defaults'] as const;
type System = (typeof SYSTEMS)[number];

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    fault: { type: 'string', default: 'both' },
    systems: { type: 'string', default: SYSTEMS.join(',') },
  },
});
const WANTED = String(args.systems)
  .split(',')
  .map((s) => s.trim())
  .filter((s) => s !== '');
for (const s of WANTED)
  if (!(SYSTEMS as readonly string[]).includes(s)) {
    console.error(`--systems: unknown ${JSON.stringify(s)} (use ${SYSTEMS.join(', ')})`);
    process.exit(2);
  }
const ROUNDS = Number(args.rounds);
const FAULTS: Fault[] =
  args.fault === 'both' ? ['kill', 'partition'] : [args.fault as Fault].filter(Boolean);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) =>
  xs.length === 0
    ? Number.NaN
    : ([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number);

interface Msg {
  type: 'ready' | 'event' | 'readiness';
  at?: string;
  ready?: boolean;
  probes?: string[];
  event?: {
    type: string;
    service?: string;
    state?: string;
    runId?: string;
    message?: string;
    outage?: { action?: string; detail?: string; runId?: string };
  };
}

/** The controller child in lb-wan, its messages collected with their arrival. */
class ControllerChild {
  readonly msgs: Msg[] = [];
  private readonly child: ChildProcess;
  private waiters: (() => void)[] = [];
  constructor(state: string, tokenFile: string) {
    this.child = spawn(
      'ip',
      [
        'netns',
        'exec',
        'lb-wan',
        process.execPath,
        ...process.execArgv,
        CHILD,
        PLAN,
        state,
        String(PROBE.intervalMs),
        String(PROBE.timeoutMs),
        String(PROBE.failures),
        `${ADDRESSES.wan}:${API_PORT}`,
        tokenFile,
        String(PROBE.fastIntervalMs),
      ],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
        // No out-of-band path to a cut-off node: the isolated primary is fenced by its lease.
        env: {
          ...process.env,
          LIFEBOAT_IN_LAB_NETNS: 'lb',
          LIFEBOAT_USER: 'bench',
          LIFEBOAT_LAB_NO_OOB: '1',
        },
      },
    );
    createInterface({ input: this.child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      try {
        this.msgs.push(JSON.parse(line) as Msg);
      } catch {
        if (line.trim()) console.log(`  controller: ${line}`);
      }
      for (const w of this.waiters.splice(0)) w();
    });
    this.child.on('exit', () => {
      for (const w of this.waiters.splice(0)) w();
    });
  }
  /** The first message matching `pred`, within `ms`. */
  async wait(pred: (m: Msg) => boolean, ms: number, what: string): Promise<Msg> {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = this.msgs.find(pred);
      if (m) return m;
      if (this.child.exitCode !== null || this.child.signalCode !== null)
        throw new Error(`${what}: the controller exited`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${what}: not within ${ms} ms`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 500));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }
  async stop(): Promise<void> {
    const c = this.child;
    if (c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGTERM');
    c.stdin?.end();
    try {
      await within(gone, 12_000, 'controller stop');
    } catch {
      c.kill('SIGKILL');
      await within(gone, 5000, 'controller kill').catch(() => undefined);
    }
  }
}

/** `lifeboat agent` on a lab node (in its namespace), holding app-db's fence lease. */
/** Nodes whose agent has told its first granted lease. */
const granted = new Set<string>();

function startAgent(node: 'a' | 'b', tokenFile: string): ChildProcess {
  granted.delete(node);
  const child = spawn(
    'ip',
    [
      ...['netns', 'exec', `lb-${node}`, process.execPath, ...process.execArgv, CLI, 'agent'],
      ...['--plan', PLAN, '--node', node, '--controller', `http://${ADDRESSES.wan}:${API_PORT}`],
      ...['--token-file', tokenFile],
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LIFEBOAT_IN_LAB_NETNS: 'lb' } },
  );
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
    if (line.includes('lease granted')) granted.add(node);
    if (/ran out|revoked|FAILED|cannot renew|knows no|granted/.test(line))
      console.log(`  agent ${node}: ${line}`);
  });
  return child;
}

async function stopAgent(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  await within(gone, 5000, 'agent stop').catch(() => child.kill('SIGKILL'));
}

interface Round extends RoundEnd {
  fault: Fault;
  firstAckMs: number;
  detectMs: number;
  decideMs: number;
  steps: Record<string, number>;
  runMs: number;
  ok: boolean;
  note: string;
}

/** First ack − detect − decide − the steps before it (fence, check-ready, promote, switch). */
const rest = (r: Round) =>
  r.firstAckMs -
  r.detectMs -
  r.decideMs -
  ['fence', 'check-ready', 'promote', 'switch-traffic'].reduce((a, k) => a + (r.steps[k] ?? 0), 0);

const at = (iso?: string) => (iso ? Date.parse(iso) : Number.NaN);

async function round(lab: Lab, fault: Fault): Promise<Round> {
  await within(lab.down(), 90_000, 'lab down');
  await within(lab.up(['postgres', 'haproxy', 'bind'], { pgMode: 'sync' }), 180_000, 'lab up');
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-bench-ctl-'));
  const state = join(dir, 'state.db');
  const tokenFile = join(dir, 'agent.token');
  const ctl = new ControllerChild(state, tokenFile);
  const agents: ChildProcess[] = [];
  let wl: Awaited<ReturnType<typeof openWorkload>> | undefined;
  let writer: Awaited<ReturnType<NonNullable<typeof wl>['writer']>> | undefined;
  let checker: ReturnType<typeof watchPrimaries> | undefined;
  try {
    await ctl.wait((m) => m.type === 'ready', 60_000, 'controller ready');
    agents.push(startAgent('a', tokenFile), startAgent('b', tokenFile));
    // The fault only once both agents hold their lease (the fence of a cut-off a depends on it).
    for (let i = 0; i < 300 && granted.size < 2; i++) await sleep(50);
    if (granted.size < 2)
      throw new Error(`agents holding a lease: ${[...granted].join(', ') || 'none'} of a, b`);
    await ctl.wait((m) => m.type === 'readiness' && m.ready === true, 30_000, 'ready to fail over');
    wl = await openWorkload(lab, 'postgres', {
      name: 'bench-ctl',
      connectTimeoutMs: 500,
      queryTimeoutMs: 1000,
    });
    writer = await wl.writer('bench_writes', { pauseOnErrorMs: 20 });
    checker = watchPrimaries(lab, 'postgres', 50);
    await sleep(1500);
    const before = ctl.msgs.length;
    const t0 = Date.now();
    const { faultMs, inFlight } = await injectAndMark(writer, () =>
      fault === 'kill' ? lab.kill('postgres-a') : lab.partition('a'),
    );
    const after = (m: Msg) => ctl.msgs.indexOf(m) >= before;
    const outage = await ctl.wait(
      (m) => after(m) && m.event?.type === 'outage' && m.event.service === 'app-db',
      20_000,
      'outage event',
    );
    const started = await ctl.wait(
      (m) =>
        after(m) &&
        m.event?.type === 'run' &&
        m.event.service === 'app-db' &&
        m.event.state === 'running',
      20_000,
      'run started',
    );
    const runId = started.event?.runId ?? '';
    const end = await ctl.wait(
      (m) =>
        after(m) &&
        m.event?.type === 'run' &&
        m.event.runId === runId &&
        ['succeeded', 'failed', 'aborted'].includes(m.event.state ?? ''),
      60_000,
      'run end',
    );
    await writer.waitForMore(1, 10_000);
    const ack = writer.firstAckAfterMark();
    const roundEnd = await endRound(wl, writer, checker, 'postgres');
    // The agents first: with the controller gone, the new primary's agent would fence it.
    for (const a of agents) await stopAgent(a);
    await ctl.stop();
    // The journal, with the controller stopped (the store closed).
    const store = openSqliteStore(state, { readOnly: true });
    const steps: Record<string, number> = {};
    let byLease = false;
    let firstEntry = Number.POSITIVE_INFINITY;
    let lastEntry = 0;
    try {
      for (const e of await store.journal.read(runId)) {
        firstEntry = Math.min(firstEntry, e.at);
        lastEntry = Math.max(lastEntry, e.at);
        if (e.stepId?.includes('/fence/') && JSON.stringify(e.data).includes('fenced by its lease'))
          byLease = true;
        const d = e.data as { durationMs?: number };
        if (e.phase === 'result' && e.stepId && d.durationMs !== undefined) {
          const name = e.stepId.split('/')[1] ?? e.stepId;
          steps[name] = (steps[name] ?? 0) + d.durationMs;
        }
      }
    } finally {
      await store.close();
    }
    const outageAt = at(outage.at);
    const runStart = Number.isFinite(firstEntry) ? firstEntry : at(started.at);
    const firstAckMs = ack === undefined ? Number.NaN : ack + faultMs;
    const detectMs = outageAt - t0;
    return {
      fault,
      firstAckMs,
      detectMs,
      decideMs: runStart - outageAt,
      steps,
      runMs: lastEntry - runStart,
      ...roundEnd,
      ok: end.event?.state === 'succeeded' && ack !== undefined && firstAckMs > detectMs,
      note: `run ${end.event?.state}, fenced ${byLease ? 'by its lease' : 'directly'}${inFlight ? ', an in-flight write acked just after the fault set aside' : ''}${ack !== undefined && firstAckMs <= detectMs ? ' (ack before detection!)' : ''}`,
    };
  } catch (e) {
    // What the controller said about the service, for a round that did not finish.
    const said = ctl.msgs
      .filter((m) => m.event?.type === 'outage' || m.event?.type === 'run')
      .map((m) =>
        m.event?.type === 'outage'
          ? `${m.at?.slice(11, 23)} outage ${m.event.outage?.action ?? ''}${m.event.outage?.detail ? ` (${m.event.outage.detail})` : ''}`
          : `${m.at?.slice(11, 23)} run ${m.event?.state} ${m.event?.message ?? ''}`,
      )
      .join('; ');
    throw new Error(
      `${e instanceof Error ? e.message : String(e)}; the controller said: ${said || 'nothing'}`,
    );
  } finally {
    await writer?.stop().catch(() => undefined);
    await checker?.stop().catch(() => undefined);
    await wl?.close().catch(() => undefined);
    await ctl.stop();
    for (const a of agents) await stopAgent(a);
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- lab etiquette: nothing of ours (or anyone's) in the lab before we start ----------------
const ns = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).trim();
let busy = '';
try {
  busy = execFileSync('pgrep', ['-f', 'project lab'], { encoding: 'utf8' }).trim();
} catch {
  // pgrep: nothing found
}
if (ns !== '' || busy !== '') {
  console.error(
    `the lab is in use (namespaces: ${ns || 'none'}; 'project lab' processes: ${busy || 'none'}): not starting`,
  );
  process.exit(1);
}

const PATRONI: Record<
  Exclude<System, 'lifeboat'>,
  { settings: PatroniSettings; waitMs: number }
> = {
  'patroni-lowest': { settings: PATRONI_LOWEST, waitMs: 60_000 },
  'patroni-defaults': { settings: PATRONI_DEFAULTS, waitMs: 120_000 },
};
const describe = (s: PatroniSettings) =>
  `ttl ${s.ttl}, loop_wait ${s.loopWait}, retry_timeout ${s.retryTimeout}, primary_start_timeout ${s.primaryStartTimeout}`;

console.log(
  `lifeboat: the controller on the lab plan, app-db onOutage=failover (in memory), probes select-1 + via-haproxy at ` +
    `interval ${PROBE.intervalMs} ms (${PROBE.fastIntervalMs} ms while failing), timeout ${PROBE.timeoutMs} ms, failures ${PROBE.failures} ` +
    `(in memory); run as a child in lb-wan (ip netns exec, LIFEBOAT_IN_LAB_NETNS=lb); HAProxy port 5432`,
);
for (const [name, p] of Object.entries(PATRONI))
  console.log(
    `${name}: Patroni 3.0.2 + etcd 3.4 (3 members: a, b, witness), synchronous_mode, ${describe(p.settings)}; HAProxy port 5433, OPTIONS /primary every 100 ms, fall 1`,
  );
console.log(
  'the same client loop for all: one INSERT at a time through HAProxy from wan, 20 ms pause after an error',
);
const lab = Lab.open({ name: 'lb' });
const results: Round[] = [];
const patroniResults: (PatroniRound & { system: System })[] = [];
const failed: { system: System; fault: Fault }[] = [];
const order = SYSTEMS.filter((s) => WANTED.includes(s));
try {
  for (const system of order) {
    for (const fault of FAULTS) {
      for (let i = 0; i < ROUNDS; i++) {
        try {
          if (system === 'lifeboat') {
            const r = await round(lab, fault);
            results.push(r);
            console.log(
              `${system} ${fault} round ${i + 1}: first ack ${Math.round(r.firstAckMs)} ms, detect ${r.detectMs}, decide ${r.decideMs}, ` +
                `steps ${JSON.stringify(r.steps)}, run ${r.runMs} ms, lost ${r.lost}/${r.acked}, ` +
                `double primaries ${r.doubles}/${r.checks} checks, ${r.note}`,
            );
          } else {
            const p = PATRONI[system];
            const r = await patroniRound(lab, fault, p.settings, p.waitMs);
            patroniResults.push({ ...r, system });
            console.log(
              `${system} ${fault} round ${i + 1}: first ack ${Math.round(r.firstAckMs)} ms, lost ${r.lost}/${r.acked}, ` +
                `double primaries ${r.doubles}/${r.checks} checks, ${r.note}`,
            );
          }
        } catch (e) {
          failed.push({ system, fault });
          console.log(
            `${system} ${fault} round ${i + 1}: FAILED: ${e instanceof Error ? e.message : String(e)}`,
          );
        }
      }
    }
  }
} finally {
  await within(lab.down(), 90_000, 'lab down').catch((e: unknown) =>
    console.error(`lab down: ${e instanceof Error ? e.message : String(e)}`),
  );
}

const fmt = (n: number) => (Number.isFinite(n) ? `${Math.round(n).toLocaleString('en')}` : '–');
const tried = (system: System, fault: Fault, n: number) =>
  n + failed.filter((f) => f.system === system && f.fault === fault).length;
const patroniMedian = (system: System, fault: Fault) =>
  median(
    patroniResults
      .filter((r) => r.system === system && r.fault === fault && r.ok)
      .map((r) => r.firstAckMs),
  );
const FAULT_NAME = { kill: '(a) primary postgres SIGKILL', partition: '(b) site a partitioned' };

if (order.includes('lifeboat')) {
  console.log('');
  console.log('Lifeboat, the breakdown (medians of each part separately: they need not add up):');
  console.log(
    '| fault | rounds ok | first ack (median) | detect | decide | fence | check-ready | promote | switch-traffic | verify | run (journal) | rest (gaps, client reconnect) | lost acked writes | two writable primaries |',
  );
  console.log(
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const fault of FAULTS) {
    const rs = results.filter((r) => r.fault === fault && r.ok);
    const all = results.filter((r) => r.fault === fault);
    const m = (f: (r: Round) => number) => median(rs.map(f));
    const s = (name: string) => m((r) => r.steps[name] ?? Number.NaN);
    console.log(
      `| ${FAULT_NAME[fault]} | ${rs.length}/${tried('lifeboat', fault, all.length)} | **${fmt(m((r) => r.firstAckMs))} ms** | ${fmt(m((r) => r.detectMs))} | ${fmt(m((r) => r.decideMs))} | ${fmt(s('fence'))} | ${fmt(s('check-ready'))} | ${fmt(s('promote'))} | ${fmt(s('switch-traffic'))} | ${fmt(s('verify'))} | ${fmt(m((r) => r.runMs))} | ${fmt(m(rest))} | ${all.reduce((a, r) => a + r.lost, 0)} | ${all.reduce((a, r) => a + r.doubles, 0)} |`,
    );
  }
}

console.log('');
console.log('Side by side, fault → first acknowledged write through HAProxy, median:');
console.log(
  '| fault | system | rounds ok | first ack (median) | min – max | served by after | lost acked writes | two writable primaries | target: Lifeboat ≤ 1/3 of Patroni lowest |',
);
console.log('| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | --- |');
for (const fault of FAULTS) {
  for (const system of order) {
    const all: (RoundEnd & { ok: boolean; firstAckMs: number })[] =
      system === 'lifeboat'
        ? results.filter((r) => r.fault === fault)
        : patroniResults.filter((r) => r.system === system && r.fault === fault);
    const firsts = all.filter((r) => r.ok).map((r) => r.firstAckMs);
    const served = [...new Set(all.map((r) => r.servedBy))].join(', ');
    let verdict = '';
    if (system === 'lifeboat') {
      const base = patroniMedian('patroni-lowest', fault);
      const first = median(firsts);
      verdict = Number.isFinite(base)
        ? `${first <= base / 3 ? 'PASS' : 'FAIL'} (${fmt(first)} vs ${fmt(base / 3)} ms = 1/3 of ${fmt(base)}; ${(first / base).toFixed(2)}×)`
        : `no Patroni figure in this run (LAB-NOTES: ${fmt(PATRONI_NOTES[fault])} ms)`;
    }
    const sorted = [...firsts].sort((a, b) => a - b);
    console.log(
      `| ${FAULT_NAME[fault]} | ${system} | ${firsts.length}/${tried(system, fault, all.length)} | **${fmt(median(firsts))} ms** | ${fmt(sorted[0] ?? Number.NaN)} – ${fmt(sorted[sorted.length - 1] ?? Number.NaN)} | ${served} | ${all.reduce((a, r) => a + r.lost, 0)} | ${all.reduce((a, r) => a + r.doubles, 0)} | ${verdict} |`,
    );
  }
}
console.log('');
console.log(
  `For reference, the prototype's Patroni lowest (../shared/LAB-NOTES.md): kill ${fmt(PATRONI_NOTES.kill)} ms, partition ${fmt(PATRONI_NOTES.partition)} ms.`,
);
