import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countPresent, servingSite, watchPrimaries } from '../../../src/lab/index.js';
import { lastRunId, runCli } from './cli.js';
import { workloadLab } from './fixture.js';

const f = workloadLab({
  components: ['postgres', 'haproxy', 'bind'],
  pgMode: 'sync',
  engine: 'postgres',
  name: 'e2e-pg',
});

describe('failover of app-db (PostgreSQL, sync) with site a partitioned', () => {
  it('moves the service to b with no acknowledged write lost and never two writable primaries', async () => {
    const state = join(f.dir, 'state.db');
    const writer = await f.wl.writer('e2e_writes');
    const checker = watchPrimaries(f.lab, 'postgres');
    let runMs = 0;
    let r: Awaited<ReturnType<typeof runCli>>;
    let beforeRun = 0;
    try {
      expect(await writer.waitForMore(10, 10_000)).toBe(true);
      await f.lab.partition('a');
      beforeRun = writer.acked.length;
      writer.mark();
      const started = Date.now();
      r = await runCli(state, ['run', 'failover', 'app-db']);
      runMs = Date.now() - started;
      expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/succeeded: 6 step\(s\) succeeded/);
      // Writes go on through HAProxy, now to b.
      expect(await writer.waitForMore(5, 15_000), 'writes acknowledged after the failover').toBe(
        true,
      );
    } finally {
      await writer.stop();
      await checker.stop();
    }
    // Through HAProxy again: it now reaches b, which holds every acknowledged id.
    const after = await f.wl.connect();
    const site = await servingSite(after, 'postgres');
    const found = await countPresent(after, 'e2e_writes', writer.acked);
    await after.end();

    expect(site).toBe('b');
    expect(writer.acked.length).toBeGreaterThan(beforeRun + 5);
    expect(found, 'acknowledged writes found on b').toBe(writer.acked.length);
    expect(checker.doubles, 'moments with two writable primaries').toEqual([]);
    expect(checker.checks).toBeGreaterThan(10);
    process.stdout.write(`${r.stdout}\n`);
    process.stdout.write(
      `failover: run ${runMs} ms, ${writer.acked.length} writes acknowledged, first ack after the run started: ${Math.round(writer.firstAckAfterMark() ?? -1)} ms, ${checker.checks} two-primary checks\n`,
    );

    // Past the point of no return: abort is refused. The audit log verifies.
    const id = await lastRunId(state);
    const ab = await runCli(state, ['abort', id, '--reason', 'too late'], { user: 'bob' });
    expect(ab.status).toBe(1);
    expect(ab.stderr).toMatch(/LB_E_ENGINE_RUN_ENDED|LB_E_ENGINE_PAST_POINT_OF_NO_RETURN/);
    const v = await runCli(state, ['audit', 'verify'], { withPlan: false });
    expect(v.status, v.stdout + v.stderr).toBe(0);
    await f.lab.heal('a');
  }, 240_000);
});
