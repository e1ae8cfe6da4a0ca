// End to end on the real servers: the CAR/Harbor case of seed 003 in small — `lifeboat run
// bluegreen web` on the lab plan: HAProxy read-only, upgrade the idle colour (b) with the plan's
// playbook, test it, switch, then wait for a second person to confirm. A client reads and writes
// through HAProxy all along. In the window: writes are refused with a clear status and message,
// reads are served (by the new colour), and the old colour still serves as the rollback target.
// A rollback from the window (abort) sends traffic back to a and lifts read-only. A second
// attempt is confirmed by someone other than the requester and ends with writes accepted on b.

import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADDRESSES, type Lab, PORTS, READ_ONLY_BODY } from '../../../src/lab/index.js';
import { freshLab } from '../helpers.js';
import { lastRunId, runCli } from './cli.js';

let lab: Lab;
let dir: string;
const sockets: Record<string, string> = {};
const closers: (() => void)[] = [];

interface Reply {
  status: number;
  site?: string;
  version?: string;
  body: string;
}

/** One HTTP request through a lab forward (`via`: haproxy, a or b). Bounded by 2 s. */
function http(via: string, method: string, path: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath: sockets[via], method, path, headers: { host: 'web.lab.test' }, timeout: 2000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          body += d;
        });
        res.on('end', () => {
          let parsed: { site?: string; version?: string } = {};
          try {
            parsed = JSON.parse(body) as typeof parsed;
          } catch {
            // the read-only refusal is text
          }
          resolve({
            status: res.statusCode ?? 0,
            site: parsed.site,
            version: parsed.version,
            body,
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(method === 'GET' ? undefined : 'x');
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lifeboat-e2e-'));
  lab = await freshLab('lb', { defaultDir: true });
  await lab.up(['http', 'haproxy']);
  const targets = {
    haproxy: { host: ADDRESSES.wan, port: PORTS.haproxyHttp },
    a: { host: ADDRESSES.a, port: PORTS.http },
    b: { host: ADDRESSES.b, port: PORTS.http },
  };
  for (const [name, t] of Object.entries(targets)) {
    const f = await lab.forward(`e2e-web-${name}`, t);
    sockets[name] = f.path;
    closers.push(() => f.close());
  }
}, 180_000);

afterAll(async () => {
  for (const c of closers) c();
  await lab?.down();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 120_000);

/** A client through HAProxy: a read and a write every ~50 ms, every answer recorded. */
function client() {
  const reads: Reply[] = [];
  const writes: Reply[] = [];
  const failures: string[] = [];
  let stop = false;
  const loop = (async () => {
    for (let i = 0; !stop; i++) {
      try {
        reads.push(await http('haproxy', 'GET', '/health'));
        writes.push(await http('haproxy', 'POST', `/k${i}`));
      } catch (e) {
        failures.push(String(e));
      }
      await sleep(50);
    }
  })();
  return {
    reads,
    writes,
    failures,
    async stop() {
      stop = true;
      await loop;
    },
  };
}

describe('blue/green upgrade of web behind a read-only HAProxy', () => {
  it('refuses writes and serves reads in the window, rolls back from it, then confirms a second attempt', async () => {
    const state = join(dir, 'state.db');
    const c = client();
    try {
      await sleep(300);
      expect((await http('haproxy', 'GET', '/version')).version).toBe('1');

      // Attempt 1: up to the confirmation, then rolled back.
      const first = await runCli(state, ['run', 'bluegreen', 'web', '--no-wait']);
      expect(first.status, `${first.stdout}\n${first.stderr}`).toBe(3);
      expect(first.stdout).toMatch(/waiting for an approval of web\/confirm\/web/);
      const id1 = await lastRunId(state);
      const inWindow = c.writes.length;
      await sleep(500);
      const read = await http('haproxy', 'GET', '/version');
      expect(read).toMatchObject({ status: 200, site: 'b', version: '2' });
      const write = await http('haproxy', 'POST', '/in-window');
      expect(write.status).toBe(503);
      expect(write.body).toContain(READ_ONLY_BODY);
      expect(c.writes.slice(inWindow).every((w) => w.status === 503)).toBe(true);
      // The old colour is kept, untouched, as the rollback target.
      expect(await http('a', 'GET', '/version')).toMatchObject({ status: 200, version: '1' });

      const rollback = await runCli(
        state,
        ['abort', id1, '--reason', 'version 2 answers wrongly'],
        { user: 'bob' },
      );
      expect(rollback.stdout + rollback.stderr).toMatch(/aborted/);
      expect(await http('haproxy', 'GET', '/version')).toMatchObject({ site: 'a', version: '1' });
      expect((await http('haproxy', 'POST', '/after-rollback')).status).toBe(201);

      // Attempt 2: confirmed by a second person, the new colour takes writes.
      const second = await runCli(state, ['run', 'bluegreen', 'web', '--no-wait']);
      expect(second.status, `${second.stdout}\n${second.stderr}`).toBe(3);
      const id2 = await lastRunId(state);
      const self = await runCli(state, ['approve', id2, 'web/confirm/web']);
      expect(self.status).toBe(1);
      expect(self.stderr).toMatch(/LB_E_ENGINE_APPROVER_IS_REQUESTER/);
      const ok = await runCli(state, ['approve', id2, 'web/confirm/web'], { user: 'bob' });
      expect(ok.status, ok.stdout + ok.stderr).toBe(0);
      const resumed = await runCli(state, ['resume', id2], { user: 'bob' });
      expect(resumed.status, `${resumed.stdout}\n${resumed.stderr}`).toBe(0);
      expect(resumed.stdout).toMatch(/succeeded/);
      const after = await http('haproxy', 'POST', '/after-confirm');
      expect(after).toMatchObject({ status: 201, site: 'b' });
      const late = await runCli(state, ['abort', id2, '--reason', 'too late'], { user: 'bob' });
      expect(late.status).toBe(1);
    } finally {
      await c.stop();
    }
    // Reads never failed; writes were refused with the message (503), never dropped silently.
    expect(c.failures).toEqual([]);
    expect(c.reads.every((r) => r.status === 200)).toBe(true);
    const refused = c.writes.filter((w) => w.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((w) => w.body.includes(READ_ONLY_BODY))).toBe(true);
    expect(c.writes.every((w) => w.status === 201 || w.status === 503)).toBe(true);
    process.stdout.write(
      `bluegreen: ${c.reads.length} reads (all 200), ${c.writes.length} writes (${refused.length} refused with 503 in the windows)\n`,
    );
    const v = await runCli(state, ['audit', 'verify'], { withPlan: false });
    expect(v.status, v.stdout + v.stderr).toBe(0);
  }, 300_000);
});
