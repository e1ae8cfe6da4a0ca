// Driver overhead benchmark: each switching operation done by the Lifeboat driver and by the
// system's own CLI (the named baseline) in the same lab and the same run, median of 5 each,
// interleaved so that drift hits both. Target: overhead ≤ 10 % or ≤ 20 ms, whichever is larger.
// Run as root: npx tsx bench/drivers/run.ts [suite ...]
import { Lab } from '../../src/lab/index.js';
import type { BenchSuite } from './types.js';

const ROUNDS = 5;
const SUITES = ['postgres', 'mariadb', 'dns', 'haproxy', 'keepalived'] as const;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function loadSuite(name: string): Promise<BenchSuite | undefined> {
  try {
    return ((await import(`./${name}.js`)) as { suite: BenchSuite }).suite;
  } catch (e) {
    process.stderr.write(`suite ${name}: not available (${(e as Error).message.split('\n')[0]})\n`);
    return undefined;
  }
}

const wanted = process.argv.slice(2).length > 0 ? process.argv.slice(2) : [...SUITES];
const lab = Lab.open({ name: 'benchdrv', progress: (l) => process.stderr.write(`${l}\n`) });
const rows: string[] = [];
let failures = 0;
try {
  for (const name of wanted) {
    const suite = await loadSuite(name);
    if (!suite) continue;
    await lab.up(suite.components);
    for (const c of await suite.cases(lab)) {
      const viaDriver: number[] = [];
      const viaCli: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        await c.prepare();
        viaDriver.push(await timed(() => c.viaDriver()));
        await c.prepare();
        viaCli.push(await timed(() => c.viaCli()));
      }
      const d = median(viaDriver);
      const b = median(viaCli);
      const allowed = Math.max(b * 0.1, 20);
      const pass = d - b <= allowed;
      if (!pass) failures++;
      rows.push(
        `| ${c.operation} | ${d.toFixed(1)} | ${b.toFixed(1)} (${c.baseline}) | ${(d - b).toFixed(1)} | ${((100 * (d - b)) / b).toFixed(0)} % | ${pass ? 'PASS' : 'FAIL'} |`,
      );
      process.stderr.write(`${rows[rows.length - 1]}\n`);
    }
    await suite.teardown?.();
  }
} finally {
  await lab.down();
}
process.stdout.write(
  [
    `Driver overhead, median of ${ROUNDS} (ms), ${new Date().toISOString().slice(0, 10)}, target: overhead ≤ 10 % or ≤ 20 ms`,
    '',
    '| operation | driver | CLI baseline | overhead | overhead % | verdict |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n'),
);
process.exitCode = failures > 0 ? 1 : 0;
