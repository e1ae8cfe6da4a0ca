// `lifeboat run` without --dry-run: derive the run, then execute it with the engine, printing
// live progress: a task list redrawn in place on a terminal (output/task-list.ts), plain lines
// otherwise (output/run-progress.ts), JSON events with --json.
// Exit 0 succeeded, 1 failed or aborted, 3 waiting for an approval (--no-wait).
import type { PlannedRun, PlannedStep } from '../../core/runbook/index.js';
import type { EngineListener, RunOutcome } from '../../engine/index.js';
import type { JournalEntry } from '../../store/index.js';
import { progressLine } from '../output/run-progress.js';
import {
  applyEvent,
  initialTaskList,
  progressMode,
  TaskListWriter,
  type Terminal,
} from '../output/task-list.js';
import { ExitCode, processIo } from '../program.js';
import { openSession } from '../run-session.js';

export interface ExecuteOptions {
  plan: string;
  state?: string;
  lab?: string;
  wait?: boolean;
  json?: boolean;
}

/** Exit status of a command that executed (part of) a run. */
export function outcomeExit(o: RunOutcome): number {
  if (o.state === 'succeeded') return 0;
  if (o.state === 'waiting-approval' || o.state === 'running' || o.state === 'aborting') return 3;
  return 1;
}

export function printer(out: (s: string) => void, json: boolean | undefined): EngineListener {
  return (e) => {
    if (json) {
      out(`${JSON.stringify(e)}\n`);
      return;
    }
    const line = progressLine(e);
    if (line) out(`${line}\n`);
  };
}

/** This process's stdout as a terminal (read at each use: the window may be resized). */
export function processTerminal(): Terminal {
  return {
    get isTTY() {
      return process.stdout.isTTY === true;
    },
    get columns() {
      return process.stdout.columns;
    },
    get rows() {
      return process.stdout.rows;
    },
    env: process.env,
  };
}

/** The terminal to draw on when `out` is this process's stdout; none for any other writer. */
export function terminalOf(out: (s: string) => void): Terminal | undefined {
  return out === processIo.out ? processTerminal() : undefined;
}

export interface LiveProgress {
  /** Give this to the engine (the session) before anything runs. */
  listener: EngineListener;
  /** The planned steps are known: on a terminal, draw the task list from here on. */
  begin(title: string, steps: readonly PlannedStep[], past?: readonly JournalEntry[]): void;
  /** The run returned: leave the final task list on screen (before the summary lines). */
  end(): void;
}

/** Plain lines (or JSON) until `begin`, then a task list when the terminal allows one. */
export function liveProgress(
  out: (s: string) => void,
  json: boolean | undefined,
  terminal: Terminal | undefined,
): LiveProgress {
  const plain = printer(out, json);
  let writer: TaskListWriter | undefined;
  return {
    listener: (e) => (writer ? writer.listener(e) : plain(e)),
    begin(title, steps, past = []) {
      if (progressMode(terminal, json) !== 'tasks' || !terminal || writer) return;
      let state = initialTaskList(title, steps);
      for (const entry of past)
        state = applyEvent(state, { type: 'journal', runId: entry.runId, entry });
      writer = new TaskListWriter(state, out, terminal);
      writer.draw();
    },
    end() {
      writer?.finish();
    },
  };
}

export async function executeRun(
  derive: (plan: import('../../core/plan/index.js').Plan) => PlannedRun,
  opts: ExecuteOptions,
  out: (s: string) => void,
  terminal: Terminal | undefined = terminalOf(out),
): Promise<void> {
  const progress = liveProgress(out, opts.json, terminal);
  const session = openSession(opts, progress.listener);
  let outcome: RunOutcome;
  try {
    const planned = derive(session.plan);
    progress.begin(`${planned.runbook} ${planned.services.join(',')}`, planned.steps);
    outcome = await session.engine.start(planned);
  } finally {
    progress.end();
    await session.close();
  }
  out(
    opts.json
      ? `${JSON.stringify({ outcome })}\n`
      : `run ${outcome.runId}: ${outcome.state}: ${outcome.message}\n`,
  );
  const code = outcomeExit(outcome);
  if (code !== 0) throw new ExitCode(code as 1);
}
