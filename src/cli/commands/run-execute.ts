// `lifeboat run` without --dry-run: derive the run, then execute it with the engine, printing
// live progress. Exit 0 succeeded, 1 failed or aborted, 3 waiting for an approval (--no-wait).
import type { PlannedRun } from '../../core/runbook/index.js';
import type { EngineListener, RunOutcome } from '../../engine/index.js';
import { progressLine } from '../output/run-progress.js';
import { ExitCode } from '../program.js';
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

export async function executeRun(
  derive: (plan: import('../../core/plan/index.js').Plan) => PlannedRun,
  opts: ExecuteOptions,
  out: (s: string) => void,
): Promise<void> {
  const session = openSession(opts, printer(out, opts.json));
  let outcome: RunOutcome;
  try {
    const planned = derive(session.plan);
    outcome = await session.engine.start(planned);
  } finally {
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
