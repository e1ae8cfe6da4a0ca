// bench/failover: in the lab, an operator-triggered failover of the PostgreSQL service (the lab
// plan's app-db, synchronous) with site a partitioned: from `lifeboat run` to the first write
// acknowledged through HAProxy, median of 5, with each step's time from the journal. Target
// ≤ 3 s. Named baseline in the same run: the bare cost of starting the CLI in the lab's network
// (`lifeboat run failover app-db --dry-run --lab lb`), which every real run pays too.
// Root only. Usage: npx tsx bench/failover/run.ts
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab, openWorkload } from '../../src/lab/index.js';
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
  const wl = await openWorkload(lab, 'postgres', {
    name: 'bench-pg',
    connectTimeoutMs: 500,
    queryTimeoutMs: 1000,
  });
  const writer = await wl.writer('bench_writes', { pauseOnErrorMs: 20 });
  let code: number | null = null;
  let runMs = 0;
  let firstAck: number | undefined;
  try {
    await new Promise((r) => setTimeout(r, 500));
    await lab.partition('a');
    await new Promise((r) => setTimeout(r, 200));
    writer.mark();
    const start = performance.now();
    code = await cli([
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
    runMs = performance.now() - start;
    // Bounded: 10 s for the first write through HAProxy after the run.
    await writer.waitForMore(1, 10_000);
    firstAck = writer.firstAckAfterMark();
  } finally {
    await writer.stop();
    await wl.close();
  }
  if (code !== 0 || firstAck === undefined)
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
  return { firstAckMs: firstAck, runMs, steps };
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
