// `lifeboat resume <run>`, `lifeboat abort <run> --reason`, `lifeboat approve <run> <step>`:
// act on a run that exists. Each loads the plan (its hash must be the run's) and the state file,
// and acts as $LIFEBOAT_USER or the login name, recorded in the journal and the audit log.
import type { Command } from 'commander';
import { LifeboatError } from '../../core/errors/index.js';
import { runData } from '../../engine/index.js';
import { type CommandModule, ExitCode, type Io } from '../program.js';
import { openSession } from '../run-session.js';
import { DEFAULT_PLAN_FILE } from './run.js';
import { liveProgress, outcomeExit, printer, terminalOf } from './run-execute.js';

interface Opts {
  plan: string;
  state?: string;
  lab?: string;
  wait?: boolean;
  json?: boolean;
  reason?: string;
}

function common(cmd: Command): Command {
  return cmd
    .option('--plan <file>', 'the plan file the run was made from', DEFAULT_PLAN_FILE)
    .option('--state <path>', 'the state file')
    .option('--lab <name>', 'reach the nodes through the lab NAME (network namespaces), not SSH')
    .option('--json', 'print events and the outcome as JSON');
}

export function runControlCommands(io?: Io): CommandModule {
  return (program: Command) => {
    const writer = (cmd: Command) =>
      io?.out ?? (cmd.configureOutput().writeOut as (t: string) => void);
    common(program.command('resume'))
      .description(
        'Continue a run from its journal (after a crash, an approval, or a repaired failure).',
      )
      .argument('<run>', 'the run id')
      .option('--no-wait', 'return when the run waits for an approval (exit 3)')
      .action(async (id: string, opts: Opts, cmd: Command) => {
        const out = writer(cmd);
        const progress = liveProgress(out, opts.json, terminalOf(out));
        const s = openSession(opts, progress.listener);
        try {
          // On a terminal: the task list starts from what the journal already says.
          const run = await s.store.runs.get(id);
          if (run && run.state !== 'succeeded' && run.state !== 'aborted')
            progress.begin(
              `resume ${run.runbook} ${run.service}`,
              runData(run).planned?.steps ?? [],
              await s.store.journal.read(id),
            );
          let o: Awaited<ReturnType<typeof s.engine.resume>>;
          try {
            o = await s.engine.resume(id, s.planHash);
          } finally {
            progress.end();
          }
          out(
            opts.json
              ? `${JSON.stringify({ outcome: o })}\n`
              : `run ${o.runId}: ${o.state}: ${o.message}\n`,
          );
          if (outcomeExit(o) !== 0) throw new ExitCode(outcomeExit(o));
        } finally {
          await s.close();
        }
      });
    common(program.command('abort'))
      .description(
        'Abort a run before its point of no return: undo its steps in reverse. Refused after it.',
      )
      .argument('<run>', 'the run id')
      .option('--reason <text>', 'why the run is aborted (recorded)')
      .action(async (id: string, opts: Opts, cmd: Command) => {
        const out = writer(cmd);
        if (!opts.reason?.trim())
          throw new LifeboatError(
            'LB_E_CLI_USAGE',
            'abort needs --reason "why", for the journal and the audit log',
          );
        const s = openSession(opts, printer(out, opts.json));
        try {
          const o = await s.engine.abort(id, opts.reason, s.planHash);
          out(
            opts.json
              ? `${JSON.stringify({ outcome: o })}\n`
              : `run ${o.runId}: ${o.state}: ${o.message}\n`,
          );
        } finally {
          await s.close();
        }
      });
    common(program.command('approve'))
      .description(
        'Approve the step a run waits for (bound to this run, step, plan and parameters; single use).',
      )
      .argument('<run>', 'the run id')
      .argument('<step>', 'the step id (see `lifeboat show <run>`)')
      .action(async (id: string, step: string, opts: Opts, cmd: Command) => {
        const out = writer(cmd);
        const s = openSession(opts);
        try {
          const a = await s.engine.approve(id, step, s.planHash);
          out(
            opts.json
              ? `${JSON.stringify({ approval: a })}\n`
              : `approved ${step} of run ${id} as ${a.approver} (role ${a.role}); the run continues when its process picks it up, or with \`lifeboat resume ${id}\`\n`,
          );
        } finally {
          await s.close();
        }
      });
  };
}
