// kill -9 at every journal point of a failover, then resume in a new process: the run reaches
// the same end state as an uninterrupted one, with every effect applied exactly once. Real
// processes, a real SQLite store, SIGKILL; the fake world is saved after each effect so that it
// survives the kill like a real server's state would.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../src/store/index.js';
import { appDbWorld, saveWorld, type WorldSnapshot } from '../../support/fake-step-drivers.js';

const CHILD = join(import.meta.dirname, '..', '..', 'support', 'engine-child.ts');

function child(dir: string, mode: 'start' | 'resume', killAt: number) {
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      CHILD,
      join(dir, 'state.db'),
      join(dir, 'world.json'),
      mode,
      'run-1',
      String(killAt),
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  return { signal: r.signal, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function fresh(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-crash-'));
  const { world, site } = appDbWorld();
  saveWorld(world, site, join(dir, 'world.json'));
  return dir;
}

const worldOf = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'world.json'), 'utf8')) as WorldSnapshot;

describe('kill -9 at every journal point of a failover, then resume', () => {
  it('reaches the uninterrupted end state with each effect applied once', async () => {
    const ref = fresh();
    const whole = child(ref, 'start', 0);
    expect(whole.status, whole.stderr).toBe(0);
    expect(JSON.parse(whole.stdout).state).toBe('succeeded');
    const expected = worldOf(ref);
    expect(expected.effects).toEqual([
      'fence a',
      'promote b',
      'switch app-db#0 to b',
      'switch app-db#1 to b',
    ]);
    // How many journal entries an uninterrupted run writes: every one is a kill point.
    const store = openSqliteStore(join(ref, 'state.db'));
    const points = (await store.journal.read('run-1')).length;
    await store.close();
    rmSync(ref, { recursive: true, force: true });
    expect(points).toBeGreaterThan(15);
    for (let k = 1; k <= points; k++) {
      const dir = fresh();
      try {
        const killed = child(dir, 'start', k);
        expect(killed.signal, `kill point ${k}: ${killed.stderr}`).toBe('SIGKILL');
        const resumed = child(dir, 'resume', 0);
        expect(resumed.status, `resume after kill point ${k}: ${resumed.stderr}`).toBe(0);
        expect(JSON.parse(resumed.stdout).state, `kill point ${k}`).toBe('succeeded');
        const w = worldOf(dir);
        expect(w.effects, `kill point ${k}`).toEqual(expected.effects);
        expect(w.databases, `kill point ${k}`).toEqual(expected.databases);
        expect(w.switches, `kill point ${k}`).toEqual(expected.switches);
        // The journal agrees: one `changed` effect per effect, none re-applied after resume.
        const st = openSqliteStore(join(dir, 'state.db'));
        const journal = await st.journal.read('run-1');
        await st.close();
        const changed = journal.filter(
          (e) => e.phase === 'effect' && (e.data as { changed?: boolean }).changed === true,
        );
        expect(
          changed.map((e) => e.stepId),
          `kill point ${k}`,
        ).toEqual([
          'app-db/fence/a',
          'app-db/promote/b',
          'app-db/switch-traffic/postgres',
          'app-db/switch-traffic/db.lab.test',
        ]);
        expect(
          new Set(journal.map((e) => e.token)).size,
          `kill point ${k}: a new token after resume`,
        ).toBe(2);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }, 300_000);
});
