// `lifeboat runs [--service S] [--json]` lists runs; `lifeboat show <run> [--json]` prints one
// run with each step's state from its journal, what it waits for, and the point of no return.
// Both open the state file read-only.
import type { Command } from 'commander';
import { LifeboatError } from '../../core/errors/index.js';
import { foldJournal, runData } from '../../engine/index.js';
import { defaultStatePath, openSqliteStore, type SqliteStateStore } from '../../store/index.js';
import { renderTable } from '../output/table.js';
import type { CommandModule, Io } from '../program.js';

interface Opts {
  state?: string;
  json?: boolean;
  service?: string;
  limit?: string;
}

async function withStore<T>(opts: Opts, f: (s: SqliteStateStore) => Promise<T>): Promise<T> {
  const store = openSqliteStore(opts.state ?? defaultStatePath(), { readOnly: true });
  try {
    return await f(store);
  } finally {
    await store.close();
  }
}

const when = (t: number) => new Date(t).toISOString().replace('T', ' ').slice(0, 19);

export function runsCommand(io?: Io): CommandModule {
  return (program: Command) => {
    program
      .command('runs')
      .description('List the runs in the state store, newest last.')
      .option('--state <path>', 'the state file')
      .option('--service <name>', 'only runs of this service')
      .option('--limit <n>', 'the most recent N runs', '50')
      .option('--json', 'print the runs as JSON')
      .action(async (opts: Opts, cmd: Command) => {
        const out = io?.out ?? (cmd.configureOutput().writeOut as (t: string) => void);
        const runs = await withStore(opts, (s) =>
          s.runs.list({
            ...(opts.service ? { service: opts.service } : {}),
            limit: Number(opts.limit ?? 50),
          }),
        );
        if (opts.json) {
          out(
            `${JSON.stringify(
              runs.map(({ data: _d, ...r }) => r),
              null,
              2,
            )}\n`,
          );
          return;
        }
        const rows = runs.map((r) => {
          const d = runData(r);
          return [
            r.id,
            r.runbook,
            r.service,
            r.state,
            d.current ?? d.waiting?.stepId ?? '',
            d.requester,
            when(r.createdAt),
          ];
        });
        out(
          renderTable(
            ['RUN', 'RUNBOOK', 'SERVICE', 'STATE', 'STEP', 'BY', 'STARTED (UTC)'].map((header) => ({
              header,
            })),
            rows,
          ),
        );
      });
    program
      .command('show')
      .description(
        'Show one run: its steps, their state, what it waits for, the point of no return.',
      )
      .argument('<run>', 'the run id')
      .option('--state <path>', 'the state file')
      .option('--json', 'print the run and its journal as JSON')
      .action(async (id: string, opts: Opts, cmd: Command) => {
        const out = io?.out ?? (cmd.configureOutput().writeOut as (t: string) => void);
        await withStore(opts, async (s) => {
          const run = await s.runs.get(id);
          if (!run)
            throw new LifeboatError('LB_E_ENGINE_UNKNOWN_RUN', `no run ${id} in ${s.location}`);
          const journal = await s.journal.read(id);
          if (opts.json) {
            out(`${JSON.stringify({ run, journal }, null, 2)}\n`);
            return;
          }
          const d = runData(run);
          const records = foldJournal(journal);
          const lines = [
            `run ${run.id}: ${run.runbook} ${d.services.join(', ')} — ${run.state}`,
            `started by ${d.requester} at ${when(run.createdAt)} UTC${d.reason ? ` (${d.reason})` : ''}`,
            `plan ${run.planHash}`,
            d.pointOfNoReturnPassed
              ? 'point of no return: PASSED (abort refused)'
              : 'point of no return: not reached (abort undoes)',
          ];
          if (d.waiting)
            lines.push(
              `waiting for: an approval of ${d.waiting.stepId} (${d.waiting.purpose}): ${d.waiting.reason}`,
            );
          if (d.failure)
            lines.push(`failed at ${d.failure.stepId}: ${d.failure.code} ${d.failure.message}`);
          lines.push('');
          for (const step of d.planned.steps) {
            const r = records.get(step.id);
            const undo = records.get(`${step.id}#undo`);
            const mark = { succeeded: '✓', failed: '✗', intent: '…', effect: '…', pending: ' ' }[
              r?.phase ?? 'pending'
            ];
            if (step.pointOfNoReturn) lines.push('  ──── point of no return ────');
            lines.push(
              `  ${mark} ${step.id}  ${step.action} → ${step.target}${r?.detail ? `: ${r.detail}` : ''}${r?.error ? `: ${r.error.code} ${r.error.message}` : ''}${undo ? ` [undo ${undo.phase}${undo.detail ? `: ${undo.detail}` : ''}]` : ''}`,
            );
          }
          out(`${lines.join('\n')}\n`);
        });
      });
  };
}
