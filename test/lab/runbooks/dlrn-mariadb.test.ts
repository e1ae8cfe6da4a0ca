import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADDRESSES, countPresent, servingSite, watchPrimaries } from '../../../src/lab/index.js';
import { lastRunId, runCli } from './cli.js';
import { workloadLab } from './fixture.js';

const f = workloadLab({
  components: ['mariadb', 'haproxy', 'bind'],
  engine: 'mariadb',
  name: 'e2e-my',
});

/** The A record of app.lab.test at the authoritative server (BIND at the witness), from wan. */
async function appRecord(): Promise<string> {
  const r = await f.lab.exec('wan', [
    ...['dig', '+short', '+norecurse', '+time=1', '+tries=2'],
    `@${ADDRESSES.witness}`,
    'app.lab.test',
    'A',
  ]);
  return r.stdout.trim();
}

describe('the DLRN DB case: failover of dlrn-db (MariaDB, async) with site a partitioned', () => {
  it('refuses without --accept-data-loss, then promotes b, re-points HAProxy and switches DNS', async () => {
    const state = join(f.dir, 'state.db');
    expect(await appRecord()).toBe(ADDRESSES.a);
    const writer = await f.wl.writer('dlrn_writes');
    const checker = watchPrimaries(f.lab, 'mariadb');
    let refused: Awaited<ReturnType<typeof runCli>>;
    let done: Awaited<ReturnType<typeof runCli>>;
    try {
      expect(await writer.waitForMore(20, 10_000)).toBe(true);
      await f.lab.partition('a');

      refused = await runCli(state, ['run', 'failover', 'dlrn-db']);
      expect(refused.status, `${refused.stdout}\n${refused.stderr}`).toBe(1);
      expect(`${refused.stdout}${refused.stderr}`).toMatch(/LB_E_ENGINE_NOT_READY/);
      // Refused at check-ready, before the point of no return: b was not promoted.
      expect(await appRecord()).toBe(ADDRESSES.a);

      writer.mark();
      done = await runCli(state, [
        'run',
        'failover',
        'dlrn-db',
        '--accept-data-loss',
        '--reason',
        'site a is gone; the DLRN DB must take builds again',
      ]);
      expect(done.status, `${done.stdout}\n${done.stderr}`).toBe(0);
      expect(done.stdout).toMatch(/succeeded: 6 step\(s\) succeeded/);
      expect(await writer.waitForMore(20, 15_000), 'writes acknowledged at b').toBe(true);
    } finally {
      await writer.stop();
      await checker.stop();
    }
    const c = await f.wl.connect();
    const site = await servingSite(c, 'mariadb');
    const present = await countPresent(c, 'dlrn_writes', writer.acked);
    await c.end();
    expect(site, 'HAProxy sends the app to b').toBe('b');
    expect(await appRecord(), 'app.lab.test answers b').toBe(ADDRESSES.b);
    expect(checker.doubles, 'moments with two writable primaries').toEqual([]);
    const lost = writer.acked.length - present;
    // Async: what the replica had not received is lost — bounded by what was written in the
    // moment of the cut, and reported, never hidden.
    expect(lost).toBeGreaterThanOrEqual(0);
    expect(lost).toBeLessThan(writer.acked.length / 2);
    process.stdout.write(
      `dlrn-db: ${writer.acked.length} writes acknowledged, ${lost} lost (async, accepted), first ack at b ${Math.round(writer.firstAckAfterMark() ?? -1)} ms after the run started, ${checker.checks} two-primary checks\n`,
    );

    // The override is on the record: the journal and the audit log name it and its reason.
    const id = await lastRunId(state);
    const show = await runCli(state, ['show', id, '--json'], { withPlan: false });
    expect(show.stdout).toMatch(/site a is gone; the DLRN DB must take builds again/);
    const audit = await runCli(state, ['audit', 'show', '--json'], { withPlan: false });
    expect(audit.stdout).toMatch(/accept/i);
    const v = await runCli(state, ['audit', 'verify'], { withPlan: false });
    expect(v.status, v.stdout + v.stderr).toBe(0);
    await f.lab.heal('a');
  }, 240_000);
});
