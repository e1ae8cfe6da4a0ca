// Runbook steps: explicit ones in `runbooks`, and custom ones inserted around derived steps.
import { z } from 'zod';
import { type ArgValue, argValue, duration, name, text } from './primitives.js';

/** `driver.operation`, e.g. `postgres.promote`, `dns.switch`, `command.run`; or `manual`. */
export const ACTION_PATTERN = '^(manual|[a-z][a-z0-9-]*\\.[a-z][A-Za-z0-9-]*)$';

export const actionSchema = z
  .string()
  .regex(new RegExp(ACTION_PATTERN), {
    message: 'must be `driver.operation` (e.g. `postgres.promote`) or `manual`',
  })
  .describe(
    'What the step does: `driver.operation` (e.g. `postgres.promote`, `command.run`) or `manual` (a human does it).',
  );

export const approvalSchema = z
  .strictObject({
    role: name('The role whose members may approve (see `roles`).'),
    distinctFromRequester: z
      .boolean()
      .default(true)
      .describe('The approver must not be the person who started the run.'),
  })
  .describe('The step waits until a member of the role approves it.');

/** The steps Lifeboat derives from a service's topology; custom steps go before or after them. */
export const DERIVED_STEPS = [
  'detect',
  'fence',
  'check-ready',
  'read-only',
  'wait-catch-up',
  'promote',
  'switch-traffic',
  'verify',
  'rebuild',
  'upgrade',
  'test',
  'confirm',
  'restart-original',
  'delete-new',
  'provision',
  'redeploy',
  'restore',
] as const;
export type DerivedStep = (typeof DERIVED_STEPS)[number];

/**
 * The step schemas, built around the schema of an argument value: `argValue` for the plan's
 * schema, or a stand-in that accepts exactly the same values (see `compiled.ts`).
 */
export function stepSchemas(arg: z.ZodType<ArgValue>) {
  const undo = z
    .strictObject({
      action: actionSchema,
      target: name('What the undo acts on.').optional(),
      args: z.record(z.string().max(200), arg).optional().describe('Arguments of the undo.'),
      description: text('Free text.').optional(),
    })
    .describe('How to reverse the step, run on abort before the point of no return.');

  const step = z
    .strictObject({
      id: name('Step id, unique within its runbook.'),
      action: actionSchema,
      target: name('What the step acts on: a node, service, data set or traffic item.').optional(),
      args: z.record(z.string().max(200), arg).optional().describe('Arguments of the operation.'),
      description: text('What the step is for, shown to the operator.').optional(),
      approval: approvalSchema.optional(),
      pointOfNoReturn: z
        .boolean()
        .default(false)
        .describe(
          'After this step the run cannot be undone: abort is refused, it only goes forward.',
        ),
      undo: undo.optional(),
      timeout: duration('The step fails after this long.').optional(),
      retries: z
        .number()
        .int()
        .min(0)
        .max(10)
        .default(0)
        .describe('How many times a retryable failure is retried.'),
      estimate: duration('Expected duration, used by `lifeboat check` for the RTO.').optional(),
      needs: z
        .array(name('Step id.'))
        .max(100)
        .optional()
        .describe('Steps that must finish first (default: the previous step).'),
    })
    .describe('One step of a runbook.');

  const customSteps = z
    .strictObject({
      before: z
        .partialRecord(z.enum(DERIVED_STEPS), z.array(step).max(50))
        .optional()
        .describe('Steps inserted before a derived step, by its name.'),
      after: z
        .partialRecord(z.enum(DERIVED_STEPS), z.array(step).max(50))
        .optional()
        .describe('Steps inserted after a derived step, by its name.'),
    })
    .describe('Custom steps around the steps derived from the topology.');
  return { undo, step, customSteps };
}

const schemas = stepSchemas(argValue);
export const undoSchema = schemas.undo;
export const stepSchema = schemas.step;
export const customStepsSchema = schemas.customSteps;
