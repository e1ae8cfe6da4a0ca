// End to end on the real servers: `lifeboat run failover app-db` with site a cut off (the lab
// plan, synchronous PostgreSQL). A client writes unique ids through HAProxy throughout; a checker
// polls both nodes for two writable primaries. After the failover, every acknowledged write is
// on b, HAProxy and DNS point at b, and no moment had two writable primaries. Then abort is
// refused (past the point of no return) and the audit log verifies.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADDRESSES, type Lab, PORTS, pgAdminSql } from '../../../src/lab/index.js';
import { freshLab } from '../helpers.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'lifeboat');
const PLAN = join(ROOT, 'examples', 'lab', 'plan.yaml');

let lab: Lab;
let dir: string;

/** Runs the CLI without blocking the event loop (the writer and the checker keep going). */
function cli(args: string[], user = 'alice', withPlan = true) {
  const extra = withPlan ? ['--plan', PLAN, '--lab', 'lb'] : [];
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const p = spawn(BIN, [...args, ...extra, '--state', join(dir, 'state.db')], {
      env: { ...process.env, LIFEBOAT_USER: user },
      timeout: 120_000,
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    p.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

beforeAll(async () => {
  // The lab plan names the default lab (`lb`, /tmp/lifeboat-lab/lb).
  dir = mkdtempSync(join(tmpdir(), 'lifeboat-e2e-'));
  lab = await freshLab('lb', { defaultDir: true });
  await lab.up(['postgres', 'haproxy', 'bind'], { pgMode: 'sync' });
}, 180_000);

afterAll(async () => {
  await lab?.down();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 120_000);

/** Which nodes answer as writable primaries right now (unreachable ones do not). */
async function writablePrimaries(): Promise<string[]> {
  const out: string[] = [];
  for (const site of ['a', 'b'] as const) {
    try {
      const r = await pgAdminSql(
        lab.paths,
        site,
        "SELECT NOT pg_is_in_recovery() AND current_setting('default_transaction_read_only') = 'off';",
        2000,
      );
      if (String(r).trim().startsWith('t')) out.push(site);
    } catch {
      // stopped or unreachable: not writable
    }
  }
  return out;
}

describe('failover of app-db (PostgreSQL, sync) with site a partitioned', () => {
  it('moves the service to b with no acknowledged write lost and never two writable primaries', async () => {
    const ep = lab.endpoints().postgres;
    const password = readFileSync(ep.users.app.passwordFile, 'utf8').trim();
    const fwd = await lab.forward('e2e-pg', {
      host: ADDRESSES.wan,
      port: PORTS.haproxyPostgres,
      pg: true,
    });
    const connect = async () => {
      const c = new pg.Client({
        host: fwd.path,
        port: PORTS.haproxyPostgres,
        user: 'app',
        password,
        database: 'app',
        connectionTimeoutMillis: 1000,
        query_timeout: 2000,
      });
      c.on('error', () => undefined);
      await c.connect();
      return c;
    };
    const setup = await connect();
    await setup.query('CREATE TABLE IF NOT EXISTS e2e_writes (id integer PRIMARY KEY)');
    await setup.end();

    const acked: number[] = [];
    let stop = false;
    let firstAckAfterRun: number | undefined;
    let runStarted = 0;
    const writer = (async () => {
      let client: pg.Client | undefined;
      // Bounded by `stop` (set below, after at most the run's timeout).
      for (let id = 1; !stop; id++) {
        try {
          client ??= await connect();
          await client.query('INSERT INTO e2e_writes (id) VALUES ($1)', [id]);
          acked.push(id);
          if (runStarted > 0 && firstAckAfterRun === undefined) firstAckAfterRun = Date.now();
        } catch {
          client?.end().catch(() => undefined);
          client = undefined;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      await client?.end().catch(() => undefined);
    })();
    const doubles: string[][] = [];
    let checks = 0;
    const checker = (async () => {
      while (!stop) {
        const w = await writablePrimaries();
        checks++;
        if (w.length > 1) doubles.push(w);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();

    await new Promise((r) => setTimeout(r, 1000));
    expect(acked.length).toBeGreaterThan(0);
    await lab.partition('a');
    const beforeRun = acked.length;
    runStarted = Date.now();
    firstAckAfterRun = undefined;
    const r = await cli(['run', 'failover', 'app-db']);
    const runMs = Date.now() - runStarted;
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/succeeded: 6 step\(s\) succeeded/);
    // Writes go on through HAProxy, now to b.
    const deadline = Date.now() + 15_000;
    while (acked.length <= beforeRun + 5 && Date.now() < deadline)
      await new Promise((x) => setTimeout(x, 100));
    stop = true;
    await Promise.all([writer, checker]);
    // Through HAProxy again: it now reaches b, which holds every acknowledged id.
    const after = await connect();
    const server = await after.query('SELECT host(inet_server_addr()) AS addr');
    const found = await after.query(
      'SELECT count(*)::int AS n FROM e2e_writes WHERE id = ANY($1::int[])',
      [acked],
    );
    await after.end();
    await fwd.close();

    expect(server.rows[0].addr).toBe(ADDRESSES.b);
    expect(acked.length, 'writes acknowledged after the failover').toBeGreaterThan(beforeRun + 5);
    expect(found.rows[0].n, 'acknowledged writes found on b').toBe(acked.length);
    expect(doubles, 'moments with two writable primaries').toEqual([]);
    expect(checks).toBeGreaterThan(10);
    process.stdout.write(`${r.stdout}\n`);
    process.stdout.write(
      `failover: run ${runMs} ms, ${acked.length} writes acknowledged, first ack after the run started: ${firstAckAfterRun ? firstAckAfterRun - runStarted : 'none'} ms, ${checks} two-primary checks\n`,
    );

    // Past the point of no return: abort is refused. The audit log verifies.
    const runs = JSON.parse((await cli(['runs', '--json'], 'alice', false)).stdout) as {
      id: string;
    }[];
    const id = runs.at(-1)?.id as string;
    const ab = await cli(['abort', id, '--reason', 'too late'], 'bob');
    expect(ab.status).toBe(1);
    expect(ab.stderr).toMatch(/LB_E_ENGINE_RUN_ENDED|LB_E_ENGINE_PAST_POINT_OF_NO_RETURN/);
    const v = spawnSync(BIN, ['audit', 'verify', '--state', join(dir, 'state.db')], {
      encoding: 'utf8',
    });
    expect(v.status, v.stdout + v.stderr).toBe(0);
    await lab.heal('a');
  }, 240_000);
});
