// Ansible for real: ansible-core against localhost (ansible_connection=local) and against the
// lab's sshd at site b over SSH with its pinned host key (ansible-playbook runs in site a's
// namespace). A playbook that creates a file, one that fails on a named task, abort, no hosts,
// unreachable, a wrong pinned key; progress task by task.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnsibleConfig, AnsibleDriver } from '../../../src/drivers/ansible/index.js';
import type { Progress } from '../../../src/drivers/driver.js';
import { Lab } from '../../../src/lab/index.js';
import { identity, otherKey, pinnedKey, SITE_B, timed } from './ssh-lab.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'ansible');
const work = mkdtempSync(join(tmpdir(), 'lb-ansible-lab-'));
const lab = Lab.open({ name: 'drvans' });
const ctx = (ms = 170_000) => ({ signal: AbortSignal.timeout(ms) });
const figures: Record<string, number> = {};

beforeAll(async () => {
  await lab.up(['ssh']);
});
afterAll(async () => {
  console.log(`ansible figures (ms): ${JSON.stringify(figures)}`);
  rmSync(work, { recursive: true, force: true });
  await lab.down();
});

const base = (over: Partial<AnsibleConfig> = {}): AnsibleConfig => ({
  name: 'web.redeploy',
  playbook: join(FIXTURES, 'create-file.yml'),
  inventory: join(FIXTURES, 'local.ini'),
  limit: 'web-a',
  extraVars: { target_file: join(work, 'marker.txt'), content: 'v1' },
  ...over,
});

describe('ansible-playbook against localhost', () => {
  it('observe lists the selected hosts without running anything', async () => {
    const o = await new AnsibleDriver(base({ limit: 'web' })).observe(ctx());
    expect(o).toMatchObject({ healthy: true, facts: { hosts: ['web-a', 'web-b'] } });
    expect(existsSync(join(work, 'marker.txt'))).toBe(false);
  });

  it('creates the file with progress per task; a second run changes nothing', async () => {
    const progress: Progress[] = [];
    const d = new AnsibleDriver(base());
    const first = await d.run({ ...ctx(), progress: (p) => progress.push(p) });
    expect(first).toMatchObject({ changed: true, data: { tasks: 1, changedHosts: ['web-a'] } });
    expect(progress.map((p) => p.message)).toEqual([
      'PLAY [Create the marker file]',
      'TASK [Write the marker file]',
      'changed: web-a [Write the marker file]',
    ]);
    expect(readFileSync(join(work, 'marker.txt'), 'utf8')).toBe('v1\n');
    expect((await d.run(ctx())).changed).toBe(false);
    expect(
      (
        await new AnsibleDriver(
          base({ extraVars: { target_file: join(work, 'marker.txt'), content: 'v2' } }),
        ).check(ctx())
      ).detail,
    ).toContain('changes on web-a');
    expect(readFileSync(join(work, 'marker.txt'), 'utf8')).toBe('v1\n');
  });

  it('a Jinja lookup in an extra var is written literally, never run', async () => {
    const canary = join(work, 'CANARY');
    const payload = `{{ lookup('pipe', 'touch ${canary}') }}`;
    await new AnsibleDriver(
      base({ extraVars: { target_file: join(work, 'jinja.txt'), content: payload } }),
    ).run(ctx());
    expect(readFileSync(join(work, 'jinja.txt'), 'utf8')).toBe(`${payload}\n`);
    expect(existsSync(canary)).toBe(false);
  });

  it("a failing task: LB_E_ANSIBLE_TASK_FAILED naming 'Install httpd' and the host", async () => {
    const d = new AnsibleDriver(base({ playbook: join(FIXTURES, 'fail-named.yml'), limit: 'web' }));
    const err = await d.run(ctx()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'LB_E_ANSIBLE_TASK_FAILED', retryable: false });
    expect((err as Error).message).toMatch(
      /^playbook web\.redeploy: task 'Install httpd' failed on host web-[ab]: .*No package httpd available\. \(exit 1\) \(and 1 more: 'Install httpd' on web-[ab]\)$/,
    );
  });

  it('a limit that selects nothing: LB_E_ANSIBLE_NO_HOSTS', async () => {
    await expect(new AnsibleDriver(base({ limit: 'nomatch' })).run(ctx())).rejects.toMatchObject({
      code: 'LB_E_ANSIBLE_NO_HOSTS',
    });
  });

  it('an SSH host with nothing listening: LB_E_ANSIBLE_HOST_UNREACHABLE (retryable), named', async () => {
    const inv = join(work, 'ghost.ini');
    writeFileSync(
      inv,
      'ghost ansible_host=127.0.0.1 ansible_port=1 ansible_python_interpreter=/usr/bin/python3\n',
    );
    await expect(
      new AnsibleDriver(base({ inventory: inv, limit: 'ghost' })).run(ctx()),
    ).rejects.toMatchObject({
      code: 'LB_E_ANSIBLE_HOST_UNREACHABLE',
      retryable: true,
      message: expect.stringContaining('host ghost unreachable'),
    });
  });

  it('a playbook that does not parse: LB_E_ANSIBLE_PLAYBOOK_ERROR, from observe too', async () => {
    const pb = join(work, 'broken.yml');
    writeFileSync(pb, '- hosts: all\n  tasks:\n    - name: x\n      no_such_module_here: {}\n');
    await expect(new AnsibleDriver(base({ playbook: pb })).run(ctx())).rejects.toMatchObject({
      code: 'LB_E_ANSIBLE_PLAYBOOK_ERROR',
    });
    await expect(new AnsibleDriver(base({ playbook: pb })).observe(ctx())).rejects.toMatchObject({
      code: 'LB_E_ANSIBLE_PLAYBOOK_ERROR',
    });
  });

  it('abort kills the process group: the task process is gone', async () => {
    const pidFile = join(work, 'slow.pid');
    const c = new AbortController();
    const d = new AnsibleDriver(
      base({ playbook: join(FIXTURES, 'slow.yml'), extraVars: { pid_file: pidFile } }),
    );
    const running = d.run({ signal: c.signal });
    for (let i = 0; i < 200 && !existsSync(pidFile); i++)
      await new Promise((r) => setTimeout(r, 50));
    c.abort();
    await expect(running).rejects.toMatchObject({ code: 'LB_E_DRIVER_ABORTED' });
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((r) => setTimeout(r, 200));
    expect(gone(pid)).toBe(true);
  });
});

/** Gone, or a zombie waiting for a reaper (this container's PID 1 may not reap). */
function gone(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

describe('ansible-playbook over SSH to the lab sshd (site b), key pinned', () => {
  let inventory = '';
  let remoteDir = '';
  beforeAll(() => {
    remoteDir = join(lab.dir, 'ansible-out');
    mkdirSync(remoteDir, { recursive: true });
    inventory = join(work, 'lab.ini');
    writeFileSync(
      inventory,
      `[web]\nweb-b ansible_host=${SITE_B} ansible_python_interpreter=/usr/bin/python3\n`,
    );
  });
  const overSsh = (over: Partial<AnsibleConfig> = {}) =>
    base({
      inventory,
      limit: 'web-b',
      namespace: lab.namespaces.a,
      user: 'root',
      identity: identity(lab),
      knownHosts: [{ host: SITE_B, hostKey: pinnedKey(lab) }],
      extraVars: { target_file: join(remoteDir, 'deployed.txt'), content: 'from ansible over ssh' },
      ...over,
    });

  it('creates the file on web-b, then changes nothing', async () => {
    const d = new AnsibleDriver(overSsh());
    const [first, ms] = await timed(() => d.run(ctx()));
    figures.sshPlaybookOneTask = Math.round(ms);
    expect(first).toMatchObject({ changed: true, data: { changedHosts: ['web-b'] } });
    expect(readFileSync(join(remoteDir, 'deployed.txt'), 'utf8')).toBe('from ansible over ssh\n');
    expect((await d.run(ctx())).changed).toBe(false);
  });

  it("names the failed task and the host: task 'Install httpd' failed on host web-b", async () => {
    const d = new AnsibleDriver(overSsh({ playbook: join(FIXTURES, 'fail-named.yml') }));
    await expect(d.run(ctx())).rejects.toMatchObject({
      code: 'LB_E_ANSIBLE_TASK_FAILED',
      message:
        "playbook web.redeploy: task 'Install httpd' failed on host web-b: No package httpd available. (exit 1)",
    });
  });

  it('a wrong pinned key: refused as a key mismatch, nothing done on the host', async () => {
    const d = new AnsibleDriver(
      overSsh({
        knownHosts: [{ host: SITE_B, hostKey: otherKey() }],
        extraVars: { target_file: join(remoteDir, 'wrong-key.txt'), content: 'x' },
      }),
    );
    await expect(d.run(ctx())).rejects.toMatchObject({
      code: 'LB_E_SSH_HOST_KEY_MISMATCH',
      retryable: false,
    });
    expect(existsSync(join(remoteDir, 'wrong-key.txt'))).toBe(false);
  });
});
