// Composition root: the only place that wires commands (and, later, concrete drivers).
// `check` and `render` load only their own modules: the other commands bring the drivers
// (PostgreSQL, MariaDB, SSH, DNS clients), the state store and the server, a third of a second
// of start-up that a plan check does not need. Any other first argument loads every command.
import type { CommandModule } from './program.js';
import { runCli } from './program.js';

async function commandsFor(first: string | undefined): Promise<readonly CommandModule[]> {
  if (first === 'check') return [(await import('./commands/check.js')).checkCommand()];
  if (first === 'render') return [(await import('./commands/render.js')).renderCommand()];
  return (await import('./commands/index.js')).COMMANDS;
}

const argv = process.argv.slice(2);
const code = await runCli(await commandsFor(argv[0]), argv);
process.exitCode = code;
