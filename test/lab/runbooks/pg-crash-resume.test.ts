// kill -9 at every journal point of a real failover, then resume: the lab's app-db (PostgreSQL,
// sync both ways) fails over with the engine and the real drivers in a separate process that
// SIGKILLs itself right after journal entry k is durable, for every k an uninterrupted failover
// writes. A new process resumes the run. Each time the run succeeds with the end state of an
// uninterrupted one (the target the writable primary one timeline further, the old primary
// stopped, HAProxy and DNS at the target), every effect journaled as applied exactly once, and
// the resumer holding a new fencing token. Rounds alternate direction (a → b, b → a, ...): before
// each, the stopped old primary is rebuilt as the new primary's replica.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADDRESSES, pgAdminSql, servingSite } from '../../../src/lab/index.js';
import { openSqliteStore } from '../../../src/store/index.js';
import { workloadLab } from './fixture.js';

const CHILD = join(import.meta.dirname, '..', '..', 'support', 'lab-engine-child.ts');
const effects = (from: Site, to: Site) => [
  `app-db/fence/${from}`,
  `app-db/promote/${to}`,
  'app-db/switch-traffic/postgres',
  'app-db/switch-traffic/db.lab.test',
];
type Site = 'a' | 'b';

/** A primary's current timeline, from the name of the WAL file it writes (not a checkpoint's). */
const TIMELINE =
  "SELECT ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int;";

const f = workloadLab({
  components: ['postgres', 'haproxy', 'bind'],
  pgMode: 'sync',
  engine: 'postgres',
  name: 'e2e-crash',
  setUp: async (l) => {
    // Synchronous both ways: b, once primary, waits for a as a waits for b (the lab sets a's).
    await pgAdminSql(l.paths, 'b', "ALTER SYSTEM SET synchronous_standby_names = 'a';", 3000);
    await pgAdminSql(l.paths, 'b', 'SELECT pg_reload_conf();', 3000);
  },
});

/** The child in the lab's wan namespace; bounded by 120 s. */
function child(
  args: string[],
): Promise<{ signal: string | null; status: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(
      'ip',
      ['netns', 'exec', 'lb-wan', process.execPath, '--import', 'tsx', CHILD, ...args],
      {
        env: { ...process.env, LIFEBOAT_IN_LAB_NETNS: 'lb', LIFEBOAT_USER: 'alice' },
        timeout: 120_000,
      },
    );
    let out = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    p.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    p.on('close', (status, signal) => resolve({ status, signal, out }));
  });
}

const sql = async (site: Site, q: string) => {
  try {
    return String(await pgAdminSql(f.lab.paths, site, q, 3000)).trim();
  } catch {
    return 'down';
  }
};

async function endState(from: Site, to: Site) {
  const dig = await f.lab.exec('wan', [
    ...['dig', '+short', '+norecurse', '+time=1', '+tries=2', `@${ADDRESSES.witness}`],
    ...['db.lab.test', 'A'],
  ]);
  const c = await f.wl.connect();
  const haproxy = await servingSite(c, 'postgres');
  await c.end();
  return {
    old: await sql(from, 'SELECT pg_is_in_recovery();'),
    primary: await sql(to, 'SELECT pg_is_in_recovery();'),
    timeline: Number(await sql(to, TIMELINE)),
    dns: dig.stdout.trim(),
    haproxy,
  };
}

async function journalOf(state: string, runId: string) {
  const st = openSqliteStore(state);
  const journal = await st.journal.read(runId);
  await st.close();
  return journal;
}

describe('kill -9 at every journal point of a lab failover, then resume', () => {
  it('reaches the uninterrupted end state with each effect applied once', async () => {
    // The uninterrupted run (a → b): how many journal entries, kill points, it writes.
    const ref = join(f.dir, 'ref.db');
    const whole = await child([ref, 'start', 'ref', '0', 'a', 'b']);
    expect(whole.status, whole.out).toBe(0);
    const points = (await journalOf(ref, 'ref')).length;
    expect(points).toBeGreaterThan(15);
    let primary: Site = 'b';
    const figures: string[] = [];
    for (let k = 1; k <= points; k++) {
      const [from, to]: [Site, Site] = primary === 'a' ? ['a', 'b'] : ['b', 'a'];
      const state = join(f.dir, `k${k}.db`);
      const rebuilt = await child([state, 'rebuild', to, from]);
      expect(rebuilt.status, `k=${k}: rebuild ${to}: ${rebuilt.out}`).toBe(0);
      const before = Number(await sql(from, TIMELINE));
      const t0 = Date.now();
      const killed = await child([state, 'start', `k${k}`, String(k), from, to]);
      expect(killed.signal, `kill point ${k}: ${killed.out}`).toBe('SIGKILL');
      const resumed = await child([state, 'resume', `k${k}`]);
      expect(resumed.status, `resume after kill point ${k}: ${resumed.out}`).toBe(0);
      expect(resumed.out, `kill point ${k}`).toMatch(/"state":"succeeded"/);
      figures.push(`${k}:${Date.now() - t0}ms`);
      const end = await endState(from, to);
      expect(end.old, `kill point ${k}: ${from} fenced (stopped)`).toBe('down');
      expect(end.primary, `kill point ${k}: ${to} promoted`).toBe('f');
      expect(end.timeline, `kill point ${k}: ${to} promoted exactly once`).toBe(before + 1);
      expect(end.dns, `kill point ${k}`).toBe(ADDRESSES[to]);
      expect(end.haproxy, `kill point ${k}: HAProxy reaches ${to}`).toBe(to);
      const journal = await journalOf(state, `k${k}`);
      const changed = journal.filter(
        (e) => e.phase === 'effect' && (e.data as { changed?: boolean }).changed === true,
      );
      expect(
        changed.map((e) => e.stepId),
        `kill point ${k}`,
      ).toEqual(effects(from, to));
      expect(new Set(journal.map((e) => e.token)).size, `kill point ${k}: a new token`).toBe(2);
      primary = to;
    }
    process.stdout.write(`lab kill -9 points (kill + resume): ${figures.join(' ')}\n`);
  }, 900_000);
});
