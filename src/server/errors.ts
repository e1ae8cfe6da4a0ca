// Every error answer is an ApiError with a registered code: the API's own refusals, the
// engine's and the store's coded errors (with the HTTP status that fits them), and anything
// unexpected as LB_E_SERVER_INTERNAL (details in the server log, never in the answer).
import { type ErrorCode, errorInfo, isLifeboatError } from '../core/errors/index.js';
import type { ApiError } from './api-types.js';

/** An error the API answers with: a status and a registered code. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly hint?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const unauthenticated = (message = 'authentication required') =>
  new HttpError(401, 'LB_E_SERVER_UNAUTHENTICATED', message);
export const forbidden = (message: string) => new HttpError(403, 'LB_E_SERVER_FORBIDDEN', message);
export const notFound = (message: string) => new HttpError(404, 'LB_E_SERVER_NOT_FOUND', message);
export const badRequest = (message: string) =>
  new HttpError(400, 'LB_E_SERVER_BAD_REQUEST', message);

/** The HTTP status for a coded error from the engine, the controller, the runbooks or the store. */
export function statusOf(code: string): number {
  switch (code) {
    case 'LB_E_ENGINE_UNKNOWN_RUN':
    case 'LB_E_ENGINE_UNKNOWN_STEP':
    case 'LB_E_STORE_NOT_FOUND':
    case 'LB_E_RUNBOOK_UNKNOWN_RUNBOOK':
    case 'LB_E_RUNBOOK_UNKNOWN_SERVICE':
    case 'LB_E_RUNBOOK_UNKNOWN_SITE':
    case 'LB_E_CONTROLLER_UNKNOWN_SERVICE':
      return 404;
    case 'LB_E_CONTROLLER_NO_RUN':
      return 400;
    case 'LB_E_ENGINE_NOT_IN_ROLE':
    case 'LB_E_ENGINE_APPROVER_IS_REQUESTER':
      return 403;
    case 'LB_E_ENGINE_REASON_REQUIRED':
      return 400;
    case 'LB_E_STORE_BUSY':
    case 'LB_E_CONTROLLER_STOPPED':
      return 503;
  }
  const area = code.split('_')[2];
  if (area === 'ENGINE' || area === 'STORE') {
    // Refusals of the engine (busy, ended, past the point of no return, not ready, ...) and
    // lost races in the store: the request was understood but the state does not allow it.
    return code === 'LB_E_STORE_INVALID' ||
      code === 'LB_E_STORE_IO' ||
      code === 'LB_E_STORE_OPEN' ||
      code === 'LB_E_STORE_SCHEMA_NEWER'
      ? 500
      : 409;
  }
  if (area === 'RUNBOOK' || area === 'PLAN') return 400;
  return 500;
}

export interface ErrorAnswer {
  status: number;
  body: ApiError;
  headers: Record<string, string>;
  /** Unexpected: log it with its stack. */
  internal: boolean;
}

function body(code: ErrorCode, message: string, hint?: string): ApiError {
  return { code, message, hint: hint ?? errorInfo(code).fix };
}

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  validation?: unknown;
  message?: string;
}

/** The answer for anything thrown while handling a request. */
export function errorAnswer(e: unknown): ErrorAnswer {
  if (e instanceof HttpError) {
    return {
      status: e.status,
      body: body(e.code, e.message, e.hint),
      headers: e.headers,
      internal: false,
    };
  }
  if (isLifeboatError(e)) {
    const status = statusOf(e.code);
    return {
      status,
      body: { code: e.code, message: e.message, hint: e.hint },
      headers: {},
      internal: status >= 500,
    };
  }
  const f = (e ?? {}) as FastifyLikeError;
  if (f.validation !== undefined) {
    return {
      status: 400,
      body: body('LB_E_SERVER_BAD_REQUEST', f.message ?? 'invalid request'),
      headers: {},
      internal: false,
    };
  }
  // Fastify's own client errors: a body that is not JSON, an unsupported content type, too large.
  if (typeof f.statusCode === 'number' && f.statusCode >= 400 && f.statusCode < 500) {
    return {
      status: f.statusCode === 404 ? 404 : 400,
      body: body(
        f.statusCode === 404 ? 'LB_E_SERVER_NOT_FOUND' : 'LB_E_SERVER_BAD_REQUEST',
        f.message ?? 'bad request',
      ),
      headers: {},
      internal: false,
    };
  }
  return {
    status: 500,
    body: body('LB_E_SERVER_INTERNAL', 'internal error: see the server log'),
    headers: {},
    internal: true,
  };
}
