// The lab's helpers: secrets, subprocesses, bounded waits, package list, root refusal.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labCommand } from '../../../src/cli/commands/lab.js';
import { type CommandModule, runCli } from '../../../src/cli/program.js';
import { asUser, inNamespace, redact, run, runOk } from '../../../src/lab/exec.js';
import { LAB_PACKAGES, parseInstalled } from '../../../src/lab/install.js';
import { Lab } from '../../../src/lab/lab.js';
import {
  generatePassword,
  mysqlNativeHash,
  parseTsigSecret,
  renderTsigKey,
  scramSha256Verifier,
  writePrivate,
} from '../../../src/lab/secrets.js';
import { assertRoot, componentState } from '../../../src/lab/status.js';
import { waitFor } from '../../../src/lab/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('secrets', () => {
  it('generates distinct config-safe passwords', () => {
    const a = generatePassword();
    expect(a).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(generatePassword()).not.toBe(a);
  });

  it('stores SCRAM verifiers and MariaDB hashes, not passwords', () => {
    const v = scramSha256Verifier('pencil', Buffer.from('0123456789abcdef'));
    expect(v).toMatch(
      /^SCRAM-SHA-256\$4096:MDEyMzQ1Njc4OWFiY2RlZg==\$[A-Za-z0-9+/=]{44}:[A-Za-z0-9+/=]{44}$/,
    );
    expect(v).not.toContain('pencil');
    expect(scramSha256Verifier('pencil', Buffer.from('0123456789abcdef'))).toBe(v);
    // The well-known mysql_native_password hash of "password".
    expect(mysqlNativeHash('password')).toBe('*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19');
  });

  it('writes TSIG keys that BIND reads and libraries can parse back', () => {
    const k = renderTsigKey('lifeboat-lab', 'c2VjcmV0');
    expect(k).toContain('algorithm hmac-sha256;');
    expect(parseTsigSecret(k)).toBe('c2VjcmV0');
  });

  it('writes credential files mode 0600, even over an existing file', async () => {
    const f = join(dir, 'cred');
    writeFileSync(f, 'old', { mode: 0o644 });
    await writePrivate(f, 'new');
    expect(statSync(f).mode & 0o777).toBe(0o600);
  });
});

describe('subprocesses', () => {
  it('runs argv arrays and passes stdin', async () => {
    const r = await run(['cat'], { input: 'hello' });
    expect(r).toMatchObject({ code: 0, stdout: 'hello', timedOut: false });
  });

  it('bounds every run in time', async () => {
    const r = await run(['sleep', '5'], { timeoutMs: 100 });
    expect(r.timedOut).toBe(true);
    expect(r.ms).toBeLessThan(3000);
  });

  it('names the failed command with its output tail, secrets masked', async () => {
    await expect(
      runOk('the thing', ['sh', '-c', 'echo "bad pw=s3cret" >&2; exit 3'], { redact: ['s3cret'] }),
    ).rejects.toMatchObject({
      code: 'LB_E_LAB_COMMAND_FAILED',
      message: expect.stringMatching(/the thing failed: .*exited 3: bad pw=\*\*\*/),
    });
    expect(redact('a s3cret b s3cret', ['s3cret'])).toBe('a *** b ***');
  });

  it('says a missing program is a missing tool', async () => {
    await expect(runOk('x', ['no-such-program-lifeboat'])).rejects.toMatchObject({
      code: 'LB_E_LAB_TOOL_MISSING',
    });
  });

  it('enters namespaces and users with exec-ing tools only (same PID as the daemon)', () => {
    expect(inNamespace('t1-a', ['postgres'])).toEqual(['ip', 'netns', 'exec', 't1-a', 'postgres']);
    expect(asUser('postgres', 'postgres', ['postgres'])).toEqual([
      'setpriv',
      '--reuid=postgres',
      '--regid=postgres',
      '--init-groups',
      '--',
      'postgres',
    ]);
    expect(asUser('root', 'root', ['sshd'])).toEqual(['sshd']);
  });
});

describe('waits', () => {
  it('returns the first value the check gives', async () => {
    let n = 0;
    await expect(
      waitFor(() => (++n >= 3 ? 'ok' : undefined), { what: 'x', timeoutMs: 2000, intervalMs: 5 }),
    ).resolves.toBe('ok');
  });

  it('ends in a coded error naming what and where its log is', async () => {
    const log = join(dir, 'x.log');
    writeFileSync(log, 'line 1\nFATAL: could not bind\n');
    await expect(
      waitFor(() => false, {
        what: 'postgres-a to accept connections',
        log,
        timeoutMs: 50,
        intervalMs: 10,
      }),
    ).rejects.toMatchObject({
      code: 'LB_E_LAB_START_TIMEOUT',
      message: expect.stringMatching(
        /postgres-a to accept connections: not within 50 ms; log: .*x\.log\n.*FATAL: could not bind/s,
      ),
    });
  });

  it('stops at once when the daemon exits', async () => {
    const t0 = performance.now();
    const exited = Promise.resolve({ code: 1, signal: null });
    await expect(
      waitFor(() => false, { what: 'x', timeoutMs: 10_000, exited }),
    ).rejects.toMatchObject({
      code: 'LB_E_LAB_SERVER_EXITED',
    });
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

describe('packages and root', () => {
  it('keeps the one package list of the lab', () => {
    for (const p of [
      'postgresql',
      'mariadb-server',
      'bind9',
      'pdns-backend-sqlite3',
      'haproxy',
      'keepalived',
      'etcd-server',
      'nftables',
      'openssh-server',
      'rsync',
    ]) {
      expect(LAB_PACKAGES).toContain(p);
    }
    expect(
      parseInstalled(
        'bind9 install ok installed\nhaproxy deinstall ok config-files\nlibc6:amd64 install ok installed\n',
      ),
    ).toEqual(new Set(['bind9', 'libc6']));
  });

  it('refuses without root, with a coded error', () => {
    expect(() => assertRoot(1000)).toThrow(expect.objectContaining({ code: 'LB_E_LAB_NOT_ROOT' }));
    expect(() => Lab.open({ name: 'u1', uid: 1000 })).toThrow(
      expect.objectContaining({ code: 'LB_E_LAB_NOT_ROOT' }),
    );
    expect(() => assertRoot(0)).not.toThrow();
  });

  it('says up only when every server runs', () => {
    expect(componentState([{ state: 'running' }, { state: 'running' }])).toBe('up');
    expect(componentState([{ state: 'down' }, { state: 'down' }])).toBe('down');
    expect(componentState([{ state: 'running' }, { state: 'paused' }])).toBe('degraded');
  });
});

describe('the lab command', () => {
  const cli = async (argv: string[], uid: number) => {
    let out = '';
    let err = '';
    const io = {
      out: (t: string) => {
        out += t;
      },
      err: (t: string) => {
        err += t;
      },
    };
    const mod: CommandModule = labCommand(io, { uid: () => uid });
    const code = await runCli([mod], argv, io);
    return { code, out, err };
  };

  it('fails every command with LB_E_LAB_NOT_ROOT and exit 1 without root', async () => {
    for (const argv of [
      ['lab', 'status'],
      ['lab', 'up', '--only', 'postgres'],
      ['lab', 'down'],
      ['lab', 'partition', 'a'],
      ['lab', 'kill', 'postgres-a'],
      ['lab', 'install'],
    ]) {
      const r = await cli(argv, 1000);
      expect(r.code, argv.join(' ')).toBe(1);
      expect(r.err).toContain('LB_E_LAB_NOT_ROOT');
    }
  });

  it('prints the error as JSON with --json', async () => {
    const r = await cli(['lab', 'status', '--json'], 1000);
    expect(JSON.parse(r.out).error.code).toBe('LB_E_LAB_NOT_ROOT');
  });

  it('exits 2 on bad input', async () => {
    expect((await cli(['lab', 'up', '--only', 'nginx'], 0)).code).toBe(2);
    expect((await cli(['lab', 'partition', 'c'], 0)).code).toBe(2);
    expect((await cli(['lab', 'partition', 'a', '--one-way', 'up'], 0)).code).toBe(2);
    expect((await cli(['lab', 'kill', 'nginx'], 0)).code).toBe(2);
    expect((await cli(['lab', 'status', '--name', 'Bad-Name'], 0)).code).toBe(2);
  });

  it('has help for every subcommand', async () => {
    for (const sub of [
      'up',
      'down',
      'status',
      'install',
      'partition',
      'heal',
      'kill',
      'pause',
      'resume',
      'exec',
    ]) {
      const r = await cli(['lab', sub, '--help'], 1000);
      expect(r.code, sub).toBe(0);
      expect(r.out).toContain(`lab ${sub}`);
    }
  });
});

describe('probes and readiness', () => {
  it('puts HTTP headers and bodies in curl config on stdin, quoted', async () => {
    const { curlQuote, renderCurlConfig } = await import('../../../src/lab/probes.js');
    expect(curlQuote('a "b" \\ c\n')).toBe('"a \\"b\\" \\\\ c\\n"');
    const cfg = renderCurlConfig({
      method: 'PATCH',
      url: 'http://10.77.0.3:8081/api/v1',
      headers: { 'X-API-Key': 'k"1' },
      body: '@/etc/passwd',
    });
    expect(cfg).toBe(
      'url = "http://10.77.0.3:8081/api/v1"\nrequest = "PATCH"\nheader = "X-API-Key: k\\"1"\ndata-raw = "@/etc/passwd"\n',
    );
  });

  it('trusts a postmaster lock file only when it names the PID we started', async () => {
    const { postmasterAccepts } = await import('../../../src/lab/postgres.js');
    const file = (pid: number, status: string) =>
      `${pid}\n/data\n1700000000\n5432\n/sock\n*\n  1234 5\n${status}\n`;
    expect(postmasterAccepts(file(10, 'ready   '), 10)).toBe(true);
    expect(postmasterAccepts(file(10, 'standby '), 10)).toBe(true);
    expect(postmasterAccepts(file(10, 'starting'), 10)).toBe(false);
    // A SIGKILLed postmaster's file still says ready: not ours.
    expect(postmasterAccepts(file(9, 'ready   '), 10)).toBe(false);
    expect(postmasterAccepts('', 10)).toBe(false);
  });
});

describe('daemons', () => {
  it('says a missing server program is a missing tool, before starting anything', async () => {
    const { findExecutable, launchDaemon } = await import('../../../src/lab/daemon.js');
    expect(findExecutable('sh')).toMatch(/\/sh$/);
    expect(findExecutable('/bin/sh')).toBe('/bin/sh');
    expect(findExecutable('no-such-daemon-lifeboat')).toBeUndefined();
    expect(() =>
      launchDaemon({
        name: 'x',
        namespace: 'none',
        user: 'root',
        group: 'root',
        argv: ['no-such-daemon-lifeboat'],
        logFile: join(dir, 'x.log'),
        pidFile: join(dir, 'x.pid'),
      }),
    ).toThrow(expect.objectContaining({ code: 'LB_E_LAB_TOOL_MISSING' }));
  });
});
