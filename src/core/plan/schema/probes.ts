// Health probes: how Lifeboat (and check's RTO estimate) knows a service is down.
import { z } from 'zod';
import { duration, host, name, text } from './primitives.js';

const probeCommon = {
  name: name('Probe name, unique within the service.'),
  interval: duration('Time between two probes.').prefault('10s'),
  fastInterval: duration(
    'Time between two probes while the result is changing: after a failure until the probe is down (or `failures` passes), after a success until it is up again. Detection then takes one `interval` and `failures` − 1 of these (HAProxy calls it `fastinter`). Default: `interval`.',
  ).optional(),
  timeout: duration('Time after which one probe counts as failed.').prefault('2s'),
  failures: z
    .number()
    .int()
    .min(1)
    .max(100)
    .default(3)
    .describe('Consecutive failures that declare the service down.'),
  successes: z
    .number()
    .int()
    .min(1)
    .max(100)
    .default(1)
    .describe('Consecutive successes that declare it up again.'),
  from: name('Where the probe runs: `controller` (default), `witness`, or a site name.').optional(),
  description: text('Free text.').optional(),
};

export const httpProbeSchema = z
  .strictObject({
    kind: z.literal('http').describe('An HTTP probe.'),
    ...probeCommon,
    url: z
      .string()
      .max(2000)
      .regex(/^https?:\/\/[^\s@]+$/, {
        message: 'must be an http(s) URL without credentials',
      })
      .describe('URL to GET.'),
    expectStatus: z.number().int().min(100).max(599).default(200).describe('Expected HTTP status.'),
    bodyMatch: z.string().max(1000).optional().describe('Text the body must contain.'),
  })
  .describe('An HTTP GET with expected status and body.');

export const tcpProbeSchema = z
  .strictObject({
    kind: z.literal('tcp').describe('A TCP probe.'),
    ...probeCommon,
    host: host('Host to connect to.'),
    port: z.number().int().min(1).max(65535).describe('Port to connect to.'),
  })
  .describe('A TCP connect.');

export const sqlProbeSchema = z
  .strictObject({
    kind: z.literal('sql').describe('A SQL probe.'),
    ...probeCommon,
    data: name("The service's data set (postgres or mariadb) to query."),
    node: name("The node to query (default: the data set's source).").optional(),
    query: z.string().max(2000).default('SELECT 1').describe('A read-only query.'),
    expect: z
      .string()
      .max(1000)
      .optional()
      .describe('Expected first column of the first row, as text.'),
  })
  .describe("A SQL query against one of the service's databases.");

export const commandProbeSchema = z
  .strictObject({
    kind: z.literal('command').describe('A command probe.'),
    ...probeCommon,
    argv: z
      .array(z.string().max(4096))
      .min(1)
      .max(100)
      .describe('Program and arguments, run without a shell; exit 0 means healthy.'),
    node: name('Run it on this node over SSH (default: where the controller runs).').optional(),
  })
  .describe('A command whose exit status is the verdict.');

export const probeSchema = z
  .discriminatedUnion('kind', [httpProbeSchema, tcpProbeSchema, sqlProbeSchema, commandProbeSchema])
  .describe('A health probe: `http`, `tcp`, `sql` or `command`.');
