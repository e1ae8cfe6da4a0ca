import type { CommandModule } from '../program.js';
import { labCommand } from './lab.js';

export const COMMANDS: readonly CommandModule[] = [labCommand()];
