// The fence lease on the real lab, without the out-of-band path (LIFEBOAT_LAB_NO_OOB=1: a node
// of a cut-off site cannot be reached, as over SSH). `lifeboat serve` in wan, `lifeboat agent`
// on a and b holding app-db's lease; site a partitioned: the outage is proposed, approved through
// the API, and the run's fence step fences a by its lease — the agent on a, cut off from the
// controller, has stopped postgres-a by itself. b serves, no acknowledged write is lost, and no
// moment has two writable primaries.
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import {
  ADDRESSES,
  countPresent,
  pgAdminSql,
  servingSite,
  watchPrimaries,
} from '../../../src/lab/index.js';
import { pollFor } from '../helpers.js';
import { BIN, LAB_PLAN, runCli } from './cli.js';
import { workloadLab } from './fixture.js';

const f = workloadLab({
  components: ['postgres', 'haproxy', 'bind'],
  pgMode: 'sync',
  engine: 'postgres',
  name: 'e2e-lease',
});

const API = `http://${ADDRESSES.wan}:8481`;

interface Proc {
  child: ChildProcess;
  lines: string[];
}

function start(argv: string[], env: NodeJS.ProcessEnv): Proc {
  const child = spawn('ip', argv, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  for (const s of [child.stdout, child.stderr])
    createInterface({ input: s as NodeJS.ReadableStream }).on('line', (l) => lines.push(l));
  return { child, lines };
}

async function stop(p: Proc | undefined): Promise<void> {
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
  const gone = new Promise<void>((r) => p.child.once('exit', () => r()));
  p.child.kill('SIGTERM');
  const t = setTimeout(() => p.child.kill('SIGKILL'), 8000);
  await gone;
  clearTimeout(t);
}

/** GET/POST on the API from wan (curl in the namespace: the test process is not in it). */
async function api(token: string, path: string, body?: unknown): Promise<unknown> {
  const argv = [
    ...['netns', 'exec', 'lb-wan', 'curl', '-s', '-m', '5'],
    ...['-H', `authorization: Bearer ${token}`],
    ...(body === undefined
      ? []
      : ['-X', 'POST', '-H', 'content-type: application/json', '-d', JSON.stringify(body)]),
    `${API}${path}`,
  ];
  const p = spawn('ip', argv);
  let out = '';
  p.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  await new Promise((r) => p.on('close', r));
  return JSON.parse(out || 'null');
}

interface RunView {
  id: string;
  service: string;
  state: string;
  steps?: { id: string; phase?: string; detail?: string }[];
}

describe('fence lease: site a cut off, no out-of-band path', () => {
  it('the agent on a stops its primary by itself, and the failover fences a by its lease', async () => {
    const state = join(f.dir, 'state.db');
    const tokenFile = join(f.dir, 'agent.token');
    const admin = await runCli(state, ['token', 'create', '--role', 'admin', '--name', 'carol'], {
      withPlan: false,
    });
    expect(admin.status, admin.stderr).toBe(0);
    const token = admin.stdout.trim();
    writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
    const env = { LIFEBOAT_IN_LAB_NETNS: 'lb', LIFEBOAT_LAB_NO_OOB: '1' };
    let serve: Proc | undefined;
    const agents: Proc[] = [];
    const writer = await f.wl.writer('e2e_lease');
    const checker = watchPrimaries(f.lab, 'postgres');
    try {
      serve = start(
        [
          ...['netns', 'exec', 'lb-wan', BIN, 'serve', '--plan', LAB_PLAN, '--lab', 'lb'],
          ...['--state', state, '--listen', `${ADDRESSES.wan}:8481`, '--no-watch'],
        ],
        env,
      );
      await pollFor(
        'the API',
        async () => (serve?.lines.some((l) => l.includes('lifeboat serve:')) ? true : undefined),
        30_000,
        { stepMs: 200 },
      );
      for (const node of ['a', 'b'])
        agents.push(
          start(
            [
              ...['netns', 'exec', `lb-${node}`, BIN, 'agent', '--plan', LAB_PLAN],
              ...['--node', node, '--controller', API, '--token-file', tokenFile],
            ],
            env,
          ),
        );
      await pollFor(
        'both agents holding their lease',
        async () =>
          agents.every((a) => a.lines.some((l) => l.includes('lease granted'))) ? true : undefined,
        30_000,
        { stepMs: 200 },
      );
      expect(await writer.waitForMore(10, 10_000)).toBe(true);

      await f.lab.partition('a');
      const run = await pollFor(
        'the proposed failover of app-db',
        async () => {
          const runs = (await api(token, '/api/v1/runs')) as RunView[] | null;
          return runs?.find((r) => r.service === 'app-db' && r.state === 'waiting-approval');
        },
        30_000,
        { stepMs: 200 },
      );
      expect(
        await api(token, `/api/v1/runs/${run.id}/approve`, { stepId: 'app-db/approve-run' }),
      ).toEqual({ ok: true });
      let last: RunView | null = null;
      const done = await pollFor(
        'the failover to end',
        async () => {
          last = (await api(token, `/api/v1/runs/${run.id}`)) as RunView | null;
          return last && ['succeeded', 'failed', 'aborted'].includes(last.state) ? last : undefined;
        },
        60_000,
        {
          stepMs: 200,
          detail: () =>
            `the run: ${JSON.stringify(last)}; agent a: ${agents[0]?.lines.slice(-5).join(' | ')}`,
        },
      );
      expect(done.state, JSON.stringify(done.steps)).toBe('succeeded');
      const fenceStep = done.steps?.find((s) => s.id === 'app-db/fence/a');
      expect(fenceStep?.detail).toMatch(/fenced by its lease/);
      expect(fenceStep?.detail).toMatch(/its agent stops a writable primary that cannot renew/);
      // The agent on a, cut off, stopped postgres-a by itself.
      const agentA = agents[0]?.lines.join('\n') ?? '';
      expect(agentA).toMatch(/app-db\/pg on a: its lease ran out: stopped/);
      await expect(pgAdminSql(f.lab.paths, 'a', 'SELECT 1;', 3000)).rejects.toThrow();
      expect(await writer.waitForMore(5, 15_000), 'writes acknowledged after the failover').toBe(
        true,
      );
    } finally {
      await writer.stop();
      await checker.stop();
      // The agents before the controller: without it, b's agent would fence the new primary.
      for (const a of agents) await stop(a);
      await stop(serve);
    }
    const c = await f.wl.connect();
    const site = await servingSite(c, 'postgres');
    const found = await countPresent(c, 'e2e_lease', writer.acked);
    await c.end();
    expect(site).toBe('b');
    expect(found, 'acknowledged writes found on b').toBe(writer.acked.length);
    expect(checker.doubles, 'moments with two writable primaries').toEqual([]);
    expect(checker.checks).toBeGreaterThan(10);
  }, 240_000);
});
