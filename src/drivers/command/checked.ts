// A command whose non-zero exit is a failure of the step: LB_E_COMMAND_FAILED with the exit
// status or signal and the last lines of stderr, with every known secret replaced.
import { LifeboatError } from '../../core/errors/index.js';
import type { Secret } from '../secrets.js';
import { tailOf } from '../subprocess.js';
import type { CommandResult, CommandRunner, CommandRunOptions } from './types.js';

export function describeExit(r: Pick<CommandResult, 'code' | 'signal'>): string {
  return r.signal ? `was killed by ${r.signal}` : `exited ${r.code}`;
}

export function commandFailed(
  argv: readonly string[],
  where: string,
  r: CommandResult,
  secrets: readonly (Secret | undefined)[] = [],
): LifeboatError {
  const tail = tailOf(r.stderr || r.stdout, secrets);
  return new LifeboatError(
    'LB_E_COMMAND_FAILED',
    `\`${argv[0]}\` on ${where} ${describeExit(r)}${tail ? `: ${tail}` : ''}`,
    {
      details: {
        program: argv[0],
        code: r.code,
        ...(r.signal ? { signal: r.signal } : {}),
        ms: r.ms,
      },
    },
  );
}

/** Runs argv and throws LB_E_COMMAND_FAILED unless it exits 0. */
export async function runChecked(
  runner: CommandRunner,
  argv: string[],
  opts: CommandRunOptions,
  secrets: readonly (Secret | undefined)[] = [],
): Promise<CommandResult> {
  const r = await runner.run(argv, opts);
  if (r.code !== 0) throw commandFailed(argv, runner.where, r, secrets);
  return r;
}
