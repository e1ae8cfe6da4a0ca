// A service: what matters, where it runs, how its data and traffic move, how it is rebuilt.
import { z } from 'zod';
import { dataSetSchema } from './data.js';
import { type ArgValue, argValue, duration, name, planPath, text } from './primitives.js';
import { probeSchema } from './probes.js';
import { customStepsSchema, DERIVED_STEPS } from './steps.js';
import { trafficSchema } from './traffic.js';

export const STRATEGIES = [
  'active-passive',
  'pilot-light',
  'backup-restore',
  'redeploy',
  'blue-green',
  'multi-provider',
  'migration',
] as const;

export const dependencySchema = z
  .union([
    name('Name of a service of this plan.'),
    z.strictObject({
      service: z.string().min(1).max(253).describe('A service of this plan, or an external one.'),
      external: z
        .boolean()
        .default(false)
        .describe('The service is not run by this team (e.g. repos.fedorapeople.org).'),
      fallback: text('What to do when this dependency is down.').optional(),
      description: text('Free text.').optional(),
    }),
  ])
  .describe('A service this one needs: a name, or `{service, external, fallback}`.');

export const placementSchema = z
  .strictObject({
    active: z.array(name('Node name.')).min(1).max(100).describe('Nodes that serve now.'),
    standby: z
      .array(name('Node name.'))
      .max(100)
      .optional()
      .describe('Nodes that take over (replicas, passive peers, the idle colour).'),
  })
  .describe('Where the service runs.');

export const migrationSchema = z
  .strictObject({
    runbook: name('The runbook that performs the migration.'),
    rollback: name(
      'The runbook that rolls it back (only possible before its point of no return).',
    ).optional(),
  })
  .describe('For `strategy: migration`: the forward and rollback runbooks.');

/**
 * The service schemas, built around the schemas of an argument value and of custom steps: the
 * plan's own, or stand-ins that accept exactly the same values (see `compiled.ts`).
 */
export function serviceSchemas(arg: z.ZodType<ArgValue>, customSteps: typeof customStepsSchema) {
  const ansible = z
    .strictObject({
      playbook: planPath('Ansible playbook.'),
      inventory: planPath('Inventory file or directory.').optional(),
      limit: z
        .string()
        .max(1000)
        .regex(/^[A-Za-z0-9._:*!&,-]+$/)
        .optional()
        .describe('Ansible `--limit` pattern.'),
      extraVars: z
        .record(z.string().max(200), arg)
        .optional()
        .describe('Extra variables, passed as a JSON file.'),
      duration: duration('How long a run takes from scratch (machine creation included).'),
    })
    .describe('An Ansible playbook run.');

  const service = z
    .strictObject({
      tier: name('Criticality tier (a key of `tiers`).'),
      description: text('What the service is.').optional(),
      owner: text('Team or person responsible.').optional(),
      details: text('Where the detailed procedure lives (a URL or text).').optional(),
      strategy: z
        .enum(STRATEGIES)
        .describe(
          'How continuity is provided: `active-passive` (a standby takes over), `pilot-light` (standby is started on demand), `backup-restore`, `redeploy` (rebuild from scratch), `blue-green`, `multi-provider` (several providers serve at once), `migration` (a move with a rollback).',
        ),
      placement: placementSchema,
      dependsOn: z.array(dependencySchema).max(100).optional().describe('Services this one needs.'),
      data: z.array(dataSetSchema).max(50).optional().describe('Data sets and their replication.'),
      traffic: z.array(trafficSchema).max(20).optional().describe('How clients reach the service.'),
      health: z.array(probeSchema).max(50).optional().describe('Health probes.'),
      redeploy: ansible.optional().describe('How to rebuild the service from scratch.'),
      upgrade: ansible.optional().describe('For `blue-green`: how the idle colour is upgraded.'),
      migration: migrationSchema.optional(),
      steps: customSteps.optional(),
      estimates: z
        .partialRecord(z.enum(DERIVED_STEPS), duration('Duration.'))
        .optional()
        .describe(
          'Expected duration of derived steps, overriding the defaults (e.g. a manual DNS change).',
        ),
      onOutage: z
        .enum(['notify', 'propose', 'failover'])
        .default('propose')
        .describe(
          'What the controller does on a confirmed outage: `notify`, `propose` a failover for approval, or `failover` at once.',
        ),
      justification: text(
        'Why this service uses offsite resources (required where its tier says `justify`).',
      ).optional(),
      openQuestions: z
        .array(text('A question.'))
        .max(50)
        .optional()
        .describe("Unresolved questions about this service's plan."),
      notes: text('The contingency plan in prose, shown in the rendered document.').optional(),
    })
    .describe('A service the plan keeps running.');
  return { ansible, service };
}

const schemas = serviceSchemas(argValue, customStepsSchema);
export const ansibleSchema = schemas.ansible;
export const serviceSchema = schemas.service;
