import { defineCodes } from '../code-info.js';

/** Notifications (`notifications:` in the plan): webhooks and why one was not delivered. */
export const NOTIFY_CODES = defineCodes({
  LB_E_NOTIFY_HOST_NOT_ALLOWED: {
    summary:
      'A webhook’s URL names a host that `notifications.allowedHosts` does not allow, so it is never called.',
    fix: 'Add the host (or `*.its-domain`) to `notifications.allowedHosts`, or correct the URL.',
    retryable: false,
  },
  LB_E_NOTIFY_INSECURE_URL: {
    summary:
      'A webhook uses plain `http://` to a host allowed only through a `*.` wildcard: plain HTTP is allowed only to hosts listed literally.',
    fix: 'Use `https://`, or list the host itself in `notifications.allowedHosts`.',
    retryable: false,
  },
  LB_E_NOTIFY_NO_EVENT: {
    summary: 'A webhook’s `events` is empty: it would never be called.',
    fix: 'List the events it should receive, or leave `events` out for all of them.',
    retryable: false,
  },
  LB_E_NOTIFY_UNKNOWN_FILTER: {
    summary:
      'A webhook’s `services` or `tiers` names a service or tier the plan does not have (often a typo): that name matches nothing.',
    fix: 'Correct the name (`lifeboat check` lists the services and tiers), or remove it.',
    retryable: false,
    severity: 'warning',
  },
  LB_E_NOTIFY_MATCHES_NOTHING: {
    summary:
      'A webhook’s `services` and `tiers` filters together match no service: it would never be called.',
    fix: 'Widen the filters (a service of a listed tier, or leave one of them out), or remove the webhook.',
    retryable: false,
    severity: 'warning',
  },
  LB_E_NOTIFY_ADDRESS_REFUSED: {
    summary:
      'A webhook’s host resolved to a loopback, link-local (169.254.0.0/16, cloud metadata), unspecified or multicast address, which is refused unless that address itself is in `allowedHosts`.',
    fix: 'Check the host’s DNS records; if the address is really meant, list it in `notifications.allowedHosts`.',
    retryable: false,
  },
  LB_E_NOTIFY_REDIRECT: {
    summary:
      'The webhook answered with a redirect (3xx). Redirects are never followed: they could lead to a host that is not allowed.',
    fix: 'Configure the URL the redirect points to (after checking it), and allow its host.',
    retryable: false,
  },
  LB_E_NOTIFY_HTTP_STATUS: {
    summary:
      'The webhook answered with an error status; 429 and 5xx are retried with backoff, other statuses are not.',
    fix: 'Check the receiver’s logs and the webhook’s URL and headers (a 401 or 403: its credential).',
    retryable: true,
  },
  LB_E_NOTIFY_TIMEOUT: {
    summary: 'The webhook did not connect or answer in time.',
    fix: 'Check that the receiver is up and reachable from the controller; the attempt is retried with backoff.',
    retryable: true,
  },
  LB_E_NOTIFY_NETWORK: {
    summary:
      'The webhook could not be reached: the name does not resolve, the connection was refused or reset, or TLS failed.',
    fix: 'Check the URL, DNS, the firewall between the controller and the receiver, and its certificate.',
    retryable: true,
  },
  LB_E_NOTIFY_BODY_TOO_LARGE: {
    summary: 'The notification’s body is larger than the limit (64 KiB): it is not sent.',
    fix: 'This is a bug in the message builder when it happens: report it with the event.',
    retryable: false,
  },
  LB_E_NOTIFY_SECRET: {
    summary:
      'A secret the webhook needs (a header value or its `pathSecret`) cannot be read: the notification is not sent.',
    fix: 'Set the environment variable or create the file the reference names (readable by the controller only).',
    retryable: false,
  },
});
