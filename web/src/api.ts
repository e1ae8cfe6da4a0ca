// The API client: same-origin fetches under /api/v1 with the session cookie; every unsafe
// request carries the session's CSRF token as `x-csrf-token`. Errors arrive as ApiError.
import type { ApiError, Whoami } from '../../src/server/api-types.js';

export const API = '/api/v1';

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

let csrfToken: string | undefined;
let onUnauthorized: (() => void) | undefined;

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Called when a request is refused for want of a session (401): the app shows the login page. */
export function setUnauthorizedHandler(fn: (() => void) | undefined): void {
  onUnauthorized = fn;
}

export async function api<T>(
  path: string,
  init: { method?: 'GET' | 'POST' | 'DELETE'; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(`${API}/${path.replace(/^\//, '')}`, {
      method,
      headers,
      credentials: 'same-origin',
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: init.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiFailure(
      0,
      'network',
      'The Lifeboat server cannot be reached.',
      'Is `lifeboat serve` running?',
    );
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const e = (body ?? {}) as Partial<ApiError>;
    if (res.status === 401 && !path.startsWith('session/login')) onUnauthorized?.();
    throw new ApiFailure(
      res.status,
      e.code ?? `http-${res.status}`,
      e.message ?? (res.statusText || `HTTP ${res.status}`),
      e.hint,
    );
  }
  return body as T;
}

export async function login(token: string): Promise<Whoami> {
  const who = await api<Whoami>('session/login', { method: 'POST', body: { token } });
  setCsrfToken(who.csrfToken);
  return who;
}

export async function whoami(): Promise<Whoami> {
  const who = await api<Whoami>('session/whoami');
  if (who.csrfToken) setCsrfToken(who.csrfToken);
  return who;
}

export async function logout(): Promise<void> {
  try {
    await api('session/logout', { method: 'POST', body: {} });
  } finally {
    setCsrfToken(undefined);
  }
}

export function errorText(err: unknown): { message: string; hint?: string; code?: string } {
  if (err instanceof ApiFailure) return { message: err.message, hint: err.hint, code: err.code };
  return { message: err instanceof Error ? err.message : String(err) };
}
