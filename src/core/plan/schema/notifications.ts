// The plan's `notifications` section: webhooks told of outages, runs awaiting approval, runs
// finished and RPO breaches. Only hosts listed in `allowedHosts` may be called (checked when the
// plan is loaded, and again by the driver after DNS resolution); header values are secret
// references, never written in the plan.
import { z } from 'zod';
import { name, secretRef } from './primitives.js';

export const NOTIFICATION_EVENTS = [
  'outage',
  'approval-needed',
  'run-finished',
  'rpo-breach',
] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

/**
 * What happened, as a webhook is told of it: what the controller's notifier produces and the
 * webhook driver renders (JSON, Slack, Matrix). One shape for both layers.
 */
export interface NotificationMessage {
  event: NotificationEvent;
  /** The service (a run of several: their names joined by `,`). */
  service: string;
  /** The site concerned (an outage's site, the active site). */
  site?: string;
  runId?: string;
  /** The run's state (`waiting-approval`, `succeeded`, `failed`, `aborted`), for run events. */
  state?: string;
  /** One line for a human: what happened and what to do. */
  message: string;
  /** ISO 8601, UTC. */
  at: string;
  /** The dashboard page of the run or the service, when the controller knows its URL. */
  dashboardUrl?: string;
  /** For `approval-needed`: the command that approves the run. */
  approveCommand?: string;
}
export const WEBHOOK_FORMATS = ['json', 'slack', 'matrix'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/** `hooks.slack.com`, `*.example.org` (any subdomain, not the domain itself), `10.0.0.5`, `[::1]`. */
export const HOST_PATTERN_RE =
  /^(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[?[0-9A-Fa-f:.]+\]?)$/;

/** A header name as HTTP allows it (a token). */
const HEADER_NAME_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;

const webhookUrl = z
  .string()
  .max(2000)
  .refine(
    (u) => {
      try {
        const url = new URL(u);
        return (
          (url.protocol === 'https:' || url.protocol === 'http:') &&
          url.username === '' &&
          url.password === '' &&
          url.hash === '' &&
          url.hostname !== ''
        );
      } catch {
        return false;
      }
    },
    {
      message:
        'must be an absolute `https://` (or `http://`) URL without user, password or `#fragment`',
      params: { lbCode: 'LB_E_PLAN_BAD_FORMAT' },
    },
  )
  .describe(
    'Where to POST: an `https://` URL, or `http://` only to a host listed literally (no `*.`) in `notifications.allowedHosts`. Its host must be allowed by `allowedHosts`.',
  );

export const webhookSchema = z
  .strictObject({
    url: webhookUrl,
    pathSecret: secretRef(
      'The path (and query) to append to `url` when it is itself a credential, as a Slack incoming webhook’s `/services/T…/B…/…` is; `url` then gives only the scheme and host.',
    ).optional(),
    format: z
      .enum(WEBHOOK_FORMATS)
      .default('json')
      .describe(
        'The body: `json` (Lifeboat’s own object), `slack` (`{text, blocks}`, for Slack and Mattermost incoming webhooks) or `matrix` (`{msgtype, body, format, formatted_body}`, an `m.text` message for a Matrix webhook bridge).',
      ),
    events: z
      .array(z.enum(NOTIFICATION_EVENTS).describe('An event to send.'))
      .max(NOTIFICATION_EVENTS.length)
      .default([...NOTIFICATION_EVENTS])
      .describe(
        'What to send: `outage` (a confirmed outage), `approval-needed` (a run waits for an approval), `run-finished` (succeeded, failed or aborted), `rpo-breach`. Default: all.',
      ),
    services: z
      .array(name('A service name.'))
      .max(10_000)
      .optional()
      .describe('Only these services (default: every service).'),
    tiers: z
      .array(name('A tier name.'))
      .max(100)
      .optional()
      .describe('Only services of these tiers (default: every tier).'),
    headers: z
      .record(
        z
          .string()
          .regex(HEADER_NAME_RE, { message: 'is not an HTTP header name' })
          .describe('Header name.'),
        secretRef('The header’s value (e.g. `Authorization: env:HOOK_AUTH`).'),
      )
      .optional()
      .describe(
        'Extra request headers, each value a secret reference read when sending; never logged nor put in the body.',
      ),
  })
  .describe('One webhook: where, in which format, for which events and services.');

export const notificationsSchema = z
  .strictObject({
    dashboardUrl: z
      .string()
      .max(2000)
      .regex(/^https?:\/\/[^\s]+$/, { message: 'is not an http:// or https:// URL' })
      .optional()
      .describe(
        'The dashboard’s URL as the receivers’ readers reach it (e.g. `https://lifeboat.example.org/`): notifications link to the run or service page under it.',
      ),
    allowedHosts: z
      .array(
        z
          .string()
          .max(260)
          .regex(HOST_PATTERN_RE, {
            message: 'is not a host pattern: a host name, `*.domain` or an IP address',
          })
          .describe('A host name, `*.domain` (its subdomains) or an IP address.'),
      )
      .max(1000)
      .default([])
      .describe(
        'The only hosts webhooks may call. A name that resolves to a loopback, link-local (169.254.0.0/16, cloud metadata) or unspecified address is refused unless that address itself is listed.',
      ),
    webhooks: z
      .record(name('Webhook name.'), webhookSchema)
      .default({})
      .describe('Webhooks by name.'),
  })
  .superRefine((n, ctx) => {
    for (const [hook, w] of Object.entries(n.webhooks)) {
      let url: URL;
      try {
        url = new URL(w.url);
      } catch {
        continue; // the url's own check reports it
      }
      const host = urlHost(w.url);
      const { allowed, literal } = hostAllowed(host, n.allowedHosts);
      if (!allowed) {
        ctx.addIssue({
          code: 'custom',
          path: ['webhooks', hook, 'url'],
          message: `calls \`${host}\`, which \`notifications.allowedHosts\` does not allow`,
          params: { lbCode: 'LB_E_NOTIFY_HOST_NOT_ALLOWED' },
        });
      } else if (url.protocol === 'http:' && !literal) {
        ctx.addIssue({
          code: 'custom',
          path: ['webhooks', hook, 'url'],
          message: `is plain \`http://\` to \`${host}\`, which \`allowedHosts\` allows only through a wildcard`,
          params: { lbCode: 'LB_E_NOTIFY_INSECURE_URL' },
        });
      }
      if (w.pathSecret !== undefined && (url.pathname !== '/' || url.search !== '')) {
        ctx.addIssue({
          code: 'custom',
          path: ['webhooks', hook, 'url'],
          message:
            'has a path or query, which `pathSecret` would replace: give only the scheme and host',
          params: { lbCode: 'LB_E_PLAN_BAD_FORMAT' },
        });
      }
      if (w.events.length === 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['webhooks', hook, 'events'],
          message: 'is empty: the webhook would never be called',
          params: { lbCode: 'LB_E_NOTIFY_NO_EVENT' },
        });
      }
    }
  })
  .describe('Webhooks told of outages, approvals needed, runs finished and RPO breaches.');

export type Notifications = z.output<typeof notificationsSchema>;
export type Webhook = z.output<typeof webhookSchema>;

/** The host of a URL as matched against `allowedHosts`: lower case, IPv6 without brackets. */
export function urlHost(url: string): string {
  return new URL(url).hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
}

function normalise(pattern: string): string {
  return pattern
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}

/**
 * Whether `host` is allowed: `literal` when a pattern names it exactly (not through `*.`), which
 * `http://` URLs and refused address ranges need.
 */
export function hostAllowed(
  host: string,
  patterns: readonly string[],
): { allowed: boolean; literal: boolean } {
  const h = normalise(host);
  let allowed = false;
  for (const p of patterns) {
    const n = normalise(p);
    if (n === h) return { allowed: true, literal: true };
    if (n.startsWith('*.') && h.endsWith(n.slice(1)) && h.length > n.length - 1) allowed = true;
  }
  return { allowed, literal: false };
}
