// Who is asking: API tokens (random 32 bytes, `lbt_` + base64url, stored only as SHA-256),
// dashboard sessions (in memory: a restart logs everyone out), the CSRF token each session
// carries, and the limit on failed logins per client address.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiTokenRecord, TokenStore } from '../store/index.js';
import { API_ROLES, type ApiRole } from './api-types.js';

/** Every token starts with it: secret scanners and people recognise a Lifeboat token. */
export const TOKEN_PREFIX = 'lbt_';
const TOKEN_RE = /^lbt_[A-Za-z0-9_-]{43}$/;

/** A new token: the prefix and 32 random bytes in base64url (43 characters). */
export function newToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** What the store keeps of a token: SHA-256 of the whole string, lowercase hex. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function isApiRole(role: string): role is ApiRole {
  return (API_ROLES as readonly string[]).includes(role);
}

/** `have` includes `need` (viewer < operator < approver < admin). */
export function roleAtLeast(have: ApiRole, need: ApiRole): boolean {
  return API_ROLES.indexOf(have) >= API_ROLES.indexOf(need);
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  // Equal lengths for timingSafeEqual; comparing with itself keeps the time independent of b.
  return x.length === y.length ? timingSafeEqual(x, y) : !timingSafeEqual(x, x);
}

export interface Identity {
  name: string;
  role: ApiRole;
  /** How the request authenticated: a bearer token, or the dashboard's session cookie. */
  via: 'bearer' | 'session';
  session?: Session;
}

/** The token behind `token` (a whole `lbt_...` string), if it is valid and not revoked. */
export async function verifyToken(
  tokens: TokenStore,
  token: string,
): Promise<(ApiTokenRecord & { role: ApiRole }) | undefined> {
  if (!TOKEN_RE.test(token)) return undefined;
  const hash = tokenHash(token);
  const record = await tokens.findByHash(hash);
  // The lookup is by hash already; compare again in constant time so that correctness never
  // rests on how the store compares strings.
  if (!record || !safeEqual(record.hash, hash) || !isApiRole(record.role)) return undefined;
  return record as ApiTokenRecord & { role: ApiRole };
}

export interface Session {
  id: string;
  name: string;
  role: ApiRole;
  /** The token's hash: a revoked token ends its sessions at their next request. */
  tokenHash: string;
  csrfToken: string;
  expiresAt: number;
}

/** Dashboard sessions, in memory (lost on restart: log in again), each with an absolute expiry. */
export class Sessions {
  readonly #byId = new Map<string, Session>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly max = 10_000,
  ) {}

  create(name: string, role: ApiRole, hash: string): Session {
    this.prune();
    if (this.#byId.size >= this.max) {
      // The oldest session goes first (Map keeps insertion order).
      const first = this.#byId.keys().next().value;
      if (first !== undefined) this.#byId.delete(first);
    }
    const session: Session = {
      id: randomBytes(32).toString('base64url'),
      name,
      role,
      tokenHash: hash,
      csrfToken: randomBytes(32).toString('base64url'),
      expiresAt: this.now() + this.ttlMs,
    };
    this.#byId.set(session.id, session);
    return session;
  }

  get(id: string): Session | undefined {
    const s = this.#byId.get(id);
    if (!s) return undefined;
    if (s.expiresAt <= this.now()) {
      this.#byId.delete(id);
      return undefined;
    }
    return s;
  }

  delete(id: string): void {
    this.#byId.delete(id);
  }

  get size(): number {
    return this.#byId.size;
  }

  private prune(): void {
    const now = this.now();
    for (const [id, s] of this.#byId) if (s.expiresAt <= now) this.#byId.delete(id);
  }
}

/** At most `limit` failures per `windowMs` per key (a client address); then refused until one ages out. */
export class FailureLimiter {
  readonly #failures = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number,
    private readonly maxKeys = 10_000,
  ) {}

  /** Seconds to wait before trying again, or 0 when the key may try now. */
  retryAfter(key: string): number {
    const recent = this.recent(key);
    if (recent.length < this.limit) return 0;
    const oldest = recent[recent.length - this.limit] as number;
    return Math.max(1, Math.ceil((oldest + this.windowMs - this.now()) / 1000));
  }

  fail(key: string): void {
    const recent = this.recent(key);
    recent.push(this.now());
    this.#failures.delete(key);
    this.#failures.set(key, recent.slice(-this.limit));
    if (this.#failures.size > this.maxKeys) {
      const first = this.#failures.keys().next().value;
      if (first !== undefined) this.#failures.delete(first);
    }
  }

  private recent(key: string): number[] {
    const since = this.now() - this.windowMs;
    return (this.#failures.get(key) ?? []).filter((t) => t > since);
  }
}

/** The value of cookie `name` in a Cookie header, if present. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
