import type { CommandModule } from '../program.js';
import { checkCommand } from './check.js';
import { labCommand } from './lab.js';
import { renderCommand } from './render.js';

export const COMMANDS: readonly CommandModule[] = [checkCommand(), labCommand(), renderCommand()];
