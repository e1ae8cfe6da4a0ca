// The text form of a planned run (`lifeboat run ... --dry-run`): every step in the order the
// engine would run it, with what it acts on, its arguments (references only, never a secret:
// the plan cannot hold one), its estimate, its approval and its undo; the point of no return on
// a line of its own; the totals. Every text quoted from the plan goes through `printable`, so a
// name or description cannot forge lines in a terminal or a log.
import { type Diagnostic, humanDuration, printable } from '../../core/plan/index.js';
import {
  type PlannedApproval,
  type PlannedRun,
  type PlannedStep,
  runTotals,
  type StepArgs,
} from '../../core/runbook/index.js';
import { findingLine } from './check-report.js';
import { count, type Palette, palette } from './table.js';

export interface RunHeader {
  /** As the operator typed it: `failover dlrn-db`. */
  request: string;
  planName: string;
  planFile: string;
}

const json = (args: StepArgs) => printable(JSON.stringify(args));

function estimate(s: PlannedStep): string {
  return s.estimateSource === 'unknown'
    ? 'estimate unknown (counted as 0)'
    : `estimate ${humanDuration(s.estimateMs)} (${s.estimateSource})`;
}

function approvalLine(a: PlannedApproval, target: string): string {
  const who = `${a.role === undefined ? 'an operator' : `a member of ${a.role}`}${a.distinctFromRequester ? ' other than the one who started the run' : ''}`;
  const when =
    a.when === 'always' ? 'approval required' : `approval required if ${target} cannot be reached`;
  return `${when}: ${printable(who)}. ${printable(a.reason)}`;
}

function stepBlock(
  s: PlannedStep,
  n: number,
  previous: string | undefined,
  pastNoReturn: boolean,
): string[] {
  const lines = [
    `${String(n).padStart(3)}. ${printable(s.id)}`,
    `     ${s.kind} · ${printable(s.action)} → ${printable(s.target)}${s.readOnly ? ' (changes nothing)' : ''}`,
    `     ${printable(s.description)}`,
  ];
  if (Object.keys(s.args).length > 0) lines.push(`     args: ${json(s.args)}`);
  lines.push(`     ${estimate(s)} · timeout ${humanDuration(s.timeoutMs)} · retries ${s.retries}`);
  // The default, "after the previous step", goes without saying; anything else is shown.
  const usual = previous === undefined ? [] : [previous];
  if (s.needs.join('\0') !== usual.join('\0'))
    lines.push(
      `     waits for: ${s.needs.length === 0 ? 'nothing (starts with the run)' : s.needs.map(printable).join(', ')}`,
    );
  if (s.approval) lines.push(`     ${approvalLine(s.approval, s.target)}`);
  if (s.undo)
    lines.push(
      `     undo: ${printable(s.undo.action)} → ${printable(s.undo.target)}${Object.keys(s.undo.args).length > 0 ? ` ${json(s.undo.args)}` : ''}: ${printable(s.undo.description)}`,
    );
  // Before the point of no return an abort reverses steps: say which ones cannot be.
  else if (!s.readOnly && !pastNoReturn) lines.push('     undo: none');
  return lines;
}

export function formatRunText(
  run: PlannedRun,
  header: RunHeader,
  warnings: readonly Diagnostic[],
  colour = false,
): string {
  const p: Palette = palette(colour);
  const out = [
    p.bold(`Dry run: ${printable(header.request)}`),
    `Plan ${printable(header.planName)} (${printable(header.planFile)}), ${run.planHash}`,
    `Nothing is changed. These are the ${count(run.steps.length, 'step')} \`lifeboat run ${printable(header.request)}\` would execute, in order.`,
  ];
  if (run.params.from || run.params.to || run.params.acceptDataLoss || run.params.reason)
    out.push(
      `Parameters: ${[
        run.params.from && `from ${run.params.from}`,
        run.params.to && `to ${run.params.to}`,
        run.params.acceptDataLoss && 'data loss beyond the RPO accepted',
        run.params.reason && `reason: ${printable(run.params.reason)}`,
      ]
        .filter(Boolean)
        .join(', ')}`,
    );
  for (const g of run.guards)
    out.push(
      `Only valid while the run of \`${g.runbook}\` for ${g.service} has not passed its point of no return \`${g.step}\` (the engine checks).`,
    );
  let n = 0;
  run.waves.forEach((wave, w) => {
    out.push('', p.bold(`Wave ${w + 1}: ${wave.join(', ')}`));
    for (const service of wave) {
      let previous: string | undefined;
      let pastNoReturn = false;
      for (const s of run.steps.filter((x) => x.service === service)) {
        n++;
        pastNoReturn ||= s.pointOfNoReturn;
        out.push('');
        if (s.pointOfNoReturn)
          out.push(
            p.red(
              `  ──── POINT OF NO RETURN (${printable(service)}): from step ${n} on the run only goes forward; abort is refused and nothing is undone ────`,
            ),
          );
        out.push(...stepBlock(s, n, previous, pastNoReturn));
        previous = s.id;
      }
    }
  });
  const t = runTotals(run);
  out.push(
    '',
    p.bold(
      `Total estimate: ${humanDuration(t.criticalPathMs)}${t.criticalPathMs === t.sequentialMs ? '' : ` with independent services in parallel, ${humanDuration(t.sequentialMs)} one after the other`}${t.unknownSteps > 0 ? `; ${count(t.unknownSteps, 'step')} without an estimate counted as 0` : ''}.`,
    ),
  );
  if (warnings.length > 0) {
    out.push('', p.bold('Warnings'));
    for (const d of warnings) out.push(findingLine(d, p));
  }
  return `${out.join('\n')}\n`;
}
