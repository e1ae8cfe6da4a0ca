import { z } from 'zod';
import { cronExpression, duration, name, text } from './primitives.js';
import { stepSchema } from './steps.js';

export const RUNBOOK_KINDS = [
  'failover',
  'switchover',
  'failback',
  'bluegreen',
  'rollback',
  'redeploy',
  'migration',
  'custom',
] as const;

/** The runbook schema around a step schema: the plan's own, or a stand-in (see `compiled.ts`). */
export function runbookSchemaFor(step: typeof stepSchema) {
  return z
    .strictObject({
      kind: z.enum(RUNBOOK_KINDS).default('custom').describe('What the runbook is for.'),
      service: name('The service the runbook acts on.').optional(),
      description: text('What it does and when to run it.').optional(),
      steps: z.array(step).min(1).max(500).describe('The steps, in order.'),
    })
    .describe('An explicit list of steps, for what derivation does not cover.');
}

export const runbookSchema = runbookSchemaFor(stepSchema);

export const faultSchema = z
  .strictObject({
    kind: z
      .enum(['kill', 'pause', 'stop', 'partition', 'partition-replication', 'command'])
      .describe('The fault to inject.'),
    target: name('Node or site the fault hits.'),
    argv: z
      .array(z.string().max(4096))
      .min(1)
      .max(100)
      .optional()
      .describe('For `command`: what to run.'),
    duration: duration('How long the fault lasts (default: until the drill ends).').optional(),
  })
  .describe('The fault a drill injects.');

export const drillSchema = z
  .strictObject({
    service: name('The service under test.'),
    description: text('What the drill proves.').optional(),
    fault: faultSchema,
    runbook: name('The runbook to run in response (default: the derived failover).').optional(),
    expect: z
      .strictObject({
        rto: duration("Service restored within this time (default: the tier's RTO).").optional(),
        dataLoss: duration("At most this much data lost (default: the tier's RPO).").optional(),
        probes: z
          .array(name('Probe name.'))
          .max(50)
          .optional()
          .describe('Probes that must pass at the end.'),
      })
      .default({})
      .describe('What must hold for the drill to pass.'),
    schedule: cronExpression('When to run it, as a cron expression.').optional(),
  })
  .describe('A fault injection exercise with measured RTO and data loss.');
