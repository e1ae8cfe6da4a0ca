// The CLI as the end-to-end tests run it: the built bin/lifeboat, spawned without blocking the
// event loop (writers and checkers keep going in the test's process), on the lab plan, reaching
// the nodes through the default lab's namespaces, with its own state file.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..', '..');
export const BIN = join(ROOT, 'bin', 'lifeboat');
export const LAB_PLAN = join(ROOT, 'examples', 'lab', 'plan.yaml');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** The acting person ($LIFEBOAT_USER). */
  user?: string;
  /** Add --plan and --lab (commands that act on the plan); false for `runs`, `audit`. */
  withPlan?: boolean;
  plan?: string;
  timeoutMs?: number;
}

/** Runs `lifeboat <args> [--plan P --lab lb] --state <state>`. */
export function runCli(state: string, args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const extra = opts.withPlan === false ? [] : ['--plan', opts.plan ?? LAB_PLAN, '--lab', 'lb'];
  return new Promise((resolve) => {
    const p = spawn(BIN, [...args, ...extra, '--state', state], {
      env: { ...process.env, LIFEBOAT_USER: opts.user ?? 'alice' },
      timeout: opts.timeoutMs ?? 120_000,
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    p.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** The newest run's id in `state`. */
export async function lastRunId(state: string): Promise<string> {
  const r = await runCli(state, ['runs', '--json'], { withPlan: false });
  const runs = JSON.parse(r.stdout) as { id: string }[];
  const id = runs.at(-1)?.id;
  if (!id) throw new Error(`no run in ${state}: ${r.stderr}`);
  return id;
}
