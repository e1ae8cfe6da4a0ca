// Building blocks shared by every part of the plan schema. Each carries the Lifeboat code that a
// failure maps to (a pattern the loader recognises, or `params.lbCode` on refinements).
import { z } from 'zod';
import { hasControlCharacter } from '../../util/text.js';
import { parseCron } from '../cron.js';
import { DURATION_PATTERN, parseDuration } from '../duration.js';

/**
 * Names of plan objects (services, nodes, sites, steps...). They reach shells, SQL, DNS and the
 * HAProxy runtime API later, so they are restricted here: letters, digits, `.`, `_`, `-`.
 */
export const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$';
const NAME_RE = new RegExp(NAME_PATTERN);

export const name = (description: string) =>
  z
    .string()
    .regex(NAME_RE, {
      message:
        'is not a valid name: use 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit',
    })
    .describe(description);

/** A duration such as `30s`, `15m`, `4h`, `5d` or `1h30m`; parsed to milliseconds. */
export const duration = (description: string) =>
  z
    .string()
    .regex(new RegExp(DURATION_PATTERN), {
      message:
        'is not a duration: write a number and a unit (ms, s, m, h, d, w), e.g. 30s, 15m, 4h, 5d',
    })
    .transform((text) => parseDuration(text) as number)
    .describe(`${description} A duration: \`30s\`, \`15m\`, \`4h\`, \`5d\`, \`1h30m\`.`);

/**
 * A cron expression (src/core/plan/cron.ts: 5 fields, or 6 with seconds first), as croner runs
 * it: drills' and replication jobs' `schedule`.
 */
export const cronExpression = (description: string) =>
  z
    .string()
    .max(200)
    .regex(/^[0-9*/,\- A-Za-z?LW#]+$/, { message: 'must be a cron expression' })
    .superRefine((s, ctx) => {
      const parsed = parseCron(s);
      if ('error' in parsed)
        ctx.addIssue({
          code: 'custom',
          message: `is not a cron expression: ${parsed.error}`,
          params: { lbCode: 'LB_E_PLAN_BAD_FORMAT' },
        });
    })
    .describe(description);

export const SECRET_REF_PATTERN = '^(env:[A-Za-z_][A-Za-z0-9_]*|file:/[^\\n\\r\\0]+)$';
const SECRET_REF_RE = new RegExp(SECRET_REF_PATTERN);

/** A secret is never written in the plan: only where to find it. */
export const secretRef = (description: string) =>
  z
    .string()
    .refine((s) => SECRET_REF_RE.test(s), {
      message:
        'must be a reference to a secret (`env:NAME` or `file:/absolute/path`), never the secret itself',
      params: { lbCode: 'LB_E_PLAN_INLINE_SECRET' },
    })
    .describe(
      `${description} A reference: \`env:NAME\` or \`file:/absolute/path\`; never the value.`,
    );

export function isSecretRef(value: string): boolean {
  return SECRET_REF_RE.test(value);
}

/** Host name, IPv4 or IPv6 address: no spaces, no shell or URL syntax. */
export const HOST_PATTERN =
  '^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?|[0-9A-Fa-f:.]+)$';
export const host = (description: string) =>
  z
    .string()
    .max(253)
    .regex(new RegExp(HOST_PATTERN), {
      message: 'is not a host name or IP address',
    })
    .describe(description);

/** An absolute path with no `..` segment and no control characters. */
export const absolutePath = (description: string) =>
  z
    .string()
    .max(4096)
    .refine((p) => p.startsWith('/') && !/(^|\/)\.\.(\/|$)/.test(p) && !hasControlCharacter(p), {
      message: 'must be an absolute path without `..` segments or control characters',
      params: { lbCode: 'LB_E_PLAN_BAD_FORMAT' },
    })
    .describe(description);

/** A path relative to the plan file (playbooks, inventories): no `..` escaping, no control characters. */
export const planPath = (description: string) =>
  z
    .string()
    .min(1)
    .max(4096)
    .refine((p) => !hasControlCharacter(p) && !p.startsWith('-'), {
      message: 'must be a path without control characters, not starting with `-`',
      params: { lbCode: 'LB_E_PLAN_BAD_FORMAT' },
    })
    .describe(`${description} Relative paths are resolved from the plan file's folder.`);

export const text = (description: string) => z.string().max(10_000).describe(description);

export const money = (description: string) =>
  z.number().nonnegative().finite().describe(description);

/** JSON-like argument values given to a driver operation. */
export type ArgValue = string | number | boolean | null | ArgValue[] | { [k: string]: ArgValue };
export const argValue: z.ZodType<ArgValue> = z.lazy(() =>
  z.union([
    z.string().max(10_000),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(argValue).max(1_000),
    z.record(z.string().max(200), argValue),
  ]),
);
