// `lifeboat run <runbook> [service|group] [--dry-run] [--from SITE] [--to SITE] [--json]`: derive
// the run from the plan; with --dry-run print exactly the steps it would execute, without it
// execute them with the engine (run-execute.ts), printing live progress.
// Exit 0: printed, or the run succeeded; 1: it cannot be derived (error diagnostics), or it
// failed or was aborted; 2: the plan is invalid or unreadable, or the command line is wrong;
// 3: the run waits for an approval (--no-wait).
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type Diagnostic, type LoadedPlan, sortDiagnostics } from '../../core/plan/index.js';
import { deriveRunbook, type PlannedRun, type RunParams } from '../../core/runbook/index.js';
import { findingLine } from '../output/check-report.js';
import { formatRunText } from '../output/run-report.js';
import { wantsColour } from '../output/table.js';
import { displayPath, loadPlanFile } from '../plan-files.js';
import { type CommandModule, ExitCode, type Io, processIo } from '../program.js';
import { executeRun } from './run-execute.js';

/** Where the plan is read from when `--plan` is not given: the working directory. */
export const DEFAULT_PLAN_FILE = 'lifeboat.yaml';

export interface RunOptions {
  plan: string;
  dryRun?: boolean;
  from?: string;
  to?: string;
  acceptDataLoss?: boolean;
  reason?: string;
  json?: boolean;
  state?: string;
  lab?: string;
  wait?: boolean;
}

/** Diagnostics with `file:line:col` where they point into the plan, errors first. */
function locate(loaded: LoadedPlan, diags: readonly Diagnostic[]): Diagnostic[] {
  return sortDiagnostics(
    diags.map((d) => {
      const at = d.path ? loaded.locate(d.path) : undefined;
      return at ? { ...d, ...at, file: displayPath(at.file) } : d;
    }),
  );
}

export function runCommand(io?: Io): CommandModule {
  return (program: Command) => {
    program
      .command('run')
      .description(
        'Derive a runbook from the plan and print the steps it executes (--dry-run). Runbooks: failover, switchover, failback, bluegreen, rollback, redeploy, or a runbook of the plan.',
      )
      .argument('<runbook>', 'a derived kind, or the name of a runbook in the plan')
      .argument('[target]', 'a service, a tier, a site, `all`, or a comma list of them')
      .option('--plan <file>', 'the plan file', DEFAULT_PLAN_FILE)
      .option('--dry-run', 'print the steps instead of executing them')
      .option('--from <site>', 'the site the service leaves')
      .option('--to <site>', 'the site the service moves to')
      .option('--accept-data-loss', 'failover: promote even when the replica is behind the RPO')
      .option('--reason <text>', 'why the run is started, for the journal')
      .option('--json', 'print the planned run as JSON')
      .option(
        '--state <path>',
        'the state file (journal, approvals, audit); default ~/.local/state/lifeboat/state.db',
      )
      .option('--lab <name>', 'reach the nodes through the lab NAME (network namespaces), not SSH')
      .option('--no-wait', 'return when the run waits for an approval (exit 3) instead of waiting')
      .action(
        async (runbook: string, target: string | undefined, opts: RunOptions, cmd: Command) => {
          const out = io?.out ?? (cmd.configureOutput().writeOut as (text: string) => void);
          const err = io?.err ?? (cmd.configureOutput().writeErr as (text: string) => void);
          const fail = (code: 1 | 2, value: object, text: string[]) => {
            if (opts.json) out(`${JSON.stringify({ run: null, ...value }, null, 2)}\n`);
            err(`${text.join('\n')}\n`);
            throw new ExitCode(code);
          };
          const file = resolve(opts.plan);
          const loaded = loadPlanFile(file);
          if (!loaded.plan) {
            const diags = loaded.diagnostics.map((d) =>
              d.file === undefined ? d : { ...d, file: displayPath(d.file) },
            );
            fail(2, { diagnostics: diags }, [
              ...diags.map((d) => findingLine(d)),
              'the plan is invalid: nothing derived',
            ]);
            return;
          }
          const params: RunParams = {
            ...(opts.from !== undefined ? { from: opts.from } : {}),
            ...(opts.to !== undefined ? { to: opts.to } : {}),
            ...(opts.acceptDataLoss ? { acceptDataLoss: true } : {}),
            ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
          };
          const derived = deriveRunbook(loaded.plan, runbook, target, params);
          const diagnostics = locate(loaded, [...loaded.diagnostics, ...derived.diagnostics]);
          const run = derived.run;
          if (!run) {
            fail(1, { diagnostics }, [
              ...diagnostics.map((d) => findingLine(d)),
              'the run cannot be derived: nothing would run',
            ]);
            return;
          }
          if (!opts.dryRun) {
            await executeRun(() => run, opts, out);
            return;
          }
          if (opts.json) {
            const located: PlannedRun = { ...run, warnings: diagnostics };
            out(`${JSON.stringify(located, null, 2)}\n`);
            return;
          }
          const colour = out === processIo.out && wantsColour(process.stdout.isTTY, process.env);
          out(
            formatRunText(
              run,
              {
                request: `${runbook}${target ? ` ${target}` : ''}`,
                planName: loaded.plan.name,
                planFile: displayPath(file),
              },
              diagnostics,
              colour,
            ),
          );
        },
      );
  };
}
