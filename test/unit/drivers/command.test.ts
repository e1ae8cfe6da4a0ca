// The command driver without a network: quoting proven against real local shells, every config
// field and option refused when hostile, and local runs (abort, timeout, caps, signals, env).
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CommandDriver,
  LocalCommandRunner,
  parseHostKey,
  remoteCommand,
  SshRunner,
  shellJoin,
  shellQuote,
} from '../../../src/drivers/command/index.js';
import { Secret } from '../../../src/drivers/secrets.js';

const work = mkdtempSync(join(tmpdir(), 'lb-cmd-unit-'));
const canary = join(work, 'canary');
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Every hostile shape the brief names, plus a canary-creating payload in each form. */
const HOSTILE = [
  ';id',
  '$(id)',
  '`id`',
  'a\nb',
  "it's",
  "'",
  "''\\''",
  '--option',
  '-rf',
  '../../etc/passwd',
  `; touch ${canary}`,
  `$(touch ${canary})`,
  `\`touch ${canary}\``,
  `'; touch ${canary}; '`,
  `\n touch ${canary}\n`,
  '$HOME',
  '*',
  '"',
  '\\',
  '',
  ' leading and trailing ',
  'tab\there',
  'ünï©ødé',
];

function viaShell(shell: string, argv: readonly string[]): string[] {
  // What the remote side does: the login shell parses the string; printf shows each argument.
  const out = execFileSync(
    shell,
    ['-c', `exec ${shellJoin(['printf', '%s\\0', 'START', ...argv])}`],
    {
      encoding: 'utf8',
    },
  );
  return out.split('\0').slice(1, -1);
}

function ed25519Line(): string {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url');
  const str = (b: Buffer) => Buffer.concat([Buffer.alloc(4, 0), b]).fill(0, 0, 4);
  const field = (b: Buffer) => {
    const s = str(b);
    s.writeUInt32BE(b.length, 0);
    b.copy(s, 4);
    return s;
  };
  const blob = Buffer.concat([field(Buffer.from('ssh-ed25519')), field(raw)]);
  return `ssh-ed25519 ${blob.toString('base64')}`;
}

/** Gone, or a zombie waiting for a reaper (this container's PID 1 may not reap). */
function isGone(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

const identity = new Secret('not-a-key', 'env:TEST_KEY');
const hostKey = ed25519Line();
const good = { node: 'web-b', host: '10.0.0.2', user: 'deploy', hostKey, identity };

describe('POSIX quoting: an argv stays data through a shell', () => {
  for (const shell of ['/bin/sh', '/bin/bash']) {
    it(`${shell} yields exactly the hostile arguments, and the canary is never created`, () => {
      expect(viaShell(shell, HOSTILE)).toEqual(HOSTILE);
      expect(existsSync(canary)).toBe(false);
    });
  }

  it('round-trips any string without NUL (property, /bin/sh)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ unit: 'binary-ascii' }).filter((s) => !s.includes('\0')),
          { maxLength: 6 },
        ),
        (args) => {
          expect(viaShell('/bin/sh', args)).toEqual(args);
        },
      ),
      { numRuns: 60 },
    );
    expect(existsSync(canary)).toBe(false);
  });

  it('quotes a single quote as close, escaped quote, reopen', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('')).toBe("''");
  });

  it('refuses NUL, which no command line can carry', () => {
    expect(() => shellQuote('a\0b')).toThrow(
      expect.objectContaining({ code: 'LB_E_DRIVER_BAD_INPUT' }),
    );
  });

  it('the remote command reports its PID then execs the quoted argv, nothing else', () => {
    expect(remoteCommand(['printf', '%s\\n', ';id'])).toBe(
      `printf 'LIFEBOAT_PID:%s\\n' "$$" >&2; exec 'printf' '%s\\n' ';id'`,
    );
  });
});

describe('SSH runner configuration is validated before any connection', () => {
  const cases: Array<[string, Record<string, unknown>]> = [];
  for (const bad of HOSTILE.filter((h) => h !== '')) {
    cases.push([`node ${JSON.stringify(bad)}`, { node: bad }]);
    cases.push([`host ${JSON.stringify(bad)}`, { host: bad }]);
    cases.push([`user ${JSON.stringify(bad)}`, { user: bad }]);
    cases.push([`hostKey ${JSON.stringify(bad)}`, { hostKey: `ssh-ed25519 ${bad}` }]);
  }
  cases.push(['port 0', { port: 0 }], ['port 70000', { port: 70000 }]);
  cases.push(['proxy command --option', { proxyCommand: ['--option'] }]);
  cases.push(['empty proxy command', { proxyCommand: [] }]);
  it.each(cases)('refuses %s with LB_E_DRIVER_BAD_INPUT', (_name, patch) => {
    expect(() => new SshRunner({ ...good, ...patch } as never)).toThrow(
      expect.objectContaining({ code: 'LB_E_DRIVER_BAD_INPUT' }),
    );
  });

  it('refuses a node without a pinned host key, saying how to get one', () => {
    const { hostKey: _, ...noKey } = good;
    let err: unknown;
    try {
      new SshRunner({ ...noKey, port: 2222 });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'LB_E_SSH_HOST_KEY_MISSING', retryable: false });
    expect((err as { hint: string }).hint).toContain('ssh-keyscan -t ed25519 -p 2222 10.0.0.2');
  });

  it('refuses a key line whose data is of another type than it declares', () => {
    const blob = hostKey.split(' ')[1];
    expect(() => parseHostKey(`ssh-rsa ${blob}`)).toThrow(
      expect.objectContaining({ code: 'LB_E_DRIVER_BAD_INPUT' }),
    );
    expect(parseHostKey(`${hostKey} comment@host`).fingerprint).toMatch(
      /^SHA256:[A-Za-z0-9+/]{43}$/,
    );
  });

  it('refuses hostile users and env names in a run before connecting', async () => {
    const r = new SshRunner(good);
    for (const bad of HOSTILE) {
      await expect(
        r.run(['true'], { signal: AbortSignal.timeout(1000), user: bad }),
      ).rejects.toMatchObject({
        code: 'LB_E_DRIVER_BAD_INPUT',
      });
      await expect(
        r.run(['true'], { signal: AbortSignal.timeout(1000), env: { [bad]: 'x' } }),
      ).rejects.toMatchObject({
        code: 'LB_E_DRIVER_BAD_INPUT',
      });
    }
    for (const prog of ['--option', '-rf', '', 'A=b']) {
      await expect(r.run([prog], { signal: AbortSignal.timeout(1000) })).rejects.toMatchObject({
        code: 'LB_E_DRIVER_BAD_INPUT',
      });
    }
    await r.close();
  });

  it('puts the user switch and env in front as argv: root uses runuser, others sudo -n', () => {
    const asRoot = new SshRunner({ ...good, user: 'root' });
    expect(
      asRoot.commandLine(['pg_ctl', 'promote'], { user: 'postgres', env: { PGDATA: '/d $(id)' } }),
    ).toEqual([
      'runuser',
      '-u',
      'postgres',
      '--',
      'env',
      '--',
      'PGDATA=/d $(id)',
      'pg_ctl',
      'promote',
    ]);
    expect(new SshRunner(good).commandLine(['id'], { user: 'postgres' })).toEqual([
      'sudo',
      '-n',
      '-u',
      'postgres',
      '--',
      'id',
    ]);
    expect(new SshRunner(good).commandLine(['id'], { user: 'deploy' })).toEqual(['id']);
  });
});

describe('local runner', () => {
  const local = new LocalCommandRunner();
  const sig = () => AbortSignal.timeout(10_000);

  it('passes hostile arguments as data: printf sees exactly them, the canary stays absent', async () => {
    const r = await local.run(['printf', '%s\\0', ...HOSTILE], { signal: sig() });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\0').slice(0, -1)).toEqual(HOSTILE);
    expect(existsSync(canary)).toBe(false);
  });

  it('refuses hostile namespaces, programs, users and env names before spawning', async () => {
    for (const bad of HOSTILE) {
      expect(() => new LocalCommandRunner({ namespace: bad })).toThrow(
        expect.objectContaining({ code: 'LB_E_DRIVER_BAD_INPUT' }),
      );
      await expect(
        local.run(['true'], { signal: sig(), user: bad === '' ? '-' : bad }),
      ).rejects.toMatchObject({ code: 'LB_E_DRIVER_BAD_INPUT' });
      await expect(
        local.run(['true'], { signal: sig(), env: { [bad]: 'x' } }),
      ).rejects.toMatchObject({ code: 'LB_E_DRIVER_BAD_INPUT' });
    }
    await expect(local.run([`--option`], { signal: sig() })).rejects.toMatchObject({
      code: 'LB_E_DRIVER_BAD_INPUT',
    });
    expect(existsSync(canary)).toBe(false);
  });

  it('reports the exit code, stdin and env as given, and a minimal environment', async () => {
    expect((await local.run(['sh', '-c', 'exit 7'], { signal: sig() })).code).toBe(7);
    expect((await local.run(['cat'], { signal: sig(), input: 'in' })).stdout).toBe('in');
    const env = await local.run(['env'], { signal: sig(), env: { FOO: '$(id)' } });
    expect(env.stdout).toContain('FOO=$(id)\n');
    expect(env.stdout).not.toMatch(/^VITEST/m);
  });

  it('reports a death by signal as 128+n with the signal name', async () => {
    const r = await local.run(['sh', '-c', 'kill -TERM $$'], { signal: sig() });
    expect(r).toMatchObject({ code: 143, signal: 'SIGTERM' });
  });

  it('abort kills the whole process group and rejects LB_E_DRIVER_ABORTED', async () => {
    const pidFile = join(work, 'child.pid');
    const started = Date.now();
    await expect(
      local.run(['sh', '-c', `sleep 30 & echo $! > ${pidFile}; wait`], {
        signal: AbortSignal.timeout(300),
      }),
    ).rejects.toMatchObject({ code: 'LB_E_DRIVER_ABORTED' });
    expect(Date.now() - started).toBeLessThan(5000);
    const pid = Number(execFileSync('cat', [pidFile], { encoding: 'utf8' }));
    expect(isGone(pid)).toBe(true); // the grandchild is gone too
  });

  it('a timeout rejects LB_E_DRIVER_TIMEOUT (retryable); too much output LB_E_COMMAND_OUTPUT_LIMIT', async () => {
    await expect(
      local.run(['sleep', '10'], { signal: sig(), timeoutMs: 200 }),
    ).rejects.toMatchObject({
      code: 'LB_E_DRIVER_TIMEOUT',
      retryable: true,
    });
    const small = new LocalCommandRunner({ maxStdoutBytes: 1000 });
    await expect(small.run(['yes'], { signal: sig() })).rejects.toMatchObject({
      code: 'LB_E_COMMAND_OUTPUT_LIMIT',
    });
  });

  it('a missing program is LB_E_COMMAND_NOT_FOUND', async () => {
    await expect(local.run(['lifeboat-no-such-program'], { signal: sig() })).rejects.toMatchObject({
      code: 'LB_E_COMMAND_NOT_FOUND',
    });
  });
});

describe('command driver', () => {
  const secret = new Secret('hunter2-password', 'env:PW');
  const driver = new CommandDriver({
    target: 'web-a',
    runner: new LocalCommandRunner(),
    secrets: [secret],
  });

  it('observe runs `true`; abort is honoured', async () => {
    const o = await driver.observe({ signal: AbortSignal.timeout(5000) });
    expect(o).toMatchObject({ healthy: true, facts: { where: 'local', runs: true } });
    const c = new AbortController();
    c.abort();
    await expect(driver.observe({ signal: c.signal })).rejects.toMatchObject({
      code: 'LB_E_DRIVER_ABORTED',
    });
  });

  it('a failed command names its exit status and stderr tail, with secrets redacted', async () => {
    const err = await driver
      .run(
        { signal: AbortSignal.timeout(5000) },
        { argv: ['sh', '-c', 'echo "bad password hunter2-password" >&2; exit 4'] },
      )
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'LB_E_COMMAND_FAILED', retryable: false });
    expect(String((err as Error).message)).toContain('exited 4: bad password [secret]');
    expect(String((err as Error).message)).not.toContain('hunter2');
  });

  it('okCodes widen success; the result carries the code and a stdout tail', async () => {
    const r = await driver.run(
      { signal: AbortSignal.timeout(5000) },
      { argv: ['sh', '-c', 'echo hi; exit 1'], okCodes: [0, 1] },
    );
    expect(r).toMatchObject({ changed: true, data: { code: 1, stdoutTail: 'hi' } });
  });
});
