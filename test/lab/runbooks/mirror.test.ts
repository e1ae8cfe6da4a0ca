// End to end on the real servers: the switchover of the lab plan's `mirror` service (a file
// tree at a, mirrored to b by rsync) executes its `rsync.sync` step: `lifeboat run switchover
// mirror --lab lb` pushes the tree a → b over the lab's sshd (rsync in a's namespace, b's host
// key pinned), writes the mirror marker, and verifies. A second run copies nothing more. Then
// site a is cut off and `failover mirror` judges b's copy by its marker alone (read on b): ready
// while the last sync is within the tier's RPO, refused once it is older.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MARKER } from '../../../src/drivers/rsync/index.js';
import type { Lab } from '../../../src/lab/index.js';
import { freshLab } from '../helpers.js';
import { runCli } from './cli.js';

let lab: Lab;
let dir: string;

/** Every file under `root` with its content, relative paths sorted (the marker left out). */
function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name !== MARKER) out[relative(root, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(root);
  return out;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lifeboat-e2e-mirror-'));
  lab = await freshLab('lb', { defaultDir: true });
  await lab.up(['rsync']);
}, 180_000);

afterAll(async () => {
  await lab?.down();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe('switchover of mirror: the last copy by rsync', () => {
  it('copies the tree a → b over SSH, then a second run copies nothing', async () => {
    const state = join(dir, 'state.db');
    const ep = lab.endpoints().rsync;
    writeFileSync(join(ep.source.dir, 'written-before-the-switchover.txt'), 'last write\n');
    const t0 = performance.now();
    const r = await runCli(state, ['run', 'switchover', 'mirror']);
    const ms = Math.round(performance.now() - t0);
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(
      /✓ mirror\/wait-catch-up\/mirror\/tree: rsync push of tree: \d+ files changed/,
    );
    expect(r.stdout).toMatch(/run \S+: succeeded/);
    const source = tree(ep.source.dir);
    expect(Object.keys(source).length).toBeGreaterThan(100);
    expect(tree(ep.ssh.dir)).toEqual(source);
    const marker = JSON.parse(readFileSync(join(ep.ssh.dir, MARKER), 'utf8'));
    expect(marker).toMatchObject({ version: 1, dataSet: 'tree' });

    const again = await runCli(state, ['run', 'switchover', 'mirror']);
    expect(again.status, `${again.stdout}\n${again.stderr}`).toBe(0);
    expect(again.stdout).toMatch(/rsync push of tree: 0 files changed/);
    console.log(`switchover mirror (first copy, CLI included): ${ms} ms`);
  }, 180_000);

  it('failover with a cut off: b is ready by its marker within the RPO, refused beyond it', async () => {
    const state = join(dir, 'failover.db');
    const ep = lab.endpoints().rsync;
    await lab.partition('a');
    try {
      const ok = await runCli(state, ['run', 'failover', 'mirror']);
      expect(ok.status, `${ok.stdout}\n${ok.stderr}`).toBe(0);
      expect(ok.stdout).toMatch(/check-ready\/b: ready: tree: complete up to .* ms ago/);
      // A copy older than the tier's RPO (1 h): the marker says its sync was 2 h ago.
      const file = join(ep.ssh.dir, MARKER);
      const m = JSON.parse(readFileSync(file, 'utf8'));
      m.syncedThrough = new Date(Date.now() - 2 * 3_600_000).toISOString();
      writeFileSync(file, JSON.stringify(m));
      const old = await runCli(state, ['run', 'failover', 'mirror']);
      expect(old.status).toBe(1);
      expect(`${old.stdout}${old.stderr}`).toMatch(
        /LB_E_ENGINE_NOT_READY.*more than the 3600000 ms/,
      );
    } finally {
      await lab.heal('a');
    }
  }, 180_000);
});
