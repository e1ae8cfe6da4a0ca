import type { CommandModule } from '../program.js';
import { agentCommand } from './agent.js';
import { auditCommand } from './audit.js';
import { checkCommand } from './check.js';
import { demoCommand } from './demo.js';
import { labCommand } from './lab.js';
import { renderCommand } from './render.js';
import { runCommand } from './run.js';
import { runControlCommands } from './run-control.js';
import { runsCommand } from './runs.js';
import { serveCommand } from './serve.js';
import { tokenCommand } from './token.js';

export const COMMANDS: readonly CommandModule[] = [
  agentCommand(),
  auditCommand(),
  checkCommand(),
  demoCommand(),
  labCommand(),
  renderCommand(),
  runCommand(),
  runsCommand(),
  runControlCommands(),
  serveCommand(),
  tokenCommand(),
];
