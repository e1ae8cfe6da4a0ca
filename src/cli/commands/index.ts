import type { CommandModule } from '../program.js';

export const COMMANDS: readonly CommandModule[] = [];
