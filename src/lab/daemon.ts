// Starting a lab server: detached (its own session, so that it outlives `lab up` and its
// process group can be signalled whole), inside its namespace, as its user, with the PID of
// the daemon itself recorded. `ip netns exec` and `setpriv` both exec, so the PID we spawn is
// the daemon's: no wrapper whose death would hide the server's.
import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readFileSync } from 'node:fs';
import { LifeboatError } from '../core/errors/index.js';
import { asUser, inNamespace, tail } from './exec.js';
import { type PidRecord, recordOf, writePidFile } from './processes.js';

export interface DaemonSpec {
  /** Server name, for messages. */
  name: string;
  namespace: string;
  user: string;
  group: string;
  argv: readonly string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  logFile: string;
  pidFile: string;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface LaunchedDaemon {
  record: PidRecord;
  /** Settles when the daemon exits while this process still watches it. */
  exited: Promise<Exit>;
}

/** A clean environment: daemons must not inherit a test runner's NODE_OPTIONS or PG* variables. */
export function daemonEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    LANG: 'C.UTF-8',
    ...extra,
  };
}

/** Whether `cmd` names an executable, directly or on the daemons' PATH. */
export function findExecutable(cmd: string, path = daemonEnv().PATH ?? ''): string | undefined {
  const candidates = cmd.includes('/') ? [cmd] : path.split(':').map((d) => `${d}/${cmd}`);
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function launchDaemon(spec: DaemonSpec): LaunchedDaemon {
  const cmd = spec.argv[0] ?? '';
  if (!findExecutable(cmd)) {
    throw new LifeboatError('LB_E_LAB_TOOL_MISSING', `${spec.name}: '${cmd}' is not installed`);
  }
  const argv = inNamespace(spec.namespace, asUser(spec.user, spec.group, spec.argv));
  const fd = openSync(spec.logFile, 'a', 0o640);
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(argv[0] as string, argv.slice(1), {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: daemonEnv(spec.env),
      cwd: spec.cwd,
    });
  } finally {
    closeSync(fd);
  }
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: 127, signal: null }));
  });
  const record = child.pid === undefined ? undefined : recordOf(child.pid);
  if (!record) {
    throw new LifeboatError(
      'LB_E_LAB_SERVER_EXITED',
      `${spec.name} did not start (\`${spec.argv[0]}\`); log: ${spec.logFile}`,
    );
  }
  writePidFile(spec.pidFile, record);
  child.unref();
  return { record, exited };
}

export function logTail(path: string, lines = 8): string {
  try {
    return tail(readFileSync(path, 'utf8'), lines);
  } catch {
    return '';
  }
}
