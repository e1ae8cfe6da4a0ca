import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countPresent, pgAdminSql, servingSite, watchPrimaries } from '../../../src/lab/index.js';
import { runCli } from './cli.js';
import { workloadLab } from './fixture.js';

const f = workloadLab({
  components: ['postgres', 'haproxy', 'bind'],
  pgMode: 'sync',
  engine: 'postgres',
  name: 'e2e-so',
});

/** Whether `site` streams from the other node (is a replica in recovery, receiving WAL). */
async function streamsFromPeer(site: 'a' | 'b'): Promise<boolean> {
  const r = await pgAdminSql(
    f.lab.paths,
    site,
    "SELECT pg_is_in_recovery() AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming');",
    3000,
  );
  return String(r).trim().startsWith('t');
}

describe('switchover then failback of app-db (PostgreSQL, sync)', () => {
  it('goes to b and back with zero acknowledged writes lost and never two writable primaries', async () => {
    const state = join(f.dir, 'state.db');
    const writer = await f.wl.writer('e2e_roundtrip');
    const checker = watchPrimaries(f.lab, 'postgres');
    const legs: string[] = [];
    try {
      expect(await writer.waitForMore(20, 10_000)).toBe(true);

      // Leg 1: a → b.
      writer.mark();
      const so = await runCli(state, ['run', 'switchover', 'app-db']);
      expect(so.status, `${so.stdout}\n${so.stderr}`).toBe(0);
      expect(so.stdout).toMatch(/succeeded: 8 step\(s\) succeeded/);
      expect(await writer.waitForMore(20, 15_000), 'writes go on after the switchover').toBe(true);
      legs.push(`switchover: longest write gap ${Math.round(writer.longestGapSinceMark())} ms`);
      const c = await f.wl.connect();
      expect(await servingSite(c, 'postgres')).toBe('b');
      await c.end();
      expect(await streamsFromPeer('a'), 'a was rebuilt as a replica of b').toBe(true);

      // Leg 2: b → a.
      writer.mark();
      const fb = await runCli(state, ['run', 'failback', 'app-db']);
      expect(fb.status, `${fb.stdout}\n${fb.stderr}`).toBe(0);
      expect(fb.stdout).toMatch(/succeeded: 9 step\(s\) succeeded/);
      expect(await writer.waitForMore(20, 15_000), 'writes go on after the failback').toBe(true);
      legs.push(`failback: longest write gap ${Math.round(writer.longestGapSinceMark())} ms`);
    } finally {
      await writer.stop();
      await checker.stop();
    }
    const c = await f.wl.connect();
    const site = await servingSite(c, 'postgres');
    const found = await countPresent(c, 'e2e_roundtrip', writer.acked);
    await c.end();
    expect(site).toBe('a');
    expect(await streamsFromPeer('b'), 'b is again the replica of a').toBe(true);
    expect(found, 'acknowledged writes present after the round trip').toBe(writer.acked.length);
    expect(checker.doubles, 'moments with two writable primaries').toEqual([]);
    expect(checker.checks).toBeGreaterThan(10);
    process.stdout.write(
      `round trip: ${writer.acked.length} writes acknowledged, all present; ${writer.failures} refused or failed during the switches; ${checker.checks} two-primary checks; ${legs.join('; ')}\n`,
    );
    const v = await runCli(state, ['audit', 'verify'], { withPlan: false });
    expect(v.status, v.stdout + v.stderr).toBe(0);
  }, 300_000);
});
