// Other processes on the same store, for the conformance suite: the races that matter (two
// Lifeboats appending to one journal, consuming one approval, a kill -9 mid-append) happen between
// processes, where no shared event loop orders them.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ChildArgs, ChildTask } from './store-child.js';

const CHILD = join(import.meta.dirname, 'store-child.ts');
const REPO = join(import.meta.dirname, '..', '..');

export interface ChildOutput {
  /** Every JSON line the child printed after `ready`. */
  lines: Record<string, unknown>[];
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

interface Started {
  proc: ChildProcess;
  ready: Promise<void>;
  /** Resolves with everything the child printed once it exits. */
  exited: Promise<ChildOutput>;
  /** Called with each line as it arrives. */
  onLine: (f: (line: Record<string, unknown>) => void) => void;
}

function start(module: string, location: string, task: ChildTask): Started {
  const args: ChildArgs = { module, location, task };
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(args)], {
    cwd: REPO,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const listeners: ((line: Record<string, unknown>) => void)[] = [];
  let stderr = '';
  proc.stderr?.on('data', (d) => {
    stderr += String(d);
  });
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on('line', (text) => {
    const line = JSON.parse(text) as Record<string, unknown>;
    if (line.ready) return markReady();
    lines.push(line);
    for (const f of listeners) f(line);
  });
  const exited = new Promise<ChildOutput>((resolve) => {
    proc.on('exit', (exitCode, signal) => {
      resolve({ lines, exitCode, signal, stderr });
    });
  });
  // A child that dies before `ready` must not leave the suite waiting forever.
  void exited.then(markReady);
  return { proc, ready, exited, onLine: (f) => listeners.push(f) };
}

/**
 * Starts one child per task on the store at `location`, waits until all have opened it, releases
 * them together, and returns what each printed.
 */
export async function runChildren(
  module: string,
  location: string,
  tasks: readonly ChildTask[],
): Promise<ChildOutput[]> {
  const children = tasks.map((t) => start(module, location, t));
  await Promise.all(children.map((c) => c.ready));
  for (const c of children) c.proc.stdin?.end('go\n');
  const outputs = await Promise.all(children.map((c) => c.exited));
  for (const [i, o] of outputs.entries()) {
    if (o.exitCode !== 0 && o.signal === null) {
      throw new Error(
        `child ${i} (${tasks[i]?.kind}) exited ${o.exitCode}: ${JSON.stringify(o.lines.at(-1))}\n${o.stderr}`,
      );
    }
  }
  return outputs;
}

/**
 * Starts one child on `task`, and kills it with SIGKILL as soon as it has printed `afterLines`
 * results: the kill lands in the middle of its next operation, as a crash would.
 */
export async function killChildMidway(
  module: string,
  location: string,
  task: ChildTask,
  afterLines: number,
): Promise<ChildOutput> {
  const child = start(module, location, task);
  let results = 0;
  child.onLine(() => {
    results += 1;
    if (results === afterLines) child.proc.kill('SIGKILL');
  });
  await child.ready;
  child.proc.stdin?.end('go\n');
  return child.exited;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
