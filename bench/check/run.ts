// The `lifeboat check` benchmark (npm run bench:check): on the generated 10,000-service plan,
// the median of 5 runs of (a) the named baseline, a bare YAML parse of every file (`yaml`'s
// parseDocument + toJS), (b) the whole check pipeline in-process, exactly as the command runs
// it (load + validate + analyse + locate findings + format the report), and (c) for scale, a
// second baseline: JSON.parse of the same files' data written as JSON (the floor for building
// the objects at all). Target: check ≤ 1 s and ≤ 3 × the bare parse. Prints PASS or FAIL and
// exits 1 on FAIL.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { checkCommand } from '../../src/cli/commands/check.js';
import { fsPlanSource } from '../../src/cli/plan-files.js';
import { runCli } from '../../src/cli/program.js';
import { analyzePlan } from '../../src/core/analysis/index.js';
import { loadPlan } from '../../src/core/plan/index.js';
import { generatePlan, SHAPE } from './generate.js';

const RUNS = 5;
const TARGET_MS = 1_000;
const TARGET_RATIO = 3;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function timed(f: () => void): number {
  const t = performance.now();
  f();
  return performance.now() - t;
}

/** Wall time, and this process's CPU time: on a shared machine the second is the steadier. */
async function timedAsync(f: () => Promise<void> | void): Promise<{ wall: number; cpu: number }> {
  const cpu = process.cpuUsage();
  const t = performance.now();
  await f();
  const used = process.cpuUsage(cpu);
  return { wall: performance.now() - t, cpu: (used.user + used.system) / 1000 };
}

/**
 * A fixed reference workload (200,000 string-keyed Map inserts): figures from a loaded or
 * different machine can be scaled by it when they are compared with another run's.
 */
function calibrate(): number {
  const t = performance.now();
  const m = new Map<string, number>();
  for (let i = 0; i < 200_000; i++) m.set(`k${i}`, i);
  return performance.now() - t;
}

// `--child <plan>`: one cold check in a fresh process, as an operator runs it; reports its time
// and the process's peak RSS (the parent's RSS also holds the parse runs' garbage).
if (process.argv[2] === '--child') {
  const io = { out: () => {}, err: () => {} };
  const t = performance.now();
  const code = await runCli([checkCommand(io)], ['check', process.argv[3] as string], io);
  const ms = performance.now() - t;
  process.stdout.write(JSON.stringify({ ms, code, maxRssKiB: process.resourceUsage().maxRSS }));
  process.exit(0);
}

const dir = join(tmpdir(), 'lifeboat-bench-check');
const { entry, files } = generatePlan(dir);
const bytes = files.reduce((n, f) => n + readFileSync(f).length, 0);

const bareParse = () => {
  for (const f of files) parseDocument(readFileSync(f, 'utf8')).toJS();
};
// The same data as JSON, written once outside the timed runs.
const jsonTexts = files.map((f) => JSON.stringify(parseDocument(readFileSync(f, 'utf8')).toJS()));
const jsonParse = () => {
  for (const t of jsonTexts) JSON.parse(t);
};
let reportChars = 0;
let exitCode = -1;
const wholeCheck = async () => {
  let out = '';
  const io = {
    out: (t: string) => {
      out += t;
    },
    err: (t: string) => {
      out += t;
    },
  };
  exitCode = await runCli([checkCommand(io)], ['check', entry], io);
  reportChars = out.length;
};

const calibrationBefore = calibrate();
const parse: { wall: number; cpu: number }[] = [];
const check: { wall: number; cpu: number }[] = [];
const json: { wall: number; cpu: number }[] = [];
for (let i = 0; i < RUNS; i++) {
  parse.push(await timedAsync(bareParse));
  check.push(await timedAsync(wholeCheck));
  json.push(await timedAsync(jsonParse));
}
const calibrationAfter = calibrate();

// Where the check's time goes, once (after the runs above warmed the code).
const loadMs = timed(() => loadPlan(entry, fsPlanSource));
const loaded = loadPlan(entry, fsPlanSource);
const analyzeMs = timed(() => analyzePlan(loaded.plan as never));
const analysis = analyzePlan(loaded.plan as never);
const locateMs = timed(() => {
  for (const d of analysis.findings) loaded.locate(d.path ?? []);
});

const child = spawnSync(
  process.execPath,
  [...process.execArgv, fileURLToPath(import.meta.url), '--child', entry],
  { encoding: 'utf8' },
);
const cold = JSON.parse(child.stdout) as { ms: number; code: number; maxRssKiB: number };

const p = median(parse.map((x) => x.wall));
const c = median(check.map((x) => x.wall));
const j = median(json.map((x) => x.wall));
const pCpu = median(parse.map((x) => x.cpu));
const jCpu = median(json.map((x) => x.cpu));
const cCpu = median(check.map((x) => x.cpu));
const ratio = c / p;
const rssMiB = process.resourceUsage().maxRSS / 1024;
const pass = c <= TARGET_MS && ratio <= TARGET_RATIO;
const f1 = (n: number) => n.toFixed(0).padStart(6);

process.stdout.write(
  [
    `lifeboat check benchmark — ${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load ${loadavg()[0]?.toFixed(1)}`,
    `plan: ${SHAPE.services} services, ${SHAPE.primaryNodes + SHAPE.offsiteNodes} nodes, ${SHAPE.domains} failure domains, ${files.length} files, ${(bytes / 1024 / 1024).toFixed(1)} MiB (${entry})`,
    `report: ${(reportChars / 1024).toFixed(0)} KiB, ${analysis.findings.length} findings, exit ${exitCode}`,
    '',
    `calibration (200k Map inserts): ${calibrationBefore.toFixed(0)} ms before, ${calibrationAfter.toFixed(0)} ms after`,
    '',
    `wall time (ms)      ${'median'.padStart(6)}  all runs         CPU median`,
    `bare YAML parse     ${f1(p)}  ${parse.map((x) => x.wall.toFixed(0)).join(' ')}  ${pCpu.toFixed(0)}`,
    `lifeboat check      ${f1(c)}  ${check.map((x) => x.wall.toFixed(0)).join(' ')}  ${cCpu.toFixed(0)}`,
    `JSON.parse (scale)  ${f1(j)}  ${json.map((x) => x.wall.toFixed(0)).join(' ')}  ${jCpu.toFixed(0)}`,
    `  of which load ${loadMs.toFixed(0)}, analyse ${analyzeMs.toFixed(0)}, locate findings ${locateMs.toFixed(0)} (one run each)`,
    `ratio check / parse ${ratio.toFixed(2).padStart(6)} (CPU ${(cCpu / pCpu).toFixed(2)}); check / JSON.parse ${(c / j).toFixed(1)}`,
    `cold check (fresh process): ${cold.ms.toFixed(0)} ms, exit ${cold.code}, peak RSS ${(cold.maxRssKiB / 1024).toFixed(0)} MiB`,
    `peak RSS of this benchmark process (5 parses, 5 checks, 5 JSON.parse): ${rssMiB.toFixed(0)} MiB`,
    '',
    `${pass ? 'PASS' : 'FAIL'}: check ${c.toFixed(0)} ms (target ≤ ${TARGET_MS}), ${ratio.toFixed(2)} × bare parse (target ≤ ${TARGET_RATIO})`,
    '',
  ].join('\n'),
);
process.exitCode = pass ? 0 : 1;
