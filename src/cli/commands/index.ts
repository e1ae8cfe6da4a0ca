import type { CommandModule } from '../program.js';
import { checkCommand } from './check.js';
import { labCommand } from './lab.js';

export const COMMANDS: readonly CommandModule[] = [checkCommand(), labCommand()];
