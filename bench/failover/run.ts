// bench/failover: in the lab, an operator-triggered failover of the PostgreSQL service (the lab
// plan's app-db, synchronous) with site a partitioned: from `lifeboat run` to the first write
// acknowledged through HAProxy, median of 5, with each step's time from the journal. Target
// ≤ 3 s. Named baseline in the same run: the bare cost of starting the CLI in the lab's network
// (`lifeboat run failover app-db --dry-run --lab lb`), which every real run pays too.
// Root only. Usage: npx tsx bench/failover/run.ts
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ADDRESSES, Lab, PORTS } from '../../src/lab/index.js';
import { openSqliteStore } from '../../src/store/index.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'lifeboat');
const PLAN = join(ROOT, 'examples', 'lab', 'plan.yaml');
const ROUNDS = 5;

function cli(args: string[]): Promise<number | null> {
  return new Promise((resolve) => {
    const p = spawn(BIN, args, {
      stdio: 'ignore',
      env: { ...process.env, LIFEBOAT_USER: 'bench' },
    });
    p.on('close', resolve);
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function round(
  lab: Lab,
): Promise<{ firstAckMs: number; runMs: number; steps: Record<string, number> }> {
  await lab.down();
  await lab.up(['postgres', 'haproxy', 'bind'], { pgMode: 'sync' });
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-bench-'));
  const password = readFileSync(lab.endpoints().postgres.users.app.passwordFile, 'utf8').trim();
  const fwd = await lab.forward('bench-pg', {
    host: ADDRESSES.wan,
    port: PORTS.haproxyPostgres,
    pg: true,
  });
  const connect = async () => {
    const c = new pg.Client({
      host: fwd.path,
      port: PORTS.haproxyPostgres,
      user: 'app',
      password,
      database: 'app',
      connectionTimeoutMillis: 500,
      query_timeout: 1000,
    });
    c.on('error', () => undefined);
    await c.connect();
    return c;
  };
  const c0 = await connect();
  await c0.query('CREATE TABLE IF NOT EXISTS bench_writes (id integer PRIMARY KEY)');
  await c0.end();
  let start = 0;
  let firstAck = 0;
  let stop = false;
  const writer = (async () => {
    let c: pg.Client | undefined;
    for (let id = 1; !stop; id++) {
      try {
        c ??= await connect();
        await c.query('INSERT INTO bench_writes VALUES ($1)', [id]);
        if (start > 0 && firstAck === 0) firstAck = performance.now();
      } catch {
        c?.end().catch(() => undefined);
        c = undefined;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    await c?.end().catch(() => undefined);
  })();
  await new Promise((r) => setTimeout(r, 500));
  await lab.partition('a');
  await new Promise((r) => setTimeout(r, 200));
  start = performance.now();
  firstAck = 0;
  const code = await cli([
    'run',
    'failover',
    'app-db',
    '--plan',
    PLAN,
    '--lab',
    'lb',
    '--state',
    join(dir, 'state.db'),
  ]);
  const runMs = performance.now() - start;
  const deadline = Date.now() + 10_000;
  while (firstAck === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  stop = true;
  await writer;
  await fwd.close();
  if (code !== 0 || firstAck === 0)
    throw new Error(`round failed: exit ${code}, first ack ${firstAck}`);
  const store = openSqliteStore(join(dir, 'state.db'), { readOnly: true });
  const [run] = await store.runs.list();
  const steps: Record<string, number> = {};
  for (const e of await store.journal.read(run?.id ?? '')) {
    const d = e.data as { status?: string; durationMs?: number };
    if (e.phase === 'result' && e.stepId && d.durationMs !== undefined)
      steps[e.stepId.split('/')[1] ?? e.stepId] =
        (steps[e.stepId.split('/')[1] ?? ''] ?? 0) + d.durationMs;
  }
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return { firstAckMs: firstAck - start, runMs, steps };
}

const lab = Lab.open({ name: 'lb' });
try {
  await lab.up(['postgres', 'haproxy', 'bind'], { pgMode: 'sync' });
  const baseline: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    await cli(['run', 'failover', 'app-db', '--dry-run', '--plan', PLAN, '--lab', 'lb']);
    baseline.push(performance.now() - t);
  }
  const rounds = [];
  for (let i = 0; i < ROUNDS; i++) {
    const r = await round(lab);
    rounds.push(r);
    console.log(
      `round ${i + 1}: first ack ${Math.round(r.firstAckMs)} ms, run ${Math.round(r.runMs)} ms, steps ${JSON.stringify(r.steps)}`,
    );
  }
  const first = median(rounds.map((r) => r.firstAckMs));
  const base = median(baseline);
  console.log(`baseline (CLI start in the lab network, --dry-run): median ${Math.round(base)} ms`);
  console.log(
    `failover, lifeboat run → first acknowledged write via HAProxy: median ${Math.round(first)} ms of ${ROUNDS}`,
  );
  console.log(
    `  of which CLI start (baseline): ${Math.round(base)} ms; the rest: ${Math.round(first - base)} ms`,
  );
  console.log(`target ≤ 3000 ms: ${first <= 3000 ? 'PASS' : 'FAIL'}`);
} finally {
  await lab.down();
}
