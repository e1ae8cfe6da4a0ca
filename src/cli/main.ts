// Composition root: the only place that wires commands (and, later, concrete drivers).
import { COMMANDS } from './commands/index.js';
import { runCli } from './program.js';

const code = await runCli(COMMANDS, process.argv.slice(2));
process.exitCode = code;
