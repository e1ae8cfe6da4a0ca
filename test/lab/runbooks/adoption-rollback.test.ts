// End to end on the real servers: the 17.1 → 18 adoption of seed 001 in small (the lab plan's
// `control-plane`: the "17.1 control plane" is the HTTP service at a, the "podified" one version
// 18 at b). Before the point of no return the way back works twice over: the first attempt fails
// at os-diff and the `rollback-adoption` runbook restores the 17.1 service and deletes the
// podified one; the second waits at go-no-go and an abort undoes every step, newest first. The
// third is approved past `adopt-data-plane`: from then on abort and the rollback runbook are
// both refused, and the run can only go forward.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADDRESSES, type Lab, PORTS } from '../../../src/lab/index.js';
import { freshLab } from '../helpers.js';
import { lastRunId, runCli } from './cli.js';

let lab: Lab;
let dir: string;
const sockets: Record<string, string> = {};
const closers: (() => void)[] = [];

/** GET /version at a site's HTTP service (through a forward from wan); undefined when down. */
function version(site: 'a' | 'b'): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request({ socketPath: sockets[site], path: '/version', timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
      });
      res.on('end', () => {
        try {
          resolve((JSON.parse(body) as { version?: string }).version);
        } catch {
          resolve(undefined);
        }
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

/** Polls until `site` serves `want` (undefined: down), at most 5 s. */
async function serves(site: 'a' | 'b', want: string | undefined): Promise<string | undefined> {
  let got: string | undefined;
  for (let i = 0; i < 50; i++) {
    got = await version(site);
    if (got === want) return got;
    await new Promise((r) => setTimeout(r, 100));
  }
  return got;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lifeboat-e2e-'));
  lab = await freshLab('lb', { defaultDir: true });
  await lab.up(['http']);
  for (const site of ['a', 'b'] as const) {
    const f = await lab.forward(`e2e-adopt-${site}`, { host: ADDRESSES[site], port: PORTS.http });
    sockets[site] = f.path;
    closers.push(() => f.close());
  }
}, 180_000);

afterAll(async () => {
  for (const c of closers) c();
  await lab?.down();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe('adoption of control-plane with a point of no return', () => {
  it('rolls back before the point of no return (runbook and abort), refuses both after it', async () => {
    const state = join(dir, 'state.db');
    const drift = join(lab.paths.component('http'), 'config-drift');
    expect(await version('a')).toBe('1');

    // Attempt 1 fails at os-diff; the rollback runbook restores 17.1 and deletes the podified.
    writeFileSync(drift, 'a difference os-diff would report\n');
    const failed = await runCli(state, ['run', 'adoption', 'control-plane']);
    expect(failed.status, `${failed.stdout}\n${failed.stderr}`).toBe(1);
    expect(failed.stdout).toMatch(/control-plane\/os-diff/);
    expect(await serves('a', undefined), '17.1 stopped by the adoption').toBeUndefined();
    expect(await serves('b', '18')).toBe('18');
    const rb = await runCli(state, ['run', 'rollback', 'control-plane']);
    expect(rb.status, `${rb.stdout}\n${rb.stderr}`).toBe(0);
    expect(await serves('a', '1'), '17.1 serves again').toBe('1');
    expect(await serves('b', '1'), 'the podified control plane is gone').toBe('1');
    rmSync(drift);
    // The restarted 17.1 service is stopped again by the next attempt: pkill matches it too.

    // Attempt 2 waits at go-no-go; an abort undoes every started step, newest first.
    const second = await runCli(state, ['run', 'adoption', 'control-plane', '--no-wait']);
    expect(second.status, `${second.stdout}\n${second.stderr}`).toBe(3);
    expect(second.stdout).toMatch(/control-plane\/go-no-go/);
    expect(await serves('a', undefined)).toBeUndefined();
    const id2 = await lastRunId(state);
    const ab = await runCli(state, ['abort', id2, '--reason', 'the podified API fails a check'], {
      user: 'carol',
    });
    expect(ab.status, `${ab.stdout}\n${ab.stderr}`).toBeLessThanOrEqual(1);
    expect(ab.stdout).toMatch(/aborted/);
    expect(ab.stdout).not.toMatch(/FAILED/);
    expect(await serves('a', '1'), 'abort restarted 17.1').toBe('1');
    expect(await serves('b', '1'), 'abort deleted the podified control plane').toBe('1');

    // Attempt 3: approved at go-no-go (by a member of the approver role), past the point of no
    // return; it then waits at verify.
    const third = await runCli(state, ['run', 'adoption', 'control-plane', '--no-wait']);
    expect(third.status).toBe(3);
    const id3 = await lastRunId(state);
    const ok = await runCli(state, ['approve', id3, 'control-plane/go-no-go'], { user: 'carol' });
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    const on = await runCli(state, ['resume', id3, '--no-wait'], { user: 'carol' });
    expect(on.status, `${on.stdout}\n${on.stderr}`).toBe(3);
    expect(on.stdout).toMatch(/point of no return/);
    expect(on.stdout).toMatch(/control-plane\/verify/);

    const late = await runCli(state, ['abort', id3, '--reason', 'changed my mind'], {
      user: 'dave',
    });
    expect(late.status).toBe(1);
    expect(late.stderr).toMatch(/LB_E_ENGINE_PAST_POINT_OF_NO_RETURN/);
    const rbLate = await runCli(state, ['run', 'rollback', 'control-plane']);
    expect(rbLate.status).toBe(1);
    expect(rbLate.stderr).toMatch(/LB_E_ENGINE_GUARD/);
    // Nothing was undone: 17.1 stays stopped, the podified control plane stays.
    expect(await version('a')).toBeUndefined();
    expect(await version('b')).toBe('18');
    const v = await runCli(state, ['audit', 'verify'], { withPlan: false });
    expect(v.status, v.stdout + v.stderr).toBe(0);
  }, 300_000);
});
