// Actions that run something: `command.run`, `ansible.playbook`, `rsync.sync`. A command or a
// playbook is not known to be idempotent, so after a crash between its intent and its effect
// the engine asks an operator before running it again; a mirror copy is safe to repeat.
import { optStr, str } from './args.js';
import type { ActionHandler } from './types.js';

export const command: ActionHandler = {
  idempotent: false,
  async apply(ctx) {
    return ctx.drivers.command(ctx.step.target, ctx.step.args).run(ctx.op);
  },
};

export const playbook: ActionHandler = {
  idempotent: false,
  async apply(ctx) {
    return ctx.drivers.playbook(ctx.step.service, ctx.step.args).run(ctx.op);
  },
};

export const mirror: ActionHandler = {
  idempotent: true,
  async apply(ctx) {
    const dataSet = str(ctx.step, 'dataSet');
    const from = optStr(ctx.step, 'from') ?? str(ctx.step, 'source');
    return ctx.drivers.mirror(ctx.step.service, dataSet, from, str(ctx.step, 'to')).sync(ctx.op);
  },
};
