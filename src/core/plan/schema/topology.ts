// Tiers, sites with their failure domains, and nodes: where things run.
import { z } from 'zod';
import { duration, host, money, name, secretRef, text } from './primitives.js';

export const tierSchema = z
  .strictObject({
    description: text('What an outage of a service in this tier means for its users.').optional(),
    rto: duration(
      'Recovery time objective: service must be restored within this time of detection.',
    ),
    rpo: duration('Recovery point objective: at most this much recent data may be lost.'),
    drillEvery: duration('How often each service of this tier must be drilled.').optional(),
    offsiteBudget: money(
      'Monthly budget, in the plan currency, for standby resources of this tier on offsite sites.',
    ).optional(),
    offsite: z
      .enum(['allowed', 'justify', 'never'])
      .default('allowed')
      .describe(
        'Whether services of this tier may use offsite resources: `allowed`, `justify` (each service must give a `justification`), or `never`.',
      ),
  })
  .describe('A criticality level (e.g. High / Medium / Low) with its recovery objectives.');

export const DOMAIN_KINDS = [
  'region',
  'zone',
  'rack',
  'hypervisor',
  'host',
  'storage',
  'network',
] as const;

export const domainSchema = z
  .strictObject({
    kind: z.enum(DOMAIN_KINDS).describe('What fails together: a region, a rack, a hypervisor...'),
    parent: name('The enclosing failure domain of the same site (a rack in a region).').optional(),
    description: text('Free text.').optional(),
  })
  .describe('A failure domain inside a site: everything placed in it can fail at once.');

export const siteSchema = z
  .strictObject({
    role: z
      .enum(['primary', 'offsite', 'witness'])
      .describe(
        '`primary`: where services run by default; `offsite`: standby resources elsewhere; `witness`: a third place that only observes.',
      ),
    provider: text('Who runs the site: a cloud, a hoster, a data centre.'),
    description: text('Free text.').optional(),
    costPerNodeMonth: money(
      'Monthly cost, in the plan currency, of one node at this site (used for standby cost).',
    ).optional(),
    domains: z
      .record(name('Domain name.'), domainSchema)
      .optional()
      .describe('Failure domains inside the site, by name.'),
  })
  .describe('A place that can fail as a whole: a cloud, a region, a data centre.');

export const sshSchema = z
  .strictObject({
    user: name('User to log in as.'),
    port: z.number().int().min(1).max(65535).default(22).describe('SSH port.'),
    hostKey: z
      .string()
      .max(2000)
      .regex(
        /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521) [A-Za-z0-9+/=]+$/,
        {
          message: 'must be a public host key line: `ssh-ed25519 AAAA...`',
        },
      )
      .optional()
      .describe(
        'The pinned public host key (`ssh-ed25519 AAAA...`); connections to any other key are refused.',
      ),
    identity: secretRef('Private key to log in with.').optional(),
  })
  .describe('How to reach the node over SSH.');

export const nodeSchema = z
  .strictObject({
    site: name('The site the node is in.'),
    domain: name('The innermost failure domain of its site that holds the node.').optional(),
    address: host('Host name or IP address to reach the node.').optional(),
    ssh: sshSchema.optional(),
    tags: z.array(name('A tag.')).max(50).optional().describe('Free tags, for grouping.'),
    monthlyCost: money(
      "Monthly cost of this node, overriding its site's `costPerNodeMonth`.",
    ).optional(),
    description: text('Free text.').optional(),
  })
  .describe('A machine (VM, host, container) where services run; itself a failure domain.');
