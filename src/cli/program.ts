import { Command, CommanderError } from 'commander';
import { LifeboatError } from '../core/errors/index.js';
import { VERSION } from './version.js';

/** A command module registers itself on the root program. */
export type CommandModule = (program: Command) => void;

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** Thrown by command actions to end with a given exit code after printing their output. */
export class ExitCode extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

export function buildProgram(modules: readonly CommandModule[]): Command {
  const program = new Command('lifeboat')
    .description('Service continuity as code: check, render and run your continuity plan.')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of modules) register(program);
  return program;
}

/** Runs the CLI and returns the exit code: 0 ok, 1 findings or failure, 2 bad input or usage. */
export async function runCli(
  modules: readonly CommandModule[],
  argv: readonly string[],
  io: Io = processIo,
): Promise<number> {
  const program = buildProgram(modules);
  program.configureOutput({ writeOut: io.out, writeErr: io.err });
  for (const cmd of program.commands)
    cmd.exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return 0;
  } catch (e) {
    return exitCodeFor(e, io);
  }
}

/** The engine refusing, or another process owning the run: exit 1, like a failed run. */
const ENGINE_REFUSAL = /^LB_E_(?:ENGINE|STORE_(?:LEASE_LOST|STALE_TOKEN|CONFLICT))_?/;

function exitCodeFor(e: unknown, io: Io): number {
  if (e instanceof ExitCode) return e.code;
  if (e instanceof CommanderError) {
    if (
      e.code === 'commander.helpDisplayed' ||
      e.code === 'commander.version' ||
      e.code === 'commander.help'
    )
      return 0;
    return 2;
  }
  if (e instanceof LifeboatError) {
    io.err(`${e.format()}\n`);
    // The engine refusing (busy, past the point of no return, plan changed) is not bad usage.
    return ENGINE_REFUSAL.test(e.code) ? 1 : 2;
  }
  const internal = new LifeboatError(
    'LB_E_CLI_INTERNAL',
    e instanceof Error ? e.message : String(e),
  );
  io.err(`${internal.format()}\n`);
  if (process.env.LIFEBOAT_DEBUG && e instanceof Error && e.stack) io.err(`${e.stack}\n`);
  return 2;
}
