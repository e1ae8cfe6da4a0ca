// The root of a plan file, and the fragment form that `include:`d files use.
import { z } from 'zod';
import { notificationsSchema } from './notifications.js';

export {
  hostAllowed,
  NOTIFICATION_EVENTS,
  type NotificationEvent,
  type NotificationMessage,
  urlHost,
  WEBHOOK_FORMATS,
  type WebhookFormat,
} from './notifications.js';

import { duration, name, text } from './primitives.js';
import { drillSchema, runbookSchema } from './runbook.js';
import { serviceSchema } from './service.js';
import { nodeSchema, siteSchema, tierSchema } from './topology.js';

export const roleSchema = z
  .strictObject({
    description: text('What the role may do.').optional(),
    members: z
      .array(z.string().min(1).max(200))
      .max(1000)
      .default([])
      .describe('Who holds the role (user names).'),
  })
  .describe('A set of people who may approve steps.');

/** The sections an included file may contribute; they are merged by name. */
export const sections = {
  tiers: z.record(name('Tier name.'), tierSchema).optional().describe('Criticality tiers by name.'),
  sites: z.record(name('Site name.'), siteSchema).optional().describe('Sites by name.'),
  nodes: z.record(name('Node name.'), nodeSchema).optional().describe('Nodes by name.'),
  services: z.record(name('Service name.'), serviceSchema).optional().describe('Services by name.'),
  runbooks: z
    .record(name('Runbook name.'), runbookSchema)
    .optional()
    .describe('Explicit runbooks by name.'),
  drills: z.record(name('Drill name.'), drillSchema).optional().describe('Drills by name.'),
  roles: z.record(name('Role name.'), roleSchema).optional().describe('Roles by name.'),
};
export const SECTION_NAMES = Object.keys(sections) as (keyof typeof sections)[];
export type SectionName = keyof typeof sections;

/** The schema of one entry of each section: entries are validated one by one, so that a broken
 * service does not hide the problems of the others (and their references are still checked). */
export const ENTRY_SCHEMAS = {
  tiers: tierSchema,
  sites: siteSchema,
  nodes: nodeSchema,
  services: serviceSchema,
  runbooks: runbookSchema,
  drills: drillSchema,
  roles: roleSchema,
} as const satisfies Record<SectionName, unknown>;

export const planSchema = z
  .strictObject({
    version: z.literal(1).describe('Plan format version: 1.'),
    name: name('Name of the plan (the estate it covers).'),
    description: text('Free text.').optional(),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .default('USD')
      .describe('Currency of all costs (ISO 4217).'),
    include: z
      .array(z.string().min(1).max(1000))
      .max(100)
      .optional()
      .describe(
        'Glob patterns of further plan files, relative to this one, whose sections are merged in.',
      ),
    detection: z
      .strictObject({
        manual: duration(
          'How long it takes a human to notice an outage of a service without probes.',
        ).prefault('30m'),
      })
      .prefault({})
      .describe('How outages are detected when no probe watches.'),
    notifications: notificationsSchema.optional(),
    ...sections,
  })
  .describe('A service continuity plan.');

/** The plan with each section's entries left unvalidated (see ENTRY_SCHEMAS); names still checked. */
export const envelopeSchema = planSchema.extend(
  Object.fromEntries(
    SECTION_NAMES.map((section) => [
      section,
      z.record(name(`${section} entry name.`), z.unknown()).optional(),
    ]),
  ) as { [K in SectionName]: z.ZodOptional<z.ZodRecord<z.ZodString, z.ZodUnknown>> },
);

export const fragmentSchema = z.strictObject(sections).describe('A file included by a plan.');

export type PlanInput = z.input<typeof planSchema>;
export type Plan = z.output<typeof planSchema>;
export type Service = NonNullable<Plan['services']>[string];
export type Tier = NonNullable<Plan['tiers']>[string];
export type Site = NonNullable<Plan['sites']>[string];
export type PlanNode = NonNullable<Plan['nodes']>[string];
export type DataSet = NonNullable<Service['data']>[number];
export type Traffic = NonNullable<Service['traffic']>[number];
export type Probe = NonNullable<Service['health']>[number];
export type Runbook = NonNullable<Plan['runbooks']>[string];
export type Step = Runbook['steps'][number];
export type Drill = NonNullable<Plan['drills']>[string];
export type NotificationsConfig = NonNullable<Plan['notifications']>;
export type WebhookConfig = NotificationsConfig['webhooks'][string];
