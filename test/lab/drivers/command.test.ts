// Given the lab's sshd at site b with its host key pinned, commands run there over SSH see exactly
// the argv we give (hostile strings included), a wrong pinned key is refused before
// authentication, aborts and timeouts kill the remote process group, and the SSH runner passes the
// conformance suite. Figures: SSH login and per-command time, against OpenSSH's CLI.
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandDriver, SshRunner } from '../../../src/drivers/command/index.js';
import { Lab } from '../../../src/lab/index.js';
import { runDriverConformance } from '../../conformance/driver-suite.js';
import { median, otherKey, SITE_B, sshConfig, sshRunner, timed } from './ssh-lab.js';

const lab = Lab.open({ name: 'drvssh' });
const ctx = (ms = 30_000) => ({ signal: AbortSignal.timeout(ms) });
const scratch = () => `${lab.dir}/cmd-test`;
const figures: Record<string, number> = {};

beforeAll(async () => {
  await lab.up(['ssh']);
  await lab.exec('b', ['mkdir', '-p', scratch()]);
});
afterAll(async () => {
  console.log(`ssh figures (ms): ${JSON.stringify(figures)}`);
  await lab.down();
});

runDriverConformance({
  name: 'command over ssh (lab sshd-b)',
  setup: async () => new CommandDriver({ target: 'web-b', runner: sshRunner(lab) }),
  // Nothing listens on b:2222: refused inside the namespace, the proxy's stream ends at once.
  unreachable: () => new CommandDriver({ target: 'web-b', runner: sshRunner(lab, { port: 2222 }) }),
});

describe('an argv over SSH stays data', () => {
  const HOSTILE = [
    '; touch CANARY',
    '$(touch CANARY)',
    '`touch CANARY`',
    'a\nb\n\n',
    "it's",
    "'",
    '--option',
    '-rf',
    '$HOME',
    '*',
    '"',
    '\\',
    '',
    ' x ',
    '|| touch CANARY',
    '&& touch CANARY',
  ];

  it('the remote printf sees exactly each argument, and no canary is created', async () => {
    const r = sshRunner(lab);
    const argv = HOSTILE.map((h) => h.replace('CANARY', `${scratch()}/canary`));
    const out = await r.run(['printf', '%s\\0', ...argv], ctx());
    await r.close();
    expect(out.code).toBe(0);
    expect(out.stdout.split('\0').slice(0, -1)).toEqual(argv);
    expect(existsSync(`${scratch()}/canary`)).toBe(false);
  });

  it('stdin, env and the user switch arrive as given', async () => {
    const r = sshRunner(lab);
    expect((await r.run(['cat'], { ...ctx(), input: 'line 1\n$(id)\n' })).stdout).toBe(
      'line 1\n$(id)\n',
    );
    expect(
      (await r.run(['printenv', 'LB_X'], { ...ctx(), env: { LB_X: '`id` $HOME' } })).stdout,
    ).toBe('`id` $HOME\n');
    expect((await r.run(['id', '-un'], { ...ctx(), user: 'postgres' })).stdout).toBe('postgres\n');
    await r.close();
  });
});

describe('the pinned host key', () => {
  it('a wrong pinned key is refused before authentication: no command runs, not retryable', async () => {
    const log = lab.paths.log('sshd-b');
    const accepted = () => (readFileSync(log, 'utf8').match(/Accepted publickey/g) ?? []).length;
    const before = accepted();
    const r = sshRunner(lab, { hostKey: otherKey() });
    const err = await r.run(['touch', `${scratch()}/wrong-key`], ctx()).catch((e: unknown) => e);
    await r.close();
    expect(err).toMatchObject({ code: 'LB_E_SSH_HOST_KEY_MISMATCH', retryable: false });
    expect((err as Error).message).toMatch(
      /presented host key SHA256:\S+, but the plan pins SHA256:/,
    );
    expect(existsSync(`${scratch()}/wrong-key`)).toBe(false);
    await new Promise((res) => setTimeout(res, 200));
    expect(accepted()).toBe(before);
  });

  it('no pinned key: refused at construction with the ssh-keyscan advice', () => {
    const { hostKey: _, ...cfg } = sshConfig(lab);
    expect(() => new SshRunner(cfg)).toThrow(
      expect.objectContaining({
        code: 'LB_E_SSH_HOST_KEY_MISSING',
        hint: expect.stringContaining(`ssh-keyscan -t ed25519 ${SITE_B}`),
      }),
    );
  });

  it('a key the server does not accept: LB_E_DRIVER_AUTH', async () => {
    const { privateKey } = (await import('node:crypto')).generateKeyPairSync('ed25519');
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const r = sshRunner(lab, {
      identity: new (await import('../../../src/drivers/secrets.js')).Secret(pem, 'env:OTHER_KEY'),
    });
    await expect(r.run(['true'], ctx())).rejects.toMatchObject({
      code: 'LB_E_DRIVER_AUTH',
      retryable: false,
    });
    await r.close();
  });
});

describe('limits', () => {
  it('abort kills the remote process group and rejects LB_E_DRIVER_ABORTED', async () => {
    const r = sshRunner(lab);
    const pidFile = `${scratch()}/sleep.pid`;
    const c = new AbortController();
    const running = r.run(['sh', '-c', `sleep 60 & echo $! > ${pidFile}; wait`], {
      signal: c.signal,
    });
    for (let i = 0; i < 100 && !existsSync(pidFile); i++)
      await new Promise((res) => setTimeout(res, 50));
    c.abort();
    await expect(running).rejects.toMatchObject({ code: 'LB_E_DRIVER_ABORTED' });
    // The background sleep (same process group as the command) is gone, or a zombie awaiting reaping.
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((res) => setTimeout(res, 200));
    expect(
      existsSync(`/proc/${pid}`) &&
        !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')),
    ).toBe(false);
    await r.close();
  });

  it('a timeout rejects LB_E_DRIVER_TIMEOUT; too much output LB_E_COMMAND_OUTPUT_LIMIT', async () => {
    const r = sshRunner(lab, { maxStdoutBytes: 100_000 });
    await expect(r.run(['sleep', '30'], { ...ctx(), timeoutMs: 500 })).rejects.toMatchObject({
      code: 'LB_E_DRIVER_TIMEOUT',
      retryable: true,
    });
    await expect(r.run(['head', '-c', '1000000', '/dev/zero'], ctx())).rejects.toMatchObject({
      code: 'LB_E_COMMAND_OUTPUT_LIMIT',
    });
    await r.close();
  });

  it('exit code, signal, and the stderr tail in a failure', async () => {
    const r = sshRunner(lab);
    expect(await r.run(['sh', '-c', 'kill -TERM $$'], ctx())).toMatchObject({
      code: 143,
      signal: 'SIGTERM',
    });
    const d = new CommandDriver({ target: 'web-b', runner: r });
    await expect(
      d.run(ctx(), { argv: ['sh', '-c', 'echo "disk full on /srv" >&2; exit 5'] }),
    ).rejects.toMatchObject({
      code: 'LB_E_COMMAND_FAILED',
      message: '`sh` on ssh web-b exited 5: disk full on /srv',
    });
    await r.close();
  });
});

describe('figures', () => {
  it('login and per-command time, against the OpenSSH client', async () => {
    const logins: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = sshRunner(lab);
      logins.push((await timed(() => r.connect(ctx().signal)))[1]);
      await r.close();
    }
    const r = sshRunner(lab);
    await r.run(['true'], ctx());
    const runs: number[] = [];
    for (let i = 0; i < 7; i++) runs.push((await timed(() => r.run(['true'], ctx())))[1]);
    await r.close();
    const ep = lab.endpoints().ssh;
    const cli: number[] = [];
    for (let i = 0; i < 5; i++) {
      const [res, ms] = await timed(() =>
        lab.exec('a', [
          'ssh',
          '-i',
          ep.identityFile,
          '-o',
          `UserKnownHostsFile=${ep.knownHostsFile}`,
          '-o',
          'StrictHostKeyChecking=yes',
          '-o',
          'BatchMode=yes',
          `root@${SITE_B}`,
          'true',
        ]),
      );
      expect(res.code).toBe(0);
      cli.push(ms);
    }
    Object.assign(figures, {
      loginMedian: median(logins),
      commandOnOpenConnectionMedian: median(runs),
      opensshCliTrueMedian: median(cli),
    });
    expect(median(runs)).toBeLessThan(median(cli));
  });
});
