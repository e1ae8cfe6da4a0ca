// ansible-playbook as a subprocess: its private directory (callback plugin, extra vars, SSH
// identity and known_hosts, control sockets), an environment that pins host keys and turns off
// anything interactive, and its own process group so an abort kills the workers and ssh too.
import { LifeboatError } from '../../core/errors/index.js';
import type { OperationContext } from '../driver.js';
import { knownHostsLine, parseHostKey } from '../host-key.js';
import { makePrivateDir, type PrivateDir } from '../private-files.js';
import { runProcess } from '../subprocess.js';
import { CALLBACK_NAME, CALLBACK_SOURCE } from './callback-plugin.js';
import type { AnsibleConfig } from './config.js';

const HEARTBEAT_MS = 2000;

export interface RunFiles {
  dir: PrivateDir;
  env: Record<string, string>;
  extraVarsFile?: string;
}

/** Writes the run's private files; the caller removes `dir` in `finally`. */
export function openRun(c: AnsibleConfig, extraVars: string | undefined): RunFiles {
  const dir = makePrivateDir('ansible');
  try {
    dir.write(`${CALLBACK_NAME}.py`, CALLBACK_SOURCE);
    const knownHosts = dir.write(
      'known_hosts',
      (c.knownHosts ?? [])
        .map((h) => knownHostsLine(h.host, h.port ?? 22, parseHostKey(h.hostKey)))
        .join(''),
    );
    const sshArgs = [
      '-o ControlMaster=auto',
      // Short: a master left by an aborted run goes away by itself within seconds.
      '-o ControlPersist=5s',
      '-o StrictHostKeyChecking=yes',
      `-o UserKnownHostsFile=${knownHosts}`,
      '-o GlobalKnownHostsFile=/dev/null',
      '-o BatchMode=yes',
      '-o IdentitiesOnly=yes',
    ].join(' ');
    const env: Record<string, string> = {
      ANSIBLE_CALLBACK_PLUGINS: dir.path,
      ANSIBLE_STDOUT_CALLBACK: CALLBACK_NAME,
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_RETRY_FILES_ENABLED: 'False',
      ANSIBLE_HOST_KEY_CHECKING: 'True',
      ANSIBLE_SSH_ARGS: sshArgs,
      ANSIBLE_SSH_CONTROL_PATH_DIR: `${dir.path}/cp`,
      ANSIBLE_LOCAL_TEMP: `${dir.path}/tmp`,
      ANSIBLE_DEPRECATION_WARNINGS: 'False',
      ANSIBLE_PYTHON_INTERPRETER: 'auto_silent',
      ANSIBLE_FORCE_COLOR: '0',
      PYTHONUNBUFFERED: '1',
      // Ansible refuses to start unless the locale's encoding is UTF-8.
      LC_ALL: 'C.UTF-8',
      LANG: 'C.UTF-8',
    };
    if (c.identity)
      env.ANSIBLE_PRIVATE_KEY_FILE = dir.write('identity', ensureNewline(c.identity.reveal()));
    if (c.user) env.ANSIBLE_REMOTE_USER = c.user;
    const files: RunFiles = { dir, env };
    if (extraVars !== undefined) files.extraVarsFile = dir.write('extra-vars.json', extraVars);
    return files;
  } catch (e) {
    dir.remove();
    throw e;
  }
}

function ensureNewline(s: string): string {
  return s.endsWith('\n') ? s : `${s}\n`;
}

function commonArgs(c: AnsibleConfig, run: RunFiles): string[] {
  return [
    ...(c.inventory ? [`--inventory=${c.inventory}`] : []),
    ...(c.limit ? [`--limit=${c.limit}`] : []),
    ...(run.extraVarsFile ? [`--extra-vars=@${run.extraVarsFile}`] : []),
    ...(c.forks ? [`--forks=${c.forks}`] : []),
  ];
}

/** The argv (without the namespace prefix). Pure given the run's files; exported for tests. */
export function playbookArgv(c: AnsibleConfig, run: RunFiles, extra: string[]): string[] {
  return [
    c.ansiblePlaybook ?? 'ansible-playbook',
    ...commonArgs(c, run),
    ...extra,
    '--',
    c.playbook,
  ];
}

function spawnOptions(c: AnsibleConfig, run: RunFiles, ctx: OperationContext) {
  return {
    signal: ctx.signal,
    env: run.env,
    // Lifeboat's own environment (its secrets) stays out of playbooks.
    inheritEnv: false,
    timeoutMs: c.timeoutMs ?? 3_600_000,
    what: `ansible-playbook ${c.name}`,
    cwd: '/',
  };
}

const prefixOf = (c: AnsibleConfig) => (c.namespace ? ['ip', 'netns', 'exec', c.namespace] : []);

export async function runPlaybook(
  c: AnsibleConfig,
  run: RunFiles,
  ctx: OperationContext,
  checkMode: boolean,
  onLine: (line: string) => void,
): Promise<{ code: number; stderr: string }> {
  const beat = ctx.heartbeat ? setInterval(() => ctx.heartbeat?.(), HEARTBEAT_MS) : undefined;
  try {
    const argv = playbookArgv(c, run, checkMode ? ['--check', '--diff'] : []);
    const r = await runProcess([...prefixOf(c), ...argv], {
      ...spawnOptions(c, run, ctx),
      captureStdout: false,
      onStdoutLine: onLine,
    });
    return { code: r.code, stderr: r.stderr };
  } finally {
    if (beat) clearInterval(beat);
  }
}

/** `--list-hosts`: parses the playbook and inventory, connects to nothing. */
export async function listHosts(
  c: AnsibleConfig,
  run: RunFiles,
  ctx: OperationContext,
): Promise<string[]> {
  const argv = playbookArgv(c, run, ['--list-hosts']);
  const r = await runProcess([...prefixOf(c), ...argv], {
    ...spawnOptions(c, run, ctx),
    timeoutMs: 120_000,
  });
  if (r.code !== 0) {
    const err = r.stderr
      .split('\n')
      .filter((l) => /ERROR!/.test(l))
      .join(' ')
      .slice(0, 400);
    if (/no hosts to target/i.test(r.stderr)) {
      throw new LifeboatError(
        'LB_E_ANSIBLE_NO_HOSTS',
        `playbook ${c.name}: the inventory and limit select no host`,
      );
    }
    throw new LifeboatError(
      'LB_E_ANSIBLE_PLAYBOOK_ERROR',
      `playbook ${c.name} does not parse (exit ${r.code})${err ? `: ${err}` : ''}`,
    );
  }
  const hosts = new Set<string>();
  let inHosts = false;
  for (const line of r.stdout.split('\n')) {
    if (/^\s+hosts \(\d+\):/.test(line)) inHosts = true;
    else if (inHosts && /^ {6}\S/.test(line)) hosts.add(line.trim());
    else inHosts = false;
  }
  return [...hosts].sort();
}
