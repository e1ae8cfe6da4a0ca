import { defineCodes } from '../code-info.js';

/** The HTTP API (`lifeboat serve`) and its tokens: what it refuses and why. */
export const SERVER_CODES = defineCodes({
  LB_E_SERVER_UNAUTHENTICATED: {
    summary:
      'The request carries no valid credential: no `Authorization: Bearer` token, an unknown or revoked token, or no live session cookie.',
    fix: 'Send `Authorization: Bearer <token>` with a token from `lifeboat token create`, or log in again (`POST /api/v1/session/login`).',
    retryable: false,
  },
  LB_E_SERVER_FORBIDDEN: {
    summary:
      'The token’s role is below the one the route needs (viewer < operator < approver < admin).',
    fix: 'Use a token with the role the route needs (docs/api.md lists them); an admin creates one with `lifeboat token create --role ROLE --name NAME`.',
    retryable: false,
  },
  LB_E_SERVER_CSRF: {
    summary:
      'An unsafe request (POST, PUT, PATCH, DELETE) made with the session cookie lacks the `x-csrf-token` header, or carries another session’s.',
    fix: 'Send the `csrfToken` from the login answer (or `GET /api/v1/session/whoami`) as the `x-csrf-token` header on every unsafe request.',
    retryable: false,
  },
  LB_E_SERVER_ORIGIN: {
    summary:
      'An unsafe request came from another origin (its `Origin` or `Referer` is not the API’s own host): refused as a possible cross-site request.',
    fix: 'Call the API from the dashboard it serves, or from a client that sends no `Origin` and authenticates with `Authorization: Bearer`.',
    retryable: false,
  },
  LB_E_SERVER_RATE_LIMITED: {
    summary: 'Too many failed logins from this address in the last minute.',
    fix: 'Wait the number of seconds given in `Retry-After`, then log in with a valid token.',
    retryable: true,
  },
  LB_E_SERVER_NOT_FOUND: {
    summary: 'No such route, service or run.',
    fix: 'Check the path against docs/api.md (or `/api/v1/openapi.json`) and the name against `GET /api/v1/services` or `GET /api/v1/runs`.',
    retryable: false,
  },
  LB_E_SERVER_BAD_REQUEST: {
    summary:
      'The request does not match the route’s schema: a missing or unknown field, a wrong type, a bad query parameter, or a body that is not JSON.',
    fix: 'Send what `/api/v1/openapi.json` describes for the route; the message names the field.',
    retryable: false,
  },
  LB_E_SERVER_INTERNAL: {
    summary: 'The API failed in a way it did not expect; the server log has the details.',
    fix: 'Look at the `lifeboat serve` log at the time of the request, and report it with the log lines if it is a bug.',
    retryable: true,
  },
  LB_E_SERVER_LISTEN: {
    summary:
      '`lifeboat serve` could not listen on the address given: malformed, already in use, or not allowed.',
    fix: 'Pass `--listen HOST:PORT` with a free port on an address of this host (default 127.0.0.1:8480).',
    retryable: false,
  },
  LB_E_SERVER_TOKEN_NAME: {
    summary:
      'A token name is malformed, already used by another token, or unknown (revoking a name no token has).',
    fix: 'Use 1 to 64 letters, digits, `.`, `_`, `@` or `-`, a name no other token has (`lifeboat token list`); revoke by a listed name.',
    retryable: false,
  },
  LB_E_SERVER_NO_CONTROLLER: {
    summary: '`lifeboat serve` could not build the controller for the plan.',
    fix: 'Run `lifeboat check` on the plan and fix what it reports, then start `lifeboat serve` again.',
    retryable: false,
  },
});
