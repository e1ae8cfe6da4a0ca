// Subprocesses of the lab: argv arrays only, every run bounded in time, secrets passed on
// stdin (never argv, which `ps` shows to everyone) and masked in any output we quote.
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { LifeboatError } from '../core/errors/index.js';

export interface RunOptions {
  /** Written to the child's stdin (SQL with passwords, nft rule sets). */
  input?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Values masked as *** in anything quoted from the output. */
  redact?: readonly string[];
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_CAPTURE = 1 << 20;

export function run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const [cmd, ...args] = argv;
  if (!cmd) throw new Error('run: empty argv');
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
      cwd: opts.cwd,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    child.stdout.on('data', (d: Buffer) => {
      if (stdout.length < MAX_CAPTURE) stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < MAX_CAPTURE) stderr += d.toString();
    });
    child.stdin.on('error', () => {}); // a child that exits before reading stdin is not our error
    child.stdin.end(opts.input ?? '');
    const done = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut, ms: performance.now() - started });
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      stderr += `${e.code === 'ENOENT' ? `${cmd}: not found` : e.message}\n`;
      done(127, null);
    });
    child.on('close', done);
  });
}

export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) if (s.length > 0) out = out.split(s).join('***');
  return out;
}

/** The last lines of a command's output, for an error message. */
export function tail(text: string, lines = 6): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

export interface RunOkOptions extends RunOptions {
  /** A file that gets the command's whole output (the error quotes only its tail). */
  log?: string;
}

/** Runs and throws LB_E_LAB_COMMAND_FAILED (naming `what`) unless the command exits 0. */
export async function runOk(
  what: string,
  argv: readonly string[],
  opts: RunOkOptions = {},
): Promise<RunResult> {
  const r = await run(argv, opts);
  if (opts.log) {
    // The whole output, for the operator; the error quotes only its tail.
    appendFileSync(opts.log, redact(`$ ${argv.join(' ')}\n${r.stdout}${r.stderr}`, opts.redact));
  }
  if (r.code === 0 && !r.timedOut) return r;
  if (r.code === 127 && /not found/.test(r.stderr)) {
    throw new LifeboatError('LB_E_LAB_TOOL_MISSING', `${what}: '${argv[0]}' is not installed`);
  }
  const why = r.timedOut
    ? `timed out after ${Math.round(r.ms)} ms`
    : `exited ${r.code ?? r.signal}`;
  const output = redact(tail(`${r.stderr}\n${r.stdout}`), opts.redact);
  throw new LifeboatError(
    'LB_E_LAB_COMMAND_FAILED',
    `${what} failed: \`${argv.slice(0, 4).join(' ')} ...\` ${why}${output ? `: ${output}` : ''}${opts.log ? `; log: ${opts.log}` : ''}`,
    { details: { argv0: argv[0], code: r.code } },
  );
}

/** argv that runs `argv` inside a network namespace (`ip netns exec` execs: same PID). */
export function inNamespace(ns: string, argv: readonly string[]): string[] {
  return ['ip', 'netns', 'exec', ns, ...argv];
}

/** argv that runs `argv` as a user; setpriv execs (same PID, no PAM session), unlike runuser. */
export function asUser(user: string, group: string, argv: readonly string[]): string[] {
  if (user === 'root') return [...argv];
  return ['setpriv', `--reuid=${user}`, `--regid=${group}`, '--init-groups', '--', ...argv];
}
