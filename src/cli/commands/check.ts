// `lifeboat check <plan.yaml> [--json]`: validate the plan, then analyse what it can deliver
// (RTO, RPO, failure domains, dependencies, cost, runbooks) and print it.
// Exit 0: no error finding; 1: error findings; 2: the plan is invalid (or unreadable).
import type { Command } from 'commander';
import { analyzePlan } from '../../core/analysis/index.js';
import { hasErrors, type LoadedPlan, sortDiagnostics } from '../../core/plan/index.js';
import { type CheckResult, formatCheckJson, formatCheckText } from '../output/check-report.js';
import { wantsColour } from '../output/table.js';
import { displayPath, loadPlanFile } from '../plan-files.js';
import { type CommandModule, ExitCode, type Io, processIo } from '../program.js';

/** Analyses a loaded plan and locates each finding in the file that defines it. */
export function checkLoadedPlan(loaded: LoadedPlan): CheckResult {
  if (!loaded.plan) return { loaded, analysis: undefined, findings: [], exitCode: 2 };
  const analysis = analyzePlan(loaded.plan);
  const findings = sortDiagnostics(
    analysis.findings.map((d) => {
      const at = loaded.locate(d.path ?? []);
      return { ...d, file: at.file, line: at.line, col: at.col };
    }),
  );
  return { loaded, analysis, findings, exitCode: hasErrors(findings) ? 1 : 0 };
}

export interface CheckOptions {
  json?: boolean;
}

/**
 * Without an injected `io` the command writes where the program's output is configured
 * (`runCli` points it at its own `io`), so tests and the real CLI share one path.
 */
export function checkCommand(io?: Io): CommandModule {
  return (program: Command) => {
    program
      .command('check')
      .description(
        'Validate a plan and analyse it: RTO and RPO per service, blast radius, recovery order, cost, findings.',
      )
      .argument('<plan>', 'the plan file (YAML)')
      .option('--json', 'print one JSON object instead of the report')
      .action((file: string, opts: CheckOptions, cmd: Command) => {
        const out = io?.out ?? (cmd.configureOutput().writeOut as (text: string) => void);
        const colour =
          out === processIo.out && wantsColour(process.stdout.isTTY, process.env) && !opts.json;
        const result = checkLoadedPlan(loadPlanFile(file));
        out(
          opts.json
            ? formatCheckJson(result, displayPath)
            : formatCheckText(result, displayPath, colour),
        );
        if (result.exitCode !== 0) throw new ExitCode(result.exitCode);
      });
  };
}
