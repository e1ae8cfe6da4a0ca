// The whole lab through the CLI, as an operator runs it: `up` of everything reports what it
// started, a second `up` starts nothing; `status --json` says every server is up; lab.json
// lists endpoints and credential files; no secret is in stdout, lab.json or any log.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_COMPONENTS,
  Lab,
  type LabState,
  type LabStatus,
  SERVERS,
} from '../../src/lab/index.js';
import { testLabDir } from './helpers.js';

const repo = join(import.meta.dirname, '..', '..');
/** What `up` (all) starts: every server but Patroni's, which is asked for by name. */
const UP = SERVERS.filter((s) => DEFAULT_COMPONENTS.includes(s.component));
const name = 'tcli';
const dir = testLabDir(name) ?? `/tmp/lifeboat-lab/${name}`;
const outputs: string[] = [];

async function cli(...args: string[]) {
  const r = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'lab', ...args, '--name', name, '--dir', dir],
    { cwd: repo, maxBuffer: 1 << 24, timeout: 170_000 },
  );
  outputs.push(r.stdout, r.stderr);
  return r;
}

beforeAll(async () => {
  await Lab.open({ name, dir }).down();
});

afterAll(async () => {
  await Lab.open({ name, dir }).down();
});

describe('lifeboat lab, end to end', () => {
  it('up starts every component and reports each with its time', async () => {
    const { stdout } = await cli('up');
    expect(stdout).toMatch(/^network: created \(\d+ ms\)$/m);
    for (const s of UP) expect(stdout).toContain(s.name);
    expect(stdout).not.toContain('patroni');
    expect(stdout).toMatch(/^total \d+ ms$/m);
  });

  it('up again starts nothing and says what is already up', async () => {
    const { stdout } = await cli('up', '--json');
    const report = JSON.parse(stdout) as {
      components: { started: string[]; alreadyUp: string[] }[];
    };
    expect(report.components.flatMap((c) => c.started)).toEqual([]);
    expect(report.components.flatMap((c) => c.alreadyUp).sort()).toEqual(
      UP.map((s) => s.name).sort(),
    );
  });

  it('status --json: every component up, with PIDs and addresses', async () => {
    const s = JSON.parse((await cli('status', '--json')).stdout) as LabStatus;
    expect(s.network).toBe('up');
    for (const c of s.components) {
      expect(c.state, c.component).toBe(c.component === 'patroni' ? 'down' : 'up');
      if (c.component === 'patroni') continue;
      for (const v of c.servers) expect(v.pid).toBeGreaterThan(0);
    }
    const pg = s.components.find((c) => c.component === 'postgres');
    expect(pg?.servers[0]?.listen).toEqual(['10.77.0.1:5432']);
  });

  it('lab.json names credential files (0600), never their contents; no secret is printed or logged', () => {
    const state = JSON.parse(readFileSync(join(dir, 'lab.json'), 'utf8')) as LabState;
    expect(state.namespaces.a).toBe('tcli-a');
    expect(state.endpoints.haproxy.runtime.socket).toBe(join(dir, 'haproxy', 'admin.sock'));
    const secrets = readdirSync(join(dir, 'secrets')).filter((f) => !f.endsWith('.pub'));
    expect(secrets.length).toBeGreaterThanOrEqual(15);
    const values = secrets
      .filter(
        (f) =>
          /\.(password|key|secret)$/.test(f) && f !== 'ssh-client.key' && f !== 'bind-tsig.key',
      )
      .map((f) => readFileSync(join(dir, 'secrets', f), 'utf8').trim());
    for (const f of secrets) expect(statSync(join(dir, 'secrets', f)).mode & 0o777, f).toBe(0o600);
    const logs = readdirSync(join(dir, 'logs')).map((f) =>
      readFileSync(join(dir, 'logs', f), 'utf8'),
    );
    const visible = [JSON.stringify(state), ...outputs, ...logs].join('\n');
    for (const v of values) {
      expect(v.length).toBeGreaterThan(15);
      expect(visible.includes(v)).toBe(false);
    }
  });

  it('down removes it all', async () => {
    const { stdout } = await cli('down', '--json');
    const r = JSON.parse(stdout) as { stopped: Record<string, number>; dirRemoved: boolean };
    expect(Object.keys(r.stopped).sort()).toEqual(UP.map((s) => s.name).sort());
    expect(r.dirRemoved).toBe(true);
  });
});
